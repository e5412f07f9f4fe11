"""Preview a questionnaire as an expert sees it, storing nothing.

Answers given in the preview travel from page to page in a signed hidden field, so show-if
conditions across sections behave as they will for experts; nothing reaches the database.
"""

from dataclasses import asdict

from django.core import signing
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from ..conditions import AnswerValue, visible_question_ids
from ..forms import SectionForm
from ..i18n import localized
from ..presentation import answer_rows
from ..selectors import questionnaire_for_survey

SALT = "roundtable.preview"


def _load_state(raw: str) -> dict[int, AnswerValue]:
    try:
        data = signing.loads(raw, salt=SALT) if raw else {}
    except signing.BadSignature:
        data = {}
    return {int(qid): AnswerValue(**value) for qid, value in data.items()}


def _dump_state(answers: dict[int, AnswerValue]) -> str:
    return signing.dumps(
        {str(qid): asdict(value) for qid, value in answers.items()}, salt=SALT, compress=True
    )


def survey_preview(request, *, survey):
    questionnaire = questionnaire_for_survey(survey=survey)
    language = request.GET.get("language") or request.POST.get("language") or survey.default_language
    if language not in survey.offered_languages():
        language = survey.default_language
    answers = _load_state(request.POST.get("state", ""))
    sections = questionnaire.visible_sections(answers)
    position = int(request.POST.get("position") or request.GET.get("position") or 0)
    current = next((s for s in sections if s.position == position), sections[0] if sections else None)
    with translation.override(language):
        form = None
        if request.method == "POST" and current is not None and request.POST.get("action") != "restart":
            action = request.POST.get("action", "next")
            form = SectionForm(
                request.POST,
                questions=questionnaire.questions_in(current),
                all_questions=questionnaire.questions,
                answers=answers,
                language=language,
                enforce_required=action == "next",
            )
            if form.is_valid():
                answers = {**answers, **form.values_to_save()}
                answers = {qid: value for qid, value in answers.items() if not value.is_empty()}
                sections = questionnaire.visible_sections(answers)
                ids = [s.pk for s in sections]
                index = ids.index(current.pk) if current.pk in ids else -1
                step = -1 if action == "back" else 1
                target = index + step
                current = sections[target] if 0 <= target < len(sections) else (None if step > 0 else current)
                form = None
        elif request.POST.get("action") == "restart":
            answers = {}
        if current is not None and form is None:
            form = SectionForm(
                questions=questionnaire.questions_in(current),
                all_questions=questionnaire.questions,
                answers=answers,
                language=language,
                enforce_required=True,
            )
        visible = visible_question_ids(questionnaire.questions, answers)
        context = {
            "survey": survey,
            "survey_title": survey.localized_title(language),
            "preview_language": language,
            "languages": survey.offered_languages(),
            "form": form,
            "section": current,
            "section_title": localized(current.title, language, survey.default_language) if current else "",
            "state": _dump_state(answers),
            "groups": answer_rows(questionnaire, answers, visible, language, None) if current is None else [],
            "notice": _("Preview: answers entered here are never stored."),
        }
        return render(request, "admin/surveys/survey/preview.html", context)
