"""The codebook as CSV: imported all-or-nothing with an error per row, exported for Excel."""

import csv
import io
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from surveys.services.panel_files import RowError
from surveys.spreadsheet_safety import FORMULA_TRIGGERS, neutralise_formula

from ..models import Codebook, Theme
from .codebook import codebook_themes

CODEBOOK_COLUMNS = ("name", "description", "parent")
MAX_CODEBOOK_BYTES = 1024 * 1024
MAX_CODEBOOK_ROWS = 1000
MAX_DESCRIPTION_CHARS = 5000
THEME_NAME_CHARS = Theme._meta.get_field("name").max_length


class CodebookImportError(Exception):
    """The file cannot be read at all (too large, not UTF-8, empty); the message says what to do."""


@dataclass(frozen=True)
class CodebookImportResult:
    """What an import did: themes created and updated, or the errors by row (nothing stored)."""

    created: int
    updated: int
    errors: list[RowError]
    ignored_columns: list[str]

    @property
    def stored(self) -> bool:
        return not self.errors


@dataclass
class _ThemeRow:
    row: int
    name: str
    description: str
    parent: str


def _cell_text(text: str) -> str:
    """A cell as the theme holds it: stripped, and without the quote an export puts before text
    a spreadsheet would run as a formula, so an exported codebook imports unchanged."""
    text = text.strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def _read_codebook_rows(file: IO[bytes]) -> list[tuple[int, list[str]]]:
    content = file.read(MAX_CODEBOOK_BYTES + 1)
    if len(content) > MAX_CODEBOOK_BYTES:
        raise CodebookImportError(_("The file is larger than 1 MB; a codebook is much smaller."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookImportError(
            _("The file is not UTF-8 text. In a spreadsheet, save it as “CSV UTF-8”.")
        ) from None
    try:
        rows = [
            (number, cells)
            for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error as error:
        raise CodebookImportError(
            _("The file is not a readable CSV file: %(error)s") % {"error": error}
        ) from None
    if not rows:
        raise CodebookImportError(
            _("The file is empty. The first row names the columns: name, description, parent.")
        )
    if len(rows) > MAX_CODEBOOK_ROWS + 1:
        raise CodebookImportError(
            _("The file has more than %(limit)d themes.") % {"limit": MAX_CODEBOOK_ROWS}
        )
    return rows


def _parse_codebook_rows(
    rows: list[tuple[int, list[str]]],
) -> tuple[list[_ThemeRow], list[str], list[RowError]]:
    """The theme rows of a codebook file, its ignored columns and the errors of single rows."""
    header_number, header = rows[0]
    columns: dict[str, int] = {}
    ignored, errors = [], []
    for index, title in enumerate(header):
        name = title.strip().lower()
        if name in CODEBOOK_COLUMNS and name in columns:
            errors.append(RowError(header_number, name, _("the column appears more than once")))
        elif name in CODEBOOK_COLUMNS:
            columns[name] = index
        elif name:
            ignored.append(title.strip())
    if "name" not in columns:
        errors.append(RowError(header_number, "name", _("the column is missing")))
        return [], ignored, errors
    limits = {"name": THEME_NAME_CHARS, "description": MAX_DESCRIPTION_CHARS, "parent": THEME_NAME_CHARS}
    parsed, first_row = [], {}
    for number, cells in rows[1:]:
        values = {}
        for column in CODEBOOK_COLUMNS:
            index = columns.get(column)
            values[column] = _cell_text(cells[index]) if index is not None and index < len(cells) else ""
            if "\x00" in values[column]:
                errors.append(RowError(number, column, _("the value contains a NUL character")))
            elif len(values[column]) > limits[column]:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("the value is %(length)d characters long; at most %(limit)d are allowed")
                        % {"length": len(values[column]), "limit": limits[column]},
                    )
                )
        name, parent = values["name"], values["parent"]
        if not name:
            errors.append(RowError(number, "name", _("a value is required")))
        elif name in first_row:
            errors.append(
                RowError(
                    number,
                    "name",
                    _("“%(name)s” already appears on row %(row)d") % {"name": name, "row": first_row[name]},
                )
            )
        else:
            first_row[name] = number
        if name and parent == name:
            errors.append(RowError(number, "parent", _("a theme cannot be its own parent")))
        parsed.append(_ThemeRow(number, name, values["description"], parent))
    return parsed, ignored, errors


def _nesting_errors(rows: list[_ThemeRow], existing: dict[str, Theme]) -> list[RowError]:
    """Errors of the two-level rule in the codebook as it would be after the import: every parent
    exists (in the file or the codebook) and is top-level, and no theme with sub-themes gets a
    parent."""
    in_file = {row.name: row for row in rows if row.name}
    names_by_pk = {theme.pk: name for name, theme in existing.items()}
    parent_of = {name: names_by_pk.get(theme.parent_id, "") for name, theme in existing.items()}
    parent_of.update({row.name: row.parent for row in in_file.values()})
    has_children = {parent for parent in parent_of.values() if parent}
    errors = []
    for row in in_file.values():
        if not row.parent or row.parent == row.name:
            continue
        if row.parent not in parent_of:
            errors.append(
                RowError(
                    row.row,
                    "parent",
                    _("there is no theme “%(parent)s” in this file or in the codebook")
                    % {"parent": row.parent},
                )
            )
        elif parent_of[row.parent]:
            errors.append(
                RowError(
                    row.row,
                    "parent",
                    _("“%(parent)s” is itself a sub-theme; themes nest two levels deep")
                    % {"parent": row.parent},
                )
            )
        if row.name in has_children:
            errors.append(
                RowError(
                    row.row,
                    "parent",
                    _("“%(name)s” has sub-themes, so it cannot be a sub-theme itself") % {"name": row.name},
                )
            )
    return errors


def codebook_import_csv(*, codebook: Codebook, file: IO[bytes]) -> CodebookImportResult:
    """Create or update themes of ``codebook`` from a CSV file (UTF-8, a byte-order mark allowed)
    with the columns ``name`` (required), ``description`` and ``parent`` (the name of a top-level
    theme, in the file or already in the codebook; empty for a top-level theme).

    A theme is matched by its exact name and updated; others are created; themes not in the file
    are kept. The file's order sets the order of the themes it names. All or nothing: any error
    stores nothing, and every error is reported with its row (the header is row 1). Raises
    ``CodebookImportError`` for a file that cannot be read at all.
    """
    rows, ignored, errors = _parse_codebook_rows(_read_codebook_rows(file))
    existing = {theme.name: theme for theme in codebook.themes.all()}
    errors += _nesting_errors(rows, existing)
    if errors:
        return CodebookImportResult(
            created=0, updated=0, errors=sorted(errors, key=lambda error: error.row), ignored_columns=ignored
        )
    themes: dict[str, Theme] = {}
    with transaction.atomic():
        # Everything top-level first, then the parents set, so a theme can move between levels.
        for position, row in enumerate(rows):
            theme = existing.get(row.name) or Theme(codebook=codebook, name=row.name)
            theme.description, theme.position, theme.parent = row.description, position, None
            theme.save()
            themes[row.name] = theme
        for row in rows:
            if row.parent:
                themes[row.name].parent = themes.get(row.parent) or existing[row.parent]
                themes[row.name].save(update_fields=["parent"])
    created = sum(row.name not in existing for row in rows)
    return CodebookImportResult(
        created=created, updated=len(rows) - created, errors=[], ignored_columns=ignored
    )


def codebook_export_csv(*, codebook: Codebook) -> str:
    """The codebook as CSV text with the columns ``name``, ``description``, ``parent``: each
    top-level theme, then its sub-themes. Cells a spreadsheet would run as a formula are
    neutralised (a leading ``'``), which ``codebook_import_csv`` undoes."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CODEBOOK_COLUMNS)
    for theme in codebook_themes(codebook=codebook):
        parent = theme.parent.name if theme.parent_id else ""
        writer.writerow([neutralise_formula(text) for text in (theme.name, theme.description, parent)])
    return out.getvalue()
