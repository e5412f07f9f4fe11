"""Themes as results: shares of respondents carrying each theme, by group with small cells
withheld, divergence between groups, sentences, and the coded passages for download."""

import pandas
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from analysis.models import Codebook, CodedSegment, Theme
from analysis.themes import (
    SEGMENT_COLUMNS,
    THEME_DIVERGENCE_COLUMNS,
    coded_segments_frame,
    theme_divergence,
    theme_findings,
    theme_shares,
)
from surveys.conditions import AnswerValue
from surveys.models import Answer, Response, Sector
from tests.analysis.test_load import take_part
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory

SOUTH, NORTH = "BR", "DE"


def questionnaire(**survey_fields):
    survey = SurveyFactory(**survey_fields)
    section = SectionFactory(survey=survey, position=1)
    QuestionFactory(section=section, position=1, code="why", type="long_text")
    QuestionFactory(section=section, position=2, code="risks", type="long_text")
    return survey


@pytest.fixture
def survey(db):
    return questionnaire()


@pytest.fixture
def coders(db):
    return [get_user_model().objects.create_user(username=name) for name in ("coder-a", "coder-b")]


@pytest.fixture
def themes(survey):
    """AI divide (with the sub-theme Access to compute) and Regulation."""
    codebook = Codebook.objects.create(series=survey.series, name="Interviews")
    divide = Theme.objects.create(codebook=codebook, name="AI divide", position=1)
    compute = Theme.objects.create(codebook=codebook, name="Access to compute", parent=divide, position=1)
    regulation = Theme.objects.create(codebook=codebook, name="Regulation", position=2)
    return {"divide": divide, "compute": compute, "regulation": regulation}


def respond(survey, *, country=SOUTH, sector=Sector.ACADEMIA, why="We need compute.", risks="") -> Response:
    answers = {"why": AnswerValue(text=why)}
    if risks:
        answers["risks"] = AnswerValue(text=risks)
    return take_part(survey, answers, expert=ExpertFactory(country=country, sector=sector))


def code(answer: Answer, coder, *themes: Theme) -> CodedSegment:
    segment = CodedSegment.objects.create(answer=answer, coder=coder, start=0, end=len(answer.text))
    segment.themes.set(themes)
    return segment


def answer(response: Response, question: str = "why") -> Answer:
    return response.answers.get(question__code=question)


def group(survey, coder, themes_each, *, size, carrying, **respondent):
    """``size`` respondents; the first ``carrying`` get a segment with ``themes_each``."""
    for number in range(size):
        response = respond(survey, **respondent)
        if number < carrying:
            code(answer(response), coder, *themes_each)


def share_of(table: pandas.DataFrame, theme: Theme, **group) -> pandas.Series:
    rows = table["theme"].eq(theme.pk)
    for column, value in group.items():
        rows &= table[column].eq(value)
    return table.loc[rows].iloc[0]


def test_a_respondent_carries_a_theme_coded_on_any_of_their_answers_once(survey, coders, themes):
    both = respond(survey, risks="Regulation lags.")
    code(answer(both), coders[0], themes["divide"])
    code(answer(both, "risks"), coders[1], themes["divide"], themes["regulation"])
    respond(survey)
    respond(survey)
    take_part(survey, {"why": AnswerValue(text="   ")})  # blank: did not answer
    table = theme_shares(survey=survey, k=1)
    assert table["theme_name"].tolist() == ["AI divide", "Access to compute", "Regulation"]
    divide = share_of(table, themes["divide"])
    assert (divide["n"], divide["count"], divide["share"]) == (3, 1, pytest.approx(1 / 3))
    assert share_of(table, themes["compute"])["count"] == 0


def test_a_sub_theme_counts_for_its_parent(survey, coders, themes):
    code(answer(respond(survey)), coders[0], themes["compute"])
    table = theme_shares(survey=survey, k=1)
    assert share_of(table, themes["compute"])["count"] == 1
    assert share_of(table, themes["divide"])["count"] == 1
    assert share_of(table, themes["compute"])["parent_name"] == "AI divide"


def test_shares_can_follow_one_coder_and_one_question(survey, coders, themes):
    response = respond(survey, risks="Regulation lags.")
    code(answer(response), coders[0], themes["divide"])
    code(answer(response, "risks"), coders[1], themes["regulation"])
    by_first = theme_shares(survey=survey, k=1, coder=coders[0])
    assert share_of(by_first, themes["regulation"])["count"] == 0
    on_risks = theme_shares(survey=survey, k=1, question_code="risks")
    assert share_of(on_risks, themes["divide"])["count"] == 0
    assert share_of(on_risks, themes["regulation"])["count"] == 1


