"""Descriptive statistics against hand-computed and textbook values."""

import math

import numpy
import pandas
import pytest
from scipy import stats as scipy_stats

from analysis.stats import (
    choice_summary,
    kendalls_w,
    number_summary,
    ranking_summary,
    scale_distribution,
    scale_summary,
)
from tests.analysis.frames import answers, frame, respondents

TEN_LIKERT = [1, 2, 2, 3, 4, 4, 4, 5, 5, 5]


def row(table: pandas.DataFrame, **where) -> pandas.Series:
    selected = table
    for column, value in where.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1, selected
    return selected.iloc[0]


# --- rating scales ------------------------------------------------------------------------------


def test_scale_summary_matches_a_hand_computation():
    """1 2 2 3 4 4 4 5 5 5: mean 3.5; Σ(x − x̄)² = 18.5 so sd = √(18.5/9); median 4;
    q1 at h = 9·0.25 + 1 = 3.25 → 2 + 0.25·(3 − 2) = 2.25; q3 at h = 7.75 → 4 + 0.75·(5 − 4) = 4.75;
    IQR 2.5; agreeing (4–5) 6 of 10; disagreeing (1–2) 3 of 10."""
    summary = scale_summary(answers("agree", TEN_LIKERT))
    result = row(summary, question="agree")
    assert result["n"] == 10
    assert result["mean"] == pytest.approx(3.5)
    assert result["sd"] == pytest.approx(math.sqrt(18.5 / 9))
    assert result["median"] == 4
    assert result["q1"] == pytest.approx(2.25)
    assert result["q3"] == pytest.approx(4.75)
    assert result["iqr"] == pytest.approx(2.5)
    assert (result["n_agree"], result["share_agree"]) == (6, pytest.approx(0.6))
    assert (result["n_disagree"], result["share_disagree"]) == (3, pytest.approx(0.3))
    assert result["distribution"] == {1: 1, 2: 2, 3: 1, 4: 3, 5: 3}


def test_distribution_lists_every_point_of_the_scale_even_unchosen():
    table = scale_distribution(answers("agree", [4, 4, 5], scale_points=7))
    assert table["point"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert table["count"].tolist() == [0, 0, 0, 2, 1, 0, 0]
    assert table["share"].sum() == pytest.approx(1)


def test_top_two_boxes_on_a_seven_point_scale_are_six_and_seven():
    result = row(scale_summary(answers("agree", [5, 6, 7, 1, 2, 3], scale_points=7)), question="agree")
    assert (result["n_agree"], result["n_disagree"]) == (2, 2)


def test_top_two_boxes_on_a_0_10_scale_are_nine_and_ten():
    result = row(
        scale_summary(answers("outlook", [0, 1, 2, 8, 9, 10], type="scale_0_10")), question="outlook"
    )
    assert (result["scale_min"], result["scale_max"]) == (0, 10)
    assert (result["n_agree"], result["n_disagree"]) == (2, 2)
    assert result["distribution"] == {point: int(point in (0, 1, 2, 8, 9, 10)) for point in range(11)}


def test_top_box_boundaries_are_a_parameter():
    data = answers("agree", [1, 2, 4, 5, 5])
    one_box = row(scale_summary(data, top_boxes=1), question="agree")
    assert (one_box["n_agree"], one_box["n_disagree"]) == (2, 1)
    per_scale = row(scale_summary(data, top_boxes={5: 3}), question="agree")
    assert per_scale["n_agree"] == 3  # 3, 4 and 5 would count; there is no 3 here


def test_skipped_counts_respondents_who_submitted_without_answering():
    """Twelve respondents submitted, ten answered: two skipped (blank or hidden by a show-if)."""
    data = answers("agree", TEN_LIKERT)
    everyone = respondents([f"r{i}" for i in range(12)])
    result = row(scale_summary(data, respondents=everyone), question="agree")
    assert (result["n"], result["n_respondents"], result["n_skipped"]) == (10, 12, 2)


def test_without_respondents_skips_are_counted_among_those_who_answered_anything():
    data = frame(answers("agree", [4, 5, 5]), answers("outlook", [7], type="scale_0_10"))
    result = row(scale_summary(data), question="outlook")
    assert (result["n"], result["n_skipped"]) == (1, 2)


def test_a_group_where_nobody_answered_appears_with_n_zero():
    data = answers("agree", [4, 5], north_south="south", respondents=["a", "b"])
    everyone = respondents(["a", "b", "c"], north_south=["south", "south", "north"])
    summary = scale_summary(data, by="north_south", respondents=everyone)
    north = row(summary, north_south="north")
    assert (north["n"], north["n_skipped"], north["n_agree"]) == (0, 1, 0)
    assert math.isnan(north["share_agree"])


def test_breakdown_by_two_groupings_gives_one_row_per_combination():
    data = answers(
        "agree",
        [5, 4, 1, 2],
        north_south=["south", "south", "north", "north"],
        sector=["academia", "industry", "academia", "industry"],
    )
    summary = scale_summary(data, by=["north_south", "sector"])
    assert len(summary) == 4
    assert row(summary, north_south="south", sector="industry")["mean"] == 4


def test_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="Cannot break results down"):
        scale_summary(answers("agree", [1]), by="organisation")
    with pytest.raises(ValueError, match="at most 2"):
        scale_summary(answers("agree", [1]), by=["country", "sector", "mode"])


