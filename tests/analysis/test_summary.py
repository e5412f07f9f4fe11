"""The survey summary: hand-computed numbers on a tiny panel, suppression with the survey's k,
filters, the previous wave, its JSON form and its cache."""

import io
import json
import re
from pathlib import Path

import pandas
import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from analysis.exports.summary_json import write_summary_json
from analysis.summary import (
    BREAKDOWNS,
    GROUPINGS,
    Filters,
    summary_to_json,
    survey_summary,
)
from surveys import selectors, services
from surveys.conditions import AnswerValue
from surveys.models import Choice, Response, Sector, Survey
from tests.analysis.test_load import take_part
from tests.factories import (
    ExpertFactory,
    QuestionFactory,
    SectionFactory,
    SeriesFactory,
    SurveyFactory,
    add_choices,
)
from tests.surveys.test_tally import TALLY_REBUILD_QUERIES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "summary-json.md"

ACAD, IND, GOV = Sector.ACADEMIA, Sector.INDUSTRY, Sector.GOVERNMENT
# 6 Brazilians in academia, 7 Germans in industry, 2 Kenyans in government; k = 5 (the default).
PANEL = [
    # country, sector, treaty, labels, tools, years, comment, priorities
    ("BR", ACAD, 5, 5, ["law"], 10, "Fine.", ["access", "voice"]),
    ("BR", ACAD, 5, 5, ["law"], 12, "Fine.", ["access", "voice"]),
    ("BR", ACAD, 5, 5, ["law"], 14, "Fine.", ["access", "voice"]),
    ("BR", ACAD, 4, 5, ["law"], 16, "", ["access", "voice"]),
    ("BR", ACAD, 4, 4, ["law"], 18, "", ["access", "voice"]),
    ("BR", ACAD, 4, 4, ["law"], 20, "", ["access", "voice"]),
    ("DE", IND, 1, 5, ["law", "standards"], 5, "", ["voice", "access"]),
    ("DE", IND, 2, 5, ["law", "standards"], 5, "", ["voice", "access"]),
    ("DE", IND, 2, 4, ["law", "standards"], 5, "", ["voice", "access"]),
    ("DE", IND, 2, 4, ["law", "standards"], 5, "", ["voice", "access"]),
    ("DE", IND, 3, 4, ["law", "standards"], 5, "", ["voice", "access"]),
    ("DE", IND, 4, 4, ["law", "standards"], 5, "", ["voice", "access"]),
    ("DE", IND, 4, 5, ["law", "standards"], 5, "", ["voice", "access"]),
    ("KE", GOV, 5, 5, ["treaty"], 30, "Good.", ["capacity"]),
    ("KE", GOV, 5, 4, ["treaty"], 40, "Good.", ["capacity"]),
]
TREATY = "A binding treaty is needed"


def small_survey(*, treaty_text: str = TREATY, **fields) -> Survey:
    """Two Likert items, a multiple choice, a number and a free-text question, in one section."""
    survey = SurveyFactory(**fields)
    section = SectionFactory(survey=survey, position=1, title={"en": "Governance", "zh-hans": "治理"})
    QuestionFactory(
        section=section, position=1, code="treaty", type="likert", scale_points=5, required=True,
        text={"en": treaty_text, "zh-hans": "需要有约束力的条约"},
    )  # fmt: skip
    QuestionFactory(
        section=section, position=2, code="labels", type="likert", scale_points=5,
        text={"en": "AI output should be labelled", "zh-hans": "人工智能输出应加标签"},
    )  # fmt: skip
    tools = QuestionFactory(section=section, position=3, code="tools", type="multiple_choice")
    add_choices(tools, "law", "standards", "treaty")
    QuestionFactory(section=section, position=4, code="years", type="number", min_value=0, max_value=60)
    QuestionFactory(section=section, position=5, code="comment", type="long_text")
    priorities = QuestionFactory(section=section, position=6, code="priorities", type="ranking", rank_top_k=2)
    add_choices(priorities, "access", "voice", "capacity")
    return survey


