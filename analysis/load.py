"""Submitted answers as tidy pandas frames, one query per table.

These frames are what researchers analyse, so they hold no personal data: no names, emails or
organisations (nothing is read from the expert at all), no free-text answers, and respondents
are known only by a pseudonym (``respondent_pseudonym``), never by a database id. The groups
(country, UN region and sub-region, Global North/South, sector) are the snapshot taken when the
response was submitted, so later panel edits never move answers between groups; "" means unknown.
"""

import contextlib
import io
import itertools
import json
from collections.abc import Iterable, Iterator

import numpy
import pandas
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.utils.crypto import salted_hmac

from surveys.i18n import localized
from surveys.models import Answer, Choice, Question, Response, Survey

from .stats.grouping import GROUPINGS

PSEUDONYM_SALT = "roundtable.analysis.respondent"
PSEUDONYM_LENGTH = 16

GROUP_COLUMNS = list(GROUPINGS)
RESPONDENT_COLUMNS = ["respondent", "survey", "series", "wave", *GROUP_COLUMNS]
ANSWER_COLUMNS = [
    "respondent", "survey", "series", "wave", "question", "type", "scale_points", "rank_top_k",
    "number", "text", "codes", *GROUP_COLUMNS,
]  # fmt: skip
QUESTION_COLUMNS = [
    "position", "code", "type", "text", "scale_points", "rank_top_k", "min_value", "max_value",
    "required", "shown_if",
]  # fmt: skip
CHOICE_COLUMNS = ["question", "code", "label", "position", "is_other", "is_exclusive"]

# Answers whose text is a category (a choice code or a country code); other text is free text.
CATEGORY_TEXT_TYPES = (Question.Type.SINGLE_CHOICE, Question.Type.COUNTRY)
QUESTION_ORDER = ("section__position", "section_id", "position", "pk")

Surveys = Survey | Iterable[Survey] | QuerySet[Survey]


def respondent_pseudonym(response_id: int) -> str:
    """A stable pseudonym for a response: an HMAC-SHA256 of its id keyed with SECRET_KEY,
    truncated to 16 hex digits. The same response always gets the same pseudonym; without the key
    nobody can tell which response (or expert) it stands for."""
    return salted_hmac(PSEUDONYM_SALT, str(response_id), algorithm="sha256").hexdigest()[:PSEUDONYM_LENGTH]


def _survey_filter(surveys: Surveys) -> Iterable[Survey] | QuerySet[Survey]:
    return [surveys] if isinstance(surveys, Survey) else surveys


def _pseudonymised(frame: pandas.DataFrame) -> pandas.DataFrame:
    """``frame`` with its ``response_id`` column replaced by ``respondent`` pseudonyms, first."""
    pseudonyms = {
        response_id: respondent_pseudonym(response_id) for response_id in frame["response_id"].unique()
    }
    respondent = frame["response_id"].map(pseudonyms).astype(str)
    return frame.drop(columns="response_id").assign(respondent=respondent)


# Each column of ``answers_frame`` (before pseudonymisation) and the field it is read from.
ANSWER_FIELDS = {
    "response_id": "response_id",
    "survey": "response__survey__slug",
    "series": "response__survey__series__slug",
    "wave": "response__survey__wave_label",
    "question": "question__code",
    "type": "question__type",
    "scale_points": "question__scale_points",
    "rank_top_k": "question__rank_top_k",
    "number": "number",
    "text": "category",
    "codes": "codes",
    **{column: f"response__{column}" for column in GROUP_COLUMNS},
}
ANSWER_DTYPES = {
    "response_id": "int64",
    "scale_points": "Int64",
    "rank_top_k": "Int64",
    "number": "float64",
    **dict.fromkeys(["survey", "series", "wave", "question", "type", "text", *GROUP_COLUMNS], str),
}
# Rows come in questionnaire order (of each survey), then by response.
ANSWER_ORDER = ["response__survey_id", *(f"question__{field}" for field in QUESTION_ORDER), "response_id"]


