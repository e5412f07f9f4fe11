"""One row per submitted answer (``answers_frame``) or response (``respondents_frame``)."""

import json
from collections.abc import Iterable

import numpy
import pandas
from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import JSONArray

from surveys.models import Answer, Question, Response
from surveys.tally import answer_category

from .common import (
    ANSWER_COLUMNS,
    GROUP_COLUMNS,
    QUESTION_ORDER,
    RESPONDENT_COLUMNS,
    TEXT_COLUMNS,
    Surveys,
    copied,
    decoded,
    pseudonymised,
    respondent_pseudonym,
    survey_filter,
)

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
    **dict.fromkeys(TEXT_COLUMNS, str),
}


def _answers(surveys: Surveys) -> QuerySet:
    """The answers of the submitted responses to ``surveys``, with ``category`` the text of
    single-choice and country answers ("" for others: free text is never read)."""
    return Answer.objects.filter(
        response__survey__in=survey_filter(surveys), response__status=Response.Status.SUBMITTED
    ).annotate(category=answer_category())


def answers_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """Every answer of the submitted responses to ``surveys``, in one query: one row per answer
    with ``ANSWER_COLUMNS``.

    ``survey`` is the survey's slug, ``series`` its series' slug, ``wave`` its wave label;
    ``question`` the question's code and ``type``, ``scale_points`` (Likert) and ``rank_top_k``
    (ranking) describe it. The answer is in ``number`` (Likert, 0–10, number; else NaN),
    ``text`` (the choice code of a single choice or the country code of a country question; ""
    otherwise — free text is never loaded) or ``codes`` (a list: the codes ticked, or ranked in
    order; [] otherwise; rows may share a list, so never change one in place). Rows come in
    questionnaire order, then by response.

    On PostgreSQL the query is a ``COPY`` read by pandas' CSV parser (``_answers_by_copy``),
    many times faster and leaner than a Python tuple per answer.
    """
    if connection.vendor == "postgresql":
        return _answers_by_copy(surveys)[ANSWER_COLUMNS]
    rows = (
        _answers(surveys)
        .order_by("response__survey_id", *(f"question__{field}" for field in QUESTION_ORDER), "response_id")
        .values_list(*ANSWER_FIELDS.values())
        .iterator(chunk_size=2000)
    )
    frame = pandas.DataFrame.from_records(list(rows), columns=list(ANSWER_FIELDS)).astype(ANSWER_DTYPES)
    return pseudonymised(frame)[ANSWER_COLUMNS]


# ``_answers_by_copy`` reads three parts in one statement, each row tagged with its part: the
# answers (ids and values only), then the responses and the questions they refer to, whose
# attributes come as one JSON array per row. Slugs, groups and question attributes so travel once
# per response or question instead of once per answer, and the CSV stays seven columns wide.
RESPONSE_ATTRIBUTES = {
    "survey": "survey__slug",
    "series": "survey__series__slug",
    "wave": "survey__wave_label",
    **{column: column for column in GROUP_COLUMNS},
}


QUESTION_RANK = ["survey_id", *(f"order_{index}" for index in range(len(QUESTION_ORDER)))]


QUESTION_ATTRIBUTES = {
    "question": "code",
    "type": "type",
    "scale_points": "scale_points",
    "rank_top_k": "rank_top_k",
    **dict(zip(QUESTION_RANK, ["survey_id", *QUESTION_ORDER], strict=True)),
}


COPY_COLUMNS = ["part", "id", "question_id", "number", "text", "codes", "attributes"]


def _copy_statement(surveys: Surveys) -> str:
    """``COPY (answers UNION ALL responses UNION ALL questions) TO STDOUT (FORMAT csv)``, every part
    laid out on ``COPY_COLUMNS`` (NULL where a part has no such column)."""
    parts = {
        "answer": _answers(surveys).values_list("response_id", "question_id", "number", "category", "codes"),
        "response": Response.objects.filter(
            survey__in=survey_filter(surveys), status=Response.Status.SUBMITTED
        )
        .annotate(attributes=JSONArray(*RESPONSE_ATTRIBUTES.values()))
        .values_list("pk", "attributes"),
        "question": Question.objects.filter(survey__in=survey_filter(surveys))
        .annotate(attributes=JSONArray(*QUESTION_ATTRIBUTES.values()))
        .values_list("pk", "attributes"),
    }
    layout = {
        "answer": ["id", "question_id", "number", "text", "codes"],
        "response": ["id", "attributes"],
        "question": ["id", "attributes"],
    }
    selects = []
    for part, query in parts.items():
        sql, params = query.order_by().query.sql_with_params()
        names = [f"c{index}" for index in range(len(layout[part]))]
        by_column = dict(zip(layout[part], names, strict=True))
        columns = ", ".join(
            f"p.{by_column[column]}::text" if column in by_column else "NULL" for column in COPY_COLUMNS[1:]
        )
        # Only our own names and the ORM's SQL, its parameters quoted by psycopg (compose_sql).
        query_sql = connection.ops.compose_sql(sql, params)
        selects.append(f"SELECT '{part}', {columns} FROM ({query_sql}) AS p({', '.join(names)})")  # noqa: S608
    return f"COPY ({' UNION ALL '.join(selects)}) TO STDOUT (FORMAT csv)"


