"""Questionnaire authoring in the admin: open/close/reopen, clone as a new wave, preview,
translations per language, and no destructive changes once answers exist."""

import pytest
from django.contrib.admin.sites import site
from django.db.models import RestrictedError
from django.test import RequestFactory
from django.utils import timezone

from surveys.admin.questionnaires import ChoiceAdminForm, QuestionAdminForm, QuestionInline, SurveyAdminForm
from surveys.models import Answer, Choice, Question, Response, Survey
from tests.factories import QuestionFactory, SurveyFactory, every_type_survey
from tests.surveys.test_questionnaire_views import FIRST_PAGE


def admin_url(survey, action=""):
    return f"/admin/surveys/survey/{survey.pk}/{action + '/' if action else 'change/'}"


@pytest.fixture
def draft(db):
    return every_type_survey(status=Survey.Status.DRAFT, opens_at=None, closes_at=None)


@pytest.fixture
def answered(client, survey, consented):
    """The open every-type survey with one draft answer page stored."""
    _invitation, link = consented
    client.post(link + "section/1/", FIRST_PAGE)
    client.logout()
    return survey


def test_the_survey_page_edits_sections_questions_and_choices_in_one_place(client, staff, draft):
    client.force_login(staff["admin"])
    page = client.get(admin_url(draft)).content.decode()
    assert 'name="sections-0-questions-0-code"' in page
    assert 'name="sections-0-questions-2-choices-0-code"' in page
    assert 'name="sections-0-title_zh-hans"' in page  # one input per language
    assert "Preview as an expert" in page and "Clone as a new wave" in page


