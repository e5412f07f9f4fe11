"""Counting answers before analysing them changes no result.

The summary reads ``answer_counts_frame`` (identical answers of respondents in the same groups
counted in the database, one row with a ``weight``) and merges rows further per breakdown
(``collapse``). Every statistic must come out exactly as from one row per answer.
"""

import pandas
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.load import answer_counts_frame, answers_frame, respondent_counts_frame, respondents_frame
from analysis.load.counts import Counted
from analysis.stats import (
    choice_summary,
    divergence,
    kendalls_w,
    number_summary,
    ranking_summary,
    scale_distribution,
    scale_summary,
    wave_trends,
)
from analysis.stats.grouping import ANSWER_KEYS, answer_key, codes_key, collapse
from analysis.summary import Filters, compute_summary
from analysis.summary import compute as summary_compute
from surveys.conditions import AnswerValue
from surveys.models import Choice
from tests.analysis import frames
from tests.analysis.test_load import FULL
from tests.analysis.test_summary import PANEL, answer, small_survey
from tests.factories import ExpertFactory, every_type_survey, take_part

COUNTRIES = ["BR", "DE", "KE"]
SECTORS = ["academia", "industry"]
OPTIONS = ["a", "b", "c"]
CHOICES = pandas.DataFrame(
    {
        "question": ["pick"] * 3 + ["tick"] * 3 + ["rank"] * 4,
        "code": [*OPTIONS, *OPTIONS, *OPTIONS, "d"],
        "position": [1, 2, 3, 1, 2, 3, 1, 2, 3, 4],
    }
)
BREAKDOWNS = [None, "country", ["country", "sector"]]


@st.composite
def panels(draw) -> pandas.DataFrame:
    """Answers of 4–40 respondents from few groups, to one question of each kind, with many ties
    so that rows merge; any answer but the first question's may be missing."""
    size = draw(st.integers(4, 40))
    people = [f"r{index}" for index in range(size)]
    country = draw(st.lists(st.sampled_from(COUNTRIES), min_size=size, max_size=size))
    sector = draw(st.lists(st.sampled_from(SECTORS), min_size=size, max_size=size))

    def part(question, kind, values, **extra):
        kept = [index for index, value in enumerate(values) if value is not None]
        return frames.answers(
            question,
            [values[index] for index in kept],
            type=kind,
            respondents=[people[index] for index in kept],
            country=[country[index] for index in kept],
            sector=[sector[index] for index in kept],
            **extra,
        )

    def each(strategy):
        return draw(st.lists(st.one_of(st.none(), strategy), min_size=size, max_size=size))

    subsets = st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=3, unique=True)
    rankings = st.permutations([*OPTIONS, "d"]).flatmap(
        lambda order: st.integers(1, 2).map(lambda k: order[:k])
    )
    parts = [
        part("agree", "likert", draw(st.lists(st.integers(1, 5), min_size=size, max_size=size))),
        part("score", "scale_0_10", each(st.integers(0, 10))),
        part("years", "number", each(st.sampled_from([0, 2.5, 5, 10, 40]))),
        part("pick", "single_choice", each(st.sampled_from(OPTIONS))),
        part("tick", "multiple_choice", each(subsets)),
        part("rank", "ranking", each(rankings), rank_top_k=2),
    ]
    return frames.frame(*[piece for piece in parts if len(piece)])


def columns(by) -> list[str]:
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def same(left: pandas.DataFrame, right: pandas.DataFrame) -> None:
    pandas.testing.assert_frame_equal(
        left.reset_index(drop=True), right.reset_index(drop=True), check_dtype=False, check_exact=False
    )


# Skips are counted against the respondents frame, as the summary counts them: merged rows no
# longer tell how many respondents there were.
DESCRIPTIVE = {
    "scale_summary": lambda frame, by, people: scale_summary(frame, by, respondents=people),
    "scale_distribution": lambda frame, by, people: scale_distribution(frame, by),
    "number_summary": lambda frame, by, people: number_summary(frame, by, respondents=people),
    "choice_summary": lambda frame, by, people: choice_summary(frame, by, choices=CHOICES),
    "ranking_summary": lambda frame, by, people: ranking_summary(frame, by, choices=CHOICES),
    "kendalls_w": lambda frame, by, people: kendalls_w(frame, by, choices=CHOICES),
}


@pytest.mark.parametrize("statistic", DESCRIPTIVE)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panel=panels())
def test_every_statistic_is_the_same_from_merged_rows(statistic, panel):
    """… and from answers numbered already (``answer_key``, as the summary numbers them)."""
    compute = DESCRIPTIVE[statistic]
    people = panel.drop_duplicates("respondent")
    numbered = panel.assign(answer_key=answer_key(panel))
    for by in BREAKDOWNS:
        merged = collapse(panel, columns(by))
        assert merged["weight"].sum() == len(panel)
        expected = compute(panel, by, people)
        same(expected, compute(merged, by, people))
        same(expected, compute(numbered, by, people))
        same(expected, compute(collapse(numbered, columns(by)), by, people))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panel=panels())
def test_divergence_is_the_same_from_merged_rows(panel):
    by = ["country", "sector"]
    same(divergence(panel, by, min_group_size=2), divergence(collapse(panel, by), by, min_group_size=2))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=panels(), after=panels())
