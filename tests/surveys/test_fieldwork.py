"""The fieldwork dashboard: counts by group, quotas, non-responders, the CSV and who may see them."""

import io
import math

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils import timezone

from surveys import selectors, services
from surveys.fieldwork import fieldwork_counts, fieldwork_frame, non_responders, quota_progress
from surveys.models import Invitation, Quota, Sector
from surveys.services.quotas import quota_delete, quota_set
from surveys.spreadsheet_safety import neutralise_formula
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory, invite

LOGIN = "/accounts/login/"
BOM = "\ufeff"


def one_question_survey():
    """A survey that can be submitted without answers: one optional question."""
    survey = SurveyFactory()
    QuestionFactory(section=SectionFactory(survey=survey, position=1), code="comment")
    return survey


def reach(survey, expert, stage: str = "sent") -> Invitation:
    """Invite ``expert`` and take them through the real services up to ``stage``: created (not
    sent), sent, opened, consented, submitted, declined or revoked."""
    invitation, _token = invite(survey, expert)
    if stage == "created":
        return invitation
    now = timezone.now()
    # Sending and declining have no service yet; the fields are what those services will set.
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=now, last_contact_at=now)
    if stage == "declined":
        Invitation.objects.filter(pk=invitation.pk).update(declined_at=now)
    if stage == "revoked":
        services.invitation_revoke(invitation=invitation)
    if stage in ("opened", "consented", "submitted"):
        response = services.response_open(invitation=invitation)
        if stage in ("consented", "submitted"):
            services.response_give_consent(response=response, attribution="anonymous")
        if stage == "submitted":
            questionnaire = selectors.questionnaire_for_survey(survey=survey)
            services.response_submit(response=response, questionnaire=questionnaire)
    return invitation


@pytest.fixture
def panel(db):
    """Seven experts at every stage, keyed by a nickname."""
    survey = one_question_survey()
    stages = {
        "br_submitted": ("BR", Sector.ACADEMIA, "submitted"),
        "de_consented": ("DE", Sector.INDUSTRY, "consented"),
        "de_opened": ("DE", Sector.ACADEMIA, "opened"),
        "ke_declined": ("KE", Sector.GOVERNMENT, "declined"),
        "us_sent": ("US", Sector.INDUSTRY, "sent"),
        "fr_revoked": ("FR", Sector.CIVIL_SOCIETY, "revoked"),
        "jp_not_sent": ("JP", Sector.OTHER, "created"),
    }
    invitations = {
        nickname: reach(survey, ExpertFactory(name=nickname, country=country, sector=sector), stage)
        for nickname, (country, sector, stage) in stages.items()
    }
    return survey, invitations


def counts_by(survey, by):
    return fieldwork_counts(frame=fieldwork_frame(survey=survey), by=by)


# --- counts -------------------------------------------------------------------------------------


def test_the_frame_is_read_in_one_query(panel, django_assert_num_queries):
    survey, invitations = panel
    with django_assert_num_queries(1):
        frame = fieldwork_frame(survey=survey)
    assert len(frame) == len(invitations)


def test_overall_counts_follow_each_invitation_through_the_funnel(panel):
    survey, _invitations = panel
    overall = counts_by(survey, None).loc["all"]
    assert overall[["invited", "opened", "started", "submitted", "declined", "revoked"]].tolist() == [
        5,
        3,
        2,
        1,
        1,
        1,
    ]
    assert overall["response_rate"] == pytest.approx(1 / 5)


def test_counts_by_country(panel):
    survey, _invitations = panel
    counts = counts_by(survey, "country")
    assert counts.loc["BR", ["invited", "submitted"]].tolist() == [1, 1]
    assert counts.loc["BR", "response_rate"] == 1
    assert counts.loc["DE", ["invited", "opened", "started", "submitted"]].tolist() == [2, 2, 1, 0]
    assert counts.loc["DE", "response_rate"] == 0
    assert counts.loc["KE", ["invited", "declined"]].tolist() == [1, 1]


