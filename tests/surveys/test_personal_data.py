"""Personal data requests: a full copy of an expert's data, and erasure that keeps only what the
consent allowed, as anonymous data."""

import io
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import CommandError, call_command
from django.utils import timezone

from surveys.models import Answer, Expert, Invitation, Question, Response
from surveys.services.personal_data import ErasureResult, expert_erase, expert_personal_data
from tests.factories import ExpertFactory, every_type_survey, invite

CHANGELIST_URL = "/admin/surveys/expert/"


def respond(survey, expert, *, status=Response.Status.SUBMITTED, attribution=Response.Attribution.NAMED):
    """An invitation of ``expert`` to ``survey`` with a response answering "title"; returns both."""
    invitation, token = invite(survey, expert)
    now = timezone.now()
    response = Response.objects.create(
        invitation=invitation,
        survey=survey,
        status=status,
        language="en",
        consent_given_at=now,
        attribution=attribution,
        submitted_at=now if status == Response.Status.SUBMITTED else None,
        country=expert.country,
        un_region="Americas",
        sector=expert.sector,
    )
    Answer.objects.create(
        response=response, question=Question.objects.get(survey=survey, code="title"), text="Dr"
    )
    return invitation, token


@pytest.fixture
def expert(db):
    return ExpertFactory(name="Ana Souza", email="ana@example.org", organisation="USP", expertise="AI policy")


@pytest.fixture
def kept_survey(db):
    return every_type_survey(slug="keeps", keep_anonymised_answers=True)


@pytest.fixture
def unkept_survey(db):
    return every_type_survey(slug="forgets", keep_anonymised_answers=False)


def test_the_export_holds_profile_invitations_responses_and_answers(expert, kept_survey):
    invitation, _token = respond(kept_survey, expert)
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now(), last_error="mailbox full")
    data = json.loads(json.dumps(expert_personal_data(expert=expert)))
    assert data["expert"] | {"created_at": None} == {
        "name": "Ana Souza",
        "email": "ana@example.org",
        "organisation": "USP",
        "country": "BR",
        "country_name": "Brazil",
        "sector": "academia",
        "expertise": "AI policy",
        "preferred_language": "en",
        "created_at": None,
        "erased_at": None,
    }
    (invitation_data,) = data["invitations"]
    assert invitation_data["survey"] == "keeps" and invitation_data["sent_at"]
    assert invitation_data["last_delivery_error"] == "mailbox full"
    response = invitation_data["response"]
    assert (response["status"], response["attribution"], response["mode"]) == ("submitted", "named", "self")
    assert response["consent_given_at"] and response["submitted_at"]
    (answer,) = response["answers"]
    assert (answer["question"], answer["question_text"], answer["text"]) == ("title", "Question title?", "Dr")


def test_erasure_removes_the_personal_fields(expert):
    expert_erase(expert=expert)
    expert.refresh_from_db()
    assert (expert.name, expert.email) == ("Erased expert", f"erased-{expert.pk}@erased.invalid")
    assert (expert.organisation, expert.expertise) == ("", "")
    assert expert.erased_at is not None


def test_erasure_keeps_a_submitted_response_as_anonymous_data_when_the_survey_says_so(
    client, expert, kept_survey
):
    invitation, token = respond(kept_survey, expert)
    draft_invitation, _draft_token = respond(
        every_type_survey(slug="other-wave", keep_anonymised_answers=True),
        expert,
        status=Response.Status.DRAFT,
    )
    result = expert_erase(expert=expert)
    assert result == ErasureResult(
        links_revoked=2, drafts_deleted=1, responses_anonymised=1, responses_deleted=0
    )
    kept = Response.objects.get(invitation=invitation)
    assert kept.attribution == Response.Attribution.NOT_FOR_QUOTATION
    assert (kept.country.code, kept.un_region, kept.sector) == ("BR", "Americas", "academia")
    assert kept.answers.get().text == "Dr"
    assert not Response.objects.filter(invitation=draft_invitation).exists()
    assert client.get(f"/r/{token}/").status_code == 410


def test_erasure_deletes_submitted_responses_when_the_survey_keeps_none(expert, unkept_survey):
    invitation, _token = respond(unkept_survey, expert)
    result = expert_erase(expert=expert)
    assert result.responses_deleted == 1
    assert not Response.objects.filter(invitation=invitation).exists()
    assert not Answer.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_erasure_clears_delivery_errors_and_the_admin_history_names(expert, kept_survey, staff):
    invitation, _token = respond(kept_survey, expert)
    Invitation.objects.filter(pk=invitation.pk).update(last_error="550 ana@example.org: no such user")
    for obj in (expert, invitation):
        LogEntry.objects.log_actions(staff["admin"].pk, [obj], CHANGE)
    expert_erase(expert=expert)
    assert Invitation.objects.get(pk=invitation.pk).last_error == ""
    assert set(LogEntry.objects.values_list("object_repr", flat=True)) == {"Erased expert"}