def answer(
    survey: Survey,
    country: str,
    sector: str,
    treaty,
    labels=None,
    tools=(),
    years=None,
    comment="",
    ranked=(),
):
    """One expert from ``country`` in ``sector`` answers and submits."""
    values = {"treaty": AnswerValue(number=treaty)}
    if ranked:
        values["priorities"] = AnswerValue(codes=list(ranked))
    if labels is not None:
        values["labels"] = AnswerValue(number=labels)
    if tools:
        values["tools"] = AnswerValue(codes=list(tools))
    if years is not None:
        values["years"] = AnswerValue(number=years)
    if comment:
        values["comment"] = AnswerValue(text=comment)
    return take_part(survey, values, expert=ExpertFactory(country=country, sector=sector))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def answered_survey(**fields) -> Survey:
    survey = small_survey(**fields)
    for row in PANEL:
        answer(survey, *row)
    return survey


@pytest.fixture
def survey(db) -> Survey:
    return answered_survey()


@pytest.fixture(scope="module")
def summary(django_db_setup, django_db_blocker):
    """The PANEL's summary, computed once for the tests that only read it; the data is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        computed = survey_summary(survey=answered_survey())
        transaction.set_rollback(True)
    return computed


def item(summary, code):
    return next(item for item in summary.items if item.code == code)


def row(table, **where):
    matches = table
    for column, value in where.items():
        matches = matches[matches[column].eq(value)]
    assert len(matches) == 1, matches
    return matches.iloc[0]


def test_items_come_in_questionnaire_order_with_their_section(summary):
    assert [(item.code, item.type) for item in summary.items] == [
        ("treaty", "likert"),
        ("labels", "likert"),
        ("tools", "multiple_choice"),
        ("years", "number"),
        ("comment", "long_text"),
        ("priorities", "ranking"),
    ]
    assert {item.section for item in summary.items} == {"Governance"}
    assert item(summary, "treaty").text == TREATY
    assert (summary.n_respondents, summary.k, summary.wave, summary.suppressed) == (15, 5, "2026", False)


def test_a_likert_item_matches_hand_computed_numbers(summary):
    """Answers 1, 2, 2, 2, 3, 4×5, 5×5: mean 55/15, quartiles 2.5 and 5 (definition 7), 10 agree.
    The 4 disagreeing and the 1 neutral are cells below k, so the disagreeing count is withheld."""
    overall = row(item(summary, "treaty").overall)
    assert overall["n"] == 15
    assert overall["mean"] == pytest.approx(55 / 15)
    assert (overall["median"], overall["q1"], overall["q3"], overall["iqr"]) == (4, 2.5, 5, 2.5)
    assert (overall["n_agree"], overall["share_agree"]) == (10, pytest.approx(2 / 3))
    assert pandas.isna(overall["n_disagree"]) and pandas.isna(overall["share_disagree"])
    assert overall["suppressed"]


def test_a_breakdown_by_north_south_matches_hand_computed_numbers(summary):
    table = item(summary, "treaty").breakdowns["north_south"]
    south, north = row(table, north_south="south"), row(table, north_south="north")
    assert (south["n"], south["mean"], south["median"]) == (8, pytest.approx(37 / 8), 5)
    assert (north["n"], north["mean"], north["median"]) == (7, pytest.approx(18 / 7), 2)
    assert (south["north_south_label"], north["north_south_label"]) == ("Global South", "Global North")


def test_agreement_of_a_group_is_withheld_when_the_other_group_would_give_it_away(summary):
    """2 of 7 northerners agree (< k); the overall 10 is shown, so the south's 8 must go too."""
    table = item(summary, "treaty").breakdowns["north_south"]
    assert table["n_agree"].isna().all()
    assert table["share_agree"].isna().all()
    assert table["mean"].notna().all()


