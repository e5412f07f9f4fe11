"""The submitted answers as counted in the survey's answer tally, and the respondents counted by
group: what a summary reads, a few hundred thousand rows for millions of answers."""

import json

import numpy
import pandas
from django.db import connection
from django.db.models import Count, Min

from surveys.models import Question, Response, Survey
from surveys.tally import tallied

from ..stats.grouping import codes_key
from .answers import RESPONSE_ATTRIBUTES
from .common import (
    ANSWER_COLUMNS,
    GROUP_COLUMNS,
    QUESTION_ORDER,
    RESPONDENT_COLUMNS,
    Surveys,
    copied,
    decoded,
    survey_filter,
)

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
        copied(statement),
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
    text columns (``TEXT_COLUMNS``) are categoricals; ``codes_key`` numbers the ``codes`` lists
    (``stats.grouping.codes_key``), found from the text each list was read from.

    The counts are read with their question's id (``_counts``); what describes the question, and
    each distinct list of codes, is looked up once, not per row.
    """
    surveys = list(survey_filter(surveys))
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
            "codes": decoded(rows["codes"], json.loads),
            **{column: rows[column].array for column in GROUP_COLUMNS},
            "weight": rows["weight"].to_numpy(dtype="int64"),
        }
    )
    frame["codes_key"] = codes_key(frame, shared=rows["codes"].cat.codes.to_numpy())
    return frame[[*ANSWER_COLUMNS, "weight", "codes_key"]]


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
        Response.objects.filter(survey__in=survey_filter(surveys), status=Response.Status.SUBMITTED)
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
