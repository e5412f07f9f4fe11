"""Who may use which view: one row per role, for every view of the foundation.

Roles: anonymous, an expert with their own token, an expert with someone else's token,
interviewer (assigned or not), fieldwork, researcher, admin.
"""

import pytest

from tests.factories import ExpertFactory, invite

QUESTIONNAIRE_PAGES = ["", "consent/", "section/1/", "review/", "thanks/", "my-answers/"]
LOGIN = "/accounts/login/"


@pytest.fixture
def interview(survey, staff):
    """An invitation assigned to the demo interviewer, and its interview base URL."""
    invitation, _token = invite(survey, ExpertFactory(), interviewer=staff["interviewer"])
    return invitation, f"/staff/interviews/{invitation.pk}/"


@pytest.mark.parametrize("page", QUESTIONNAIRE_PAGES)
def test_expert_pages_need_a_valid_token(client, survey, page):
    assert client.get(f"/r/not-a-token/{page}").status_code == 404


@pytest.mark.parametrize("page", QUESTIONNAIRE_PAGES)
def test_an_expert_reaches_every_page_of_their_own_link(client, consented, page):
    _invitation, link = consented
    assert client.get(link + page).status_code in (200, 302)


def test_someone_elses_token_opens_only_that_experts_own_response(client, survey, consented):
    mine, link = consented
    client.post(link + "section/1/", {"q_org_kind": "private", "action": "save"})
    theirs, their_token = invite(survey, ExpertFactory())
    client.get(f"/r/{their_token}/")
    assert theirs.response.pk != mine.response.pk
    client.post(f"/r/{their_token}/consent/", {"consent": "on", "attribution": "named"})
    page = client.get(f"/r/{their_token}/section/1/").content.decode()
    assert 'value="private" checked' not in page


@pytest.mark.parametrize("page", QUESTIONNAIRE_PAGES)
def test_anonymous_visitors_are_sent_to_log_in_for_interviews(client, interview, page):
    _invitation, base = interview
    response = client.get(base + page)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("interviewer", True), ("fieldwork", True), ("admin", True), ("researcher", False)],
)
def test_interview_pages_by_role(client, staff, interview, role, allowed):
    _invitation, base = interview
    client.force_login(staff[role])
    assert client.get(base).status_code == (302 if allowed else 403)
    assert client.get(base + "consent/").status_code == (200 if allowed else 403)


def test_an_interviewer_cannot_open_an_expert_assigned_to_someone_else(client, survey, make_user):
    other = make_user("interviewer", "other-interviewer")
    invitation, _token = invite(survey, ExpertFactory(), interviewer=make_user("interviewer", "assigned"))
    client.force_login(other)
    assert client.get(f"/staff/interviews/{invitation.pk}/consent/").status_code == 403


def test_an_expert_token_is_no_key_to_the_interview_pages(client, consented):
    invitation, _link = consented
    response = client.get(f"/staff/interviews/{invitation.pk}/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_unknown_interview_is_404_for_staff(client, staff, survey):
    client.force_login(staff["admin"])
    assert client.get("/staff/interviews/999999/").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("interviewer", 200), ("fieldwork", 200), ("admin", 200), ("researcher", 403)],
)
def test_interview_list_by_role(client, staff, role, status):
    client.force_login(staff[role])
    assert client.get("/staff/interviews/").status_code == status


@pytest.mark.parametrize("url", ["/staff/", "/staff/interviews/"])
def test_staff_pages_need_a_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.parametrize("role", ["interviewer", "fieldwork", "admin", "researcher"])
def test_every_role_has_a_staff_home(client, staff, role):
    client.force_login(staff[role])
    assert client.get("/staff/").status_code == 200


@pytest.mark.parametrize(
    ("role", "reaches_admin"),
    [("admin", True), ("fieldwork", True), ("interviewer", False), ("researcher", False)],
)
def test_django_admin_by_role(client, staff, role, reaches_admin):
    client.force_login(staff[role])
    response = client.get("/admin/")
    assert (response.status_code == 200) is reaches_admin


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("fieldwork", 200), ("interviewer", 302), ("researcher", 302)],
)
def test_expert_records_in_the_admin_by_role(client, staff, role, status):
    ExpertFactory()
    client.force_login(staff[role])
    assert client.get("/admin/surveys/expert/").status_code == status


@pytest.mark.parametrize("role", ["fieldwork", "interviewer", "researcher"])
def test_only_admins_see_answers_in_the_admin(client, staff, role):
    client.force_login(staff[role])
    assert client.get("/admin/surveys/response/").status_code in (302, 403)
