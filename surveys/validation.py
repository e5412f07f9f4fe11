"""Checks a questionnaire must pass before it opens to experts (and before an import lands).

``questionnaire_problems`` returns every problem found, each naming where it is, so an author
can fix them all in one go.
"""

from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Question
from .selectors import Questionnaire, questionnaire_for_survey

SCALE_RANGES = {Question.Type.SCALE_0_10: (0, 10)}


@dataclass(frozen=True)
class Problem:
    where: str  # a question code, "section N" or "survey"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class QuestionnaireInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


def _value_problem(question: Question, target: Question) -> str | None:
    """Why ``question``'s show-if value can never match an answer to ``target``, or None."""
    operator, value = question.show_if_operator, question.show_if_value
    if operator == Question.Operator.ANSWERED:
        return None
    if value is None or value == "" or value == []:
        return _("the condition needs a value")
    values = value if isinstance(value, list) else [value]
    numeric_operator = operator in (Question.Operator.AT_LEAST, Question.Operator.AT_MOST)
    if numeric_operator and target.type not in Question.NUMERIC_TYPES:
        return _("“%(operator)s” compares numbers, but “%(target)s” is not a number question") % {
            "operator": operator,
            "target": target.code,
        }
    if target.type in Question.CHOICE_TYPES:
        codes = {choice.code for choice in target.choices.all()}
        unknown = [str(v) for v in values if str(v) not in codes]
        if unknown:
            return _("“%(target)s” has no choice %(codes)s") % {
                "target": target.code,
                "codes": ", ".join(unknown),
            }
    if target.type in Question.NUMERIC_TYPES:
        low, high = _numeric_range(target)
        for v in values:
            try:
                number = float(v)
            except (TypeError, ValueError):
                return _("“%(value)s” is not a number") % {"value": v}
            if (low is not None and number < low) or (high is not None and number > high):
                return _("%(value)s is outside the answers “%(target)s” allows") % {
                    "value": v,
                    "target": target.code,
                }
    return None


def _numeric_range(question: Question) -> tuple[float | None, float | None]:
    if question.type == Question.Type.LIKERT:
        return 1, question.scale_points
    if question.type in SCALE_RANGES:
        return SCALE_RANGES[question.type]
    return question.min_value, question.max_value


def questionnaire_problems(questionnaire: Questionnaire) -> list[Problem]:
    """Every problem in the questionnaire, in questionnaire order."""
    problems: list[Problem] = []
    survey = questionnaire.survey
    if not questionnaire.sections:
        problems.append(Problem("survey", _("the questionnaire has no sections")))
    positions = Counter(section.position for section in questionnaire.sections)
    problems += [
        Problem(
            _("section %(n)d") % {"n": position},
            _("%(count)d sections share this position") % {"count": count},
        )
        for position, count in positions.items()
        if count > 1
    ]
    for section in questionnaire.sections:
        if not questionnaire.questions_in(section):
            problems.append(
                Problem(_("section %(n)d") % {"n": section.position}, _("the section has no questions"))
            )
    counts = Counter(question.code for question in questionnaire.questions)
    problems += [
        Problem(code, _("the code is used by %(n)d questions") % {"n": n})
        for code, n in counts.items()
        if n > 1
    ]
    order = {question.pk: index for index, question in enumerate(questionnaire.questions)}
    by_id = {question.pk: question for question in questionnaire.questions}
    for question in questionnaire.questions:
        where = question.code
        if not question.text.get(survey.default_language):
            problems.append(Problem(where, _("no text in the survey's default language")))
        choices = list(question.choices.all())
        if question.type in Question.CHOICE_TYPES and len(choices) < 2:
            problems.append(Problem(where, _("a choice question needs at least two choices")))
        if (
            question.type == Question.Type.RANKING
            and question.rank_top_k
            and question.rank_top_k > len(choices)
        ):
            problems.append(
                Problem(
                    where,
                    _("asks to rank the top %(k)d of only %(n)d items")
                    % {"k": question.rank_top_k, "n": len(choices)},
                )
            )
        if question.type == Question.Type.LIKERT and question.scale_points not in (5, 7):
            problems.append(Problem(where, _("a Likert scale has 5 or 7 points")))
        if (
            question.scale_labels
            and question.scale_points
            and len(question.scale_labels) != question.scale_points
        ):
            problems.append(Problem(where, _("give one label for every point of the scale")))
        if (
            question.min_value is not None
            and question.max_value is not None
            and question.min_value > question.max_value
        ):
            problems.append(Problem(where, _("the lower bound is above the upper bound")))
        if question.show_if_question_id is not None:
            target = by_id.get(question.show_if_question_id)
            if target is None:
                problems.append(
                    Problem(where, _("the show-if condition points at a question not in this survey"))
                )
            elif order[target.pk] >= order[question.pk]:
                problems.append(
                    Problem(
                        where,
                        _("the show-if condition points at “%(target)s”, which does not come earlier")
                        % {"target": target.code},
                    )
                )
            elif not question.show_if_operator:
                problems.append(Problem(where, _("the show-if condition has no operator")))
            elif message := _value_problem(question, target):
                problems.append(Problem(where, _("the show-if condition is impossible: %s") % message))
    return problems


def survey_problems(*, survey) -> list[Problem]:
    return questionnaire_problems(questionnaire_for_survey(survey=survey))
