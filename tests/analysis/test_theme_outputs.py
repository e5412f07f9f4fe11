"""Themes in the analysis outputs: the dashboard, the key findings, the printable report, the JSON
and Excel summaries; small groups withheld, filters applied, new coding shown at once, nothing
personal, and a query budget that does not grow with the coding."""

import io
import json

import openpyxl
import pytest
from django.core.cache import cache

from analysis.coding import segment_code, segment_uncode, theme_update
from analysis.models import Codebook, Theme
from analysis.report import build_report
from analysis.summary import survey_summary
from surveys import services
from surveys.conditions import AnswerValue
from surveys.models import Answer, Sector, Survey
from surveys.tally import tallied
from tests.analysis.test_dashboard import (
    DASHBOARD_BUDGET,
    PERSONAL,
    analysed_survey,
    dashboard_url,
    page,
    submit,
)
from tests.analysis.test_load import take_part
from tests.analysis.test_summary import documented_keys, keys_of
from tests.analysis.test_themes import share_of
from tests.factories import ExpertFactory

# The dashboard's budget, plus the coded answers, their segments and the themes.
THEMES_DASHBOARD_BUDGET = DASHBOARD_BUDGET + 3


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def coder(db):
    return services.user_create_with_role(username="researcher", password="x-pass-123", role="researcher")


@pytest.fixture
def researcher(client, coder):
    client.force_login(coder)
    return client


def codebook(survey: Survey) -> dict[str, Theme]:
    """AI divide (with the sub-theme Access to compute) and Regulation."""
    book = Codebook.objects.create(survey=survey, name="Interviews")
    divide = Theme.objects.create(codebook=book, name="AI divide", position=1)
    return {
        "divide": divide,
        "compute": Theme.objects.create(codebook=book, name="Access to compute", parent=divide, position=1),
        "regulation": Theme.objects.create(codebook=book, name="Regulation", position=2),
    }


def comments(survey: Survey, country: str) -> list[Answer]:
    return list(
        Answer.objects.filter(
            response__survey=survey, question__code="comment", response__country=country
        ).order_by("pk")
    )


def code_answers(answers: list[Answer], coder, *themes: Theme) -> None:
    for answer in answers:
        segment_code(answer=answer, coder=coder, start=0, end=len(answer.text), themes=list(themes))


@pytest.fixture
def coded(db, coder) -> tuple[Survey, dict[str, Theme]]:
    """40 experts — 20 from Brazil in academia, 20 from Germany in industry — and 2 from Kenya in
    government, a group too small to show. Access to compute (so the AI divide) comes up in 15 of
    the Brazilian answers, one Kenyan and 5 German ones; Regulation in 10 of each country's."""
    survey = analysed_survey()
    submit(survey, 40)
    for _number in range(2):
        expert = ExpertFactory(country="KE", sector=Sector.GOVERNMENT)
        take_part(
            survey, {"treaty": AnswerValue(number=3), "comment": AnswerValue(text="Compute.")}, expert=expert
        )
    themes = codebook(survey)
    brazil, germany, kenya = (comments(survey, country) for country in ("BR", "DE", "KE"))
    code_answers(brazil[:15] + kenya[:1] + germany[:5], coder, themes["compute"])
    code_answers(brazil[15:] + germany[15:], coder, themes["regulation"])
    return survey, themes


def overall_shares(response):
    """The dashboard's table of theme shares over every long-text answer."""
    return response.context["summary"].tables["themes-overall"]


def test_the_dashboard_shows_theme_shares_with_a_small_group_and_its_complement_withheld(researcher, coded):
    survey, themes = coded
    response = researcher.get(dashboard_url(survey, "by=sector"))
    html = response.content.decode()
    assert 'id="themes"' in html and 'id="themes-sector"' in html and "Access to compute" in html
    table = response.context["summary"].tables["themes-sector"]
    government = share_of(table, themes["divide"], sector=Sector.GOVERNMENT)
    assert government["suppressed"] and government[["n", "count", "share"]].isna().all()
    academia, industry = (
        share_of(table, themes["divide"], sector=sector) for sector in (Sector.ACADEMIA, Sector.INDUSTRY)
    )
    assert bool(academia["suppressed"]) != bool(industry["suppressed"]), "one complement, beside government"
    divide = share_of(overall_shares(response), themes["divide"])
    assert (divide["n"], divide["count"], divide["share"]) == (42, 21, pytest.approx(0.5))


def test_the_dashboard_theme_tables_follow_the_filters(researcher, coded):
    survey, themes = coded
    summary = researcher.get(dashboard_url(survey, "north_south=north")).context["summary"]
    divide = share_of(summary.tables["themes-overall"], themes["divide"])
    assert (divide["n"], divide["count"]) == (20, 5)


