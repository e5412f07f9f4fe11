"""The expert's journey through the views: consent, pages, show-if, review, submit, edit."""

import re

import pytest
from django.utils import timezone

from surveys.models import Answer, Response
from surveys.services import invitation_revoke
from tests.factories import ExpertFactory, invite

FIRST_PAGE = {
    "q_agree": "5",
    "q_why_agree": "Fragmentation hurts <b>everyone</b>.",
    "q_org_kind": "public",
    "q_tools": ["law", "treaty"],
    "action": "next",
}
SECOND_PAGE = {
    "q_priorities__rank1": "voice",
    "q_priorities__rank2": "access",
    "q_outlook": "7",
    "q_years": "12.5",
    "q_title": "Professor",
    "q_home": "BR",
    "action": "next",
}


def answers_of(invitation):
    return {
        a.question.code: a
        for a in Answer.objects.filter(response__invitation=invitation).select_related("question")
    }


def test_unknown_token_is_a_plain_404(client, survey):
    response = client.get("/r/this-is-not-a-token/")
    assert response.status_code == 404
    assert b"AI governance survey" not in response.content


def test_revoked_link_shows_a_plain_page_revealing_nothing(client, expert_link):
    invitation, link = expert_link
    invitation_revoke(invitation=invitation)
    response = client.get(link)
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()
    assert invitation.expert.name not in response.content.decode()


def test_survey_not_open_yet_says_so(client, survey, expert_link):
    survey.opens_at = timezone.now() + timezone.timedelta(days=3)
    survey.save()
    response = client.get(expert_link[1])
    assert response.status_code == 403
    assert "not open yet" in response.content.decode()


def test_draft_survey_is_not_open(client, survey, expert_link):
    survey.status = survey.Status.DRAFT
    survey.save()
    assert "not open yet" in client.get(expert_link[1]).content.decode()


def test_closed_survey_says_so(client, survey, expert_link):
    survey.status = survey.Status.CLOSED
    survey.save()
    response = client.get(expert_link[1])
    assert response.status_code == 403
    assert "has closed" in response.content.decode()


def test_first_visit_asks_for_consent_and_records_the_opening(client, expert_link):
    invitation, link = expert_link
    response = client.get(link)
    assert response.status_code == 302 and response.url == link + "consent/"
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


def test_questions_wait_for_consent(client, expert_link):
    _invitation, link = expert_link
    client.get(link)
    assert client.get(link + "section/1/").url == link + "consent/"


def test_consent_must_be_ticked_and_the_attribution_choice_is_kept(client, expert_link):
    invitation, link = expert_link
    response = client.post(link + "consent/", {"attribution": "named"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "You need to agree" in page
    assert re.search(r'value="named"[^>]*checked', page)
    assert Response.objects.get(invitation=invitation).consent_given_at is None


def test_consent_records_attribution_and_starts_the_first_section(client, expert_link):
    invitation, link = expert_link
    response = client.post(link + "consent/", {"consent": "on", "attribution": "not_for_quotation"})
    assert response.url == link + "section/1/"
    stored = Response.objects.get(invitation=invitation)
    assert stored.attribution == "not_for_quotation" and stored.consent_given_at


def test_every_page_saves_and_the_link_resumes_where_the_expert_stopped(client, consented):
    invitation, link = consented
    response = client.post(link + "section/1/", FIRST_PAGE)
    assert response.url == link + "section/2/"
    assert set(answers_of(invitation)) == {"agree", "why_agree", "org_kind", "tools"}
    assert client.get(link).url == link + "section/2/"


def test_save_and_finish_later_keeps_a_partial_page_without_required_checks(client, consented):
    invitation, link = consented
    response = client.post(link + "section/1/", {"q_org_kind": "private", "action": "save"})
    assert response.url == link + "section/1/"
    assert answers_of(invitation)["org_kind"].text == "private"
    assert client.get(link).url == link + "section/1/"


def test_a_validation_error_keeps_every_input_and_saves_the_valid_answers(client, consented):
    invitation, link = consented
    data = {**FIRST_PAGE, "q_tools": ["law", "none"]}
    response = client.post(link + "section/1/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be combined" in page
    assert "Fragmentation hurts &lt;b&gt;everyone&lt;/b&gt;." in page  # kept and escaped
    assert re.search(r'value="public"[^>]*checked', page)
    assert re.search(r'value="law"[^>]*checked', page) and re.search(r'value="none"[^>]*checked', page)
    stored = answers_of(invitation)
    assert stored["agree"].number == 5 and stored["org_kind"].text == "public"
    assert "tools" not in stored


def test_required_question_is_asked_for_on_continue(client, consented):
    _invitation, link = consented
    response = client.post(link + "section/1/", {"q_org_kind": "public", "action": "next"})
    assert response.status_code == 200
    assert "Please answer this question." in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q_agree", "6", "Select a valid choice"),
        ("q_org_kind", "nonsense", "Select a valid choice"),
        ("q_tools", ["other"], "Please say what"),
    ],
)
def test_first_page_validation_messages(client, consented, field, value, message):
    _invitation, link = consented
    response = client.post(link + "section/1/", {**FIRST_PAGE, field: value})
    assert message in response.content.decode()


def test_other_text_without_ticking_other_is_questioned(client, consented):
    _invitation, link = consented
    response = client.post(link + "section/1/", {**FIRST_PAGE, "q_tools__other": "soft law"})
    assert "tick “Other” too" in response.content.decode()


def test_other_please_specify_is_stored_with_the_choice(client, consented):
    invitation, link = consented
    client.post(link + "section/1/", {**FIRST_PAGE, "q_tools": ["law", "other"], "q_tools__other": "codes"})
    stored = answers_of(invitation)["tools"]
    assert stored.codes == ["law", "other"] and stored.other_text == "codes"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"q_years": "61"}, "less than or equal to 60"),
        ({"q_years": "-1"}, "greater than or equal to 0"),
        ({"q_years": "twelve"}, "Enter a number"),
        ({"q_outlook": "11"}, "Select a valid choice"),
        ({"q_priorities__rank1": "voice", "q_priorities__rank2": "voice"}, "only once"),
        ({"q_priorities__rank1": "", "q_priorities__rank2": "voice"}, "starting with rank 1"),
        ({"q_home": "XX"}, "Select a valid choice"),
        ({"q_title": "x" * 501}, "at most 500 characters"),
    ],
)
def test_second_page_validation_messages(client, consented, changes, message):
    _invitation, link = consented
    client.post(link + "section/1/", FIRST_PAGE)
    response = client.post(link + "section/2/", {**SECOND_PAGE, **changes})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_long_answers_are_bounded_with_a_message(client, consented, settings):
    _invitation, link = consented
    settings.ROUNDTABLE = {**settings.ROUNDTABLE, "MAX_TEXT_ANSWER_CHARS": 100}
    response = client.post(link + "section/1/", {**FIRST_PAGE, "q_why_agree": "y" * 101})
    assert "at most 100 characters" in response.content.decode()