def test_likert_answers_without_scale_points_are_refused():
    data = answers("agree", [4], scale_points=pandas.NA)
    with pytest.raises(ValueError, match="scale_points"):
        scale_summary(data)


# --- numbers ------------------------------------------------------------------------------------


def test_number_summary_matches_a_hand_computation():
    """2 4 4 4 5 5 7 9: mean 5, Σ(x − x̄)² = 32 so sd = √(32/7); q1 at h = 7·0.25 + 1 = 2.75 → 4;
    median 4.5; q3 at h = 6.25 → 5 + 0.25·(7 − 5) = 5.5."""
    result = row(number_summary(answers("years", [2, 4, 4, 4, 5, 5, 7, 9], type="number")), question="years")
    assert result["n"] == 8
    assert result["mean"] == pytest.approx(5)
    assert result["sd"] == pytest.approx(math.sqrt(32 / 7))
    assert (result["min"], result["q1"], result["median"], result["q3"], result["max"]) == (
        2,
        4,
        4.5,
        pytest.approx(5.5),
        9,
    )


def test_number_summary_ignores_rating_scales():
    data = frame(answers("agree", [4]), answers("years", [3], type="number"))
    assert number_summary(data)["question"].tolist() == ["years"]


# --- choices ------------------------------------------------------------------------------------


def test_multiple_choice_shares_are_of_respondents_not_of_ticks():
    """r0 ticks law, standards and treaty; r1 law; r2 standards: n = 3 respondents (not 5 ticks),
    law 2/3, standards 2/3, treaty 1/3."""
    data = answers("tools", [["law", "standards", "treaty"], ["law"], ["standards"]], type="multiple_choice")
    table = choice_summary(data)
    assert set(table["n"]) == {3}
    shares = dict(zip(table["option"], table["share"], strict=True))
    assert shares == {
        "law": pytest.approx(2 / 3),
        "standards": pytest.approx(2 / 3),
        "treaty": pytest.approx(1 / 3),
    }


def test_an_empty_answer_is_no_choice_and_an_option_ticked_twice_counts_once():
    """r0 ticks law twice, r1 ticks nothing, r2 ticks treaty then law: two respondents chose,
    law by both, treaty by one. Single and multiple choice mixed in one frame, a blank single
    choice not counted."""
    ticks = answers("tools", [["law", "law"], [], ["treaty", "law"]], type="multiple_choice")
    picks = answers("org_kind", ["public", "", "public"], type="single_choice")
    table = choice_summary(pandas.concat([ticks, picks], ignore_index=True))
    tools = table.loc[table["question"].eq("tools")]
    assert dict(zip(tools["option"], tools["count"], strict=True)) == {"law": 2, "treaty": 1}
    assert set(tools["n"]) == {2}
    kinds = table.loc[table["question"].eq("org_kind")]
    assert kinds[["option", "count", "n"]].values.tolist() == [["public", 2, 2]]