def test_fieldwork_withholds_a_small_group_and_its_complement(summary):
    """Kenya has 2 respondents (< k); shown beside the total, Brazil's 6 would give it away."""
    by_country = summary.fieldwork["by_group"]["country"].set_index("country")
    assert by_country.loc["KE", "suppressed"] and by_country.loc["BR", "suppressed"]
    assert by_country["n_respondents"].isna().sum() == 2
    assert by_country.loc["DE", "n_respondents"] == 7
    assert not by_country.loc["DE", "suppressed"]
    assert by_country.loc["BR", "country_label"] == "Brazil"
    assert summary.fieldwork["n_submitted"] == 15


def test_a_breakdown_keeps_withheld_what_fieldwork_withholds(summary):
    """Brazil's 6 answerers are enough on their own, but its respondent count is withheld."""
    table = item(summary, "treaty").breakdowns["country"].set_index("country")
    assert table.loc[["BR", "KE"], "n"].isna().all()
    assert table.loc[["BR", "KE"], "mean"].isna().all()
    assert table.loc["DE", "n"] == 7


def test_a_cell_withheld_in_a_one_way_table_stays_withheld_in_two_way_tables(summary):
    table = item(summary, "treaty").breakdowns["country×sector"]
    brazil = table[table["country"].eq("BR")]
    assert brazil["n"].isna().all()
    assert set(BREAKDOWNS) == set(item(summary, "treaty").breakdowns)
    assert "north_south×sector" in BREAKDOWNS and len(BREAKDOWNS) == len(GROUPINGS) + 10


def test_choice_options_below_k_are_withheld_with_a_complement(summary):
    """law 13, standards 7, treaty 2 of 15: treaty is below k, standards goes with it."""
    table = item(summary, "tools").overall.set_index("option")
    assert table.loc["law", ["count", "n"]].tolist() == [13, 15]
    assert table.loc["law", "share"] == pytest.approx(13 / 15)
    assert table.loc[["standards", "treaty"], "count"].isna().all()
    assert table.loc["law", "label"] == "Law"


def test_a_number_item_matches_hand_computed_numbers(summary):
    overall = row(item(summary, "years").overall)
    values = [10, 12, 14, 16, 18, 20, *[5] * 7, 30, 40]
    assert overall["n"] == 15
    assert overall["mean"] == pytest.approx(sum(values) / 15)
    assert overall["median"] == 10


def test_free_text_lists_only_how_many_answered(summary):
    comment = item(summary, "comment")
    assert comment.breakdowns == {} and comment.distribution is None
    overall = row(comment.overall)
    assert (overall["n"], overall["n_respondents"], overall["n_skipped"]) == (5, 15, 10)
    assert list(comment.overall.columns) == [
        "question",
        "type",
        "n",
        "n_respondents",
        "n_skipped",
        "suppressed",
    ]


def test_free_text_answered_by_fewer_than_k_is_withheld(survey):
    answers = survey_summary(survey=survey, filters=Filters(sector=Sector.ACADEMIA))
    assert answers.n_respondents == 6  # 3 of whom answered
    assert pandas.isna(row(item(answers, "comment").overall)["n"])


def test_a_ranking_matches_hand_computed_numbers(summary):
    """Brazil ranks access, voice; Germany voice, access; Kenya only capacity (its unranked items
    tie at the mid-rank 2.5). First places: voice 7, access 6, capacity 2 (< k, and access with it)."""
    table = item(summary, "priorities").overall.set_index("item")
    assert table.loc["access", "mean_rank"] == pytest.approx((6 * 1 + 7 * 2 + 2 * 2.5) / 15)
    assert table.loc["access", "borda"] == pytest.approx((6 * 2 + 7 * 1) / 15)
    assert table.loc["voice", ["n_first", "n_ranked"]].tolist() == [7, 13]
    assert table.loc[["access", "capacity"], "n_first"].isna().all()
    assert pandas.isna(table.loc["capacity", "n_ranked"]) and table.loc["access", "n_ranked"] == 13
    assert table.loc["voice", "label"] == "Voice"
    assert 0 < table.loc["voice", "kendalls_w"] <= 1


