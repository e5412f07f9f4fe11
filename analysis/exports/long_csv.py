"""The long CSV: one row per answer (one per ticked or ranked choice), streamed with flat memory.

Columns ``LONG_COLUMNS``; see ``docs/exports.md`` for each. Memory stays the same whatever the
number of answers; only the questionnaire's labels are held. On PostgreSQL the database writes the
rows itself (``_lines_by_copy``: one ``COPY … TO STDOUT (FORMAT csv)`` that expands, labels and
neutralises), several times faster than a Python row per answer; elsewhere the answers are read
through one cursor in chunks (``QuerySet.iterator``) and written row by row. Both give the same
cells; line ends are ``\r\n`` from Python and ``\n`` from PostgreSQL.
"""

import contextlib
import csv
import json
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.backends.utils import CursorDebugWrapper

from surveys.models import Question, Survey
from surveys.spreadsheet_safety import FORMULA_TRIGGERS

from ..load import GROUP_COLUMNS, QUESTION_ORDER, choices_frame, respondent_pseudonym
from .answers import ANSWER_FIELDS, submitted_answers
from .cells import BOM, Echo, csv_cell
from .labels import choice_labels, country_names, likert_labels

LONG_COLUMNS = [
    "respondent", "wave", *GROUP_COLUMNS, "question", "type",
    "number", "code", "rank", "label", "other_text", "text",
]  # fmt: skip
LISTED_TYPES = (Question.Type.MULTIPLE_CHOICE, Question.Type.RANKING)
CODE_TYPES = (Question.Type.SINGLE_CHOICE, Question.Type.COUNTRY)
CHUNK_SIZE = 2000


class _AnswerRows:
    """Turns one answer (a row of ``ANSWER_FIELDS``) into its rows of ``LONG_COLUMNS``."""

    def __init__(self, survey: Survey):
        choices = choices_frame(survey=survey)
        self.choice_labels = choice_labels(choices)
        self.other_codes = dict(
            choices.loc[choices["is_other"], ["question", "code"]].drop_duplicates("question").values
        )
        self.likert_labels = likert_labels(survey=survey)
        self.country_names = country_names(survey.default_language)
        self._pseudonym = (None, "")

    def pseudonym(self, response_id: int) -> str:
        # Rows come by response, so one pseudonym is computed per response and none are kept.
        if self._pseudonym[0] != response_id:
            self._pseudonym = (response_id, respondent_pseudonym(response_id))
        return self._pseudonym[1]

    def __call__(self, answer: tuple) -> list[list]:
        response_id, wave, *groups = answer[: 2 + len(GROUP_COLUMNS)]
        question, kind, number, text, codes, other_text = answer[2 + len(GROUP_COLUMNS) :]
        head = [self.pseudonym(response_id), wave, *(str(group) for group in groups), question, kind]
        if kind in LISTED_TYPES:
            codes = codes or [""]
            other_code = self.other_codes.get(question)
            other_at = codes.index(other_code) if other_code in codes else 0
            labels = self.choice_labels.get(question, {})
            return [
                [
                    *head,
                    None,
                    code,
                    position if kind == Question.Type.RANKING else None,
                    labels.get(code, ""),
                    other_text if position - 1 == other_at else "",
                    "",
                ]
                for position, code in enumerate(codes, start=1)
            ]
        if kind in Question.NUMERIC_TYPES:
            point = int(number) if number is not None and float(number).is_integer() else None
            label = self.likert_labels.get(question, {}).get(point, "")
            return [[*head, number, "", None, label, other_text, ""]]
        if kind in CODE_TYPES:
            labels = (
                self.country_names if kind == Question.Type.COUNTRY else self.choice_labels.get(question, {})
            )
            return [[*head, None, text, None, labels.get(text, ""), other_text, ""]]
        return [[*head, None, "", None, "", other_text, text]]


def _neutralised_sql(expression: str) -> str:
    """SQL for ``surveys.spreadsheet_safety.neutralise_formula`` of a text ``expression``, with ""
    as NULL (so COPY writes an empty cell, as Python's csv module does, not ``""``)."""
    # ascii() is the code point of the first character: cheaper than comparing strings.
    triggers = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
    return (
        f"CASE WHEN ascii({expression}) IN ({triggers}) "
        f"THEN '''' || {expression} ELSE NULLIF({expression}, '') END"
    )


def _cell_sql(column: str) -> str:
    """SQL for the cell of ``column`` (of ``LONG_SELECT``'s inner query ``v``): neutralised when
    anyone's text can be in it, numbers as they are, other text with "" as NULL."""
    if column in NEUTRALISED_COLUMNS:
        return _neutralised_sql(f"v.{column}")
    if column in NUMBER_COLUMNS:
        return f"v.{column}"
    return f"NULLIF(v.{column}, '')"