def test_options_nobody_chose_appear_with_zero_when_choices_are_given():
    data = answers("tools", [["law"], ["treaty"]], type="multiple_choice")
    choices = pandas.DataFrame(
        {"question": "tools", "code": ["treaty", "law", "none"], "position": [1, 2, 3]}
    )
    table = choice_summary(data, choices=choices)
    assert table["option"].tolist() == ["treaty", "law", "none"]
    assert table["count"].tolist() == [1, 1, 0]


def test_single_choice_shares_by_group():
    data = answers(
        "org_kind",
        ["public", "public", "private", "private"],
        type="single_choice",
        sector=["academia", "academia", "academia", "industry"],
    )
    table = choice_summary(data, by="sector")
    assert row(table, sector="academia", option="public")["share"] == pytest.approx(2 / 3)
    assert row(table, sector="industry", option="private")["share"] == 1


def test_country_answers_are_counted_like_a_single_choice_even_with_choices_given():
    data = answers("home", ["BR", "BR", "KE"], type="country")
    table = choice_summary(data, choices=pandas.DataFrame(columns=["question", "code", "position"]))
    assert dict(zip(table["option"], table["count"], strict=True)) == {"BR": 2, "KE": 1}


# --- ranking ------------------------------------------------------------------------------------

TOP_TWO = [["a", "b"], ["a", "c"], ["b", "a"]]
FOUR_ITEMS = pandas.DataFrame(
    {"question": "priorities", "code": ["a", "b", "c", "d"], "position": [1, 2, 3, 4]}
)


def test_ranking_summary_matches_a_hand_computation():
    """Three rankers pick their top 2 of a, b, c, d: (a, b), (a, c), (b, a). Unranked items take
    the mid-rank of places 3–4, 3.5.
    a: ranks 1, 1, 2 → mean 4/3; first twice; Borda 2 + 2 + 1 = 5 → 5/3 per ranker.
    b: 2, —, 1 → mean rank (2 + 3.5 + 1)/3, over rankers who ranked it 1.5; Borda 1 + 0 + 2 = 3.
    c: —, 2, — → (3.5 + 2 + 3.5)/3 = 3; Borda 1. d: never ranked → 3.5; Borda 0."""
    table = ranking_summary(answers("priorities", TOP_TWO, type="ranking", rank_top_k=2), choices=FOUR_ITEMS)
    assert table["item"].tolist() == ["a", "b", "c", "d"]
    by_item = table.set_index("item")
    assert by_item["n"].tolist() == [3, 3, 3, 3]
    assert by_item["n_ranked"].tolist() == [3, 2, 1, 0]
    assert by_item["mean_rank"].tolist() == pytest.approx([4 / 3, 6.5 / 3, 3, 3.5])
    assert by_item.loc["b", "mean_rank_ranked"] == pytest.approx(1.5)
    assert math.isnan(by_item.loc["d", "mean_rank_ranked"])
    assert by_item["share_first"].tolist() == pytest.approx([2 / 3, 1 / 3, 0, 0])
    assert by_item["borda_total"].tolist() == [5, 3, 1, 0]
    assert by_item["borda"].tolist() == pytest.approx([5 / 3, 1, 1 / 3, 0])


def test_ranking_without_choices_knows_only_the_items_somebody_ranked():
    table = ranking_summary(answers("priorities", TOP_TWO, type="ranking", rank_top_k=2))
    assert sorted(table["item"]) == ["a", "b", "c"]


def _full_rankings(rankings: list[list[int]], items: str) -> pandas.DataFrame:
    """Each judge's row of ranks (rank of item i at position i) as ranking answers."""
    orders = [[items[i] for i in numpy.argsort(ranks, kind="stable")] for ranks in rankings]
    return answers("contest", orders, type="ranking", rank_top_k=len(items))