def test_a_group_with_nobody_invited_has_no_response_rate(panel):
    survey, _invitations = panel
    counts = counts_by(survey, "country")
    assert counts.loc["JP", "invited"] == 0 and math.isnan(counts.loc["JP", "response_rate"])


def test_revoked_invitations_are_left_out_of_counts_and_rates(panel):
    survey, _invitations = panel
    france = counts_by(survey, "country").loc["FR"]
    assert france["invited"] == 0 and france["revoked"] == 1
    assert counts_by(survey, "un_region").loc["Europe", ["invited", "revoked"]].tolist() == [2, 1]


def test_counts_by_un_region(panel):
    survey, _invitations = panel
    counts = counts_by(survey, "un_region")
    assert counts.loc["Americas", ["invited", "submitted"]].tolist() == [2, 1]
    assert counts.loc["Americas", "response_rate"] == pytest.approx(0.5)
    assert counts.loc["Africa", ["invited", "declined"]].tolist() == [1, 1]


def test_counts_by_north_south(panel):
    survey, _invitations = panel
    counts = counts_by(survey, "north_south")
    assert counts.loc["south", ["invited", "submitted"]].tolist() == [2, 1]
    assert counts.loc["north", ["invited", "started", "submitted"]].tolist() == [3, 1, 0]
    assert counts.loc["north", "response_rate"] == 0


def test_counts_by_sector(panel):
    survey, _invitations = panel
    counts = counts_by(survey, "sector")
    assert counts.loc["academia", ["invited", "opened", "submitted"]].tolist() == [2, 2, 1]
    assert counts.loc["industry", ["invited", "started", "submitted"]].tolist() == [2, 1, 0]


def test_a_submission_stays_in_the_group_it_was_submitted_from(panel):
    survey, invitations = panel
    expert = invitations["br_submitted"].expert
    expert.country, expert.sector = "DE", Sector.INDUSTRY
    expert.save()
    frame = fieldwork_frame(survey=survey).set_index("invitation_id")
    row = frame.loc[invitations["br_submitted"].pk]
    assert (row["country"], row["un_region"], row["north_south"], row["sector"]) == (
        "BR",
        "Americas",
        "south",
        "academia",
    )


def test_an_expert_not_yet_submitted_counts_in_their_current_group(panel):
    survey, invitations = panel
    expert = invitations["us_sent"].expert
    expert.country = "KE"
    expert.save()
    row = fieldwork_frame(survey=survey).set_index("invitation_id").loc[invitations["us_sent"].pk]
    assert (row["country"], row["un_region"], row["north_south"]) == ("KE", "Africa", "south")


def test_counting_by_an_unknown_column_is_refused(panel):
    survey, _invitations = panel
    with pytest.raises(ValueError, match="email"):
        counts_by(survey, "email")


def test_a_survey_without_invitations_counts_zero(db):
    survey = one_question_survey()
    frame = fieldwork_frame(survey=survey)
    assert counts_by(survey, None).loc["all", "invited"] == 0
    assert counts_by(survey, "country").empty
    quota_set(survey=survey, dimension="country", value="BR", target=3)
    assert quota_progress(survey=survey, frame=frame).loc[0, ["submitted", "remaining"]].tolist() == [0, 3]


# --- quotas -------------------------------------------------------------------------------------


