"""Answers as a person reads them: labels instead of codes, in the expert's language."""

from django.utils.translation import gettext as _
from django_countries import countries

from .conditions import AnswerValue
from .forms import scale_labels
from .i18n import localized
from .models import Question
from .selectors import Questionnaire


def answer_display(question: Question, answer: AnswerValue | None, language: str) -> str:
    """The answer as text: a Likert label, choice labels, a ranked list, a number or the text."""
    if answer is None or answer.is_empty():
        return ""
    default = question.survey.default_language
    labels = {c.code: localized(c.label, language, default) for c in question.choices.all()}
    other = next((c.code for c in question.choices.all() if c.is_other), None)

    def label(code: str) -> str:
        text = labels.get(code, code)
        return f"{text}: {answer.other_text}" if code == other and answer.other_text else text

    kind = question.type
    if kind == Question.Type.LIKERT:
        point = int(answer.number)
        return f"{point} – {scale_labels(question, language)[point - 1]}"
    if kind in (Question.Type.SCALE_0_10, Question.Type.NUMBER):
        return f"{answer.number:g}"
    if kind == Question.Type.SINGLE_CHOICE:
        return label(answer.text)
    if kind == Question.Type.MULTIPLE_CHOICE:
        return "; ".join(label(code) for code in answer.codes)
    if kind == Question.Type.RANKING:
        return "; ".join(f"{rank}. {label(code)}" for rank, code in enumerate(answer.codes, start=1))
    if kind == Question.Type.COUNTRY:
        return countries.name(answer.text) or answer.text
    return answer.text


def answer_rows(
    questionnaire: Questionnaire, answers: dict[int, AnswerValue], visible: set[int], language: str, visit
) -> list[dict]:
    """Per section shown: its title, the link to change it (when ``visit`` is given) and rows of
    (question, answer) for every question shown."""
    default = questionnaire.survey.default_language
    groups = []
    for section in questionnaire.sections:
        rows = [
            {
                "code": question.code,
                "question": localized(question.text, language, default),
                "answer": answer_display(question, answers.get(question.pk), language),
                "required": question.required,
            }
            for question in questionnaire.questions_in(section)
            if question.pk in visible
        ]
        if rows:
            groups.append(
                {
                    "title": localized(section.title, language, default),
                    "edit_url": visit.url("section", position=section.position) if visit else "",
                    "rows": rows,
                    "not_answered": _("Not answered"),
                }
            )
    return groups