def _read_copy(statement: str) -> pandas.DataFrame:
    """The CSV rows of ``statement`` (a ``COPY_COLUMNS`` COPY, about 30 bytes an answer) as a
    frame: ``id`` and ``number`` parsed as numbers, the other columns as categoricals (each
    distinct text is decoded once)."""
    return pandas.read_csv(
        copied(statement),
        header=None,
        names=COPY_COLUMNS,
        dtype=dict.fromkeys(COPY_COLUMNS, "category") | {"id": "int64", "number": "float64"},
        keep_default_na=False,
        na_values={"number": [""]},
    )


def _attributes(rows: pandas.DataFrame, names: Iterable[str]) -> pandas.DataFrame:
    """The ``attributes`` JSON arrays of ``rows`` as columns ``names``, indexed by ``id``."""
    return pandas.DataFrame(
        list(decoded(rows["attributes"], json.loads)), columns=list(names), index=rows["id"].to_numpy()
    )


def _answers_by_copy(surveys: Surveys) -> pandas.DataFrame:
    """``answers_frame`` from one ``COPY`` of ``_copy_statement``: the answers' values, with the
    attributes of their response and question looked up by position."""
    try:
        rows = _read_copy(_copy_statement(surveys))
    except pandas.errors.EmptyDataError:
        empty = pandas.DataFrame({column: [] for column in ANSWER_COLUMNS})
        return empty.astype(
            {column: ANSWER_DTYPES.get(column, str) for column in ANSWER_COLUMNS if column != "codes"}
        )
    part = rows["part"]
    answers = rows.loc[part.eq("answer")]
    responses = _attributes(rows.loc[part.eq("response")], RESPONSE_ATTRIBUTES)
    questions = _attributes(rows.loc[part.eq("question")], QUESTION_ATTRIBUTES).sort_values(QUESTION_RANK)
    response_at = responses.index.get_indexer(answers["id"])
    question_at = questions.index.get_indexer(decoded(answers["question_id"], int))
    # Questionnaire order (``questions`` is sorted, so a question's position), then by response.
    order = numpy.lexsort((answers["id"].to_numpy(), question_at))
    response_at, question_at = response_at[order], question_at[order]
    pseudonyms = [respondent_pseudonym(response_id) for response_id in responses.index]
    responses = responses.assign(respondent=pseudonyms)

    def of_response(column: str) -> numpy.ndarray:
        return responses[column].to_numpy(dtype=object).take(response_at)

    def of_question(column: str) -> numpy.ndarray:
        return questions[column].to_numpy(dtype=object).take(question_at)

    def of_question_int(column: str) -> pandas.api.extensions.ExtensionArray:
        return pandas.array(questions[column].to_numpy(dtype=object), dtype="Int64").take(question_at)

    frame = pandas.DataFrame(
        {
            "respondent": of_response("respondent"),
            **{column: of_response(column) for column in ["survey", "series", "wave"]},
            **{column: of_question(column) for column in ["question", "type"]},
            **{column: of_question_int(column) for column in ["scale_points", "rank_top_k"]},
            "number": answers["number"].to_numpy().take(order),
            "text": answers["text"].to_numpy(dtype=object).take(order),
            "codes": decoded(answers["codes"], json.loads).take(order),
            **{column: of_response(column) for column in GROUP_COLUMNS},
        }
    )
    return frame.astype(dict.fromkeys(["respondent", *TEXT_COLUMNS], str))


def respondents_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """One row per submitted response to ``surveys``, in one query, with ``RESPONDENT_COLUMNS``:
    the same pseudonyms as ``answers_frame`` and the groups each respondent belongs to. It
    includes respondents who answered nothing, so skipped questions can be counted."""
    rows = (
        Response.objects.filter(survey__in=survey_filter(surveys), status=Response.Status.SUBMITTED)
        .order_by("survey_id", "pk")
        .values_list("pk", "survey__slug", "survey__series__slug", "survey__wave_label", *GROUP_COLUMNS)
    )
    columns = ["response_id", *RESPONDENT_COLUMNS[1:]]
    frame = pandas.DataFrame.from_records(list(rows), columns=columns)
    frame = frame.astype({"response_id": int, **{column: str for column in RESPONDENT_COLUMNS[1:]}})
    return pseudonymised(frame)[RESPONDENT_COLUMNS]
