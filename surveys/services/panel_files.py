"""Reading a panel file: CSV or the first sheet of an XLSX workbook, as rows of text, within
limits that a hostile file cannot stretch (size, rows, columns, unpacked size); and the errors an
import reports, for the whole file or for one row."""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

import openpyxl
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# A spreadsheet's own limits; a workbook claiming more is malformed or hostile.
MAX_SHEET_ROWS = 1_048_576
MAX_SHEET_COLUMNS = 50
# An XLSX is a zip archive: its unpacked size is bounded too, against zip bombs.
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024


class PanelImportError(Exception):
    """The file cannot be imported at all (too large, unreadable, a clash while saving);
    the message says what to do."""


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet numbering: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def read_table(file: IO[bytes], filename: str) -> list[tuple[int, list[str]]]:
    """(row number, cells as text) for every non-blank row, the header first. Raises
    ``PanelImportError`` for a file too large, too long, empty or unreadable."""
    content = file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise PanelImportError(
            _("The file is larger than %(limit)d MB. Split it into smaller files.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
        )
    extension = Path(filename).suffix.lower()
    if extension == ".csv":
        rows = _csv_rows(content)
    elif extension == ".xlsx":
        rows = _xlsx_rows(content)
    else:
        raise PanelImportError(_("Choose a .csv or .xlsx file."))
    table = []
    for number, cells in enumerate(rows, start=1):
        if number > MAX_SHEET_ROWS:
            raise PanelImportError(_("The file has more rows than a spreadsheet can hold."))
        if any(cell.strip() for cell in cells):
            table.append((number, cells))
            if len(table) > MAX_ROWS + 1:
                raise PanelImportError(
                    _("The file has more than %(limit)d experts. Split it into smaller files.")
                    % {"limit": MAX_ROWS}
                )
    if len(table) < 2:
        raise PanelImportError(_("The file has no experts: a header row and one row per expert are needed."))
    return table


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PanelImportError(
            _("The file is not UTF-8 text (byte %(position)d). Save it as “CSV UTF-8”.")
            % {"position": error.start + 1}
        ) from error
    header_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:
        raise PanelImportError(
            _("Line %(line)d of the CSV file cannot be read: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    """The first worksheet's rows, formulas as their text (nothing is evaluated)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise PanelImportError(_("The file is not an .xlsx workbook.")) from error
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise PanelImportError(
            _("The workbook unpacks to more than %(limit)d MB.")
            % {"limit": MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    except Exception as error:  # openpyxl raises many kinds of error on a malformed workbook
        raise _unreadable_workbook(error) from error
    try:
        sheet = workbook.worksheets[0]
        # The declared size is the file's claim; read the rows that are really there.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True):
            yield [_cell_text(value) for value in values]
    except Exception as error:  # as above: a malformed sheet fails while it is read
        raise _unreadable_workbook(error) from error
    finally:
        workbook.close()


def _unreadable_workbook(error: Exception) -> PanelImportError:
    return PanelImportError(_("The .xlsx workbook cannot be read: %(error)s") % {"error": error})


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)
