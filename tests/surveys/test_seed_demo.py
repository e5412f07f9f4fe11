"""``manage.py seed_demo``: the demo survey, its synthetic panel and answers to try the app on.

The default demo (320 experts, seed 2026) is seeded once for the module and rolled back at the
end; each test runs in a savepoint inside it, so reruns and link checks leave no trace.
"""

import io
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from surveys import selectors
from surveys.conditions import visible_question_ids
from surveys.demo.panel import SUBMITTED, plan_panel
from surveys.demo.seed import DEMO_PASSWORD, STAFF_ACCOUNTS
from surveys.models import Answer, Choice, Expert, Invitation, Question, Response, Section, Survey

SLUG = "global-ai-governance-2026"
LANGUAGES = ("en", "zh-hans")
LINK = re.compile(r"http://127\.0\.0\.1:\d+(/r/[\w-]+/)")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def seed_demo(**options) -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    models = (Survey, Section, Question, Choice, Expert, Invitation, Response, Answer)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The printed output of seeding the default demo into the test database."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        yield seed_demo()
        transaction.set_rollback(True)


@pytest.fixture
def survey(seeded, db):
    return Survey.objects.get(slug=SLUG)


@pytest.fixture
def questionnaire(survey):
    return selectors.questionnaire_for_survey(survey=survey)


def submitted_answers(code: str) -> list[Answer]:
    return list(
        Answer.objects.filter(question__code=code, response__status=Response.Status.SUBMITTED).select_related(
            "response"
        )
    )


def test_seeding_builds_a_panel_of_at_least_300_experts_in_12_countries_and_5_sectors(survey):
    experts = Expert.objects.filter(invitations__survey=survey)
    assert experts.count() >= 300
    assert experts.values("country").distinct().count() >= 12
    assert experts.values("sector").distinct().count() >= 5
    assert not experts.exclude(email__regex=r"@example\.(org|com|net)$").exists()


def test_submitted_responses_cover_every_un_region_and_both_north_and_south(survey):
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    regions = set(submitted.values_list("un_region", flat=True))
    assert {"Africa", "Americas", "Asia", "Europe", "Oceania"} <= regions
    assert set(submitted.values_list("north_south", flat=True)) == {"north", "south"}


def test_invitations_mix_submitted_draft_declined_and_unopened(survey):
    invitations = Invitation.objects.filter(survey=survey)
    total = invitations.count()
    submitted = invitations.filter(response__status=Response.Status.SUBMITTED).count()
    drafts = invitations.filter(response__status=Response.Status.DRAFT)
    declined = invitations.filter(declined_at__isnull=False)
    unopened = invitations.filter(response__isnull=True, declined_at__isnull=True).count()
    assert 0.6 < submitted / total < 0.7
    assert 0.08 < drafts.count() / total < 0.16
    assert 0.05 < declined.count() / total < 0.11
    assert unopened > 0
    assert not drafts.filter(response__resume_section__isnull=True).exists()
    assert not drafts.filter(response__consent_given_at__isnull=True).exists()
    assert not declined.filter(response__isnull=False).exists()


def test_attribution_choices_are_mixed_with_anonymous_the_most_common(survey):
    attributions = Counter(Response.objects.filter(survey=survey).values_list("attribution", flat=True))
    assert set(attributions) == {"named", "anonymous", "not_for_quotation"}
    assert attributions.most_common(1)[0][0] == "anonymous"


def test_interviews_are_entered_by_staff_for_the_experts_assigned_to_them(survey):
    interviews = Response.objects.filter(survey=survey, mode=Response.Mode.INTERVIEWER)
    assert 0.05 < interviews.count() / Response.objects.filter(survey=survey).count() < 0.15
    by_interviewer = interviews.filter(interviewer__username="interviewer").select_related("invitation")
    assert by_interviewer.exists()
    assert all(r.invitation.interviewer_id == r.interviewer_id for r in by_interviewer)


def test_the_questionnaire_uses_every_question_type_and_both_likert_lengths(questionnaire):
    assert {q.type for q in questionnaire.questions} == set(Question.Type.values)
    assert {q.scale_points for q in questionnaire.questions if q.type == Question.Type.LIKERT} == {5, 7}
    assert 30 <= len(questionnaire.questions) <= 40
    assert 6 <= len(questionnaire.sections) <= 8
    choices = [c for q in questionnaire.questions if q.type == "multiple_choice" for c in q.choices.all()]
    assert any(c.is_other for c in choices)
    assert any(c.is_exclusive for c in choices)