def test_quota_progress_counts_submissions_against_each_target(panel):
    survey, _invitations = panel
    quota_set(survey=survey, dimension="country", value="BR", target=2)
    quota_set(survey=survey, dimension="north_south", value="south", target=1)
    quota_set(survey=survey, dimension="un_region", value="Americas", target=1)
    quota_set(survey=survey, dimension="sector", value="industry", target=1)
    progress = quota_progress(survey=survey, frame=fieldwork_frame(survey=survey)).set_index(
        ["dimension", "value"]
    )
    assert progress.loc[("country", "BR"), ["target", "submitted", "remaining"]].tolist() == [2, 1, 1]
    assert progress.loc[("country", "BR"), "under_target"]
    assert not progress.loc[("north_south", "south"), "under_target"]
    assert not progress.loc[("un_region", "Americas"), "under_target"]
    assert progress.loc[("sector", "industry"), ["submitted", "remaining"]].tolist() == [0, 1]
    assert progress.loc[("sector", "industry"), "under_target"]


def test_the_dashboard_highlights_quotas_under_target_with_a_class_and_words(client, staff, panel):
    survey, _invitations = panel
    quota_set(survey=survey, dimension="country", value="BR", target=2)
    quota_set(survey=survey, dimension="north_south", value="south", target=1)
    client.force_login(staff["fieldwork"])
    page = client.get(f"/staff/surveys/{survey.slug}/fieldwork/").content.decode()
    assert page.count('class="table-warning"') == 1
    assert page.count("Under target") == 1
    assert page.count("Target reached") == 1


def test_quota_values_are_stored_as_the_groups_spell_them(db):
    survey = one_question_survey()
    assert quota_set(survey=survey, dimension="country", value=" br ", target=1).value == "BR"
    assert quota_set(survey=survey, dimension="un_region", value="africa", target=1).value == "Africa"
    assert quota_set(survey=survey, dimension="north_south", value="NORTH", target=1).value == "north"
    assert quota_set(survey=survey, dimension="sector", value="Academia", target=1).value == "academia"


def test_setting_a_quota_again_changes_its_target(db):
    survey = one_question_survey()
    quota_set(survey=survey, dimension="country", value="BR", target=1)
    quota_set(survey=survey, dimension="country", value="br", target=5)
    assert list(Quota.objects.values_list("value", "target")) == [("BR", 5)]


@pytest.mark.parametrize(
    ("dimension", "value", "message"),
    [
        ("country", "XX", "“XX” is not a country code. Use a two-letter ISO code such as BR or DE."),
        ("un_region", "Atlantis", "“Atlantis” is not a UN region. Use one of: Africa, Americas, Asia,"),
        ("north_south", "east", "“east” is neither north nor south. Use one of: north, south."),
        ("sector", "farming", "“farming” is not a sector code. Use one of: industry, academia,"),
    ],
)
def test_an_unknown_quota_value_is_refused_saying_what_is_allowed(db, dimension, value, message):
    survey = one_question_survey()
    with pytest.raises(ValidationError) as refused:
        quota_set(survey=survey, dimension=dimension, value=value, target=1)
    assert refused.value.message_dict["value"][0].startswith(message)
    assert not Quota.objects.exists()


def test_a_quota_target_below_one_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        quota_set(survey=one_question_survey(), dimension="country", value="BR", target=0)
    assert "target" in refused.value.message_dict


def test_an_unknown_quota_dimension_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        quota_set(survey=one_question_survey(), dimension="continent", value="Africa", target=1)
    assert "dimension" in refused.value.message_dict


def test_deleting_a_quota_touches_only_that_surveys_quotas(db):
    survey, other = one_question_survey(), one_question_survey()
    theirs = quota_set(survey=other, dimension="country", value="BR", target=1)
    assert quota_delete(survey=survey, quota_id=theirs.pk) is False
    assert quota_delete(survey=other, quota_id=theirs.pk) is True
    assert not Quota.objects.exists()


def test_a_quota_is_set_through_the_dashboard_form(client, staff, panel):
    survey, _invitations = panel
    client.force_login(staff["fieldwork"])
    url = f"/staff/surveys/{survey.slug}/fieldwork/"
    response = client.post(url, {"action": "set", "dimension": "sector", "value": "academia", "target": "4"})
    assert response.status_code == 302 and response.url == url
    assert list(survey.quotas.values_list("dimension", "value", "target")) == [("sector", "academia", 4)]
    assert "The quota is saved." in client.get(url).content.decode()