def test_key_findings_name_the_top_themes_and_a_difference_linking_to_the_theme_tables(researcher, coded):
    survey, themes = coded
    response = researcher.get(dashboard_url(survey))
    findings = {}
    for finding in response.context["findings"]:
        findings.setdefault(finding.kind, finding)
    top = findings["top_theme"]
    assert top.table == "themes-overall"
    assert top.text.startswith("“AI divide” comes up in the answers of 50 % of the experts")
    assert top.numbers == {"theme": themes["divide"].pk, "share": 0.5, "count": 21, "n": 42}
    difference = findings["theme"]
    assert difference.table == "themes-north_south"
    assert difference.numbers["group_high"] == "south" and difference.numbers["q_value"] <= 0.05
    html = response.content.decode()
    for anchor in ("themes-overall", "themes-north_south"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html


def test_the_report_has_a_themes_section_with_its_chart_and_tables(coded):
    survey, _themes = coded
    html = build_report(survey_summary(survey=survey))
    section = html[html.index('<section id="themes"') :]
    assert 'id="themes-overall"' in section and 'id="themes-divergence"' in section
    assert 'id="themes-item-comment-by-sector"' in section
    assert "<svg" in section and "AI divide" in section
    assert 'href="#themes-north_south"' in html


def test_the_json_summary_holds_the_documented_theme_tables(researcher, coded):
    survey, _themes = coded
    data = json.loads(researcher.get(f"/analysis/{survey.slug}/download/json/").content)
    every_answer, comment = data["themes"]
    assert every_answer["question"] is None and comment["question"] == "comment"
    assert every_answer["breakdowns"]["north_south"] == "themes-north_south"
    table = data["tables"][every_answer["overall"]]
    assert {"theme_label", "n", "count", "share", "suppressed"} <= set(table["columns"])
    assert data["tables"][comment["divergence"]]["rows"]
    assert keys_of(data) - documented_keys() == set()


def test_the_excel_summary_sheet_holds_the_theme_tables(researcher, coded):
    survey, _themes = coded
    content = b"".join(researcher.get(f"/analysis/{survey.slug}/download/xlsx/").streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True)["summary"]
    names = {row[0] for row in sheet.iter_rows(values_only=True) if row}
    assert {"themes-overall", "themes-north_south", "themes-divergence"} <= names


def test_a_new_coding_and_its_removal_show_on_the_next_dashboard_view(researcher, coded, coder):
    survey, themes = coded
    url = dashboard_url(survey)

    def regulation_count() -> int:
        return share_of(overall_shares(researcher.get(url)), themes["regulation"])["count"]

    assert regulation_count() == 10
    answer = comments(survey, "BR")[0]
    segment = segment_code(answer=answer, coder=coder, start=0, end=5, themes=[themes["regulation"]])
    assert regulation_count() == 11
    segment_uncode(segment=segment, coder=coder)
    assert regulation_count() == 10


def test_a_renamed_theme_shows_on_the_next_dashboard_view(researcher, coded):
    survey, themes = coded
    url = dashboard_url(survey)
    researcher.get(url)
    theme_update(theme=themes["regulation"], name="Hard regulation", description="", parent=None)
    assert "Hard regulation" in researcher.get(url).content.decode()


def test_a_survey_without_a_codebook_shows_no_themes_section(researcher, db):
    survey = analysed_survey()
    submit(survey, 10)
    response = researcher.get(dashboard_url(survey))
    assert response.status_code == 200
    assert 'id="themes"' not in response.content.decode()
    assert response.context["summary"].themes == []
    assert '<section id="themes"' not in build_report(response.context["summary"])


def test_theme_outputs_hold_no_personal_data(researcher, coded):
    survey, _themes = coded
    outputs = [
        page(researcher, dashboard_url(survey, "by=country")),
        page(researcher, f"/analysis/{survey.slug}/report/"),
        researcher.get(f"/analysis/{survey.slug}/download/json/").content.decode(),
    ]
    for output in outputs:
        for personal in PERSONAL:
            assert personal not in output


@pytest.mark.parametrize("coded_answers", [5, 40])
def test_the_dashboard_costs_a_fixed_number_of_queries_however_many_segments(
    researcher, coder, db, coded_answers, django_assert_max_num_queries
):
    survey = analysed_survey()
    submit(survey, 40)
    themes = codebook(survey)
    answers = list(Answer.objects.filter(response__survey=survey, question__code="comment"))
    code_answers(answers[:coded_answers], coder, themes["compute"], themes["regulation"])
    tallied([survey.pk])
    cache.clear()
    with django_assert_max_num_queries(THEMES_DASHBOARD_BUDGET):
        response = researcher.get(dashboard_url(survey))
    assert share_of(overall_shares(response), themes["compute"])["count"] == coded_answers