def _answers_query(surveys: Surveys) -> QuerySet:
    """``values_list`` rows of ``ANSWER_FIELDS``: the answers of the submitted responses to
    ``surveys``, with ``category`` the text of single-choice and country answers only."""
    return (
        Answer.objects.filter(
            response__survey__in=_survey_filter(surveys), response__status=Response.Status.SUBMITTED
        )
        .annotate(
            category=Case(
                When(question__type__in=CATEGORY_TEXT_TYPES, then=F("text")),
                default=Value(""),
                output_field=TextField(),
            )
        )
        .values_list(*ANSWER_FIELDS.values())
    )


def answers_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """Every answer of the submitted responses to ``surveys``, in one query: one row per answer
    with ``ANSWER_COLUMNS``.

    ``survey`` is the survey's slug, ``series`` its series' slug, ``wave`` its wave label;
    ``question`` the question's code and ``type``, ``scale_points`` (Likert) and ``rank_top_k``
    (ranking) describe it. The answer is in ``number`` (Likert, 0–10, number; else NaN),
    ``text`` (the choice code of a single choice or the country code of a country question; ""
    otherwise — free text is never loaded) or ``codes`` (a list: the codes ticked, or ranked in
    order; [] otherwise). Rows come in questionnaire order, then by response.

    On PostgreSQL the query is streamed with ``COPY … TO STDOUT`` into pandas' CSV reader, which
    is many times faster and leaner than a Python tuple per answer; rows with the same ``codes``
    then share one list, so never change a list in place.
    """
    query = _answers_query(surveys)
    if connection.vendor == "postgresql":
        frame = _answers_by_copy(query)
    else:
        rows = query.order_by(*ANSWER_ORDER).iterator(chunk_size=2000)
        frame = pandas.DataFrame.from_records(list(rows), columns=list(ANSWER_FIELDS))
    frame = frame.astype(ANSWER_DTYPES)
    return _pseudonymised(frame)[ANSWER_COLUMNS]


class _CopyReader(io.RawIOBase):
    """The data of a psycopg ``COPY … TO STDOUT`` as a readable binary file. psycopg hands over
    one row at a time, so rows are joined into large chunks before the reader sees them."""

    ROWS_PER_CHUNK = 8192

    def __init__(self, rows: Iterator[memoryview]) -> None:
        self._rows = rows
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._pending:
            self._pending = memoryview(b"".join(itertools.islice(self._rows, self.ROWS_PER_CHUNK)))
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


@contextlib.contextmanager
def _copy_out(query: QuerySet) -> Iterator[io.BufferedReader]:
    """The rows of ``query`` as CSV from ``COPY (query) TO STDOUT``: one statement, logged like any
    other query (so query budgets in tests count it), with database errors wrapped as Django's."""
    sql, params = query.query.sql_with_params()
    statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT (FORMAT csv)"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        logged = cursor.debug_sql(statement) if isinstance(cursor, CursorDebugWrapper) else None
        with logged or contextlib.nullcontext(), cursor.cursor.copy(statement) as copy:
            yield io.BufferedReader(_CopyReader(iter(copy)))


def _answers_by_copy(query: QuerySet) -> pandas.DataFrame:
    """``answers_frame``'s rows through ``COPY``; sorted here, since a database sort of every wide
    row would take longer than the copy itself."""
    order_fields = ANSWER_ORDER[:-1]
    with _copy_out(query.order_by().values_list(*ANSWER_FIELDS.values(), *order_fields)) as stream:
        if not stream.peek(1):
            return pandas.DataFrame(columns=list(ANSWER_FIELDS))
        frame = pandas.read_csv(
            stream,
            header=None,
            names=[*ANSWER_FIELDS, *order_fields],
            dtype={**ANSWER_DTYPES, "codes": "category", **dict.fromkeys(order_fields, "int64")},
            keep_default_na=False,
            na_values={"number": [""], "scale_points": [""], "rank_top_k": [""]},
        )
    # Every answer of one question shares its survey, section and position: rank the questions
    # (a few hundred) and sort the answers on (question rank, response) alone.
    questions = frame.groupby("question__pk", sort=False)[order_fields[:-1]].first().reset_index()
    ranked = questions.sort_values(order_fields)["question__pk"]
    rank = pandas.Series(numpy.arange(len(ranked)), index=ranked.to_numpy())
    position = rank.reindex(frame["question__pk"].to_numpy()).to_numpy()
    response = frame["response_id"].to_numpy()
    order = numpy.argsort(position * (int(response.max(initial=0)) + 1) + response, kind="stable")
    frame = frame.drop(columns=order_fields).take(order).reset_index(drop=True)
    codes = frame["codes"].cat
    lists = numpy.empty(len(codes.categories), dtype=object)
    lists[:] = [json.loads(text) for text in codes.categories]
    frame["codes"] = pandas.Series(lists.take(codes.codes), dtype=object)
    return frame


