"""The researchers' dashboard and downloads: who may see them, what they show, what they never
show (personal data, unescaped text), and what they cost in queries."""

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis.views import DEFAULT_BREAKDOWN, DOWNLOADS
from surveys import roles, services
from surveys.conditions import AnswerValue
from surveys.models import Sector, Survey
from surveys.tally import tallied
from tests.analysis.test_load import take_part
from tests.factories import (
    ExpertFactory,
    QuestionFactory,
    SectionFactory,
    SeriesFactory,
    SurveyFactory,
    add_choices,
    invite,
)

LOGIN = "/accounts/login/"
# Session, user, the user's permissions (two), the survey, its waves, the groups respondents belong
# to (the filter options); the summary's version, then nine queries to compute it (the previous
# wave, the answer tally's fingerprint and state, its questions and counts, respondents,
# questions, choices, section titles). From the cache: eight. A first summary also builds the survey's tally
# (TALLY_REBUILD_QUERIES), which submissions then keep.
DASHBOARD_BUDGET = 17
HOSTILE = '<script>alert("treaty")</script> & friends'
PERSONAL = ("Zebulon Quixote-Farnsworth", "zebulon.qf@hyperborea.example", "Hyperborean Institute of Secrets")


def analysed_survey(**fields) -> Survey:
    """A Likert item with hostile text, a Likert item everyone agrees with, a multiple choice, a
    ranking, a number and a free-text question."""
    survey = SurveyFactory(**fields)
    section = SectionFactory(survey=survey, position=1, title={"en": "Governance"})
    QuestionFactory(
        section=section, position=1, code="treaty", type="likert", scale_points=5, required=True,
        text={"en": HOSTILE},
    )  # fmt: skip
    QuestionFactory(
        section=section, position=2, code="labels", type="likert", scale_points=5,
        text={"en": "AI output should be labelled"},
    )  # fmt: skip
    tools = QuestionFactory(section=section, position=3, code="tools", type="multiple_choice")
    add_choices(tools, "law", "standards", "treaty")
    priorities = QuestionFactory(section=section, position=4, code="priorities", type="ranking", rank_top_k=2)
    add_choices(priorities, "access", "voice", "capacity")
    QuestionFactory(section=section, position=5, code="years", type="number", min_value=0, max_value=60)
    QuestionFactory(section=section, position=6, code="comment", type="long_text")
    return survey


