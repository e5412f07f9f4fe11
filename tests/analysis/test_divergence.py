"""Group differences and wave changes: effect sizes, rank tests, false discovery rate."""

import math

import numpy
import pandas
import pytest
from scipy import stats as scipy_stats

from analysis.stats import (
    benjamini_hochberg,
    cliffs_delta,
    cliffs_delta_matrix,
    divergence,
    wave_trends,
)
from tests.analysis.frames import answers, frame


def two_groups(question: str, first, second, *, grouping="north_south", names=("north", "south"), **columns):
    values = [*first, *second]
    groups = [names[0]] * len(first) + [names[1]] * len(second)
    return answers(
        question, values, respondents=[f"r{i}" for i in range(len(values))], **{grouping: groups}, **columns
    )


def direct_cliffs_delta(x, y) -> float:
    """Cliff's delta the slow way: every pair compared."""
    dominance = sum(int(a > b) - int(a < b) for a in x for b in y)
    return dominance / (len(x) * len(y))


# --- Cliff's delta ------------------------------------------------------------------------------


def test_cliffs_delta_equals_the_direct_pairwise_count():
    rng = numpy.random.default_rng(7)
    for _ in range(20):
        x = rng.integers(1, 6, size=rng.integers(1, 30))
        y = rng.integers(1, 6, size=rng.integers(1, 30))
        assert cliffs_delta(x, y) == pytest.approx(direct_cliffs_delta(x, y))


def test_cliffs_delta_equals_two_u_over_n1_n2_minus_one():
    """δ = 2U/(n₁n₂) − 1 with U the Mann–Whitney statistic of the first sample (ties count ½)."""
    x, y = [1, 3, 3, 4, 5, 5, 5], [1, 1, 2, 3, 4]
    u = scipy_stats.mannwhitneyu(x, y).statistic
    assert cliffs_delta(x, y) == pytest.approx(2 * u / (len(x) * len(y)) - 1)


def test_cliffs_delta_matrix_holds_every_pair_and_is_antisymmetric():
    values = pandas.Series([1, 2, 3, 4, 5, 2, 3, 5, 5, 1, 1, 2])
    groups = pandas.Series(list("aaaabbbbcccc"))
    matrix = cliffs_delta_matrix(values, groups)
    for first in "abc":
        for second in "abc":
            expected = direct_cliffs_delta(values[groups == first], values[groups == second])
            assert matrix.loc[first, second] == pytest.approx(expected)
    assert numpy.allclose(matrix.to_numpy(), -matrix.to_numpy().T)


# --- the tests themselves -----------------------------------------------------------------------

MALES = [19, 22, 16, 29, 24]
FEMALES = [20, 11, 17, 12]


def test_mann_whitney_matches_the_textbook_example():
    """Shier (2004), "Statistics: 2.3 The Mann–Whitney U Test", Mathematics Learning Support
    Centre: ages at diagnosis, males 19 22 16 29 24, females 20 11 17 12. U_M = 17, U_F = 3, and
    the exact two-sided p = 2·P(U ≤ 3) = 2·7/126 ≈ 0.111 (seven of the C(9,4) = 126 orderings
    give U ≤ 3; Mann & Whitney 1947, table I). No ties and small n: SciPy uses the exact test."""
    data = two_groups("age", MALES, FEMALES, type="number")
    result = divergence(data, "north_south", min_group_size=4).iloc[0]
    assert result["test"] == "mann_whitney"
    assert result["groups"] == ("north", "south")
    assert result["statistic"] == 17
    assert result["p_value"] == pytest.approx(14 / 126)
    assert result["p_value"] == pytest.approx(scipy_stats.mannwhitneyu(MALES, FEMALES).pvalue)
    assert result["delta"] == pytest.approx(2 * 17 / 20 - 1)
    assert (result["delta_higher"], result["delta_lower"]) == ("north", "south")


