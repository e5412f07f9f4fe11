"""The long CSV: one row per answer (one per ticked or ranked choice), streamed with flat memory.

Columns ``LONG_COLUMNS``; see ``docs/exports.md`` for each. The answers are read through one
server-side cursor in chunks (``QuerySet.iterator``) and written row by row, so memory stays the
same whatever the number of answers; only the questionnaire's labels are held.
"""

import csv
from collections.abc import Iterator

from surveys.models import Question, Survey

from ..load import GROUP_COLUMNS, choices_frame, respondent_pseudonym
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


def long_csv_lines(*, survey: Survey, chunk_size: int = CHUNK_SIZE) -> Iterator[str]:
    """The long CSV of ``survey``'s submitted answers as lines of text (UTF-8 BOM first), for a
    ``StreamingHttpResponse`` or a file. A generator: nothing is read before the first line is
    asked for, and the answers are read ``chunk_size`` at a time through one query."""
    writer = csv.writer(Echo())
    yield BOM + writer.writerow([csv_cell(column) for column in LONG_COLUMNS])
    rows_of = _AnswerRows(survey)
    answers = submitted_answers(survey=survey).values_list(*ANSWER_FIELDS).iterator(chunk_size=chunk_size)
    for answer in answers:
        yield "".join(writer.writerow([csv_cell(value) for value in row]) for row in rows_of(answer))