def test_the_distribution_has_every_point_overall_and_per_north_south(summary):
    distribution = item(summary, "labels").distribution
    assert list(distribution["group"].unique()) == ["all", "north", "south"]
    overall = distribution[distribution["group"].eq("all")].set_index("point")
    assert overall.index.tolist() == [1, 2, 3, 4, 5]
    assert overall.loc[[4, 5], "count"].tolist() == [7, 8]
    assert overall.loc[[1, 2, 3], "count"].tolist() == [0, 0, 0]
    assert overall["share"].sum() == pytest.approx(1)
    assert overall["label"].iloc[0] == "All respondents"


def test_consensus_uses_the_survey_criteria(survey):
    table = survey_summary(survey=survey).consensus.set_index("question")
    assert table.loc["labels", "consensus"] and not table.loc["treaty", "consensus"]
    survey.consensus_iqr_max = 0.5
    survey.save()
    stricter = survey_summary(survey=survey).consensus.set_index("question")
    assert not stricter.loc["labels", "consensus"]


def test_a_consensus_finding_links_to_the_consensus_table(summary):
    (finding,) = [finding for finding in summary.findings if finding.kind == "consensus"]
    assert finding.question == "labels"
    assert finding.text == "100 % of experts agree that “AI output should be labelled” (n = 15): consensus."
    assert finding.table in summary.tables


def test_divergence_compares_only_groups_of_at_least_k(summary):
    table = summary.divergence
    assert set(table["grouping"]) <= set(GROUPINGS)
    by_country = table[table["grouping"].eq("country") & table["question"].eq("treaty")].iloc[0]
    assert by_country["groups"] == ["BR", "DE"]  # Kenya's 2 are not compared
    assert pandas.isna(by_country["n"])  # Brazil's count is withheld, so the total is too
    by_region = row(summary.tables["divergence-north_south"], question="treaty")
    assert by_region["n"] == 15 and by_region["n_higher"] == 8


def test_every_table_has_an_anchor_id(summary):
    treaty = item(summary, "treaty")
    assert summary.tables["item-treaty"] is treaty.overall
    assert summary.tables["item-treaty-by-north_south"] is treaty.breakdowns["north_south"]
    assert summary.tables["item-treaty-by-north_south-and-sector"] is treaty.breakdowns["north_south×sector"]
    assert summary.tables["item-treaty-distribution"] is treaty.distribution
    assert {"consensus", "divergence", "fieldwork-country"} <= set(summary.tables)
    assert all(finding.table in summary.tables for finding in summary.findings)


def test_filters_restrict_the_respondents_before_computing(survey):
    south = survey_summary(survey=survey, filters=Filters(north_south="south"))
    assert south.n_respondents == 8
    treaty = row(item(south, "treaty").overall)
    assert (treaty["n"], treaty["mean"]) == (8, pytest.approx(37 / 8))
    assert set(south.fieldwork["by_group"]["north_south"]["north_south"]) == {"south"}
    assert survey_summary(survey=survey, filters=Filters(region="Europe")).n_respondents == 7


def test_a_filtered_subset_below_k_withholds_everything(survey):
    kenya = survey_summary(survey=survey, filters=Filters(country="KE"))
    assert kenya.suppressed and kenya.n_respondents is None and kenya.findings == []
    assert kenya.fieldwork["n_submitted"] is None
    for table in kenya.tables.values():
        if "n" in table.columns:
            assert table["n"].isna().all() or table["n"].eq(0).all()
    assert item(kenya, "treaty").overall["suppressed"].all()


def test_the_survey_k_governs_suppression(survey):
    survey.min_group_size = 2
    survey.save()
    summary = survey_summary(survey=survey)
    by_country = summary.fieldwork["by_group"]["country"].set_index("country")
    assert by_country.loc["KE", "n_respondents"] == 2 and not by_country["suppressed"].any()
    assert summary.k == 2