def test_wave_trends_are_the_same_from_merged_rows(before, after):
    same(wave_trends(before, after), wave_trends(collapse(before, []), collapse(after, [])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panel=panels())
def test_merging_gives_one_row_per_distinct_answer_and_groups_with_its_count(panel):
    numbered = panel.assign(answer_key=answer_key(panel))
    for by in BREAKDOWNS:
        keys = [column for column in (*ANSWER_KEYS, *columns(by)) if column in panel]
        reference = panel.assign(codes=codes_key(panel)).groupby([*keys, "codes"], dropna=False).size()
        for frame in (panel, numbered):
            merged = collapse(frame, columns(by))
            assert len(merged) == len(reference)
            assert sorted(merged["weight"]) == sorted(reference)


def test_merging_keeps_rows_apart_that_differ_in_anything_but_other_groups():
    panel = frames.frame(
        frames.answers("agree", [4, 4, 4, 5], country=["BR", "BR", "DE", "BR"], sector="industry"),
        frames.answers("tick", [["a"], ["a"], ["a", "b"]], type="multiple_choice", country="BR"),
    )
    by_country = collapse(panel, ["country"])
    assert by_country[["question", "number", "country", "weight"]].head(3).values.tolist() == [
        ["agree", 4.0, "BR", 2],
        ["agree", 4.0, "DE", 1],
        ["agree", 5.0, "BR", 1],
    ]
    ticks = by_country.loc[by_country["question"].eq("tick")]
    assert ticks["codes"].tolist() == [["a"], ["a", "b"]]
    assert ticks["weight"].tolist() == [2, 1]
    assert collapse(panel, [])["weight"].sum() == len(panel)


@pytest.fixture
def panel_survey(db):
    survey = small_survey()
    for row in PANEL:
        answer(survey, *row)
    return survey


def counted(frame: pandas.DataFrame) -> pandas.DataFrame:
    """``frame``'s rows counted by every column but ``respondent`` and ``codes_key``, a numbering
    (lists as tuples, categoricals as their text)."""
    keys = [column for column in frame.columns if column not in ("respondent", "weight", "codes_key")]
    rows = frame.assign(codes=frame["codes"].map(tuple), weight=frame.get("weight", 1))
    rows = rows.astype({key: str for key in keys if isinstance(rows[key].dtype, pandas.CategoricalDtype)})
    table = rows.groupby(keys, dropna=False)["weight"].sum().reset_index()
    return table.sort_values(keys, na_position="first").reset_index(drop=True)


def test_the_database_counts_what_the_answers_frame_lists(panel_survey):
    weighted = answer_counts_frame(surveys=[panel_survey])
    one_per_answer = answers_frame(surveys=[panel_survey])
    assert len(weighted) < len(one_per_answer)
    assert weighted["respondent"].is_unique
    # The lists are numbered as codes_key numbers them, found from the text they were read from.
    assert weighted["codes_key"].tolist() == codes_key(weighted).tolist()
    same(counted(weighted), counted(one_per_answer))
    # Questionnaire order, as in answers_frame.
    assert list(dict.fromkeys(weighted["question"])) == list(dict.fromkeys(one_per_answer["question"]))


def test_the_database_counts_the_respondents_of_each_group(panel_survey):
    weighted = respondent_counts_frame(surveys=[panel_survey])
    one_per_respondent = respondents_frame(surveys=[panel_survey])
    assert len(weighted) == 3  # Brazilian academics, German industry, Kenyan government
    same(
        counted(weighted.assign(codes=[[]] * len(weighted))),
        counted(one_per_respondent.assign(codes=[[]] * 15)),
    )


def test_the_summary_is_the_same_from_counted_answers(panel_survey, monkeypatch):
    counted_summary = compute_summary(survey=panel_survey, filters=Filters())
    monkeypatch.setattr(
        summary_compute,
        "counted_frames",
        lambda surveys: Counted(answers_frame(surveys=surveys), respondents_frame(surveys=surveys)),
    )
    listed_summary = compute_summary(survey=panel_survey, filters=Filters())
    assert counted_summary.tables.keys() == listed_summary.tables.keys()
    for anchor, table in counted_summary.tables.items():
        same(table, listed_summary.tables[anchor])
    assert [finding.text for finding in counted_summary.findings] == [
        finding.text for finding in listed_summary.findings
    ]


def test_codes_that_read_like_missing_values_are_counted_as_codes(db):
    """A choice coded "NA" or "null", a ranking of such codes and an expert of unknown country and
    sector must come back from the tally as the texts they are, not as missing values."""
    survey = every_type_survey()
    Choice.objects.filter(question__survey=survey, code="public").update(code="NA")
    Choice.objects.filter(question__survey=survey, code="private").update(code="null")
    Choice.objects.filter(question__survey=survey, code="access").update(code="nan")
    unknown = ExpertFactory(country="", sector="")
    answers = FULL | {"org_kind": AnswerValue(text="NA"), "priorities": AnswerValue(codes=["nan", "voice"])}
    take_part(survey, answers, expert=unknown)
    take_part(survey, answers | {"org_kind": AnswerValue(text="null")})
    weighted = answer_counts_frame(surveys=[survey])
    same(counted(weighted), counted(answers_frame(surveys=[survey])))
    picked = weighted.loc[weighted["question"].eq("org_kind")]
    assert sorted(picked["text"].astype(str)) == ["NA", "null"]
    assert set(picked["country"].astype(str)) == {"", "BR"}
    ranked = weighted.loc[weighted["question"].eq("priorities"), "codes"]
    assert ranked.tolist() == [["nan", "voice"]] * 2  # two profiles