def test_show_if_conditions_work_within_a_section_and_across_sections(questionnaire):
    conditional = [q for q in questionnaire.questions if q.show_if_question_id]
    same_section = [q for q in conditional if q.section_id == q.show_if_question.section_id]
    assert same_section
    assert len(same_section) < len(conditional)
    assert {"at_least", "equals"} <= {q.show_if_operator for q in conditional}


def test_every_text_is_in_english_and_simplified_chinese(survey, questionnaire):
    texts = [survey.title, survey.description, survey.consent_text]
    texts += [section.title for section in questionnaire.sections]
    for question in questionnaire.questions:
        texts += [question.text, *question.scale_labels, *[c.label for c in question.choices.all()]]
        texts += [question.help_text] if question.help_text else []
    for text in texts:
        assert all(text.get(language) for language in LANGUAGES), text
        assert CHINESE.search(text["zh-hans"]), text


def test_submitted_responses_hold_no_answers_to_hidden_questions(survey, questionnaire):
    for response in Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED):
        answers = selectors.answers_for_response(response=response)
        assert set(answers) <= visible_question_ids(questionnaire.questions, answers)


def test_experts_who_prefer_chinese_write_their_open_answers_in_chinese(survey):
    long_answers = Answer.objects.filter(response__survey=survey, question__type=Question.Type.LONG_TEXT)
    chinese = long_answers.filter(response__language="zh-hans")
    assert chinese.exists()
    assert all(CHINESE.search(answer.text) for answer in chinese)
    assert not any(CHINESE.search(a.text) for a in long_answers.filter(response__language="en"))


def test_global_south_experts_agree_more_that_the_ai_divide_is_widening(survey):
    agreeing: dict[str, list[bool]] = {"north": [], "south": []}
    for answer in submitted_answers("divide_widening"):
        agreeing[answer.response.north_south].append(answer.number >= 4)
    share = {group: sum(values) / len(values) for group, values in agreeing.items()}
    assert share["south"] > share["north"] + 0.15


def test_industry_rates_the_uns_central_role_lower_than_government_and_academia(survey):
    ratings: dict[str, list[float]] = {}
    for answer in submitted_answers("un_central_role"):
        ratings.setdefault(answer.response.sector, []).append(answer.number)
    mean = {sector: sum(values) / len(values) for sector, values in ratings.items()}
    assert mean["industry"] < mean["government"]
    assert mean["industry"] < mean["academia"]


def test_printed_links_open_the_questionnaire(seeded, survey, client):
    assert "http://127.0.0.1:8000/accounts/login/" in seeded
    assert all(username in seeded for username, _role in STAFF_ACCOUNTS)
    links = LINK.findall(seeded)
    assert len(links) == 5
    for link in links:
        assert client.get(link).status_code in (200, 302)


def test_staff_can_log_in_with_the_demo_password(survey, client):
    for username, _role in STAFF_ACCOUNTS:
        assert client.login(username=username, password=DEMO_PASSWORD)


def test_running_again_with_another_seed_adds_nothing(survey):
    before = table_counts()
    output = seed_demo(seed=7, experts=50)
    assert table_counts() == before
    assert "exists already" in output
    assert len(LINK.findall(output)) == 5


def test_links_printed_by_an_earlier_run_stop_working(seeded, survey, client):
    seed_demo()
    assert client.get(LINK.findall(seeded)[0]).status_code == 404


def test_the_same_seed_plans_the_same_panel_and_answers(questionnaire):
    first = plan_panel(questionnaire=questionnaire, count=60, seed=11)
    assert plan_panel(questionnaire=questionnaire, count=60, seed=11) == first
    assert plan_panel(questionnaire=questionnaire, count=60, seed=12) != first


def test_stored_answers_are_the_ones_planned_for_the_seed(survey, questionnaire):
    planned = {
        member.profile.email: member.answers
        for member in plan_panel(questionnaire=questionnaire, count=320, seed=2026)
        if member.status == SUBMITTED
    }
    stored: dict[str, dict] = {email: {} for email in planned}
    for answer in Answer.objects.filter(response__status=Response.Status.SUBMITTED).select_related(
        "question", "response__invitation__expert"
    ):
        value = (answer.number, answer.text, answer.codes, answer.other_text)
        stored[answer.response.invitation.expert.email][answer.question.code] = value
    assert stored == {
        email: {code: (a.number, a.text, a.codes, a.other_text) for code, a in answers.items()}
        for email, answers in planned.items()
    }


def test_seeding_refuses_to_run_with_debug_off(db):
    before = table_counts()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
    assert table_counts() == before
