"""Consensus with the default Delphi criteria (IQR ≤ 1 on five points, ≥ 70 % on one side)."""

import numpy
import pytest

from analysis.stats import ConsensusCriteria, consensus, scale_summary
from tests.analysis.frames import answers, frame, respondents


def likert(question: str, counts: list[int], **columns):
    """Answers with ``counts[i]`` answers of point i + 1."""
    values = numpy.repeat(numpy.arange(1, len(counts) + 1), counts)
    return answers(question, values, scale_points=len(counts), **columns)


def judged(data, criteria: ConsensusCriteria | None = None):
    return consensus(scale_summary(data), criteria or ConsensusCriteria()).set_index("question")


def test_exactly_at_both_thresholds_is_consensus():
    """Twenty answers 6 × 3, 10 × 4, 4 × 5: q1 = 3, q3 = 4 so IQR = 1.0, and 14/20 = 70 % agree."""
    result = judged(likert("item", [0, 0, 6, 10, 4])).loc["item"]
    assert (result["iqr"], result["share"]) == (1.0, pytest.approx(0.70))
    assert (result["iqr_met"], result["share_met"], result["consensus"]) == (True, True, True)
    assert result["direction"] == "agree"


def test_one_answer_short_of_seventy_percent_is_no_consensus():
    """7 × 3, 9 × 4, 4 × 5: IQR still 1.0, but 13/20 = 65 % agree."""
    result = judged(likert("item", [0, 0, 7, 9, 4])).loc["item"]
    assert result["iqr"] == 1.0
    assert result["share"] == pytest.approx(0.65)
    assert not result["consensus"]


def test_a_wide_spread_is_no_consensus_however_many_agree():
    """6 × 3, 4 × 4, 10 × 5: 70 % agree but q1 = 3, q3 = 5, IQR 2."""
    result = judged(likert("item", [0, 0, 6, 4, 10])).loc["item"]
    assert (result["share_met"], result["iqr"], result["iqr_met"]) == (True, 2.0, False)
    assert not result["consensus"]


def test_consensus_in_disagreement_has_direction_disagree():
    result = judged(likert("item", [8, 8, 2, 2, 0])).loc["item"]
    assert result["consensus"]
    assert result["direction"] == "disagree"
    assert result["share"] == pytest.approx(0.8)


def test_seven_point_scales_allow_an_iqr_of_one_and_a_half():
    """5 × 4, 5 × 6, 10 × 7 on seven points: q1 = 4 + 0.75·2 = 5.5, q3 = 7, IQR 1.5 ≤ 1 × 6/4;
    75 % in 6–7."""
    result = judged(likert("item", [0, 0, 0, 5, 0, 5, 10])).loc["item"]
    assert (result["iqr"], result["iqr_max"]) == (1.5, 1.5)
    assert result["consensus"]


def test_0_10_scales_allow_an_iqr_of_two_and_a_half():
    data = answers("outlook", [8] * 5 + [9] * 5 + [10] * 10, type="scale_0_10")
    result = judged(data).loc["outlook"]
    assert result["iqr_max"] == 2.5
    assert result["consensus"]  # IQR 1.25, 75 % in 9–10


def test_criteria_can_be_configured():
    data = likert("item", [0, 0, 6, 10, 4])
    strict = ConsensusCriteria(iqr_max_5pt=0.5, share_min=0.75)
    result = judged(data, strict).loc["item"]
    assert not result["iqr_met"]
    assert not result["share_met"]


def test_a_group_nobody_answered_has_no_consensus():
    data = likert("item", [0, 0, 0, 5, 5], north_south="south", respondents=[f"s{i}" for i in range(10)])
    everyone = respondents([*(f"s{i}" for i in range(10)), "n0"], north_south=["south"] * 10 + ["north"])
    table = consensus(scale_summary(data, by="north_south", respondents=everyone)).set_index("north_south")
    assert table.loc["south", "consensus"]
    assert not table.loc["north", "consensus"]
    assert table.loc["north", "direction"] == ""


def test_evenly_split_answers_have_no_direction():
    result = judged(frame(likert("item", [5, 0, 0, 0, 5]))).loc["item"]
    assert result["direction"] == ""
    assert not result["consensus"]