@pytest.fixture
def two_waves(db):
    """Wave 2025: 5 agree, 5 disagree; wave 2027 (a clone): all 10 strongly agree."""
    first = small_survey(series=SeriesFactory(slug="governance"), wave_label="2025", slug="governance-2025")
    for treaty in [4] * 5 + [2] * 5:
        answer(first, "BR", Sector.ACADEMIA, treaty)
    second = services.survey_clone_wave(survey=first, slug="governance-2027", wave_label="2027")
    services.survey_open(survey=second)
    for _ in range(10):
        answer(second, "BR", Sector.ACADEMIA, 5)
    return first, second


def test_trends_compare_with_the_previous_wave_of_the_series(two_waves):
    first, second = two_waves
    summary = survey_summary(survey=second)
    assert summary.previous_wave == "2025"
    treaty = row(summary.trends, question="treaty")
    assert (treaty["wave_prev"], treaty["wave_curr"]) == ("2025", "2027")
    assert (treaty["n_prev"], treaty["n_curr"]) == (10, 10)
    assert (treaty["share_agree_prev"], treaty["share_agree_curr"]) == (0.5, 1.0)
    assert treaty["share_change"] == 0.5
    assert treaty["share_p_value"] == pytest.approx(0.0325, abs=1e-4)  # Fisher, [[5, 5], [10, 0]]
    assert (treaty["median_prev"], treaty["median_curr"]) == (3, 5)
    assert summary.tables["trends"] is summary.trends
    assert survey_summary(survey=first).trends is None


def test_json_round_trips_with_tables_as_columns_and_rows(summary):
    data = summary_to_json(summary)
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    table = data["tables"][data["items"][0]["overall"]]
    assert set(table) == {"columns", "rows"}
    assert "suppressed" in table["columns"]
    n_disagree = table["columns"].index("n_disagree")
    assert table["rows"][0][n_disagree] is None
    assert table["rows"][0][table["columns"].index("suppressed")] is True


def test_the_json_download_is_utf8_text_without_nan(summary):
    stream = io.StringIO()
    write_summary_json(summary, stream)
    text = stream.getvalue()
    assert "NaN" not in text and "\\u00d7" not in text
    assert '"north_south×sector"' in text
    assert json.loads(text) == summary_to_json(summary)


def documented_keys() -> set[str]:
    return set(re.findall(r"`([a-z_0-9]+)`", DOCS.read_text(encoding="utf-8")))


def keys_of(data, *, found=None) -> set[str]:
    """Every key of ``data`` that is not an id (tables, breakdowns and groupings are keyed by id)."""
    found = set() if found is None else found
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "tables":
                for table in value.values():
                    found |= set(table) | set(table["columns"])
                continue
            if key in ("breakdowns", "by_group"):
                found |= {key}
                continue
            found.add(key)
            keys_of(value, found=found)
    elif isinstance(data, list):
        for value in data:
            keys_of(value, found=found)
    return found


def test_every_json_key_and_column_is_documented(two_waves):
    _first, second = two_waves
    data = summary_to_json(survey_summary(survey=second))
    assert data["findings"], "a finding makes the finding keys appear"
    assert keys_of(data) - documented_keys() == set()


def test_a_survey_without_submissions_is_withheld_not_broken(db):
    summary = survey_summary(survey=small_survey())
    assert summary.suppressed and summary.n_respondents is None
    assert [item.overall.empty for item in summary.items if item.type != "long_text"] == [True] * 5
    assert summary.consensus.empty and summary.divergence.empty and summary.findings == []


def test_a_second_call_is_served_from_the_cache_after_one_version_query(survey, django_assert_num_queries):
    first = survey_summary(survey=survey)
    with django_assert_num_queries(1):
        second = survey_summary(survey=survey)
    assert second.n_respondents == first.n_respondents == 15
    assert summary_to_json(second) == summary_to_json(first)


def test_a_new_submission_is_never_served_a_stale_summary(survey):
    survey_summary(survey=survey)
    answer(survey, "DE", Sector.INDUSTRY, 1)
    assert survey_summary(survey=survey).n_respondents == 16


