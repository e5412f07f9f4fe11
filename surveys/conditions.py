"""Show-if conditions: which questions an expert sees, given the answers so far.

A question may depend on one earlier answer. Unanswered targets make the condition false, and a
question whose target is itself hidden is hidden too, so chains of conditions behave.
``equals``/``not_equals`` on a multiple-choice or ranking answer mean "includes"/"does not include".
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .models import Question

NUMERIC_OPERATORS = (Question.Operator.AT_LEAST, Question.Operator.AT_MOST)


@dataclass
class AnswerValue:
    """An answer in memory, shaped like the ``Answer`` columns."""

    number: float | None = None
    text: str = ""
    codes: list[str] = field(default_factory=list)
    other_text: str = ""

    def is_empty(self) -> bool:
        return self.number is None and not self.text and not self.codes

    def value(self, question_type: str):
        if question_type in Question.NUMERIC_TYPES:
            return self.number
        if question_type in (Question.Type.MULTIPLE_CHOICE, Question.Type.RANKING):
            return self.codes
        return self.text


def _as_number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _equals(answer, expected) -> bool:
    if isinstance(answer, list):
        return str(expected) in answer
    if isinstance(answer, float):
        return answer == _as_number(expected)
    return answer == str(expected)


def condition_holds(operator: str, expected, answer) -> bool:
    """Evaluate one condition against one answer value (None, number, text or list of codes)."""
    if answer is None or answer == "" or answer == []:
        return False
    if operator == Question.Operator.ANSWERED:
        return True
    if operator == Question.Operator.EQUALS:
        return _equals(answer, expected)
    if operator == Question.Operator.NOT_EQUALS:
        return not _equals(answer, expected)
    if operator == Question.Operator.ANY_OF:
        options = expected if isinstance(expected, list) else [expected]
        return any(_equals(answer, option) for option in options)
    if operator in NUMERIC_OPERATORS:
        limit = _as_number(expected)
        number = _as_number(answer)
        if limit is None or number is None:
            return False
        return number >= limit if operator == Question.Operator.AT_LEAST else number <= limit
    raise ValueError(f"Unknown show-if operator {operator!r}")


def visible_question_ids(questions: Iterable[Question], answers: Mapping[int, AnswerValue]) -> set[int]:
    """Ids of the questions shown, given answers keyed by question id.

    ``questions`` must come in questionnaire order, which puts every condition's target first.
    """
    by_id = {}
    visible: set[int] = set()
    for question in questions:
        by_id[question.pk] = question
        target_id = question.show_if_question_id
        if target_id is None:
            visible.add(question.pk)
            continue
        target = by_id.get(target_id)
        if target is None or target_id not in visible:
            continue
        answer = answers.get(target_id)
        value = answer.value(target.type) if answer else None
        if condition_holds(question.show_if_operator, question.show_if_value, value):
            visible.add(question.pk)
    return visible
