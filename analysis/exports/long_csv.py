"""The long CSV: one row per answer (one per ticked or ranked choice), streamed with flat memory.

Columns ``LONG_COLUMNS``; see ``docs/exports.md`` for each. Memory stays the same whatever the
number of answers; only the questionnaire's labels are held. On PostgreSQL the database writes the
rows itself (``_lines_by_copy``: one ``COPY … TO STDOUT (FORMAT csv)`` that expands, labels and
neutralises; Python puts in the cells that open each response's rows), several times faster than
a Python row per answer; elsewhere the answers are read through one cursor in chunks
(``QuerySet.iterator``) and written row by row. Both give the same cells; line ends are ``\r\n``
from Python and ``\n`` from PostgreSQL.
"""

import contextlib
import csv
import io
import json
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.backends.utils import CursorDebugWrapper

from surveys.models import Answer, Question, Response, Section, Survey
from surveys.spreadsheet_safety import FORMULA_TRIGGERS

from ..load import GROUP_COLUMNS, choices_frame, respondent_pseudonym
from .answers import ANSWER_FIELDS, submitted_answers
from .cells import BOM, Echo, csv_cell
from .labels import choice_labels, country_names, likert_labels
from .wide import HEAD_COLUMNS

# The first cells (``HEAD_COLUMNS``, as in the wide CSV) are written by Python once per response
# (``_AnswerRows.opening``).
LONG_COLUMNS = [
    *HEAD_COLUMNS, "question", "type",
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
        self.wave = survey.wave_label
        self._pseudonym = (None, "")

    def pseudonym(self, response_id: int) -> str:
        # Rows come by response, so one pseudonym is computed per response and none are kept.
        if self._pseudonym[0] != response_id:
            self._pseudonym = (response_id, respondent_pseudonym(response_id))
        return self._pseudonym[1]

    def opening(self, row: bytes) -> tuple[bytes, bytes]:
        """From the first row of a response that ``_copy_statement`` gives (``<response id>,<head>,…``):
        the bytes every row of that response opens with, and the cells that stand for them in the
        CSV (``HEAD_COLUMNS``: the respondent's pseudonym, the wave and the groups), with their
        commas."""
        response_id, _comma, rest = row.partition(b",")
        if rest.startswith(b'"'):  # COPY quoted the head: a group holds a comma or a quote
            head = next(csv.reader(io.StringIO(rest.decode())))[0]
            size = len(head.encode().replace(b'"', b'""')) + 2
        else:
            head = rest.partition(b",")[0].decode()
            size = len(head.encode())
        groups = head.split(HEAD_SEPARATOR)
        if len(groups) != len(GROUP_COLUMNS):
            raise ValueError(f"Response {response_id.decode()}: a group holds {HEAD_SEPARATOR!r}.")
        cells = [respondent_pseudonym(int(response_id)), self.wave, *groups]
        line = csv.writer(Echo(), lineterminator="").writerow([csv_cell(cell) for cell in cells])
        return row[: len(response_id) + 1 + size + 1], f"{line},".encode()

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
    as NULL (so COPY writes an empty cell, as Python's csv module does, not ``""``). The inner
    query leaves the cell NULL where it has nothing, as most rows have, and a NULL costs one test."""
    # ascii() is the code point of the first character: cheaper than comparing strings.
    triggers = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
    return (
        f"CASE WHEN ascii({expression}) IN ({triggers}) "
        f"THEN '''' || {expression} ELSE NULLIF({expression}, '') END"
    )


def _cell_sql(column: str) -> str:
    """SQL for the cell of ``column`` (of ``LONG_SELECT``'s inner query ``v``): neutralised when
    anyone's text can be in it; question codes, types, numbers and labels as they are (never "":
    the label maps hold no empty label)."""
    if column in NEUTRALISED_COLUMNS:
        return _neutralised_sql(f"v.{column}")
    return f"v.{column}"


# The submitted answers of a survey in the order of ``answers.submitted_answers`` (by response, then
# in questionnaire order, ``load.QUESTION_ORDER``), read through the answers' response index as the
# benchmark's floor reads them. Each carries its respondent's groups as one text, ``head``: the
# groups joined by ``HEAD_SEPARATOR``, worked out once per response (``r``: read in order of ids,
# the planner works it out as it reads the responses, before they are merged with the answers;
# without the order, once per answer) and written as one cell per row; Python turns it into the opening
# cells of the response's rows once (``_AnswerRows.opening``). The six group cells, each tested
# for "" and written on every row, took a fifth of the database's time.
ANSWERS = """
SELECT answer.response_id, r.head, question.code AS question, question.type AS kind,
       answer.number, answer.text, answer.codes, answer.other_text
FROM {answer} AS answer
JOIN (
    SELECT id, concat_ws(%(separator)s, {groups}) AS head FROM {response}
    WHERE survey_id = %(survey)s AND status = %(submitted)s ORDER BY id
) AS r ON r.id = answer.response_id
JOIN {question} AS question ON question.id = answer.question_id
JOIN {section} AS section ON section.id = question.section_id
ORDER BY answer.response_id, section.position, question.section_id, question.position, answer.question_id
"""
# Never in a group: the groups come from closed vocabularies without it
# (``test_closed_vocabularies_never_start_a_formula``).
HEAD_SEPARATOR = "\x1f"

# ``_AnswerRows`` as SQL. Inside, ``a`` is one answer (the columns of ``ANSWERS``) once
# per row it gives, ``a.position`` numbering them: once for a type without codes, once per code of
# a multiple choice or ranking, and once (no code) for one left empty. The rows are made by a
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
# the labels come from the questionnaire, neutralised once each before the query
# (``test_hostile_labels_are_neutralised_the_same_by_both_writers``), the wave in Python; the
# groups, question codes and types come from closed vocabularies that never start a formula
# (``test_closed_vocabularies_never_start_a_formula``). What sets answers apart is worked out once
# per answer, as a small number (``CLASSES``), and every cell tests the most common class, the
# numbers, first. Whole numbers are written through a bigint; a Likert label is looked up by the
# text of its point.
LONG_SELECT = """
SELECT v.response_id, v.head, {cells}
FROM (
    SELECT a.response_id, a.head, a.question, a.kind AS type,
           CASE WHEN a.class = {numeric} THEN {number} END AS number,
           CASE WHEN a.class = {numeric} THEN NULL WHEN a.class >= {listed} THEN {listed_code}
                WHEN a.class >= {single} THEN a.text END AS code,
           CASE WHEN a.class = {ranking} THEN a.position END AS rank,
           {label} AS label,
           {other_text} AS other_text,
           CASE WHEN a.class = {free} THEN a.text END AS text
    FROM (
        SELECT *, generate_series(
            1, CASE WHEN class >= {listed} THEN greatest(jsonb_array_length(codes), 1) ELSE 1 END
        ) AS position
        FROM (
            SELECT *, CASE
                WHEN kind = ANY(%(numeric)s) THEN {numeric} WHEN kind = %(single)s THEN {single}
                WHEN kind = %(country)s THEN {country} WHEN kind = %(multiple)s THEN {multiple}
                WHEN kind = %(ranking)s THEN {ranking} ELSE {free} END AS class
            FROM ({answers}) AS answers
        ) AS classed
    ) AS a
    OFFSET 0
) AS v
"""
# What ``LONG_SELECT`` tells answers apart by, worked out once per answer from its type: small
# numbers compare faster than a type's text against lists of types, row after row. Single choices
# and countries come after free text and numbers, the listed types (a row per code) last, so
# ``class >= single`` and ``class >= listed`` pick them out in one test each.
CLASSES = {"free": 0, "numeric": 1, "single": 2, "country": 3, "multiple": 4, "ranking": 5, "listed": 4}
# A number as ``cells.NUMBER_FORMAT`` writes it (15 significant digits): whole numbers, most
# answers, through a bigint, much cheaper than through numeric.
NUMBER = """CASE WHEN a.number = trunc(a.number) AND abs(a.number) < 1e15 THEN a.number::bigint::text
    ELSE a.number::numeric::text END"""
# The code at ``a.position`` of a multiple choice's or ranking's list (NULL for an empty list).
LISTED_CODE = "(a.codes ->> (a.position - 1)::int)"
LABEL = f"""CASE
    WHEN a.class = {{numeric}} THEN %(likert_labels)s::jsonb -> a.question ->> a.number::text
    WHEN a.class >= {{listed}} THEN %(choice_labels)s::jsonb -> a.question ->> {LISTED_CODE}
    WHEN a.class = {{single}} THEN %(choice_labels)s::jsonb -> a.question ->> a.text
    WHEN a.class = {{country}} THEN %(country_names)s::jsonb ->> a.text
END"""
# "Other, please specify" text sits on the row of the "other" code, or the first row without one.
OTHER_TEXT = """CASE WHEN a.other_text = '' THEN NULL
    WHEN a.class < {listed} OR a.position = COALESCE((
    SELECT o.position FROM jsonb_array_elements_text(a.codes) WITH ORDINALITY AS o(code, position)
    WHERE o.code = %(other_codes)s::jsonb ->> a.question ORDER BY o.position LIMIT 1
), 1) THEN a.other_text END"""
NEUTRALISED_COLUMNS = ("code", "other_text", "text")


def _neutralised(labels: dict) -> dict:
    """``labels`` (nested by question) with each label as its CSV cell: neutralised once here
    rather than on every row that shows it. Empty labels are left out: a label not found is NULL,
    an empty cell."""
    return {
        key: _neutralised(value) if isinstance(value, dict) else csv_cell(value)
        for key, value in labels.items()
        if value != ""
    }


def _copy_statement(survey: Survey, rows: _AnswerRows) -> str:
    """The ``COPY`` of ``LONG_SELECT`` for ``survey``, its parameters bound (``compose_sql``)."""
    quote = connection.ops.quote_name
    answers = ANSWERS.format(
        answer=quote(Answer._meta.db_table),
        response=quote(Response._meta.db_table),
        question=quote(Question._meta.db_table),
        section=quote(Section._meta.db_table),
        groups=", ".join(quote(column) for column in GROUP_COLUMNS),
    )
    select = LONG_SELECT.format(
        cells=", ".join(_cell_sql(column) for column in LONG_COLUMNS if column not in HEAD_COLUMNS),
        number=NUMBER,
        listed_code=LISTED_CODE,
        label=LABEL.format(**CLASSES),
        other_text=OTHER_TEXT.format(**CLASSES),
        answers=answers,
        **CLASSES,
    )
    likert = {
        question: {str(point): label for point, label in labels.items()}
        for question, labels in rows.likert_labels.items()
    }
    parameters = {
        "survey": survey.pk,
        "submitted": Response.Status.SUBMITTED,
        "separator": HEAD_SEPARATOR,
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
    two cells (the response id and head) replaced by the respondent's ``HEAD_COLUMNS``. Numbers
    come with 15 significant digits (``NUMBER``), as ``cells.NUMBER_FORMAT`` writes them. Logged
    like any query, so query budgets in tests count it. A reader may stop halfway (``close()``):
    the connection stays usable."""
    statement = _copy_statement(survey, rows)
    # In its own transaction (a savepoint inside another): when the reader goes away halfway,
    # psycopg cancels the COPY, and only this block is rolled back, never the connection's work.
    with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
        logged = cursor.debug_sql(statement) if isinstance(cursor, CursorDebugWrapper) else None
        with logged or contextlib.nullcontext(), cursor.cursor.copy(statement) as copy:
            # Rows come by response: its opening cells are worked out once, and none are kept.
            piece, opening, cells = [], b"\n", b""  # no row opens with a line end
            for row in copy:
                row = bytes(row)
                if not row.startswith(opening):
                    opening, cells = rows.opening(row)
                piece += (cells, row[len(opening) :])
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