def test_kruskal_wallis_matches_a_hand_computation():
    """Groups 1 2 3 | 4 5 6 | 7 8 9: rank sums 6, 15, 24; H = 12/(9·10)·(6² + 15² + 24²)/3 − 3·10
    = 7.2; with 2 df, p = e^(−7.2/2) = e^(−3.6)."""
    data = answers(
        "item",
        range(1, 10),
        type="number",
        sector=["academia"] * 3 + ["government"] * 3 + ["industry"] * 3,
    )
    result = divergence(data, "sector", min_group_size=3).iloc[0]
    assert result["test"] == "kruskal_wallis"
    assert result["statistic"] == pytest.approx(7.2)
    assert result["p_value"] == pytest.approx(math.exp(-3.6))
    assert result["p_value"] == pytest.approx(scipy_stats.kruskal([1, 2, 3], [4, 5, 6], [7, 8, 9]).pvalue)
    assert result["delta"] == 1.0  # every pair of groups is completely separated


def test_with_more_groups_the_pair_with_the_largest_delta_is_named():
    """δ(industry, academia) = 15/16 beats δ(government, academia) = 7/16 and
    δ(industry, government) = 10/16 (counted pair by pair)."""
    data = answers(
        "item",
        [1, 2, 3, 4, 2, 3, 4, 5, 4, 5, 5, 5],
        sector=["academia"] * 4 + ["government"] * 4 + ["industry"] * 4,
    )
    result = divergence(data, "sector", min_group_size=4).iloc[0]
    assert (result["delta_higher"], result["delta_lower"]) == ("industry", "academia")
    assert result["delta"] == pytest.approx(direct_cliffs_delta([4, 5, 5, 5], [1, 2, 3, 4]))


def test_benjamini_hochberg_matches_a_hand_computation():
    """p = .01 .04 .03 .5 (m = 4), sorted .01 .03 .04 .5: m·p/rank = .04 .06 .0533 .5; the running
    minimum from the top gives q = .04, .0533, .0533, .5 in the original order .01 .04 .03 .5."""
    q = benjamini_hochberg(pandas.Series([0.01, 0.04, 0.03, 0.5]))
    assert q.tolist() == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])


def test_items_without_any_variation_get_p_one():
    data = answers("item", [3] * 9, sector=["academia"] * 3 + ["government"] * 3 + ["industry"] * 3)
    result = divergence(data, "sector", min_group_size=3).iloc[0]
    assert (result["statistic"], result["p_value"], result["delta"]) == (0, 1, 0)


# --- synthetic data -----------------------------------------------------------------------------


def survey_items(
    rng, n_items: int, per_group: int, planted: dict[str, tuple[list, list]]
) -> pandas.DataFrame:
    """``n_items`` Likert items answered by ``per_group`` experts from the North and as many from
    the South, all drawn from one distribution except the ``planted`` items, whose North and South
    answers follow their own point probabilities."""
    uniform = [0.2] * 5
    parts = []
    for index in range(n_items):
        question = f"item{index:02d}"
        north_p, south_p = planted.get(question, (uniform, uniform))
        north = rng.choice(numpy.arange(1, 6), size=per_group, p=north_p)
        south = rng.choice(numpy.arange(1, 6), size=per_group, p=south_p)
        parts.append(two_groups(question, north, south))
    return frame(*parts)


def test_a_planted_difference_is_found_and_names_the_groups():
    rng = numpy.random.default_rng(2026)
    planted = {"item03": ([0.2, 0.3, 0.2, 0.2, 0.1], [0.0, 0.05, 0.15, 0.4, 0.4])}
    table = divergence(survey_items(rng, 10, 60, planted), "north_south")
    top = table.iloc[0]
    assert top["question"] == "item03"
    assert top["q_value"] < 0.05
    assert top["significant"]
    assert (top["share_group_high"], top["share_group_low"]) == ("south", "north")
    assert top["share_high"] > top["share_low"]
    assert (top["delta_higher"], top["delta_lower"]) == ("south", "north")


def test_no_difference_means_no_discovery_at_five_percent_fdr():
    """40 items × 2 groups × 60 respondents from one distribution: nothing is significant."""
    rng = numpy.random.default_rng(12345)
    table = divergence(survey_items(rng, 40, 60, {}), "north_south")
    assert len(table) == 40
    assert table["significant"].sum() == 0
    assert table["p_value"].lt(0.05).sum() <= 6  # raw p-values do cross 0.05 by chance; q-values must not