def test_opening_an_invalid_survey_lists_every_problem(client, staff, draft):
    QuestionFactory(section=draft.sections.first(), position=9, code="empty_choice", type="single_choice")
    client.force_login(staff["admin"])
    response = client.post(admin_url(draft, "open"), {"opens_at": "", "closes_at": ""}, follow=True)
    assert (
        "<code>empty_choice</code>: a choice question needs at least two choices" in response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == Survey.Status.DRAFT


def test_opening_a_valid_survey_with_dates(client, staff, draft):
    client.force_login(staff["admin"])
    closes = (timezone.now() + timezone.timedelta(days=10)).strftime("%Y-%m-%d %H:%M")
    response = client.post(admin_url(draft, "open"), {"opens_at": "", "closes_at": closes})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Survey.Status.OPEN and draft.is_accepting_answers()


def test_a_closing_date_in_the_past_is_refused_beside_the_field(client, staff, draft):
    client.force_login(staff["admin"])
    response = client.post(admin_url(draft, "open"), {"opens_at": "", "closes_at": "2020-01-01 00:00"})
    assert "must be in the future" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Survey.Status.DRAFT


def test_close_and_reopen(client, staff, survey):
    client.force_login(staff["admin"])
    client.post(admin_url(survey, "close"))
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED and not survey.is_accepting_answers()
    client.post(admin_url(survey, "reopen"), {"closes_at": ""})
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN and survey.is_accepting_answers()


def test_a_cloned_wave_keeps_codes_and_conditions(client, staff, survey):
    client.force_login(staff["admin"])
    response = client.post(admin_url(survey, "clone"), {"slug": "wave-2", "wave_label": "2027"})
    clone = Survey.objects.get(slug="wave-2")
    assert response.url == admin_url(clone)
    assert (
        clone.status == Survey.Status.DRAFT and clone.series == survey.series and clone.wave_label == "2027"
    )

    def codes(s):
        return list(s.questions.order_by("section__position", "position").values_list("code", flat=True))

    assert codes(clone) == codes(survey)
    follow_up = clone.questions.get(code="why_agree")
    assert follow_up.show_if_question.survey == clone and follow_up.show_if_question.code == "agree"
    assert list(Choice.objects.filter(question__survey=clone).values_list("code", flat=True)) == list(
        Choice.objects.filter(question__survey=survey).values_list("code", flat=True)
    )
    assert survey.questions.count() == clone.questions.count()


def test_cloning_onto_an_existing_slug_is_refused(client, staff, survey):
    client.force_login(staff["admin"])
    response = client.post(admin_url(survey, "clone"), {"slug": survey.slug, "wave_label": "again"})
    assert "exists already" in response.content.decode()


def test_preview_walks_the_questionnaire_and_stores_nothing(client, staff, survey):
    client.force_login(staff["fieldwork"])
    url = admin_url(survey, "preview")
    first = client.get(url).content.decode()
    assert "never stored" in first and 'name="q_agree"' in first
    state = first.split('name="state" value="')[1].split('"')[0]
    second = client.post(
        url,
        {**FIRST_PAGE, "q_org_kind": "other_kind", "q_org_kind__other": "NGO", "state": state, "position": 1},
    ).content.decode()
    assert 'name="q_org_detail"' in second  # a show-if across sections, from the carried answers
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_preview_shows_validation_errors(client, staff, survey):
    client.force_login(staff["admin"])
    page = client.post(admin_url(survey, "preview"), {"action": "next", "position": 1}).content.decode()
    assert "Please answer this question." in page


def test_a_tampered_preview_state_is_ignored(client, staff, survey):
    client.force_login(staff["admin"])
    response = client.post(admin_url(survey, "preview"), {"state": "forged:abc", "position": 1, **FIRST_PAGE})
    assert response.status_code == 200


def test_wording_can_change_once_answers_exist(answered):
    question = answered.questions.get(code="agree")
    form = QuestionAdminForm(instance=question, data=_question_data(question, text_en="New wording"))
    assert form.is_valid(), form.errors
    form.save()
    question.refresh_from_db()
    assert question.text["en"] == "New wording" and question.text["zh-hans"]


def test_type_and_code_are_locked_once_answers_exist(answered):
    question = answered.questions.get(code="agree")
    form = QuestionAdminForm(
        instance=question, data=_question_data(question, type="scale_0_10", code="agree2")
    )
    assert not form.is_valid()
    assert "cannot change any more" in str(form.errors["type"]) and "cannot change any more" in str(
        form.errors["code"]
    )


def test_choice_codes_are_locked_once_answers_exist(answered):
    choice = Choice.objects.get(question__survey=answered, question__code="org_kind", code="public")
    data = {"position": 1, "code": "state", "label_en": "Public", "label_zh-hans": "公共"}
    form = ChoiceAdminForm(instance=choice, data=data)
    assert not form.is_valid() and "code" in form.errors


def test_the_same_changes_are_free_in_a_draft(draft):
    question = draft.questions.get(code="agree")
    form = QuestionAdminForm(
        instance=question, data=_question_data(question, type="scale_0_10", code="agree2")
    )
    assert form.is_valid(), form.errors


def test_questions_cannot_be_deleted_once_answers_exist(answered, staff):
    request = RequestFactory().get("/")
    request.user = staff["admin"]
    inline = QuestionInline(Question, site)
    assert not inline.has_delete_permission(request, answered.sections.first())
    with pytest.raises(RestrictedError):
        answered.questions.get(code="agree").delete()


def test_questions_of_a_draft_can_be_deleted(draft, staff):
    request = RequestFactory().get("/")
    request.user = staff["admin"]
    assert QuestionInline(Question, site).has_delete_permission(request, draft.sections.first())


def test_deleting_a_whole_survey_takes_its_answers_with_it(answered):
    answered.delete()
    assert Answer.objects.count() == 0


def test_texts_in_languages_the_interface_lacks_are_kept(db):
    survey = SurveyFactory(title={"en": "Title", "fr": "Titre"})
    data = {
        "series": survey.series_id,
        "wave_label": "1",
        "slug": survey.slug,
        "title_en": "New",
        "title_zh-hans": "",
        "default_language": "en",
        "languages": ["en"],
        "reminder_interval_days": 7,
        "max_reminders": 3,
    }
    form = SurveyAdminForm(instance=survey, data=data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == {"fr": "Titre", "en": "New"}


@pytest.mark.parametrize("action", ["open", "close", "reopen", "clone"])
@pytest.mark.parametrize(("role", "allowed"), [("admin", True), ("fieldwork", False)])
def test_state_changes_by_role(client, staff, survey, action, role, allowed):
    client.force_login(staff[role])
    assert (client.get(admin_url(survey, action)).status_code == 200) is allowed


@pytest.mark.parametrize("role", ["interviewer", "researcher"])
@pytest.mark.parametrize("action", ["open", "close", "reopen", "clone", "preview", ""])
def test_non_staff_roles_never_reach_authoring(client, staff, survey, role, action):
    client.force_login(staff[role])
    response = client.get(admin_url(survey, action))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_anonymous_visitors_never_reach_authoring(client, survey):
    response = client.get(admin_url(survey, "preview"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def _question_data(question, **changes) -> dict:
    data = {
        "position": question.position,
        "code": question.code,
        "type": question.type,
        "text_en": question.text.get("en", ""),
        "text_zh-hans": question.text.get("zh-hans", ""),
        "help_text_en": "",
        "help_text_zh-hans": "",
        "required": "on" if question.required else "",
        "scale_points": question.scale_points or "",
        "scale_labels": "[]",
        "show_if_operator": question.show_if_operator,
        "show_if_value": "null",
    }
    if "text_en" in changes:
        data["text_en"] = changes.pop("text_en")
    data.update(changes)
    return data