# ``_AnswerRows`` as SQL. Inside, ``a`` is one answer (the columns of the answers subquery) once
# per row it gives, ``a.position`` numbering them: once for a type without codes, once per code of
# a multiple choice or ranking, and once (code "") for one left empty. The rows are made by a
# set-returning function in the select list (``generate_series``), which PostgreSQL runs without a
# join per answer. Labels are looked up in JSON objects passed as parameters: choice labels and
# "other" codes by question, Likert labels by question and point, country names by code.
# ``OFFSET 0`` keeps the inner query whole, so each value is computed once and then neutralised
# outside (a flattened query would compute it once per mention).
#
# There is no ORDER BY outside: the answers subquery is sorted (by response, then in
# questionnaire order, read through the answers' response index as the benchmark's floor is), and
# the rows of one answer come together, in the order of its codes. Sorting the expanded rows again
# spilled a gigabyte to disk at 5 million answers and took a third of the time.
# ``test_the_database_writer_gives_the_same_cells_as_python`` compares the order too.
#
# Only cells that can hold anyone's text are neutralised row by row (``NEUTRALISED_COLUMNS``);
# the wave and the labels come from the questionnaire, neutralised once each before the query
# (``test_hostile_labels_are_neutralised_the_same_by_both_writers``); the groups, question codes
# and types come from closed vocabularies that never start a formula
# (``test_closed_vocabularies_never_start_a_formula``). What sets answers apart is worked out once
# per answer, as a small number (``CLASSES``), and whole numbers are written through a bigint.
LONG_SELECT = """
SELECT v.response_id, %(wave)s, {cells}
FROM (
    SELECT a.response_id, {groups}, a.question, a.kind AS type,
           CASE WHEN a.class = {numeric} THEN {number} END AS number,
           {code} AS code,
           CASE WHEN a.class = {ranking} THEN a.position END AS rank,
           {label} AS label,
           {other_text} AS other_text,
           {text} AS text
    FROM (
        SELECT *, generate_series(
            1, CASE WHEN class >= {listed} THEN greatest(jsonb_array_length(codes), 1) ELSE 1 END
        ) AS position
        FROM (
            SELECT *, CASE
                WHEN kind = ANY(%(numeric)s) THEN {numeric} WHEN kind = %(single)s THEN {single}
                WHEN kind = %(country)s THEN {country} WHEN kind = %(multiple)s THEN {multiple}
                WHEN kind = %(ranking)s THEN {ranking} ELSE {free} END AS class
            FROM ({answers}) AS answers({answer_columns})
        ) AS classed
    ) AS a
    OFFSET 0
) AS v
"""
# What ``LONG_SELECT`` tells answers apart by, worked out once per answer from its type: small
# numbers compare faster than a type's text against lists of types, row after row. The listed
# types (a row per code) come last.
CLASSES = {"free": 0, "numeric": 1, "single": 2, "country": 3, "multiple": 4, "ranking": 5, "listed": 4}
# A number as ``cells.NUMBER_FORMAT`` writes it (15 significant digits): whole numbers, most
# answers, through a bigint, much cheaper than through numeric.
NUMBER = """CASE WHEN a.number = trunc(a.number) AND abs(a.number) < 1e15 THEN a.number::bigint::text
    ELSE a.number::numeric::text END"""
# The code at ``a.position`` of a multiple choice's or ranking's list ("" for an empty list).
LISTED_CODE = "COALESCE(a.codes ->> (a.position - 1)::int, '')"
CODE = f"""CASE WHEN a.class >= {{listed}} THEN {LISTED_CODE}
    WHEN a.class IN ({{single}}, {{country}}) THEN a.text ELSE '' END"""
LABEL = f"""COALESCE(CASE
    WHEN a.class >= {{listed}} THEN %(choice_labels)s::jsonb -> a.question ->> {LISTED_CODE}
    WHEN a.class = {{country}} THEN %(country_names)s::jsonb ->> a.text
    WHEN a.class = {{single}} THEN %(choice_labels)s::jsonb -> a.question ->> a.text
    WHEN a.number = trunc(a.number) THEN %(likert_labels)s::jsonb -> a.question ->> a.number::int::text
END, '')"""
# "Other, please specify" text sits on the row of the "other" code, or the first row without one.
OTHER_TEXT = """CASE WHEN a.other_text = '' THEN ''
    WHEN a.class < {listed} OR a.position = COALESCE((
    SELECT o.position FROM jsonb_array_elements_text(a.codes) WITH ORDINALITY AS o(code, position)
    WHERE o.code = %(other_codes)s::jsonb ->> a.question ORDER BY o.position LIMIT 1
), 1) THEN a.other_text ELSE '' END"""
TEXT = "CASE WHEN a.class = {free} THEN a.text ELSE '' END"
NEUTRALISED_COLUMNS = ("code", "other_text", "text")
NUMBER_COLUMNS = ("number", "rank")
ANSWER_NAMES = [
    "response_id", "wave", *GROUP_COLUMNS, "question", "kind", "number", "text", "codes", "other_text",
    *(f"order_{index}" for index in range(len(QUESTION_ORDER))),
]  # fmt: skip


