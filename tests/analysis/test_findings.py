"""Key findings: plain sentences with their numbers, never from a suppressed cell."""

import numpy
import pytest

from analysis.findings import Finding, key_findings
from analysis.stats import consensus, divergence, scale_summary, wave_trends
from tests.analysis.frames import answers, frame

ITEMS = {"treaty": "A binding treaty is needed", "labels": "AI output should be labelled"}


def likert(question: str, counts: list[int], **columns):
    return answers(question, numpy.repeat(numpy.arange(1, 6), counts), **columns)


def consensus_table(*parts):
    return consensus(scale_summary(frame(*parts)))


def test_a_consensus_item_becomes_a_sentence_with_its_numbers():
    findings = key_findings(consensus_table=consensus_table(likert("treaty", [0, 0, 5, 12, 3])), items=ITEMS)
    assert findings == [
        Finding(
            kind="consensus",
            question="treaty",
            text="75 % of experts agree that “A binding treaty is needed” (n = 20): consensus.",
            numbers={"direction": "agree", "share": 0.75, "n": 20, "median": 4.0, "iqr": 0.25},
            table="consensus",
        )
    ]


def test_consensus_in_disagreement_says_disagree():
    (finding,) = key_findings(consensus_table=consensus_table(likert("labels", [8, 9, 5, 0, 0])), items=ITEMS)
    assert finding.text.startswith("77 % of experts disagree that “AI output should be labelled” (n = 22)")


def test_items_without_consensus_give_no_finding():
    assert key_findings(consensus_table=consensus_table(likert("treaty", [4, 4, 4, 4, 4]))) == []


def test_the_strongest_consensus_comes_first_and_the_list_is_limited():
    table = consensus_table(
        likert("a", [0, 0, 6, 10, 4]), likert("b", [0, 0, 5, 12, 3]), likert("c", [0, 0, 5, 10, 5])
    )  # 70 %; 75 % with IQR 0.25; 75 % with IQR 0.5
    findings = key_findings(consensus_table=table, limit=2)
    assert [finding.question for finding in findings] == ["b", "c"]


def test_a_consensus_resting_on_fewer_than_k_dissenters_is_not_reported():
    """16 of 18 agree: the two who do not would be a cell of 2 < k = 5."""
    table = consensus_table(likert("treaty", [0, 0, 2, 8, 8]))
    assert table["consensus"].all()
    assert key_findings(consensus_table=table, k=5) == []
    assert len(key_findings(consensus_table=table, k=2)) == 1


def test_a_unanimous_item_is_reported():
    assert len(key_findings(consensus_table=consensus_table(likert("treaty", [0, 0, 0, 0, 12])))) == 1


def test_rows_flagged_suppressed_are_not_reported():
    table = consensus_table(likert("treaty", [0, 0, 5, 12, 3])).assign(suppressed=True)
    assert key_findings(consensus_table=table) == []


def planted_divergence(
    per_group: int = 40, seed: int = 5, grouping: str = "north_south", names=("north", "south")
):
    rng = numpy.random.default_rng(seed)
    north = rng.choice(numpy.arange(1, 6), size=per_group, p=[0.2, 0.3, 0.2, 0.2, 0.1])
    south = rng.choice(numpy.arange(1, 6), size=per_group, p=[0.0, 0.05, 0.15, 0.4, 0.4])
    steady = rng.choice(numpy.arange(1, 6), size=2 * per_group)
    groups = [names[0]] * per_group + [names[1]] * per_group
    return frame(
        answers("treaty", [*north, *south], **{grouping: groups}),
        answers("labels", steady, **{grouping: groups}),
    )


def test_a_significant_divergence_names_the_groups_and_the_shares():
    data = planted_divergence()
    table = divergence(data, "north_south")
    findings = key_findings(divergence_table=table, items=ITEMS)
    assert [finding.question for finding in findings] == ["treaty"]
    (finding,) = findings
    top = table.iloc[0]
    south, north = round(top["share_high"] * 100), round(top["share_low"] * 100)
    assert finding.text == (
        f"Experts from the Global South agree more often than those from the Global North that "
        f"“A binding treaty is needed” ({south} % vs {north} %, q < 0.001)."
    )
    assert finding.numbers["group_high"] == "south"
    assert finding.numbers["q_value"] == top["q_value"]
    assert finding.table == "divergence-north_south"