def test_a_small_group_and_its_complement_are_withheld(survey, coders, themes):
    group(survey, coders[0], [themes["divide"]], size=8, carrying=6, sector=Sector.ACADEMIA)
    group(survey, coders[0], [themes["divide"]], size=6, carrying=5, sector=Sector.INDUSTRY)
    group(survey, coders[0], [themes["divide"]], size=2, carrying=1, sector=Sector.GOVERNMENT)
    table = theme_shares(survey=survey, by="sector", k=5)
    assert list(table.columns)[:5] == ["theme", "theme_name", "parent", "parent_name", "sector"]
    government = share_of(table, themes["divide"], sector=Sector.GOVERNMENT)
    industry = share_of(table, themes["divide"], sector=Sector.INDUSTRY)
    academia = share_of(table, themes["divide"], sector=Sector.ACADEMIA)
    assert government["suppressed"] and pandas.isna(government["n"]) and pandas.isna(government["share"])
    assert industry["suppressed"] and pandas.isna(industry["n"]), "the complementary group"
    assert not academia["suppressed"]
    assert (academia["n"], academia["count"]) == (8, 6)


def test_a_small_count_and_its_complement_are_withheld(survey, coders, themes):
    group(survey, coders[0], [themes["divide"]], size=8, carrying=2, country=SOUTH)
    group(survey, coders[0], [themes["divide"]], size=8, carrying=6, country=NORTH)
    table = theme_shares(survey=survey, by="north_south", k=5)
    south = share_of(table, themes["divide"], north_south="south")
    north = share_of(table, themes["divide"], north_south="north")
    assert south["suppressed"] and pandas.isna(south["count"]) and pandas.isna(south["share"])
    assert south["n"] == 8, "the group itself is large enough"
    assert north["suppressed"] and pandas.isna(north["count"]), "else overall − north gives south away"
    regulation = share_of(table, themes["regulation"], north_south="south")
    assert not regulation["suppressed"] and regulation["count"] == 0


def test_fewer_respondents_than_k_withhold_the_overall_shares(survey, coders, themes):
    code(answer(respond(survey)), coders[0], themes["divide"])
    table = theme_shares(survey=survey)  # k = the survey's min_group_size, 5
    assert table["suppressed"].all()
    assert table["n"].isna().all()


def test_themes_are_compared_across_waves(survey, coders, themes):
    later = questionnaire(wave_label="2027")
    group(survey, coders[0], [themes["divide"]], size=5, carrying=5)
    group(later, coders[0], [themes["regulation"]], size=5, carrying=5)
    table = theme_shares(survey=[survey, later], by="wave", k=5)
    assert share_of(table, themes["divide"], wave="2026")["share"] == 1
    assert share_of(table, themes["divide"], wave="2027")["share"] == 0


@pytest.mark.parametrize("answer_count", [5, 50])
def test_theme_shares_take_three_queries_however_many_answers(
    survey, coders, themes, answer_count, django_assert_num_queries
):
    group(survey, coders[0], [themes["compute"]], size=answer_count, carrying=answer_count)
    with django_assert_num_queries(3):
        table = theme_shares(survey=survey, by="north_south")
    assert share_of(table, themes["divide"], north_south="south")["count"] == answer_count


# Divergence between groups, and sentences.


@pytest.fixture
def divided(survey, coders, themes):
    """25 respondents from the South, 19 raising the AI divide; 25 from the North, 5 raising it.
    Regulation comes up in 10 of each."""
    for country, divide in ((SOUTH, 19), (NORTH, 5)):
        for number in range(25):
            response = respond(survey, country=country)
            chosen = [themes["divide"]] * (number < divide) + [themes["regulation"]] * (number < 10)
            code(answer(response), coders[0], *chosen)