def submit(survey: Survey, count: int, *, start: int = 0) -> None:
    """``count`` experts answer: even ones from Brazil in academia agree with the treaty, odd ones
    from Germany in industry disagree; everyone agrees that output should be labelled."""
    for number in range(start, start + count):
        south = number % 2 == 0
        expert = ExpertFactory(
            name=f"{PERSONAL[0]} {number}",
            email=f"{number}.{PERSONAL[1]}",
            organisation=PERSONAL[2],
            country="BR" if south else "DE",
            sector=Sector.ACADEMIA if south else Sector.INDUSTRY,
        )
        answers = {
            "treaty": AnswerValue(number=5 - number % 4 // 2 if south else 1 + number % 4 // 2),
            "labels": AnswerValue(number=4 + number % 3 // 2),
            "tools": AnswerValue(codes=["law", "treaty"] if south else ["law", "standards"]),
            "priorities": AnswerValue(codes=["access", "voice"] if south else ["voice", "access"]),
            "years": AnswerValue(number=10 + number),
            "comment": AnswerValue(text="Regulate early."),
        }
        take_part(survey, answers, expert=expert)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    return {
        role: services.user_create_with_role(username=role, password="x-pass-123", role=role)
        for role in roles.ROLES
    }


@pytest.fixture
def survey(db) -> Survey:
    survey = analysed_survey()
    submit(survey, 24)
    return survey


@pytest.fixture
def researcher(client, staff):
    client.force_login(staff["researcher"])
    return client


def dashboard_url(survey: Survey, query: str = "") -> str:
    return f"/analysis/{survey.slug}/" + (f"?{query}" if query else "")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# Who may see what.


@pytest.mark.parametrize(
    "path", ["", "{slug}/", "{slug}/report/", *(f"{{slug}}/download/{name}/" for name in DOWNLOADS)]
)
def test_anonymous_visitors_are_sent_to_log_in(client, survey, path):
    response = client.get("/analysis/" + path.format(slug=survey.slug))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.parametrize(
    ("role", "status"), [("interviewer", 403), ("fieldwork", 403), ("researcher", 200), ("admin", 200)]
)
@pytest.mark.parametrize("path", ["", "{slug}/"])
def test_analysis_pages_by_role(client, staff, survey, role, status, path):
    client.force_login(staff[role])
    assert client.get("/analysis/" + path.format(slug=survey.slug)).status_code == status


def test_only_researchers_and_admins_hold_the_analysis_permission(staff):
    holders = {role for role, user in staff.items() if user.has_perm("analysis.view_analysis")}
    assert holders == {"researcher", "admin"}


def test_an_expert_link_is_no_key_to_the_analysis(client, survey):
    _invitation, token = invite(survey, ExpertFactory())
    client.get(f"/r/{token}/")
    for url in ("/analysis/", dashboard_url(survey), f"/analysis/{survey.slug}/download/csv/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_the_staff_home_links_to_the_analysis_for_those_who_may_see_it(client, staff):
    for role in roles.ROLES:
        client.force_login(staff[role])
        shown = 'href="/analysis/"' in page(client, "/staff/")
        assert shown == (role in ("researcher", "admin")), role


@pytest.mark.parametrize("file_format", DOWNLOADS)
@pytest.mark.parametrize(
    ("role", "status"), [("interviewer", 403), ("fieldwork", 403), ("researcher", 200), ("admin", 200)]
)
def test_downloads_by_role(client, staff, survey, file_format, role, status):
    client.force_login(staff[role])
    response = client.get(f"/analysis/{survey.slug}/download/{file_format}/")
    assert response.status_code == status
    if status == 200:
        assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("role", "status"), [("interviewer", 403), ("fieldwork", 403), ("researcher", 200), ("admin", 200)]
)
def test_the_report_by_role(client, staff, survey, role, status):
    client.force_login(staff[role])
    assert client.get(f"/analysis/{survey.slug}/report/").status_code == status


# What the pages show.


def test_the_list_shows_surveys_with_submitted_answers_only(researcher, survey):
    unanswered = SurveyFactory(title={"en": "Nobody answered this one"})
    take_part(unanswered, {}, submit=False)
    listing = page(researcher, "/analysis/")
    assert dashboard_url(survey) in listing
    assert "Nobody answered this one" not in listing


def test_key_findings_come_first_and_link_to_tables_on_the_page(researcher, survey):
    response = researcher.get(dashboard_url(survey))
    findings = response.context["findings"]
    assert {finding.kind for finding in findings} >= {"consensus", "divergence"}
    html = response.content.decode()
    assert html.index('id="findings"') < html.index('id="question-treaty"')
    for finding in findings:
        assert f'href="#{finding.table}"' in html
        assert f'id="{finding.table}"' in html


def test_each_question_has_its_chart_and_tables(researcher, survey):
    html = page(researcher, dashboard_url(survey))
    assert html.count("<svg xmlns") == 4  # two Likert items, the multiple choice, the ranking
    for code in ("treaty", "labels", "tools", "priorities", "years", "comment"):
        assert f'id="item-{code}"' in html
    for code in ("treaty", "labels", "tools", "priorities", "years"):
        assert f'id="item-{code}-by-{DEFAULT_BREAKDOWN}"' in html
    assert 'id="consensus"' in html and 'id="divergence-north_south"' in html


def test_the_breakdown_follows_the_by_parameter(researcher, survey):
    html = page(researcher, dashboard_url(survey, "by=north_south×sector"))
    assert 'id="item-treaty-by-north_south-and-sector"' in html
    assert f'id="item-treaty-by-{DEFAULT_BREAKDOWN}"' not in html
    assert 'id="item-treaty-by-north_south"' in page(researcher, dashboard_url(survey, "by=nonsense"))


def test_filters_change_the_respondents_counted(researcher, survey):
    assert researcher.get(dashboard_url(survey)).context["summary"].n_respondents == 24
    filtered = researcher.get(dashboard_url(survey, "north_south=south&sector=academia"))
    assert filtered.context["summary"].n_respondents == 12
    assert filtered.context["filtered"]
    html = filtered.content.decode()
    assert '<option value="south" selected>' in html
    assert "?north_south=south&amp;sector=academia" in html  # the JSON and report keep the filters


def test_a_filter_value_nobody_has_is_ignored_and_never_echoed(researcher, survey):
    response = researcher.get(dashboard_url(survey, "country=%3Cscript%3Ex%3C%2Fscript%3E&sector=nowhere"))
    assert response.context["summary"].n_respondents == 24
    assert "<script>x" not in response.content.decode()
    assert "&lt;script&gt;x" not in response.content.decode()


def test_filter_options_are_the_groups_respondents_belong_to(researcher, survey):
    filters = {
        entry["name"]: entry["options"] for entry in researcher.get(dashboard_url(survey)).context["filters"]
    }
    assert [code for code, _name in filters["country"]] == ["BR", "DE"]
    assert [code for code, _name in filters["north_south"]] == ["north", "south"]
    assert {code for code, _name in filters["region"]} == {"Americas", "Europe"}


def test_a_filter_leaving_fewer_than_k_withholds_everything(researcher, survey):
    survey.min_group_size = 13
    survey.save()
    response = researcher.get(dashboard_url(survey, "north_south=south"))
    assert response.context["summary"].suppressed
    assert "Fewer than 13 respondents match" in response.content.decode()
    assert response.context["findings"] == []


def test_a_survey_nobody_answered_yet_opens_with_everything_withheld(researcher, db):
    survey = analysed_survey()
    html = page(researcher, dashboard_url(survey))
    assert "Fewer than 5 respondents match" in html
    assert f'<option value="{survey.wave_label}" selected>' in html


def test_the_json_summary_keeps_the_filters(researcher, survey):
    response = researcher.get(f"/analysis/{survey.slug}/download/json/?north_south=south")
    assert json.loads(response.content)["n_respondents"] == 12


def test_choosing_another_wave_opens_its_dashboard_with_the_same_filters(researcher, survey):
    later = analysed_survey(series=SeriesFactory(), wave_label="2027")
    submit(later, 10, start=100)
    response = researcher.get(dashboard_url(survey, "wave=2027&sector=academia"))
    assert response.status_code == 302
    assert response.url == dashboard_url(later, "sector=academia")


def test_text_from_authors_is_escaped_everywhere(researcher, survey):
    html = page(researcher, dashboard_url(survey))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;treaty&quot;)&lt;/script&gt; &amp; friends" in html  # headings, tables
    assert '&lt;script&gt;alert("treaty")&lt;/script&gt; &amp; friends' in html  # inside the chart's SVG


def test_no_personal_data_reaches_the_pages(researcher, survey):
    for url in ("/analysis/", dashboard_url(survey), dashboard_url(survey, "by=country×sector")):
        html = page(researcher, url)
        for personal in PERSONAL:
            assert personal not in html


@pytest.mark.parametrize("file_format", ["csv", "csv-wide"])
def test_csv_downloads_stream_without_names_emails_or_organisations(researcher, survey, file_format):
    response = researcher.get(f"/analysis/{survey.slug}/download/{file_format}/")
    assert response.streaming
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.count("\n") > 24
    for personal in PERSONAL:
        assert personal not in content


def test_an_unknown_download_format_is_404(researcher, survey):
    assert researcher.get(f"/analysis/{survey.slug}/download/pdf/").status_code == 404


def test_an_unknown_survey_is_404(researcher, db):
    assert researcher.get("/analysis/no-such-survey/").status_code == 404


# What they cost.


def queries_for(client, url: str) -> int:
    cache.clear()  # compute the summary, do not read it
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboard_costs_the_same_queries_for_10_or_60_respondents(
    researcher, db, django_assert_max_num_queries
):
    survey = analysed_survey()
    submit(survey, 10)
    tallied([survey.pk])  # the tally is built once, then kept by the submissions below
    url = dashboard_url(survey, "north_south=south")
    few = queries_for(researcher, url)
    submit(survey, 50, start=10)
    cache.clear()
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        response = researcher.get(url)
    assert response.context["summary"].n_respondents == 30
    assert queries_for(researcher, url) == few
