"""What every frame shares: its columns, the pseudonym that stands for a respondent, the surveys
asked for, and reading a ``COPY`` whole."""

import contextlib
import io
from collections.abc import Iterable

import numpy
import pandas
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac

from surveys.models import Survey

from ..stats.grouping import GROUPINGS

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
TEXT_COLUMNS = ["survey", "series", "wave", "question", "type", "text", *GROUP_COLUMNS]
QUESTION_ORDER = ("section__position", "section_id", "position", "pk")
Surveys = Survey | Iterable[Survey] | QuerySet[Survey]


def respondent_pseudonym(response_id: int) -> str:
    """A stable pseudonym for a response: an HMAC-SHA256 of its id keyed with SECRET_KEY,
    truncated to 16 hex digits. The same response always gets the same pseudonym; without the key
    nobody can tell which response (or expert) it stands for."""
    return salted_hmac(PSEUDONYM_SALT, str(response_id), algorithm="sha256").hexdigest()[:PSEUDONYM_LENGTH]


def survey_filter(surveys: Surveys) -> Iterable[Survey] | QuerySet[Survey]:
    return [surveys] if isinstance(surveys, Survey) else surveys


def pseudonymised(frame: pandas.DataFrame) -> pandas.DataFrame:
    """``frame`` with its ``response_id`` column replaced by ``respondent`` pseudonyms, first."""
    pseudonyms = {
        response_id: respondent_pseudonym(response_id) for response_id in frame["response_id"].unique()
    }
    respondent = frame["response_id"].map(pseudonyms).astype(str)
    return frame.drop(columns="response_id").assign(respondent=respondent)


def copied(statement: str) -> io.BytesIO:
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


def decoded(values: pandas.Series, decode) -> numpy.ndarray:
    """The values of a column as an object array, each distinct value decoded once by ``decode``
    (``int``, ``json.loads`` …). A categorical is numbered by its codes, unhashed."""
    numbers, uniques = pandas.factorize(values)
    by_value = numpy.empty(len(uniques), dtype=object)
    by_value[:] = [decode(value) for value in uniques]
    return by_value.take(numbers)