def test_divergence_by_sector_uses_the_sector_names():
    data = planted_divergence(grouping="sector", names=("industry", "civil_society"))
    (finding,) = key_findings(divergence_table=divergence(data, "sector"), items=ITEMS)
    assert finding.text.startswith(
        "Experts in the group “Civil society” agree more often than those in “Industry”"
    )


def test_divergence_of_number_items_compares_medians():
    data = answers(
        "years",
        [*range(10, 40), *range(0, 30)],
        type="number",
        north_south=["north"] * 30 + ["south"] * 30,
    )
    (finding,) = key_findings(
        divergence_table=divergence(data, "north_south"), items={"years": "Years to AGI"}
    )
    assert finding.text.startswith(
        "Experts from the Global North give higher answers than those from the Global South to "
        "“Years to AGI” (median 24.5 vs 14.5, q"
    )


def test_a_divergence_with_a_small_cell_is_not_reported():
    """Three of the Northern experts agree: a cell of 3 < k."""
    north = [1] * 17 + [5] * 3
    south = [5] * 15 + [3] * 5
    data = answers("treaty", [*north, *south], north_south=["north"] * 20 + ["south"] * 20)
    table = divergence(data, "north_south")
    assert table.iloc[0]["significant"]
    assert key_findings(divergence_table=table, k=5) == []
    assert len(key_findings(divergence_table=table, k=3)) == 1


def test_a_significant_rise_since_the_previous_wave():
    rng = numpy.random.default_rng(8)
    before = rng.choice(numpy.arange(1, 6), size=60, p=[0.2, 0.3, 0.3, 0.1, 0.1])
    after = rng.choice(numpy.arange(1, 6), size=60, p=[0.05, 0.05, 0.2, 0.4, 0.3])
    table = wave_trends(answers("treaty", before, wave="2025"), answers("treaty", after, wave="2026"))
    (finding,) = key_findings(trend_table=table, items=ITEMS)
    row = table.iloc[0]
    assert finding.kind == "trend"
    assert finding.text.startswith(
        f"Agreement that “A binding treaty is needed” rose from {round(row['share_agree_prev'] * 100)} % "
        f"in 2025 to {round(row['share_agree_curr'] * 100)} % in 2026 (q "
    )
    assert finding.numbers["n_prev"] == 60


def test_a_fall_is_called_a_fall_and_unchanged_items_say_nothing():
    after = [1, 2, 2, 3, 1] * 10
    before = [5, 4, 4, 5, 3] * 10
    table = wave_trends(
        frame(answers("treaty", before, wave="2025"), answers("labels", before, wave="2025")),
        frame(answers("treaty", after, wave="2026"), answers("labels", before, wave="2026")),
    )
    findings = key_findings(trend_table=table, items=ITEMS)
    assert [finding.question for finding in findings] == ["treaty"]
    assert "fell from 80 % in 2025 to 0 % in 2026" in findings[0].text


def test_findings_come_in_order_consensus_divergence_trend():
    data = planted_divergence()
    later = data.assign(wave="2027", number=6 - data["number"])
    findings = key_findings(
        consensus_table=consensus_table(likert("labels", [0, 0, 0, 10, 10])),
        divergence_table=divergence(data, "north_south"),
        trend_table=wave_trends(data, later),
    )
    kinds = [finding.kind for finding in findings]
    assert kinds == sorted(kinds, key=["consensus", "divergence", "trend"].index)
    assert set(kinds) == {"consensus", "divergence", "trend"}


@pytest.mark.parametrize("q_value, shown", [(0.0004, "q < 0.001"), (0.0123, "q = 0.012")])
def test_q_values_are_written_plainly(q_value, shown):
    table = divergence(planted_divergence(), "north_south").head(1).assign(q_value=q_value)
    (finding,) = key_findings(divergence_table=table)
    assert shown in finding.text
