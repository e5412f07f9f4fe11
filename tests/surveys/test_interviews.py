"""Interviewer mode: staff fill in the questionnaire for an expert during a call."""

from surveys.models import Response
from tests.factories import ExpertFactory, invite
from tests.surveys.test_questionnaire_views import FIRST_PAGE, SECOND_PAGE


def test_an_interview_is_recorded_as_entered_by_the_interviewer(client, survey, staff):
    invitation, _token = invite(survey, ExpertFactory(), interviewer=staff["interviewer"])
    base = f"/staff/interviews/{invitation.pk}/"
    client.force_login(staff["interviewer"])
    assert client.get(base).url == base + "consent/"
    client.post(base + "consent/", {"consent": "on", "attribution": "anonymous"})
    client.post(base + "section/1/", FIRST_PAGE)
    client.post(base + "section/2/", SECOND_PAGE)
    assert client.post(base + "review/").url == base + "thanks/"
    response = Response.objects.get(invitation=invitation)
    assert response.mode == Response.Mode.INTERVIEWER
    assert response.interviewer == staff["interviewer"]
    assert response.status == Response.Status.SUBMITTED


def test_an_interview_does_not_count_as_the_expert_opening_the_link(client, survey, staff):
    invitation, _token = invite(survey, ExpertFactory(), interviewer=staff["interviewer"])
    client.force_login(staff["interviewer"])
    client.get(f"/staff/interviews/{invitation.pk}/")
    invitation.refresh_from_db()
    assert invitation.opened_at is None


def test_an_interviewer_can_finish_what_the_expert_started(client, survey, staff, consented):
    invitation, link = consented
    client.post(link + "section/1/", FIRST_PAGE)
    client.force_login(staff["fieldwork"])
    base = f"/staff/interviews/{invitation.pk}/"
    assert client.get(base).url == base + "section/2/"
    page = client.get(base + "section/1/").content.decode()
    assert "Interview mode" in page and invitation.expert.name in page


def test_the_interview_list_shows_only_assigned_experts(client, survey, make_user):
    mine = make_user("interviewer", "mine")
    invite(survey, ExpertFactory(name="Assigned Expert"), interviewer=mine)
    invite(
        survey, ExpertFactory(name="Someone Else's Expert"), interviewer=make_user("interviewer", "theirs")
    )
    client.force_login(mine)
    page = client.get("/staff/interviews/").content.decode()
    assert "Assigned Expert" in page and "Someone Else" not in page
