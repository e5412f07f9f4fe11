"""What the tally's upkeep, rebuild and readers share: the fields a count is keyed by, how a
value's counts by profile are packed, and the fingerprint that tells whether a tally is current."""

from collections.abc import Iterable
from datetime import datetime

import numpy
from django.db import connection
from django.db.models import Case, Count, F, Max, OuterRef, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast

from ..models import Answer, Question, Response, Survey
from ..selectors import one_value

# Answers whose text is a category (a choice code or a country code); other text is free text.
CATEGORY_TEXT_TYPES = (Question.Type.SINGLE_CHOICE, Question.Type.COUNTRY)
GROUP_FIELDS = ("country", "un_region", "un_subregion", "north_south", "sector", "mode")
VALUE_FIELDS = ("question_id", "number", "category", "codes")
KEY_FIELDS = (*VALUE_FIELDS, *GROUP_FIELDS)
# ``KEY_FIELDS`` of an answer of ``_counted_answers``.
COUNTED_ANSWER_FIELDS = (
    "question_id",
    "number",
    "category",
    "codes_text",
    *(f"response__{f}" for f in GROUP_FIELDS),
)

# ``AnswerTally.weights``: a value's counts as (profile number, count) pairs of unsigned 32-bit
# little-endian integers, profile numbers rising, no count 0 (a profile not there counts 0).
WEIGHTS = numpy.dtype("<u4")

Key = tuple


def _moment(value):
    return value.isoformat() if isinstance(value, datetime) else value


def fingerprints(survey_ids: Iterable[int]) -> dict[int, list]:
    """Of each survey, in one query, what its tally depends on: how many responses are submitted
    and the latest change among them (a save of a response or of its answers through the app
    changes it), how many questions it has and their latest change (a question retyped counts its
    text answers differently). The responses' part is read from an index, not the table."""
    submitted = Response.objects.filter(survey_id=OuterRef("pk"), status=Response.Status.SUBMITTED)
    questions = Question.objects.filter(survey_id=OuterRef("pk"))
    rows = Survey.objects.filter(pk__in=list(survey_ids)).values_list(
        "pk",
        one_value(submitted, Count("pk")),
        Subquery(submitted.order_by("-updated_at").values("updated_at")[:1]),
        one_value(questions, Count("pk")),
        one_value(questions, Max("updated_at")),
    )
    return {survey_id: [_moment(value) for value in values] for survey_id, *values in rows}


def answer_category() -> Case:
    """An answer's text when it is a category (``CATEGORY_TEXT_TYPES``), else "": free text is
    never read."""
    return Case(
        When(question__type__in=CATEGORY_TEXT_TYPES, then=F("text")),
        default=Value(""),
        output_field=TextField(),
    )


def _counted_answers(**filters) -> QuerySet[Answer]:
    """The submitted answers ``filters`` select, with the tally's ``category`` and ``codes``."""
    return Answer.objects.filter(response__status=Response.Status.SUBMITTED, **filters).annotate(
        category=answer_category(), codes_text=Cast("codes", TextField())
    )


def weight_pairs(weights: bytes | memoryview) -> numpy.ndarray:
    """``AnswerTally.weights`` as an array of (profile number, count) rows."""
    return numpy.frombuffer(weights, dtype=WEIGHTS).reshape(-1, 2)


def packed(profiles: numpy.ndarray, counts: numpy.ndarray) -> bytes:
    """``AnswerTally.weights`` of ``counts`` by profile number (``profiles``, rising), 0s left out."""
    kept = counts != 0
    return numpy.column_stack([profiles[kept], counts[kept]]).astype(WEIGHTS).tobytes()


def _insert(model, columns: tuple[str, ...], rows: list[list]) -> None:
    """Inserts ``rows`` of ``columns`` into ``model``'s table in one statement however many
    (``bulk_create`` would split them on SQLite); nothing when there are none."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})",  # (our own names)
            rows,
        )