def test_erasure_is_idempotent(expert, kept_survey):
    respond(kept_survey, expert)
    expert_erase(expert=expert)
    first = Expert.objects.get(pk=expert.pk)
    again = expert_erase(expert=expert)
    assert again == ErasureResult(
        links_revoked=0, drafts_deleted=0, responses_anonymised=0, responses_deleted=0
    )
    second = Expert.objects.get(pk=expert.pk)
    assert (second.name, second.email, second.erased_at) == (first.name, first.email, first.erased_at)
    assert Response.objects.get().attribution == Response.Attribution.NOT_FOR_QUOTATION


def action(client, name: str, *experts, **extra):
    data = {"action": name, "index": 0, "_selected_action": [e.pk for e in experts], **extra}
    return client.post(CHANGELIST_URL, data)


@pytest.mark.parametrize("role", ["admin", "fieldwork"])
def test_staff_who_may_view_experts_download_their_data(client, staff, expert, role):
    client.force_login(staff[role])
    response = action(client, "export_personal_data", expert)
    assert response["Content-Type"].startswith("application/json")
    assert f"expert-{expert.pk}-personal-data.json" in response["Content-Disposition"]
    assert json.loads(response.content)["expert"]["email"] == "ana@example.org"


def test_the_export_action_wants_exactly_one_expert(client, staff, expert):
    client.force_login(staff["admin"])
    response = action(client, "export_personal_data", expert, ExpertFactory())
    assert response.status_code == 302 and "Content-Disposition" not in response


@pytest.mark.parametrize("role", ["interviewer", "researcher"])
def test_roles_without_panel_access_can_neither_export_nor_erase(client, staff, expert, role):
    client.force_login(staff[role])
    for name in ("export_personal_data", "erase_experts"):
        response = action(client, name, expert, post="yes")
        assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert Expert.objects.get(pk=expert.pk).erased_at is None


def test_fieldwork_cannot_erase(client, staff, expert):
    client.force_login(staff["fieldwork"])
    assert "erase_experts" not in client.get(CHANGELIST_URL).content.decode()
    action(client, "erase_experts", expert)
    client.post(CHANGELIST_URL, {"action": "erase_experts", "_selected_action": [expert.pk], "post": "yes"})
    assert Expert.objects.get(pk=expert.pk).erased_at is None


def test_an_admin_erases_after_a_confirmation_page(client, staff, expert, kept_survey, unkept_survey):
    respond(kept_survey, expert)
    respond(unkept_survey, expert)
    client.force_login(staff["admin"])
    page = action(client, "erase_experts", expert)
    assert page.status_code == 200
    assert [(e.responses_kept, e.responses_deleted) for e in page.context["experts"]] == [(1, 1)]
    assert "Ana Souza" in page.content.decode()
    assert Expert.objects.get(pk=expert.pk).erased_at is None

    client.post(CHANGELIST_URL, {"action": "erase_experts", "_selected_action": [expert.pk], "post": "yes"})
    assert Expert.objects.get(pk=expert.pk).erased_at is not None


def test_the_export_command_writes_the_json_file(expert, kept_survey, tmp_path):
    respond(kept_survey, expert)
    path = tmp_path / "ana.json"
    call_command("export_expert_data", "ANA@example.org", "-o", str(path), stdout=io.StringIO())
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["expert"]["name"] == "Ana Souza" and data["invitations"][0]["response"]["answers"]
    assert path.stat().st_mode & 0o077 == 0


def test_the_erase_command_asks_for_confirmation(expert, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was erased"):
        call_command("erase_expert", "ana@example.org", stdout=io.StringIO())
    assert Expert.objects.get(pk=expert.pk).erased_at is None

    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("erase_expert", "ana@example.org", stdout=io.StringIO())
    assert Expert.objects.get(pk=expert.pk).erased_at is not None


def test_the_erase_command_with_yes_does_not_ask(expert, monkeypatch):
    def no_questions(prompt):
        raise AssertionError("asked for confirmation")

    monkeypatch.setattr("builtins.input", no_questions)
    call_command("erase_expert", "ana@example.org", "--yes", stdout=io.StringIO())
    assert Expert.objects.get(pk=expert.pk).name == "Erased expert"


def test_the_erase_command_without_a_terminal_erases_nothing(expert, monkeypatch):
    def end_of_input(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", end_of_input)
    with pytest.raises(CommandError):
        call_command("erase_expert", "ana@example.org", stdout=io.StringIO())
    assert Expert.objects.get(pk=expert.pk).erased_at is None


def test_the_commands_need_a_known_email(db, tmp_path):
    with pytest.raises(CommandError, match="No expert"):
        call_command("erase_expert", "nobody@example.org", "--yes")
    with pytest.raises(CommandError, match="No expert"):
        call_command("export_expert_data", "nobody@example.org", "-o", str(tmp_path / "x.json"))


def test_experts_are_erased_never_hard_deleted_in_the_admin(client, staff):
    expert = ExpertFactory()
    client.force_login(staff["admin"])
    changelist = client.get("/admin/surveys/expert/").content.decode()
    assert "erase_experts" in changelist and "delete_selected" not in changelist
    assert client.get(f"/admin/surveys/expert/{expert.pk}/delete/").status_code == 403