def test_q_values_are_corrected_across_every_item_and_grouping():
    rng = numpy.random.default_rng(3)
    data = survey_items(rng, 5, 20, {})
    data["sector"] = numpy.where(numpy.arange(len(data)) % 2, "academia", "industry")
    table = divergence(data, ["north_south", "sector"])
    assert len(table) == 10
    assert table["q_value"].tolist() == pytest.approx(benjamini_hochberg(table["p_value"]).tolist())
    assert table["q_value"].is_monotonic_increasing


def test_small_and_unknown_groups_are_left_out():
    data = answers(
        "item",
        [1, 2, 3] * 4 + [4, 5] * 5 + [5, 5, 5],
        country=["BR"] * 12 + ["KE"] * 10 + ["DE"] * 3,
        respondents=[f"r{i}" for i in range(25)],
    )
    data.loc[:1, "country"] = ""
    result = divergence(data, "country", min_group_size=10).iloc[0]
    assert result["groups"] == ("BR", "KE")
    assert result["n"] == 20


def test_an_item_with_one_group_large_enough_is_not_tested():
    data = two_groups("item", [1, 2, 3] * 5, [4, 5])
    assert divergence(data, "north_south").empty


def test_number_items_are_compared_without_shares():
    data = two_groups("years", list(range(10, 30)), list(range(0, 20)), type="number")
    result = divergence(data, "north_south").iloc[0]
    assert math.isnan(result["share_difference"])
    assert (result["median_higher"], result["median_lower"]) == (19.5, 9.5)


# --- waves --------------------------------------------------------------------------------------


def test_wave_trends_finds_a_planted_change_and_uses_fisher_and_mann_whitney():
    rng = numpy.random.default_rng(11)
    before = rng.choice(numpy.arange(1, 6), size=80, p=[0.2, 0.3, 0.3, 0.1, 0.1])
    after = rng.choice(numpy.arange(1, 6), size=80, p=[0.05, 0.05, 0.2, 0.4, 0.3])
    steady = rng.choice(numpy.arange(1, 6), size=80)
    prev = frame(answers("shift", before, wave="2025"), answers("steady", steady, wave="2025"))
    curr = frame(answers("shift", after, wave="2026"), answers("steady", steady, wave="2026"))
    table = wave_trends(prev, curr).set_index("question")
    shift = table.loc["shift"]
    agree_before, agree_after = int((before >= 4).sum()), int((after >= 4).sum())
    assert (shift["wave_prev"], shift["wave_curr"], shift["n_prev"], shift["n_curr"]) == (
        "2025",
        "2026",
        80,
        80,
    )
    assert shift["share_change"] == pytest.approx((agree_after - agree_before) / 80)
    assert shift["share_p_value"] == pytest.approx(
        scipy_stats.fisher_exact([[agree_before, 80 - agree_before], [agree_after, 80 - agree_after]]).pvalue
    )
    assert shift["median_p_value"] == pytest.approx(scipy_stats.mannwhitneyu(before, after).pvalue)
    assert shift["significant"]
    assert shift["share_q_value"] < 0.05
    assert not table.loc["steady", "significant"]
    assert table.index[0] == "shift"


def test_wave_trends_q_values_cover_both_kinds_of_test():
    prev = frame(answers("a", [1, 2, 3, 4, 5] * 4), answers("b", [5, 4, 4, 5, 3] * 4))
    curr = frame(answers("a", [4, 5, 5, 4, 5] * 4), answers("b", [1, 2, 2, 1, 3] * 4))
    table = wave_trends(prev, curr)
    p_values = pandas.concat([table["share_p_value"], table["median_p_value"]], ignore_index=True)
    expected = benjamini_hochberg(p_values).tolist()
    assert [*table["share_q_value"], *table["median_q_value"]] == pytest.approx(expected)


def test_items_whose_scale_changed_between_waves_are_not_compared():
    prev = frame(answers("a", [4, 5]), answers("b", [4, 5]))
    curr = frame(answers("a", [4, 5], scale_points=7), answers("b", [4, 5]))
    assert wave_trends(prev, curr)["question"].tolist() == ["b"]