def test_kendalls_w_matches_kothari_illustration():
    """Kothari, Research Methodology: Methods and Techniques (2nd ed., 2004), "Testing of
    Hypotheses II", Illustration 9: four judges rank seven individuals A–G at a music competition.
        Judge 1: 1 3 2 5 7 4 6      Judge 2: 2 4 1 3 7 5 6
        Judge 3: 3 4 1 2 7 6 5      Judge 4: 1 2 5 4 6 3 7
    Rank sums 7 13 9 14 27 18 24, mean 16, s = Σ(Rⱼ − 16)² = 332;
    W = s / (k²(N³ − N)/12) = 332 / (16 · 336 / 12) = 332/448 ≈ 0.741; χ² = k(N − 1)W ≈ 17.79, 6 df."""
    judges = [[1, 3, 2, 5, 7, 4, 6], [2, 4, 1, 3, 7, 5, 6], [3, 4, 1, 2, 7, 6, 5], [1, 2, 5, 4, 6, 3, 7]]
    result = row(kendalls_w(_full_rankings(judges, "ABCDEFG")), question="contest")
    assert (result["n_rankers"], result["n_items"], result["df"]) == (4, 7, 6)
    assert result["w"] == pytest.approx(332 / 448)
    assert result["chi_square"] == pytest.approx(4 * 6 * 332 / 448)
    assert result["p_value"] == pytest.approx(scipy_stats.chi2.sf(4 * 6 * 332 / 448, 6))


def test_kendalls_w_matches_proofwiki_example():
    """ProofWiki, "Kendall's Coefficient of Concordance/Examples/Arbitrary Example 1": four judges
    rank competitors X, Y, Z as (1,3,2), (1,2,3), (2,3,1), (3,1,2); sums 7, 9, 8; S = 2;
    W = 12·2 / (4²·3·(3² − 1)) = 1/16."""
    judges = [[1, 3, 2], [1, 2, 3], [2, 3, 1], [3, 1, 2]]
    assert row(kendalls_w(_full_rankings(judges, "XYZ")), question="contest")["w"] == pytest.approx(1 / 16)


def test_kendalls_w_corrects_for_unranked_items_tied_at_the_bottom():
    """Top 2 of 4 by three rankers: (a, b), (a, c), (b, a); each leaves two items tied at rank
    3.5, so Tⱼ = 2³ − 2 = 6 and ΣT = 18. Rank sums a 4, b 6.5, c 9, d 10.5 (mean 7.5), S = 24.5;
    W = 12·24.5 / (3²(4³ − 4) − 3·18) = 294/486 = 49/81. Its χ² = m(n − 1)W = 49/9 equals
    Friedman's tie-corrected statistic from SciPy on the same ranks."""
    data = answers("priorities", TOP_TWO, type="ranking", rank_top_k=2)
    result = row(kendalls_w(data, choices=FOUR_ITEMS), question="priorities")
    assert result["w"] == pytest.approx(49 / 81)
    ranks = numpy.array([[1, 2, 3.5, 3.5], [1, 3.5, 2, 3.5], [2, 1, 3.5, 3.5]])
    friedman = scipy_stats.friedmanchisquare(*ranks.T)
    assert result["chi_square"] == pytest.approx(friedman.statistic)
    assert result["p_value"] == pytest.approx(friedman.pvalue)


def test_kendalls_w_is_one_when_everybody_ranks_alike():
    data = answers("priorities", [["a", "b", "c"]] * 5, type="ranking", rank_top_k=3)
    assert row(kendalls_w(data), question="priorities")["w"] == pytest.approx(1)


@pytest.mark.parametrize(
    "statistic",
    [scale_summary, scale_distribution, number_summary, choice_summary, ranking_summary, kendalls_w],
)
def test_a_frame_without_answers_gives_an_empty_table(statistic):
    assert statistic(answers("agree", []).iloc[0:0]).empty


def test_a_scale_summary_without_distributions_is_the_same_less_that_column():
    data = frame(
        answers("agree", [1, 2, 2, 5, 4], country=["BR", "BR", "DE", "DE", "DE"]),
        answers("outlook", [0, 10, 7], type="scale_0_10", country=["BR", "DE", "DE"]),
    )
    full = scale_summary(data, "country")
    assert full["distribution"].tolist()[0] == {1: 1, 2: 1, 3: 0, 4: 0, 5: 0}
    pandas.testing.assert_frame_equal(
        scale_summary(data, "country", distribution=False), full.drop(columns="distribution")
    )
