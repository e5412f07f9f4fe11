"""The questionnaire pages, for experts (by link) and interviewers (logged in). Thin views:
parse → one service or selector → render.

Who may use them: ``visit_required`` (see ``visits.py``) admits the holder of a valid link, or a
logged-in user who may interview that expert; staff pages need the interview permissions.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .conditions import visible_question_ids
from .forms import ConsentForm, SectionForm
from .i18n import localized
from .presentation import answer_rows
from .visits import Visit, allow_closed, visit_required


def _page_context(visit: Visit, **extra) -> dict:
    survey = visit.survey
    return {
        "visit": visit,
        "survey": survey,
        "survey_title": survey.localized_title(visit.response.language),
        "languages": survey.offered_languages(),
        "language_url": visit.url("language"),
        **extra,
    }


def _resume_url(visit: Visit, questionnaire) -> str:
    response = visit.response
    if response.consent_given_at is None:
        return visit.url("consent")
    if response.is_submitted:
        return visit.url("thanks")
    answers = selectors.answers_for_response(response=response)
    sections = questionnaire.visible_sections(answers)
    if response.resume_section_id is None and not answers:
        return visit.url("section", position=sections[0].position) if sections else visit.url("review")
    if response.resume_section_id in {s.pk for s in sections}:
        return visit.url("section", position=response.resume_section.position)
    return visit.url("review")


@visit_required
@allow_closed
def start(request, visit: Visit):
    """The link's landing: resume wherever the expert stopped."""
    if not visit.survey.is_accepting_answers() and not visit.response.is_submitted:
        return render(request, "surveys/unavailable.html", _page_context(visit, reason="closed"), status=403)
    return redirect(_resume_url(visit, selectors.questionnaire_for_survey(survey=visit.survey)))


@visit_required
@require_http_methods(["GET", "POST"])
def consent(request, visit: Visit):
    response = visit.response
    initial = {"consent": response.consent_given_at is not None, "attribution": response.attribution or None}
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.response_give_consent(response=response, attribution=form.cleaned_data["attribution"])
        return redirect(_resume_url(visit, selectors.questionnaire_for_survey(survey=visit.survey)))
    survey = visit.survey
    return render(
        request,
        "surveys/consent.html",
        _page_context(
            visit,
            form=form,
            description=localized(survey.description, response.language, survey.default_language),
            consent_text=localized(survey.consent_text, response.language, survey.default_language),
        ),
    )


@visit_required
@allow_closed
@require_http_methods(["GET", "POST"])
def section(request, visit: Visit, position: int):
    """One section's questions. Every POST saves what is valid, whichever button was pressed."""
    response = visit.response
    if response.consent_given_at is None:
        return redirect(visit.url("consent"))
    questionnaire = selectors.questionnaire_for_survey(survey=visit.survey)
    current = questionnaire.section_at(position)
    if current is None:
        return redirect(visit.url("start"))
    if response.is_submitted and not (
        visit.survey.allow_edit_after_submit and visit.survey.is_accepting_answers()
    ):
        messages.info(request, _("Your response was already submitted; it has not been changed."))
        return redirect(visit.url("thanks"))
    answers = selectors.answers_for_response(response=response)
    action = request.POST.get("action", "next")
    form = SectionForm(
        request.POST or None,
        questions=questionnaire.questions_in(current),
        all_questions=questionnaire.questions,
        answers=answers,
        language=response.language,
        enforce_required=action == "next" or response.is_submitted,
    )
    if request.method == "POST":
        valid = form.is_valid()
        values = form.values_to_save()
        merged = {**answers, **values}
        sections = questionnaire.visible_sections(merged)
        following = _neighbour(sections, current, +1)
        services.response_save_page(
            response=response,
            questionnaire=questionnaire,
            section=current,
            values=values,
            next_section=current if not valid or action != "next" else following,
        )
        if not visit.survey.is_accepting_answers():
            return render(
                request, "surveys/unavailable.html", _page_context(visit, reason="closed_saved"), status=403
            )
        if valid:
            return _after_save(request, visit, action, sections, current, following)
        answers = merged
    else:
        sections = questionnaire.visible_sections(answers)
    index = next((i for i, s in enumerate(sections) if s.pk == current.pk), 0)
    return render(
        request,
        "surveys/section.html",
        _page_context(
            visit,
            form=form,
            section=current,
            section_title=localized(current.title, response.language, visit.survey.default_language),
            section_intro=localized(current.intro, response.language, visit.survey.default_language),
            step=index + 1,
            steps=len(sections),
            percent=round(100 * index / max(len(sections), 1)),
            has_previous=index > 0,
        ),
    )