def _neutralised(labels: dict) -> dict:
    """``labels`` (nested by question) with each label as its CSV cell: neutralised once here
    rather than on every row that shows it."""
    return {
        key: _neutralised(value) if isinstance(value, dict) else csv_cell(value)
        for key, value in labels.items()
    }


def _copy_statement(survey: Survey, rows: _AnswerRows) -> str:
    """The ``COPY`` of ``LONG_SELECT`` for ``survey``, its parameters bound (``compose_sql``)."""
    fields = [*ANSWER_FIELDS, *(f"question__{field}" for field in QUESTION_ORDER)]
    query = submitted_answers(survey=survey).values_list(*fields).query
    answers = connection.ops.compose_sql(*query.sql_with_params())
    select = LONG_SELECT.format(
        cells=", ".join(_cell_sql(column) for column in LONG_COLUMNS if column not in ("respondent", "wave")),
        groups=", ".join(f"a.{column}" for column in GROUP_COLUMNS),
        number=NUMBER,
        code=CODE.format(**CLASSES),
        label=LABEL.format(**CLASSES),
        other_text=OTHER_TEXT.format(**CLASSES),
        text=TEXT.format(**CLASSES),
        answers=answers.replace("%", "%%"),  # a literal of the subquery is not a placeholder
        answer_columns=", ".join(ANSWER_NAMES),
        **CLASSES,
    )
    likert = {
        question: {str(point): label for point, label in labels.items()}
        for question, labels in rows.likert_labels.items()
    }
    parameters = {
        "wave": csv_cell(survey.wave_label) or None,
        "numeric": list(Question.NUMERIC_TYPES),
        "single": Question.Type.SINGLE_CHOICE,
        "country": Question.Type.COUNTRY,
        "multiple": Question.Type.MULTIPLE_CHOICE,
        "ranking": Question.Type.RANKING,
        "choice_labels": json.dumps(_neutralised(rows.choice_labels)),
        "other_codes": json.dumps(rows.other_codes),
        "likert_labels": json.dumps(_neutralised(likert)),
        "country_names": json.dumps(_neutralised(rows.country_names)),
    }
    return f"COPY ({connection.ops.compose_sql(select, parameters)}) TO STDOUT (FORMAT csv)"


def _lines_by_copy(survey: Survey, rows: _AnswerRows, chunk_size: int) -> Iterator[str]:
    """The rows of ``_copy_statement``, ``chunk_size`` lines per piece of text, each line's first
    cell (the response id) replaced by the respondent's pseudonym. Numbers come with 15 significant
    digits (``NUMBER``), as ``cells.NUMBER_FORMAT`` writes them. Logged like any query,
    so query budgets in tests count it. A reader may stop halfway (``close()``): the connection
    stays usable."""
    statement = _copy_statement(survey, rows)
    # In its own transaction (a savepoint inside another): when the reader goes away halfway,
    # psycopg cancels the COPY, and only this block is rolled back, never the connection's work.
    with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
        logged = cursor.debug_sql(statement) if isinstance(cursor, CursorDebugWrapper) else None
        with logged or contextlib.nullcontext(), cursor.cursor.copy(statement) as copy:
            piece, previous, pseudonym = [], b"", b""
            for row in copy:
                response_id, _comma, rest = bytes(row).partition(b",")
                # Rows come by response: one pseudonym per response, none kept.
                if response_id != previous:
                    previous, pseudonym = response_id, rows.pseudonym(int(response_id)).encode() + b","
                piece += (pseudonym, rest)
                if len(piece) >= 2 * chunk_size:
                    yield b"".join(piece).decode()
                    piece = []
            if piece:
                yield b"".join(piece).decode()


def _lines_by_rows(survey: Survey, rows: _AnswerRows, chunk_size: int) -> Iterator[str]:
    """The rows of ``survey``'s answers, written by Python: the lines of one answer per piece,
    the answers read ``chunk_size`` at a time through one cursor."""
    writer = csv.writer(Echo())
    answers = submitted_answers(survey=survey).values_list(*ANSWER_FIELDS).iterator(chunk_size=chunk_size)
    for answer in answers:
        yield "".join(writer.writerow([csv_cell(value) for value in row]) for row in rows(answer))


def long_csv_lines(*, survey: Survey, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """The long CSV of ``survey``'s submitted answers as lines of text (UTF-8 BOM first), for a
    ``StreamingHttpResponse`` or a file. A generator: nothing is read before the first line is
    asked for, and the answers are read through one query, ``chunk_size`` at a time."""
    yield BOM + csv.writer(Echo()).writerow([csv_cell(column) for column in LONG_COLUMNS])
    lines = _lines_by_copy if connection.vendor == "postgresql" else _lines_by_rows
    yield from lines(survey, _AnswerRows(survey), chunk_size)