def test_a_deleted_response_is_never_served_a_stale_summary(survey):
    survey_summary(survey=survey)
    Response.objects.filter(survey=survey, country="KE").order_by("pk").first().delete()
    assert survey_summary(survey=survey).n_respondents == 14


def test_an_edit_of_a_submitted_response_is_never_served_a_stale_summary(survey):
    before = row(item(survey_summary(survey=survey), "years").overall)["mean"]
    response = Response.objects.filter(survey=survey, country="KE").order_by("pk").first()  # 30 years
    questionnaire = selectors.questionnaire_for_survey(survey=survey)
    years = next(question for question in questionnaire.questions if question.code == "years")
    services.response_save_page(
        response=response,
        questionnaire=questionnaire,
        section=questionnaire.sections[0],
        values={**selectors.answers_for_response(response=response), years.pk: AnswerValue(number=60)},
        next_section=None,
    )
    after = row(item(survey_summary(survey=survey), "years").overall)["mean"]
    assert after == pytest.approx(before + (60 - 30) / 15)


def test_a_reworded_question_choice_or_section_is_never_served_a_stale_summary(survey):
    survey_summary(survey=survey)
    question = survey.questions.get(code="treaty")
    question.text = {"en": "A binding treaty, reworded"}
    question.save()
    assert item(survey_summary(survey=survey), "treaty").text == "A binding treaty, reworded"
    choice = Choice.objects.get(question__survey=survey, question__code="tools", code="law")
    choice.label = {"en": "Hard law"}
    choice.save()
    assert "Hard law" in item(survey_summary(survey=survey), "tools").overall["label"].tolist()
    section = survey.sections.get()
    section.title = {"en": "Governance, renamed"}
    section.save()
    assert item(survey_summary(survey=survey), "treaty").section == "Governance, renamed"


def test_filters_and_languages_are_cached_apart(survey):
    everyone = survey_summary(survey=survey)
    south = survey_summary(survey=survey, filters=Filters(north_south="south"))
    with translation.override("zh-hans"):
        chinese = survey_summary(survey=survey)
    assert (everyone.n_respondents, south.n_respondents) == (15, 8)
    assert chinese.fieldwork["by_group"]["north_south"]["north_south_label"].tolist() != (
        everyone.fieldwork["by_group"]["north_south"]["north_south_label"].tolist()
    )


@pytest.mark.parametrize("respondents", [5, 50])
def test_a_summary_takes_ten_queries_whatever_the_number_of_respondents(
    db, respondents, django_assert_max_num_queries
):
    survey = small_survey()
    for index in range(respondents):
        country, sector, treaty, labels, tools, years, comment, ranked = PANEL[index % len(PANEL)]
        answer(survey, country, sector, treaty, labels, tools, years, comment, ranked)
    # The first summary counts the answers into the survey's tally (surveys.tally.rebuild) …
    with django_assert_max_num_queries(10 + TALLY_REBUILD_QUERIES):
        summary = survey_summary(survey=survey)
    assert summary.n_respondents == respondents
    # … later ones read the tally as it is kept.
    cache.clear()
    with django_assert_max_num_queries(10):
        assert survey_summary(survey=survey).n_respondents == respondents


def test_no_finding_names_a_group_whose_size_is_withheld(summary):
    """Brazil's 6 are withheld beside Kenya's 2; a Brazil-vs-Germany finding carrying n = 6 would
    give Kenya's 2 away (15 − 6 − 7), so no finding may name Brazil or Kenya."""
    withheld = {"BR", "KE"}
    for finding in summary.findings:
        if finding.numbers.get("grouping") == "country":
            assert not {finding.numbers.get("group_high"), finding.numbers.get("group_low")} & withheld
    as_json = json.dumps(summary_to_json(summary)["findings"], default=str)
    assert '"n_high": 6' not in as_json and '"n_low": 6' not in as_json
