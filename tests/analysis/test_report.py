"""The printable report: one self-contained HTML file with findings, method, charts and tables,
escaped questionnaire text and no personal data."""

import re

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

from analysis.report import build_report
from analysis.summary import Filters, survey_summary
from surveys.models import Expert
from tests.analysis.test_summary import answered_survey

HOSTILE = '<script>alert("owned")</script> A binding treaty & more'


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker):
    """(the report of the PANEL with a hostile question text, every expert's personal data);
    built once for the tests that only read it, the data rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        survey = answered_survey(treaty_text=HOSTILE)
        html = build_report(survey_summary(survey=survey))
        personal = [
            value
            for expert in Expert.objects.all()
            for value in (expert.name, expert.email, expert.organisation)
            if value
        ]
        transaction.set_rollback(True)
    cache.clear()
    return html, personal


def test_the_report_is_one_html_document(report):
    html, _personal = report
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert html.rstrip().endswith("</html>")
    assert 'lang="en"' in html


def test_nothing_in_the_report_is_fetched_from_elsewhere(report):
    html, _personal = report
    for external in (
        'src="http',
        "src='http",
        'href="http',
        "href='http",
        '<link rel="stylesheet"',
        "<script src",
    ):
        assert external not in html
    assert not re.search(r"<(script|link|iframe|img|object|embed)\b", html, re.IGNORECASE)
    assert not re.search(r"url\((?!#)|@import", html)
    assert "<style>" in html


def test_the_stylesheet_prints_sections_on_new_pages(report):
    html, _personal = report
    assert "@media print" in html and "@page" in html
    assert "break-before: page" in html
    assert "thead { display: table-header-group; }" in html


def test_key_findings_link_to_their_tables(report):
    html, _personal = report
    finding = "100 % of experts agree that “AI output should be labelled” (n = 15): consensus."
    assert finding in html
    assert 'href="#consensus"' in html and 'id="consensus"' in html


def test_every_finding_anchor_exists(report):
    html, _personal = report
    anchors = set(re.findall(r'href="#([^"]+)"', html))
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert anchors <= ids


def test_the_method_states_k_the_consensus_criteria_and_the_tests(report):
    html, _personal = report
    suppression = re.search(r'<p id="suppression">(.*?)</p>', html, re.DOTALL).group(1)
    assert "k = 5" in suppression
    criteria = re.search(r'<p id="criteria">(.*?)</p>', html, re.DOTALL).group(1)
    assert "1.00" in criteria and "70 %" in criteria and "1.50" in criteria
    tests = re.search(r'<p id="tests">(.*?)</p>', html, re.DOTALL).group(1)
    assert "Benjamini–Hochberg" in tests and "Mann–Whitney" in tests and "0.05" in tests
    assert 'id="fieldwork-country"' in html and 'id="fieldwork-north_south"' in html


def test_respondents_by_group_withhold_small_groups(report):
    html, _personal = report
    table = re.search(r'<table[^>]*id="fieldwork-country".*?</table>', html, re.DOTALL).group(0)
    assert "Germany" in table and "Kenya" in table
    assert table.count("suppressed (n < k)") >= 2  # Kenya's 2, and Brazil with it


def test_charts_are_inline_svg(report):
    html, _personal = report
    assert html.count("<svg") == 4  # two Likert items, a multiple choice and a ranking
    assert "<?xml" not in html


def test_every_question_has_its_table(report):
    html, _personal = report
    for code in ("treaty", "labels", "tools", "years", "comment", "priorities"):
        assert f'id="item-{code}"' in html
    assert 'id="item-treaty-by-north_south"' in html
    assert 'id="divergence-north_south"' in html


def test_questionnaire_text_is_escaped_in_tables_and_charts(report):
    html, _personal = report
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; A binding treaty &amp; more" in html


def test_the_report_holds_no_personal_data(report):
    html, personal = report
    assert len(personal) >= 30
    assert [value for value in personal if value in html] == []


def test_a_filtered_subset_below_k_says_everything_is_withheld(db):
    survey = answered_survey()
    html = build_report(survey_summary(survey=survey, filters=Filters(country="KE")))
    assert 'id="withheld"' in html
    assert "Only respondents with: Country: Kenya." in html
    assert "<svg" not in html


def test_the_command_writes_the_report(db, tmp_path):
    survey = answered_survey()
    path = tmp_path / "report.html"
    call_command("build_report", survey.slug, "-o", str(path))
    html = path.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert 'lang="en"' in html and "AI governance survey" in html


def test_the_command_writes_a_chinese_report(db, tmp_path):
    survey = answered_survey()
    path = tmp_path / "report.html"
    call_command("build_report", survey.slug, "-o", str(path), "--language", "zh-hans")
    html = path.read_text(encoding="utf-8")
    assert 'lang="zh-hans"' in html
    assert "人工智能治理调查" in html  # the survey's Chinese title
    assert translation.get_language() == "en"


def test_the_command_names_an_unknown_survey(db, tmp_path):
    with pytest.raises(CommandError, match="no-such-survey"):
        call_command("build_report", "no-such-survey", "-o", str(tmp_path / "report.html"))
