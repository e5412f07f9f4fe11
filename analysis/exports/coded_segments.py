"""The coded interview passages: the coded-segments CSV, and the workbook's ``themes`` and
``coded segments`` sheets.

One row per coded segment and theme it carries (a segment without themes has one row with an empty
``theme``), so counting rows per theme counts the passages coded with it; the rows of one segment
share ``respondent``, ``question``, ``coder``, ``start`` and ``end``. Pseudonymous like every export:
the coder is a staff username, nothing is read from the expert record. See ``docs/exports.md``.
"""

from collections.abc import Iterator

import pandas
from django.db.models import F, Q, Subquery
from django.db.models.functions import Coalesce

from surveys.models import Survey

from ..models import Codebook, Theme
from ..themes import SEGMENT_COLUMNS, coded_segments_frame
from .cells import csv_lines

CODED_SEGMENT_COLUMNS = [*SEGMENT_COLUMNS, "memo"]
THEME_SHEET_COLUMNS = ["theme", "parent_theme", "description"]
CHUNK_ROWS = 1000


def coded_segments_table(*, survey: Survey) -> pandas.DataFrame:
    """``survey``'s coded segments with ``CODED_SEGMENT_COLUMNS`` (``themes.coded_segments_frame``
    with the coders' memos), ``in_answer`` and ``quotable`` as 1/0 like every flag of the exports.
    One query."""
    frame = coded_segments_frame(survey=survey, with_memo=True)
    return frame.astype({"in_answer": int, "quotable": int})


def coded_segments_csv_lines(*, survey: Survey, chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """The coded-segments CSV of ``survey`` as text (UTF-8 BOM and the header first), ``chunk_rows``
    rows per piece; a survey nobody has coded gives the header alone. A generator: nothing is read
    before the first line is asked for."""
    yield from csv_lines(coded_segments_table(survey=survey), chunk_rows=chunk_rows)


def themes_table(*, survey: Survey) -> pandas.DataFrame:
    """The themes of the codebook ``survey`` is coded with (its own, else its series', as
    ``coding.codebook_for_survey`` chooses, but never creating one), in one query, with
    ``THEME_SHEET_COLUMNS``, in reading order: each top-level theme (by position, name) followed by
    its sub-themes. No codebook yet: no rows."""
    codebook = (
        Codebook.objects.filter(Q(survey=survey) | Q(series_id=survey.series_id))
        .order_by(F("survey").asc(nulls_last=True), "pk")
        .values("pk")[:1]
    )
    rows = (
        Theme.objects.filter(codebook=Subquery(codebook))
        .order_by(
            Coalesce("parent__position", "position"),
            Coalesce("parent__name", "name"),
            Coalesce("parent_id", "pk"),
            F("parent_id").asc(nulls_first=True),
            "position",
            "name",
            "pk",
        )
        .values_list("name", "parent__name", "description")
    )
    frame = pandas.DataFrame.from_records(list(rows), columns=THEME_SHEET_COLUMNS)
    return frame.fillna({"parent_theme": ""}).astype(str)
