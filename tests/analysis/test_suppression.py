"""Small-cell suppression: primary cells, small totals and complementary cells."""

import pandas

from analysis.stats import scale_distribution, scale_summary, suppress_small_cells
from tests.analysis.frames import answers

K = 5


def cells(counts, **columns) -> pandas.DataFrame:
    """One question's cells, option o0, o1, … with ``counts``, and their share of the total."""
    table = pandas.DataFrame(
        {"question": "q", "option": [f"o{i}" for i in range(len(counts))], "count": counts, **columns}
    )
    table["share"] = table["count"] / table["count"].sum()
    return table


def hidden(table: pandas.DataFrame) -> list[str]:
    return table.loc[table["suppressed"], "option"].tolist()


def test_a_cell_below_k_is_suppressed_with_its_values():
    result = suppress_small_cells(cells([12, 3, 9]), "count", K)
    assert hidden(result) == ["o1"]
    assert result.loc[1, ["count", "share"]].isna().all()
    assert result.loc[0, "count"] == 12
    assert result["option"].tolist() == ["o0", "o1", "o2"]  # labels stay


def test_the_only_suppressed_cell_of_a_total_gets_a_complementary_cell():
    """12 + 3 + 9 = 24 is shown: hiding 3 alone, 24 − 12 − 9 would reveal it, so the next
    smallest cell, 9, is hidden too."""
    result = suppress_small_cells(cells([12, 3, 9]), "count", K, within=["question"])
    assert hidden(result) == ["o1", "o2"]
    assert result.loc[0, "count"] == 12


def test_two_small_cells_protect_each_other():
    result = suppress_small_cells(cells([2, 3, 20, 30]), "count", K, within=["question"])
    assert hidden(result) == ["o0", "o1"]


def test_a_total_below_k_suppresses_every_cell_of_the_group_and_the_total():
    table = cells([2, 1, 0]).assign(n=3)
    result = suppress_small_cells(table, "count", K, within=["question"], total_column="n")
    assert hidden(result) == ["o0", "o1", "o2"]
    assert result["n"].isna().all()


def test_a_total_below_k_is_found_by_summing_the_cells_when_no_total_column_is_given():
    result = suppress_small_cells(cells([2, 0, 1]), "count", K, within=["question"])
    assert hidden(result) == ["o0", "o1", "o2"]


def test_empty_cells_are_shown_and_the_complement_is_a_non_empty_cell():
    result = suppress_small_cells(cells([3, 0, 12, 10]), "count", K, within=["question"])
    assert hidden(result) == ["o0", "o3"]
    assert result.loc[1, "count"] == 0


def test_empty_cells_can_be_suppressed_too():
    result = suppress_small_cells(cells([0, 20, 30]), "count", K, within=["question"], suppress_zeros=True)
    assert hidden(result) == ["o0", "o1"]


def test_each_group_is_protected_on_its_own():
    table = pandas.concat(
        [cells([12, 3, 9]).assign(sector="academia"), cells([12, 30, 9]).assign(sector="industry")],
        ignore_index=True,
    )
    result = suppress_small_cells(table, "count", K, within=["question", "sector"])
    assert result.loc[result["suppressed"], ["sector", "option"]].values.tolist() == [
        ["academia", "o1"],
        ["academia", "o2"],
    ]


def test_complementary_suppression_repeats_across_the_margins_of_a_cross_table():
    """Rows (sectors) and columns (options) both add up to shown totals:

                 o0   o1   o2
        acad      3   20   30
        gov      40   50   60

    3 is primary; its row's complement is 20 (acad/o1). Column o0 then has one hidden cell (3),
    so 40 goes too; column o1 has one (20), so 50 goes; now the gov row has two and every column
    with a hidden cell has two: done."""
    table = pandas.DataFrame(
        {
            "sector": ["acad"] * 3 + ["gov"] * 3,
            "option": ["o0", "o1", "o2"] * 2,
            "count": [3, 20, 30, 40, 50, 60],
        }
    )
    result = suppress_small_cells(table, "count", K, within=[["sector"], ["option"]])
    assert result.loc[result["suppressed"], ["sector", "option"]].values.tolist() == [
        ["acad", "o0"],
        ["acad", "o1"],
        ["gov", "o0"],
        ["gov", "o1"],
    ]


def test_without_within_only_primary_cells_and_small_totals_go():
    table = pandas.DataFrame({"group": ["a", "b", "c"], "n": [4, 40, 8], "mean": [3.0, 4.0, 2.5]})
    result = suppress_small_cells(table, "n", K)
    assert result["suppressed"].tolist() == [True, False, False]
    assert pandas.isna(result.loc[0, "mean"])
    assert result["n"].dtype == "Int64"


def test_rows_already_flagged_stay_suppressed():
    table = cells([20, 30, 40]).assign(suppressed=[False, True, False])
    result = suppress_small_cells(table, "count", K, within=["question"])
    assert hidden(result) == ["o0", "o1"]  # o1 as flagged, o0 (the smallest other) as its complement


def test_a_scale_distribution_by_sector_with_numeric_points_as_labels():
    data = answers("agree", [5] * 6 + [4] * 2 + [1] * 7, sector=["industry"] * 8 + ["academia"] * 7)
    table = scale_distribution(data, by="sector")
    result = suppress_small_cells(
        table, "count", K, within=["question", "sector"], value_columns=["count", "n", "share"]
    )
    industry = result[result["sector"].eq("industry")].set_index("point")
    assert industry.loc[[4, 5], "count"].isna().all()  # 2 answers of 4, and 6 of 5 as the complement
    assert industry.loc[1, "count"] == 0  # empty cells stay visible
    assert not result.loc[result["sector"].eq("academia"), "suppressed"].any()
    assert result["point"].notna().all()


def test_a_summary_row_of_fewer_than_k_respondents_is_blanked():
    data = answers("agree", [5, 5, 5, 4, 1, 2], sector=["academia"] * 3 + ["industry"] * 3)
    summary = scale_summary(data, by="sector")
    result = suppress_small_cells(summary, "n", K, within=["question"])
    assert result["suppressed"].all()
    assert result["distribution"].isna().all()
    assert result["mean"].isna().all()
    assert result["sector"].tolist() == ["academia", "industry"]
