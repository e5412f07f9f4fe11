"""How one value becomes one cell, the same in every export.

The rule for spreadsheet safety (see ``surveys.spreadsheet_safety``): every *text* cell, header
cells included, whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading ``'``. *Numbers* are never touched: they come from numeric columns (an answer's
``number``, a rank, a 0/1 option flag), are written as numbers, and a spreadsheet reads ``-3`` as
minus three, not as a formula. So the rule looks at a value's type, never at its characters.
"""

import csv
import math
import re
from collections.abc import Iterator

import pandas
from pandas.api import types as dtypes

from surveys.spreadsheet_safety import FORMULA_TRIGGERS, neutralise_formula

BOM = "\ufeff"  # first in every CSV, so Excel reads it as UTF-8
NUMBER_FORMAT = ".15g"  # 15 significant digits: every number an expert can type, and 5 not 5.0
ELLIPSIS = "…"


class Echo:
    """A file-like object whose ``write`` returns the line, so ``csv.writer`` can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value) -> str | int:
    """One CSV cell: "" for missing, numbers formatted with ``NUMBER_FORMAT`` (never neutralised),
    text neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return "" if math.isnan(value) else format(value, NUMBER_FORMAT)
    return neutralise_formula(str(value))


def text_columns(frame: pandas.DataFrame) -> list[str]:
    return [column for column in frame.columns if not dtypes.is_numeric_dtype(frame[column])]


def neutralised(frame: pandas.DataFrame) -> pandas.DataFrame:
    """``frame`` with every text column neutralised (vectorised); numeric columns unchanged."""
    frame = frame.copy()
    for column in text_columns(frame):
        values = frame[column].fillna("").astype(str)
        frame[column] = values.where(~values.str.startswith(FORMULA_TRIGGERS), "'" + values).astype(object)
    return frame


def csv_lines(frame: pandas.DataFrame, *, chunk_rows: int) -> Iterator[str]:
    """``frame`` as CSV text (UTF-8 BOM and the header first), ``chunk_rows`` rows per piece: text
    neutralised, numbers with ``NUMBER_FORMAT``, missing values empty, ``\\r\\n`` line ends."""
    frame = neutralised(frame)
    yield BOM + csv.writer(Echo()).writerow([csv_cell(column) for column in frame.columns])
    for start in range(0, len(frame), chunk_rows):
        yield frame.iloc[start : start + chunk_rows].to_csv(
            header=False, index=False, lineterminator="\r\n", float_format="%" + NUMBER_FORMAT
        )


# XML 1.0, and so XLSX, cannot hold these control characters; openpyxl refuses them.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sheet_text(value: str) -> str:
    """One text cell of a workbook: the control characters XML cannot hold removed, then neutralised
    (in that order, so a hidden control character cannot shield a formula)."""
    return neutralise_formula(XML_ILLEGAL.sub("", value))


def sheet_ready(frame: pandas.DataFrame) -> pandas.DataFrame:
    """``frame`` with every text column made ``sheet_text`` (vectorised)."""
    frame = frame.copy()
    for column in text_columns(frame):
        frame[column] = frame[column].fillna("").astype(str).str.replace(XML_ILLEGAL, "", regex=True)
    return neutralised(frame)


def fit_label(body: str, *, prefix: str = "", suffix: str = "", max_chars: int, max_bytes: int) -> str:
    """``prefix + body + suffix`` cut to at most ``max_chars`` characters and ``max_bytes`` UTF-8
    bytes. The body is cut first, ending in "…", so the prefix (a variable's original name) and
    the suffix (the option it stands for) survive; only when they alone are too long is the whole
    label cut from the end."""

    def fits(text: str) -> bool:
        return len(text) <= max_chars and len(text.encode()) <= max_bytes

    full = prefix + body + suffix
    if fits(full):
        return full
    room = max_chars - len(prefix) - len(suffix) - len(ELLIPSIS)
    cut = body[: max(room, 0)]
    while cut and not fits(prefix + cut + ELLIPSIS + suffix):
        cut = cut[:-1]
    if cut:
        return prefix + cut + ELLIPSIS + suffix
    cut = full[: max_chars - len(ELLIPSIS)]
    while cut and not fits(cut + ELLIPSIS):
        cut = cut[:-1]
    return cut + ELLIPSIS
