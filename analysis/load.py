"""Submitted answers as tidy pandas frames, one query per table.

These frames are what researchers analyse, so they hold no personal data: no names, emails or
organisations (nothing is read from the expert at all), no free-text answers, and respondents
are known only by a pseudonym (``respondent_pseudonym``), never by a database id. The groups
(country, UN region and sub-region, Global North/South, sector) are the snapshot taken when the
response was submitted, so later panel edits never move answers between groups; "" means unknown.
"""

import contextlib
import io
import json
from collections.abc import Iterable

import numpy
import pandas
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Count, Min, QuerySet
from django.db.models.functions import JSONArray
from django.utils.crypto import salted_hmac

from surveys.i18n import localized
from surveys.models import Answer, Choice, Question, Response, Survey
from surveys.tally import answer_category, tallied

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
TEXT_COLUMNS = ["survey", "series", "wave", "question", "type", "text", *GROUP_COLUMNS]
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
        response__survey__in=_survey_filter(surveys), response__status=Response.Status.SUBMITTED
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
    return _pseudonymised(frame)[ANSWER_COLUMNS]


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
            survey__in=_survey_filter(surveys), status=Response.Status.SUBMITTED
        )
        .annotate(attributes=JSONArray(*RESPONSE_ATTRIBUTES.values()))
        .values_list("pk", "attributes"),
        "question": Question.objects.filter(survey__in=_survey_filter(surveys))
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


def _copied(statement: str) -> io.BytesIO:
    """What ``COPY … TO STDOUT`` ``statement`` writes, gathered in memory, to be parsed whole:
    several times faster than feeding a parser row by row as psycopg hands the rows over. Logged
    like any query, so query budgets in tests count it."""
    data = io.BytesIO()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        logged = cursor.debug_sql(statement) if isinstance(cursor, CursorDebugWrapper) else None
        with logged or contextlib.nullcontext(), cursor.cursor.copy(statement) as copy:
            for row in copy:
                data.write(row)
    data.seek(0)
    return data


def _read_copy(statement: str) -> pandas.DataFrame:
    """The CSV rows of ``statement`` (a ``COPY_COLUMNS`` COPY, about 30 bytes an answer) as a
    frame: ``id`` and ``number`` parsed as numbers, the other columns as categoricals (each
    distinct text is decoded once)."""
    return pandas.read_csv(
        _copied(statement),
        header=None,
        names=COPY_COLUMNS,
        dtype=dict.fromkeys(COPY_COLUMNS, "category") | {"id": "int64", "number": "float64"},
        keep_default_na=False,
        na_values={"number": [""]},
    )


def _decoded(values: pandas.Series, decode) -> numpy.ndarray:
    """The values of a column as an object array, each distinct value decoded once by ``decode``
    (``int``, ``json.loads`` …). A categorical is numbered by its codes, unhashed."""
    numbers, uniques = pandas.factorize(values)
    decoded = numpy.empty(len(uniques), dtype=object)
    decoded[:] = [decode(value) for value in uniques]
    return decoded.take(numbers)


def _attributes(rows: pandas.DataFrame, names: Iterable[str]) -> pandas.DataFrame:
    """The ``attributes`` JSON arrays of ``rows`` as columns ``names``, indexed by ``id``."""
    return pandas.DataFrame(
        list(_decoded(rows["attributes"], json.loads)), columns=list(names), index=rows["id"].to_numpy()
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
    question_at = questions.index.get_indexer(_decoded(answers["question_id"], int))
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
            "codes": _decoded(answers["codes"], json.loads).take(order),
            **{column: of_response(column) for column in GROUP_COLUMNS},
        }
    )
    return frame.astype(dict.fromkeys(["respondent", *TEXT_COLUMNS], str))


# What ``answer_counts_frame`` reads of each count of a tally, and of each question of the waves.
COUNT_COLUMNS = ["question_id", "number", "text", "codes", "weight", *GROUP_COLUMNS]
COUNT_FIELDS = ["question_id", "number", "category", "codes", "weight", *GROUP_COLUMNS]
COUNTED_QUESTION_FIELDS = {
    "id": "pk",
    "survey": "survey__slug",
    "series": "survey__series__slug",
    "wave": "survey__wave_label",
    "question": "code",
    "type": "type",
    "scale_points": "scale_points",
    "rank_top_k": "rank_top_k",
}
# The text columns of the counts, read as categoricals (each distinct text decoded once).
COUNT_CATEGORIES = ["text", "codes", *GROUP_COLUMNS]


def _categorical(values: numpy.ndarray, at: numpy.ndarray) -> pandas.Categorical:
    """``values.take(at)`` as a categorical of text whose categories sort as their strings do
    (as ``astype("category")`` gives), without hashing a string per row."""
    categories, numbers = numpy.unique(values.astype(str), return_inverse=True)
    return pandas.Categorical.from_codes(numbers.reshape(-1).take(at), categories=categories)


