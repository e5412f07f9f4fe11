"""Make text safe to open in a spreadsheet (CSV/formula injection).

Excel, LibreOffice and Google Sheets treat a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula, and a leading tab or carriage return can hide one; a formula can fetch URLs or run
commands on the reader's machine. OWASP's advice ("CSV Injection") is to prefix such cells with a
single quote, which spreadsheets display as text. Every export of text someone else typed (panel
records, answers) passes its cells through ``neutralise_formula``.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """``value`` with a ``'`` in front when its first character could start a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
