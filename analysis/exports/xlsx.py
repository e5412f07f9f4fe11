"""The Excel workbook: the wide table, the codebook, the variables' names in SPSS and Stata, the
themes and coded passages of the interview answers, and the summary tables.

Written with openpyxl in write-only mode, which streams rows to the file instead of building the
sheets in memory; the wide table itself is held as one pandas frame (see ``wide.wide_frame``).
"""

from os import PathLike
from typing import IO

import pandas
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from surveys.models import Survey

from .cells import sheet_ready, sheet_text
from .codebook import codebook_frame
from .coded_segments import coded_segments_table, themes_table
from .spss_stata import variables_frame
from .wide import wide_frame

SHEETS = ["data", "codebook", "variables", "themes", "coded segments", "summary"]
NO_SUMMARY = "The summary tables are not included in this file; see the survey's analysis pages."


def _append_frame(sheet: WriteOnlyWorksheet, frame: pandas.DataFrame) -> None:
    """``frame`` as a header row and one row per record: text neutralised and stripped of the
    control characters XML cannot hold, numbers as numbers, missing values as empty cells."""
    if not isinstance(frame.index, pandas.RangeIndex):
        frame = frame.reset_index()
    sheet.append([sheet_text(str(column)) for column in frame.columns])
    cells = sheet_ready(frame).astype(object)
    for row in cells.where(cells.notna(), None).itertuples(index=False, name=None):
        sheet.append(row)


def write_xlsx(
    *,
    survey: Survey,
    path: str | PathLike | IO[bytes],
    summary_tables: dict[str, pandas.DataFrame] | None = None,
) -> None:
    """``survey``'s workbook (sheets ``SHEETS``) to ``path``, a path or a binary file object.

    ``summary_tables`` (name → table) are written one after another on the ``summary`` sheet, each
    under its name and followed by an empty row; without them the sheet holds a note saying so.
    """
    table = wide_frame(survey=survey)
    workbook = Workbook(write_only=True)
    _append_frame(workbook.create_sheet("data"), table.frame)
    _append_frame(workbook.create_sheet("codebook"), codebook_frame(survey=survey, table=table))
    _append_frame(workbook.create_sheet("variables"), variables_frame(table))
    _append_frame(workbook.create_sheet("themes"), themes_table(survey=survey))
    _append_frame(workbook.create_sheet("coded segments"), coded_segments_table(survey=survey))
    summary = workbook.create_sheet("summary")
    if summary_tables is None:
        summary.append([NO_SUMMARY])
    for name, frame in (summary_tables or {}).items():
        summary.append([sheet_text(str(name))])
        _append_frame(summary, frame)
        summary.append([])
    workbook.save(path)
