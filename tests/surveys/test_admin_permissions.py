"""Every admin page, for every role: admins everything, fieldwork staff the panel and invitations
(questionnaires read-only, no answers), interviewers and researchers no admin at all."""

import pytest
from django.contrib import admin

from tests.factories import ExpertFactory, every_type_survey, invite

# (model admin URL name part, role) → may the role open the changelist?
EXPECTED = {
    "admin": {"*": True},
    "fieldwork": {
        "surveys.survey": True,
        "surveys.series": True,
        "surveys.expert": True,
        "surveys.invitation": True,
        "surveys.response": False,
        "auth.user": False,
        "auth.group": False,
    },
    "interviewer": {"*": False},
    "researcher": {"*": False},
}


def registered_models() -> list[str]:
    return sorted(f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry)


def expected(role: str, label: str) -> bool:
    table = EXPECTED[role]
    return table.get(label, table.get("*", False))


@pytest.fixture
def data(db):
    survey = every_type_survey()
    invite(survey, ExpertFactory())
    return survey


@pytest.mark.parametrize("label", registered_models())
@pytest.mark.parametrize("role", list(EXPECTED))
def test_changelist_by_role(client, staff, data, role, label):
    app_label, model_name = label.split(".")
    client.force_login(staff[role])
    response = client.get(f"/admin/{app_label}/{model_name}/")
    if expected(role, label):
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert "/admin/login/" in response.url


@pytest.mark.parametrize("label", registered_models())
def test_anonymous_visitors_meet_the_login_page(client, data, label):
    app_label, model_name = label.split(".")
    response = client.get(f"/admin/{app_label}/{model_name}/")
    assert response.status_code == 302 and "/admin/login/" in response.url


@pytest.mark.parametrize(
    ("role", "may_add"),
    [("admin", True), ("fieldwork", False), ("interviewer", False), ("researcher", False)],
)
def test_only_admins_author_questionnaires(client, staff, data, role, may_add):
    client.force_login(staff[role])
    assert (client.get("/admin/surveys/survey/add/").status_code == 200) is may_add


@pytest.mark.parametrize(
    ("role", "may_add"),
    [("admin", True), ("fieldwork", True), ("interviewer", False), ("researcher", False)],
)
def test_panel_is_kept_by_admins_and_fieldwork(client, staff, data, role, may_add):
    client.force_login(staff[role])
    assert (client.get("/admin/surveys/expert/add/").status_code == 200) is may_add


def test_the_matrix_covers_every_registered_model():
    # A new admin page must be placed in EXPECTED for fieldwork explicitly.
    assert set(registered_models()) <= set(EXPECTED["fieldwork"]) | {
        label for label in registered_models() if label.startswith(("django_tasks", "analysis."))
    }