def test_ranking_stores_codes_in_rank_order(client, consented):
    invitation, link = consented
    client.post(link + "section/1/", FIRST_PAGE)
    client.post(link + "section/2/", SECOND_PAGE)
    stored = answers_of(invitation)
    assert stored["priorities"].codes == ["voice", "access"]
    assert stored["years"].number == 12.5 and stored["home"].text == "BR" and stored["outlook"].number == 7


def test_a_hidden_follow_up_is_not_required_and_not_kept(client, consented):
    invitation, link = consented
    response = client.post(link + "section/1/", {**FIRST_PAGE, "q_agree": "2", "q_why_agree": "ignored"})
    assert response.url == link + "section/2/"
    assert "why_agree" not in answers_of(invitation)


def test_changing_an_answer_removes_answers_it_now_hides(client, consented):
    invitation, link = consented
    client.post(link + "section/1/", FIRST_PAGE)
    assert "why_agree" in answers_of(invitation)
    client.post(link + "section/1/", {**FIRST_PAGE, "q_agree": "1"})
    assert "why_agree" not in answers_of(invitation)


def test_a_follow_up_on_a_later_page_appears_only_when_its_condition_holds(client, consented):
    invitation, link = consented
    client.post(link + "section/1/", FIRST_PAGE)
    assert "q_org_detail" not in client.get(link + "section/2/").content.decode()
    client.post(link + "section/1/", {**FIRST_PAGE, "q_org_kind": "other_kind", "q_org_kind__other": "NGO"})
    assert "q_org_detail" in client.get(link + "section/2/").content.decode()
    client.post(link + "section/2/", {**SECOND_PAGE, "q_org_detail": "A foundation"})
    assert answers_of(invitation)["org_detail"].text == "A foundation"
    client.post(link + "section/1/", FIRST_PAGE)
    assert "org_detail" not in answers_of(invitation)


def test_same_page_follow_up_is_rendered_hidden_with_its_condition(client, consented):
    _invitation, link = consented
    page = client.get(link + "section/1/").content.decode()
    assert 'data-show-if="{&quot;question&quot;: &quot;agree&quot;' in page
    assert "d-none" in page


def test_review_lists_every_answer_with_links_to_change_them(client, consented):
    _invitation, link = consented
    client.post(link + "section/1/", FIRST_PAGE)
    client.post(link + "section/2/", SECOND_PAGE)
    page = client.get(link + "review/").content.decode()
    assert "5 – Strongly agree" in page
    assert "1. Voice; 2. Access" in page
    assert "Fragmentation hurts &lt;b&gt;everyone&lt;/b&gt;." in page
    assert f'href="{link}section/1/"' in page and f'href="{link}section/2/"' in page