def _neighbour(sections, current, step: int):
    ids = [s.pk for s in sections]
    if current.pk not in ids:
        later = [s for s in sections if s.position > current.position]
        return later[0] if step > 0 and later else None
    index = ids.index(current.pk) + step
    return sections[index] if 0 <= index < len(sections) else None


def _after_save(request, visit: Visit, action: str, sections, current, following):
    if action == "save":
        messages.success(request, _("Your answers are saved. Open your link again at any time to continue."))
        return redirect(visit.url("section", position=current.position))
    if action == "back":
        previous = _neighbour(sections, current, -1)
        return redirect(
            visit.url("section", position=previous.position) if previous else visit.url("consent")
        )
    if visit.response.is_submitted:
        messages.success(request, _("Your changes are saved."))
        return redirect(visit.url("review"))
    return redirect(visit.url("section", position=following.position) if following else visit.url("review"))


@visit_required
@require_http_methods(["GET", "POST"])
def review(request, visit: Visit):
    """Every answer with a link to change it; POST submits."""
    response = visit.response
    if response.consent_given_at is None:
        return redirect(visit.url("consent"))
    questionnaire = selectors.questionnaire_for_survey(survey=visit.survey)
    missing = []
    if request.method == "POST":
        if response.is_submitted and not visit.survey.allow_edit_after_submit:
            return redirect(visit.url("thanks"))
        try:
            services.response_submit(response=response, questionnaire=questionnaire)
        except services.ResponseIncomplete as incomplete:
            missing = incomplete.sections
        else:
            return redirect(visit.url("thanks"))
    answers = selectors.answers_for_response(response=response)
    visible = visible_question_ids(questionnaire.questions, answers)
    return render(
        request,
        "surveys/review.html",
        _page_context(
            visit,
            groups=answer_rows(questionnaire, answers, visible, response.language, visit),
            missing=[localized(s.title, response.language, visit.survey.default_language) for s in missing],
            can_edit=not response.is_submitted or visit.survey.allow_edit_after_submit,
        ),
        status=400 if missing else 200,
    )


@visit_required
@allow_closed
def thanks(request, visit: Visit):
    if not visit.response.is_submitted:
        return redirect(visit.url("start"))
    return render(
        request,
        "surveys/thanks.html",
        _page_context(
            visit,
            can_edit=visit.survey.allow_edit_after_submit and visit.survey.is_accepting_answers(),
            copy_url=visit.url("copy"),
            review_url=visit.url("review"),
        ),
    )


@visit_required
@allow_closed
def answers_copy(request, visit: Visit):
    """The expert's own answers as a self-contained HTML file to keep."""
    response = visit.response
    questionnaire = selectors.questionnaire_for_survey(survey=visit.survey)
    answers = selectors.answers_for_response(response=response)
    visible = visible_question_ids(questionnaire.questions, answers)
    html = render_to_string(
        "surveys/answers_copy.html",
        _page_context(visit, groups=answer_rows(questionnaire, answers, visible, response.language, None)),
        request=request,
    )
    download = HttpResponse(html, content_type="text/html; charset=utf-8")
    download["Content-Disposition"] = f'attachment; filename="{visit.survey.slug}-my-answers.html"'
    return download


@visit_required
@allow_closed
@require_POST
def language(request, visit: Visit):
    services.response_set_language(response=visit.response, language=request.POST.get("language", ""))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = visit.url("start")
    return redirect(target)


@login_required
def staff_home(request):
    """Landing page after login: what this user's role can do."""
    return render(request, "staff/home.html")


@login_required
@permission_required("surveys.conduct_interview", raise_exception=True)
def interview_list(request):
    """Experts this interviewer may interview (all of them for admins and fieldwork staff)."""
    return render(
        request, "staff/interviews.html", {"invitations": selectors.interviews_for_user(user=request.user)}
    )
