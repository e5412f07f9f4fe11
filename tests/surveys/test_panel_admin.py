"""The panel import in the admin: upload, a preview that stores nothing, then confirm."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.models import Expert
from tests.factories import SurveyFactory

IMPORT_URL = "/admin/surveys/expert/import/"
CHANGELIST_URL = "/admin/surveys/expert/"
HEADER = "name,email,organisation,country,sector,expertise,language"
GOOD = "Li Wei,li@example.cn,CAICT,China,research_institute,Standards,zh"
BAD = "Bob,bob@,,Atlantis,academia,,"


def upload(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("panel.csv", "\n".join([HEADER, *lines]).encode(), content_type="text/csv")


def preview(client, *lines: str, **fields):
    return client.post(IMPORT_URL, {"file": upload(*lines), **fields})


def test_the_preview_shows_counts_rows_and_every_error_and_stores_nothing(client, staff):
    client.force_login(staff["fieldwork"])
    page = preview(client, GOOD, BAD)
    html = page.content.decode()
    assert page.status_code == 200
    assert "New experts: 1" in html and "Rows with errors: 1" in html
    assert "row 3, email: &quot;bob@&quot; is not a valid email address" in html
    assert "row 3, country: &quot;Atlantis&quot; is not a country name" in html
    assert "li@example.cn" in html and "China (CN)" in html
    assert page.context["payload"] is None  # an error and no "skip invalid": nothing to confirm
    assert not Expert.objects.exists()


def test_confirming_the_preview_stores_the_experts_and_invites_them(client, staff):
    survey = SurveyFactory()
    client.force_login(staff["fieldwork"])
    page = preview(client, GOOD, survey=survey.pk)
    assert not Expert.objects.exists()
    response = client.post(IMPORT_URL, {"payload": page.context["payload"]})
    assert response.status_code == 302 and response.url == CHANGELIST_URL
    expert = Expert.objects.get()
    assert (expert.email, expert.preferred_language) == ("li@example.cn", "zh-hans")
    assert survey.invitations.get().expert == expert


def test_confirming_with_skip_invalid_stores_the_good_rows(client, staff):
    client.force_login(staff["admin"])
    page = preview(client, GOOD, BAD, skip_invalid="on")
    client.post(IMPORT_URL, {"payload": page.context["payload"]})
    assert list(Expert.objects.values_list("email", flat=True)) == ["li@example.cn"]


def test_a_tampered_or_someone_elses_preview_is_refused(client, staff, make_user):
    client.force_login(staff["fieldwork"])
    payload = preview(client, GOOD).context["payload"]
    tampered = client.post(IMPORT_URL, {"payload": payload[:-2] + "xx"}, follow=True)
    assert "The preview has expired" in tampered.content.decode()
    client.force_login(make_user("fieldwork", "colleague"))
    response = client.post(IMPORT_URL, {"payload": payload}, follow=True)
    assert "The preview has expired" in response.content.decode()
    assert not Expert.objects.exists()


def test_cell_text_is_escaped_in_the_preview(client, staff):
    client.force_login(staff["admin"])
    html = preview(client, '"<script>alert(1)</script>",x@example.org,,BR,academia,,').content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_unreadable_file_is_a_form_error(client, staff):
    client.force_login(staff["admin"])
    page = client.post(IMPORT_URL, {"file": SimpleUploadedFile("panel.xlsx", b"not a workbook")})
    assert page.status_code == 200 and "not an .xlsx workbook" in page.content.decode()


def test_a_preview_too_large_for_the_form_limit_points_to_the_command(client, staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024 + 10
    client.force_login(staff["admin"])
    page = preview(client, GOOD)
    assert page.context["payload"] is None and "import_panel" in page.content.decode()


@pytest.mark.parametrize("role", ["admin", "fieldwork"])
def test_staff_with_panel_rights_see_the_import_button_and_page(client, staff, role):
    client.force_login(staff[role])
    assert IMPORT_URL in client.get(CHANGELIST_URL).content.decode()
    assert client.get(IMPORT_URL).status_code == 200


@pytest.mark.parametrize("role", ["interviewer", "researcher"])
def test_other_roles_cannot_import(client, staff, role):
    client.force_login(staff[role])
    assert client.get(IMPORT_URL).status_code in (302, 403)
    assert client.post(IMPORT_URL, {"file": upload(GOOD)}).status_code in (302, 403)
    assert not Expert.objects.exists()


def test_a_staff_user_without_the_change_permission_gets_403(client, staff):
    user = staff["fieldwork"]
    user.groups.clear()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="surveys", codename__in=["view_expert", "add_expert"]
        )
    )
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 403
    assert IMPORT_URL not in client.get(CHANGELIST_URL).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