def test_divergence_finds_a_theme_the_south_raises_more_often(survey, themes, divided):
    table = theme_divergence(survey=survey, by="north_south")
    assert list(table.columns) == THEME_DIVERGENCE_COLUMNS
    top = table.iloc[0]
    assert (top["theme"], top["test"], top["significant"]) == (themes["divide"].pk, "fisher_exact", True)
    assert (top["share_group_high"], top["share_high"], top["count_high"], top["n_high"]) == (
        "south",
        pytest.approx(19 / 25),
        19,
        25,
    )
    assert (top["share_group_low"], top["share_low"]) == ("north", pytest.approx(5 / 25))
    regulation = table.set_index("theme").loc[themes["regulation"].pk]
    assert not regulation["significant"] and regulation["p_value"] == pytest.approx(1)


def test_no_difference_finds_nothing(survey, coders, themes):
    for country in (SOUTH, NORTH):
        group(survey, coders[0], [themes["divide"]], size=12, carrying=6, country=country)
    table = theme_divergence(survey=survey, by=["north_south", "sector"])
    assert not table["significant"].any()
    assert set(table["grouping"]) == {"north_south"}, "one sector only: nothing to compare"


def test_more_than_two_groups_get_a_chi_square_test(survey, coders, themes):
    for sector, carrying in ((Sector.ACADEMIA, 9), (Sector.INDUSTRY, 1), (Sector.GOVERNMENT, 5)):
        group(survey, coders[0], [themes["divide"]], size=10, carrying=carrying, sector=sector)
    row = theme_divergence(survey=survey, by="sector", k=1).set_index("theme").loc[themes["divide"].pk]
    assert (row["test"], row["n_groups"], row["n"]) == ("chi_square", 3, 30)
    # Pearson's X² for carrying 9/1/5 of 10 each: expected 5 carrying and 5 not in every cell.
    assert row["statistic"] == pytest.approx(2 * (16 + 16 + 0) / 5)


def test_a_finding_names_the_theme_the_groups_and_their_shares(survey, themes, divided):
    with translation.override("en"):
        findings = theme_findings(theme_divergence(survey=survey, by="north_south"), k=5)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.kind == "theme"
    assert finding.text == (
        "“AI divide” comes up in 76 % of answers from the Global South and 20 % of answers from the "
        "Global North (q < 0.001)."
    )
    assert finding.numbers["theme"] == themes["divide"].pk
    assert finding.table == "themes-north_south"


def test_no_finding_rests_on_a_small_count(survey, coders, themes):
    group(survey, coders[0], [themes["divide"]], size=20, carrying=18, country=SOUTH)
    group(survey, coders[0], [themes["divide"]], size=20, carrying=2, country=NORTH)
    table = theme_divergence(survey=survey, by="north_south", k=5)
    row = table.set_index("theme").loc[themes["divide"].pk]
    assert row["significant"] and row["suppressed"]
    assert pandas.isna(row["share_low"]) and pandas.isna(row["count_low"])
    assert theme_findings(table, k=5) == []


# Coded passages for download.


def test_coded_segments_frame_has_passages_but_no_personal_data(survey, coders, themes):
    expert = ExpertFactory(name="Ana Lima", email="ana@example.org", organisation="Fiocruz", country=SOUTH)
    response = take_part(survey, {"why": AnswerValue(text="Compute is scarce. Rules lag.")}, expert=expert)
    why = answer(response)
    segment = CodedSegment.objects.create(answer=why, coder=coders[0], start=0, end=18)
    segment.themes.set([themes["compute"], themes["regulation"]])
    frame = coded_segments_frame(survey=survey)
    assert list(frame.columns) == SEGMENT_COLUMNS
    assert frame[["theme", "parent_theme"]].values.tolist() == [
        ["Access to compute", "AI divide"],
        ["Regulation", ""],
    ]
    first = frame.iloc[0]
    assert (first["question"], first["coder"], first["start"], first["end"]) == ("why", "coder-a", 0, 18)
    assert first["passage"] == "Compute is scarce."
    assert first["quotable"]
    assert len(first["respondent"]) == 16
    everything = frame.to_csv(index=False)
    for personal in ("Ana Lima", "ana@example.org", "Fiocruz"):
        assert personal not in everything
    assert str(response.pk) not in set(frame["respondent"])
    assert {"name", "email", "organisation", "expert", "memo"}.isdisjoint(frame.columns)


def test_passages_of_experts_not_for_quotation_are_marked(survey, coders, themes):
    response = respond(survey)
    Response.objects.filter(pk=response.pk).update(attribution=Response.Attribution.NOT_FOR_QUOTATION)
    code(answer(response), coders[0], themes["divide"])
    assert coded_segments_frame(survey=survey)["quotable"].tolist() == [False]