def respondents_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """One row per submitted response to ``surveys``, in one query, with ``RESPONDENT_COLUMNS``:
    the same pseudonyms as ``answers_frame`` and the groups each respondent belongs to. It
    includes respondents who answered nothing, so skipped questions can be counted."""
    rows = (
        Response.objects.filter(survey__in=_survey_filter(surveys), status=Response.Status.SUBMITTED)
        .order_by("survey_id", "pk")
        .values_list("pk", "survey__slug", "survey__series__slug", "survey__wave_label", *GROUP_COLUMNS)
    )
    columns = ["response_id", *RESPONDENT_COLUMNS[1:]]
    frame = pandas.DataFrame.from_records(list(rows), columns=columns)
    frame = frame.astype({"response_id": int, **{column: str for column in RESPONDENT_COLUMNS[1:]}})
    return _pseudonymised(frame)[RESPONDENT_COLUMNS]


def questions_frame(*, survey: Survey) -> pandas.DataFrame:
    """The questions of ``survey`` in questionnaire order, in one query, with ``QUESTION_COLUMNS``:
    ``position`` (1, 2, … across sections), ``code``, ``type``, ``text`` in the survey's default
    language, ``scale_points``, ``rank_top_k``, ``min_value``, ``max_value``, ``required`` and
    ``shown_if`` (the code of the question a show-if condition depends on, or "")."""
    rows = (
        Question.objects.filter(survey=survey)
        .order_by(*QUESTION_ORDER)
        .values_list(
            "code",
            "type",
            "text",
            "scale_points",
            "rank_top_k",
            "min_value",
            "max_value",
            "required",
            "show_if_question__code",
        )
    )
    frame = pandas.DataFrame.from_records(list(rows), columns=[*QUESTION_COLUMNS[1:-1], "shown_if"])
    language = survey.default_language
    frame["text"] = frame["text"].map(lambda texts: localized(texts, language, language)).astype(str)
    frame["shown_if"] = frame["shown_if"].fillna("").astype(str)
    frame.insert(0, "position", range(1, len(frame) + 1))
    return frame.astype(
        {"code": str, "type": str, "scale_points": "Int64", "rank_top_k": "Int64", "required": bool}
    )[QUESTION_COLUMNS]


def choices_frame(*, survey: Survey) -> pandas.DataFrame:
    """The choices of ``survey``'s questions, in one query, with ``CHOICE_COLUMNS``: the
    ``question`` code, the choice ``code``, its ``label`` in the survey's default language and its
    ``position`` (1, 2, … within the question), in questionnaire order."""
    rows = (
        Choice.objects.filter(question__survey=survey)
        .order_by(*(f"question__{field}" for field in QUESTION_ORDER), "position", "pk")
        .values_list("question__code", "code", "label", "is_other", "is_exclusive")
    )
    frame = pandas.DataFrame.from_records(
        list(rows), columns=["question", "code", "label", "is_other", "is_exclusive"]
    )
    language = survey.default_language
    frame["label"] = frame["label"].map(lambda texts: localized(texts, language, language)).astype(str)
    frame["position"] = frame.groupby("question", sort=False).cumcount() + 1
    return frame.astype({"question": str, "code": str, "is_other": bool, "is_exclusive": bool})[
        CHOICE_COLUMNS
    ]