def test_a_refused_quota_shows_the_error_beside_the_value_and_keeps_the_other_inputs(client, staff, panel):
    survey, _invitations = panel
    client.force_login(staff["fieldwork"])
    response = client.post(
        f"/staff/surveys/{survey.slug}/fieldwork/",
        {"action": "set", "dimension": "country", "value": "Narnia", "target": "7"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["value"][0].startswith("“Narnia” is not a country code.")
    page = response.content.decode()
    assert 'name="value" value="Narnia"' in page and 'name="target" value="7"' in page
    assert 'value="country" selected' in page
    assert not survey.quotas.exists()


def test_a_quota_is_deleted_through_the_dashboard(client, staff, panel):
    survey, _invitations = panel
    quota = quota_set(survey=survey, dimension="country", value="BR", target=2)
    client.force_login(staff["admin"])
    url = f"/staff/surveys/{survey.slug}/fieldwork/"
    response = client.post(url, {"action": "delete", "quota_id": str(quota.pk)})
    assert response.status_code == 302
    assert not survey.quotas.exists()


# --- non-responders and the CSV -----------------------------------------------------------------


def test_non_responders_are_the_invited_who_neither_submitted_nor_declined(panel):
    survey, _invitations = panel
    names = [row["name"] for row in non_responders(survey=survey)]
    assert sorted(names) == ["de_consented", "de_opened", "us_sent"]


def test_erased_experts_are_not_listed_as_non_responders(panel):
    survey, invitations = panel
    expert = invitations["us_sent"].expert
    expert.erased_at = timezone.now()
    expert.save()
    assert "us_sent" not in [row["name"] for row in non_responders(survey=survey)]


def test_the_dashboard_shows_counts_by_group_with_names_and_the_non_responders(client, staff, panel):
    survey, _invitations = panel
    client.force_login(staff["fieldwork"])
    page = client.get(f"/staff/surveys/{survey.slug}/fieldwork/").content.decode()
    for text in ["By UN region", "Germany", "Kenya", "Global South", "Civil society", "20.0 %"]:
        assert text in page
    assert "de_opened" in page and "br_submitted" not in page and "ke_declined" not in page


def csv_of(response) -> pd.DataFrame:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return pd.read_csv(io.StringIO(text.removeprefix(BOM)), keep_default_na=False)


def test_the_csv_lists_the_non_responders_streamed_for_excel(client, staff, panel):
    survey, _invitations = panel
    client.force_login(staff["fieldwork"])
    response = client.get(f"/staff/surveys/{survey.slug}/fieldwork/non-responders.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    table = csv_of(response)
    assert sorted(table["name"]) == ["de_consented", "de_opened", "us_sent"]
    assert list(table.columns[:5]) == ["name", "email", "organisation", "country", "sector"]
    assert set(table["country"]) == {"DE", "US"}
    assert table["sent_at"].str.len().min() > 0


def test_the_csv_neutralises_formulas_in_every_text_cell(client, staff, db):
    survey = one_question_survey()
    reach(
        survey,
        ExpertFactory(name='=HYPERLINK("http://x","y")', organisation="+1 Labs", expertise="x"),
        "sent",
    )
    client.force_login(staff["admin"])
    table = csv_of(client.get(f"/staff/surveys/{survey.slug}/fieldwork/non-responders.csv"))
    assert table.loc[0, "name"] == '\'=HYPERLINK("http://x","y")'
    assert table.loc[0, "organisation"] == "'+1 Labs"


@pytest.mark.parametrize("dangerous", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_formula_quotes_a_dangerous_first_character(dangerous):
    assert neutralise_formula(dangerous) == "'" + dangerous


@pytest.mark.parametrize("safe", ["", "Ana Silva", "1+1", "a=b", "'quoted", " =spaced", "São Paulo"])
def test_neutralise_formula_leaves_safe_text_alone(safe):
    assert neutralise_formula(safe) == safe


# --- who may see it -----------------------------------------------------------------------------

PAGES = [
    "/staff/surveys/",
    "/staff/surveys/{slug}/fieldwork/",
    "/staff/surveys/{slug}/fieldwork/non-responders.csv",
]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, panel, page):
    survey, _invitations = panel
    response = client.get(page.format(slug=survey.slug))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("role", "status"), [("interviewer", 403), ("researcher", 403), ("fieldwork", 200), ("admin", 200)]
)
def test_fieldwork_pages_by_role(client, staff, panel, page, role, status):
    survey, _invitations = panel
    client.force_login(staff[role])
    assert client.get(page.format(slug=survey.slug)).status_code == status


@pytest.mark.parametrize("role", ["interviewer", "researcher"])
def test_roles_without_panel_access_cannot_set_quotas(client, staff, panel, role):
    survey, _invitations = panel
    client.force_login(staff[role])
    response = client.post(
        f"/staff/surveys/{survey.slug}/fieldwork/",
        {"action": "set", "dimension": "country", "value": "BR", "target": "1"},
    )
    assert response.status_code == 403 and not survey.quotas.exists()


def test_an_unknown_survey_is_404(client, staff, db):
    client.force_login(staff["fieldwork"])
    assert client.get("/staff/surveys/no-such-survey/fieldwork/").status_code == 404


@pytest.mark.parametrize(("role", "linked"), [("fieldwork", True), ("admin", True), ("researcher", False)])
def test_the_staff_home_links_to_fieldwork_for_panel_staff(client, staff, role, linked):
    client.force_login(staff[role])
    assert ('href="/staff/surveys/"' in client.get("/staff/").content.decode()) is linked


def test_the_survey_list_links_to_each_dashboard(client, staff, panel):
    survey, _invitations = panel
    client.force_login(staff["fieldwork"])
    page = client.get("/staff/surveys/").content.decode()
    assert f'href="/staff/surveys/{survey.slug}/fieldwork/"' in page


# --- query budgets ------------------------------------------------------------------------------

# Both: session, user, the user's and their groups' permissions (2), survey, non-responders.
# The dashboard adds the frame and the quotas.
DASHBOARD_BUDGET = 8
CSV_BUDGET = 6
STAGES = ["created", "sent", "opened", "consented", "submitted", "declined", "revoked"]


def panel_of(size: int):
    survey = one_question_survey()
    countries = ["BR", "DE", "KE", "US", "JP", "IN", "FR"]
    for n in range(size):
        expert = ExpertFactory(
            country=countries[n % len(countries)], sector=Sector.values[n % len(Sector.values)]
        )
        reach(survey, expert, STAGES[n % len(STAGES)])
    quota_set(survey=survey, dimension="country", value="BR", target=5)
    quota_set(survey=survey, dimension="north_south", value="south", target=50)
    return survey


@pytest.mark.parametrize("size", [10, 200])
def test_the_dashboard_takes_a_fixed_number_of_queries(client, staff, size, django_assert_max_num_queries):
    survey = panel_of(size)
    client.force_login(staff["fieldwork"])
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        assert client.get(f"/staff/surveys/{survey.slug}/fieldwork/").status_code == 200


@pytest.mark.parametrize("size", [10, 200])
def test_the_csv_takes_a_fixed_number_of_queries(client, staff, size, django_assert_max_num_queries):
    survey = panel_of(size)
    expected_rows = non_responders(survey=survey).count()
    client.force_login(staff["fieldwork"])
    with django_assert_max_num_queries(CSV_BUDGET):
        response = client.get(f"/staff/surveys/{survey.slug}/fieldwork/non-responders.csv")
        assert len(csv_of(response)) == expected_rows > size // 3