def test_submit_with_a_required_answer_missing_names_the_section(client, consented):
    invitation, link = consented
    client.post(link + "section/1/", {"q_org_kind": "public", "action": "save"})
    response = client.post(link + "review/")
    assert response.status_code == 400
    assert "Section 1" in response.content.decode()
    assert Response.objects.get(invitation=invitation).status == "draft"


def submit_all(client, link):
    client.post(link + "section/1/", FIRST_PAGE)
    client.post(link + "section/2/", SECOND_PAGE)
    return client.post(link + "review/")


def test_submission_snapshots_the_experts_groups(client, consented):
    invitation, link = consented
    assert submit_all(client, link).url == link + "thanks/"
    stored = Response.objects.get(invitation=invitation)
    assert stored.status == "submitted" and stored.submitted_at
    assert (stored.country.code, stored.un_region, stored.north_south, stored.sector) == (
        "BR",
        "Americas",
        "south",
        "academia",
    )
    assert stored.un_subregion == "Latin America and the Caribbean"


def test_a_double_submit_neither_duplicates_nor_changes_the_response(client, consented):
    invitation, link = consented
    submit_all(client, link)
    first = Response.objects.get(invitation=invitation)
    again = client.post(link + "review/")
    assert again.status_code == 302
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Response.objects.get(invitation=invitation).submitted_at == first.submitted_at
    assert Answer.objects.filter(response=first).count() == len(answers_of(invitation))


def test_a_section_posted_twice_stores_one_answer_per_question(client, consented):
    invitation, link = consented
    client.post(link + "section/1/", FIRST_PAGE)
    client.post(link + "section/1/", FIRST_PAGE)
    assert Answer.objects.filter(response__invitation=invitation).count() == 4


def test_submitted_answers_can_be_changed_while_the_survey_is_open(client, consented):
    invitation, link = consented
    submit_all(client, link)
    response = client.post(link + "section/2/", {**SECOND_PAGE, "q_outlook": "2"})
    assert response.url == link + "review/"
    assert answers_of(invitation)["outlook"].number == 2
    assert Response.objects.get(invitation=invitation).status == "submitted"


def test_an_old_tab_cannot_change_a_submission_when_edits_are_off(client, survey, consented):
    invitation, link = consented
    survey.allow_edit_after_submit = False
    survey.save()
    submit_all(client, link)
    response = client.post(link + "section/2/", {**SECOND_PAGE, "q_outlook": "0"})
    assert response.url == link + "thanks/"
    assert answers_of(invitation)["outlook"].number == 7


def test_answers_sent_after_the_survey_closed_are_still_saved(client, survey, consented):
    invitation, link = consented
    survey.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    survey.save()
    response = client.post(link + "section/1/", FIRST_PAGE)
    assert response.status_code == 403
    assert "were saved" in response.content.decode()
    assert answers_of(invitation)["agree"].number == 5


def test_thank_you_page_offers_a_copy_of_the_answers(client, consented):
    _invitation, link = consented
    submit_all(client, link)
    assert "my-answers/" in client.get(link + "thanks/").content.decode()
    download = client.get(link + "my-answers/")
    assert download["Content-Disposition"].startswith("attachment;")
    body = download.content.decode()
    assert "Professor" in body and "&lt;b&gt;everyone&lt;/b&gt;" in body and "<b>everyone" not in body


def test_an_expert_sees_their_preferred_language_and_can_switch(client, survey):
    _invitation, token = invite(survey, ExpertFactory(preferred_language="zh-hans"))
    link = f"/r/{token}/"
    client.get(link)
    page = client.get(link + "consent/").content.decode()
    assert "请您同意。" in page and 'lang="zh-hans"' in page
    client.post(link + "language/", {"language": "en", "next": link + "consent/"})
    page = client.get(link + "consent/").content.decode()
    assert "We ask for your consent." in page and 'lang="en"' in page


def test_language_switch_refuses_foreign_redirects(client, expert_link):
    _invitation, link = expert_link
    response = client.post(link + "language/", {"language": "en", "next": "https://evil.example.com/"})
    assert response.url == link


def test_one_experts_link_never_shows_another_experts_answers(client, survey, consented):
    _invitation, link = consented
    submit_all(client, link)
    _other, other_token = invite(survey, ExpertFactory())
    other_link = f"/r/{other_token}/"
    client.get(other_link)
    client.post(other_link + "consent/", {"consent": "on", "attribution": "named"})
    page = client.get(other_link + "review/").content.decode()
    assert "Professor" not in page and "Fragmentation" not in page