def _counts(surveys: list[Survey]) -> pandas.DataFrame:
    """The tally rows of ``surveys`` with ``COUNT_COLUMNS``, text columns as categoricals sorted
    as their strings. On PostgreSQL a ``COPY`` read by pandas' CSV parser: several times faster
    than a Python tuple per count; pandas makes the categories as it parses."""
    counts = tallied(survey.pk for survey in surveys).order_by().values_list(*COUNT_FIELDS)
    if connection.vendor != "postgresql":
        rows = pandas.DataFrame.from_records(list(counts), columns=COUNT_COLUMNS)
        return rows.astype(dict.fromkeys(COUNT_CATEGORIES, "category") | {"number": "float64"})
    sql, params = counts.query.sql_with_params()
    # The ORM's SQL, its parameters quoted by psycopg (compose_sql).
    statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT (FORMAT csv)"
    return pandas.read_csv(
        _copied(statement),
        header=None,
        names=COUNT_COLUMNS,
        dtype=dict.fromkeys(COUNT_CATEGORIES, "category")
        | {"question_id": "int64", "number": "float64", "weight": "int64"},
        keep_default_na=False,
        na_values={"number": [""]},
    )


def answer_counts_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """The submitted answers to ``surveys`` as counted in their tallies (``surveys.tally``; three
    queries when the tallies are current, else a rebuild first): one row per distinct answer and
    group of respondents, with ``ANSWER_COLUMNS`` and ``weight``, the number of answers the row
    stands for.

    Every statistic of ``analysis.stats`` takes this frame as well as ``answers_frame`` (each of
    whose rows weighs 1) and gives the same results, because none needs more of a respondent than
    their answer to one question and their groups. ``respondent`` numbers the rows, so that no two
    rows are taken for one respondent's. A survey of 100 000 respondents × 50 questions comes as a
    few hundred thousand rows rather than five million. Rows come in questionnaire order. Its
    text columns (``TEXT_COLUMNS``) are categoricals.

    The counts are read with their question's id (``_counts``); what describes the question, and
    each distinct list of codes, is looked up once, not per row.
    """
    surveys = list(_survey_filter(surveys))
    questions = pandas.DataFrame.from_records(
        list(
            Question.objects.filter(survey__in=surveys)
            .order_by("survey_id", *QUESTION_ORDER)
            .values_list(*COUNTED_QUESTION_FIELDS.values())
        ),
        columns=list(COUNTED_QUESTION_FIELDS),
    )
    rows = _counts(surveys)
    # Questionnaire order: the questions are sorted, so a question's position.
    question_at = pandas.Index(questions["id"]).get_indexer(rows["question_id"])
    order = numpy.argsort(question_at, kind="stable")
    rows, question_at = rows.take(order), question_at[order]
    frame = pandas.DataFrame(
        {
            "respondent": numpy.arange(len(rows), dtype="int64"),
            **{
                column: _categorical(questions[column].to_numpy(dtype=object), question_at)
                for column in ["survey", "series", "wave", "question", "type"]
            },
            **{
                column: pandas.array(questions[column].to_numpy(dtype=object), dtype="Int64").take(
                    question_at
                )
                for column in ["scale_points", "rank_top_k"]
            },
            "number": rows["number"].to_numpy(dtype="float64"),
            "text": rows["text"].array,
            "codes": _decoded(rows["codes"], json.loads),
            **{column: rows[column].array for column in GROUP_COLUMNS},
            "weight": rows["weight"].to_numpy(dtype="int64"),
        }
    )
    return frame[[*ANSWER_COLUMNS, "weight"]]


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


def respondent_counts_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """The submitted responses to ``surveys`` counted by survey and groups, in one query: one row
    per group of respondents with ``RESPONDENT_COLUMNS`` and ``weight``, how many respondents it
    stands for (``respondent`` numbers the rows). Everything ``respondents_frame`` tells a summary,
    without computing a pseudonym per respondent.

    The query groups by the responses' own columns, with the survey's slugs taken alongside
    (``Min`` of one value): a hash aggregate, where grouping by the joined texts too had the
    database sort every response (four times slower at 100 000 responses)."""
    surveys_of = {
        column: field for column, field in RESPONSE_ATTRIBUTES.items() if column not in GROUP_COLUMNS
    }
    rows = (
        Response.objects.filter(survey__in=_survey_filter(surveys), status=Response.Status.SUBMITTED)
        .values("survey_id", *GROUP_COLUMNS)
        .annotate(weight=Count("pk"), **{f"of_{column}": Min(field) for column, field in surveys_of.items()})
        .order_by()
        .values_list("survey_id", *(f"of_{column}" for column in surveys_of), *GROUP_COLUMNS, "weight")
    )
    columns = ["survey_id", *surveys_of, *GROUP_COLUMNS, "weight"]
    frame = pandas.DataFrame.from_records(list(rows), columns=columns)
    frame = frame.astype({**dict.fromkeys(RESPONSE_ATTRIBUTES, str), "weight": "int64"})
    frame = frame.sort_values(["survey_id", *GROUP_COLUMNS], ignore_index=True)
    frame.insert(0, "respondent", numpy.arange(len(frame), dtype="int64"))
    return frame[[*RESPONDENT_COLUMNS, "weight"]]


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
