"""Breakdowns computed a level at a time (``analysis.breakdowns``): every breakdown gets the table
it gets when computed alone, every level the table it gets when its levels are computed in one,
and a cell withheld one level up reaches the right finer cells."""

import pandas
import pytest
from hypothesis import HealthCheck, given, settings

from analysis.breakdowns import BREAKDOWN, COLUMNS, GROUP_KEYS, GROUPINGS, Levels, levels
from analysis.stats import divergence
from tests.analysis.test_weights import DESCRIPTIVE, panels, same

STACKABLE = ["scale_summary", "number_summary", "choice_summary", "ranking_summary"]


def label(grouping: str, value: str) -> str:
    return f"{grouping}:{value}"


@pytest.mark.parametrize("statistic", STACKABLE)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panel=panels())
def test_each_breakdown_of_a_level_is_what_it_is_computed_alone(statistic, panel):
    compute = DESCRIPTIVE[statistic]
    people = panel.drop_duplicates("respondent")
    overall, *stacked = levels(panel, people, label)
    same(compute(overall.answers, overall.by, overall.people), compute(panel, None, people))
    for level in stacked:
        tables = level.split(level.described(compute(level.answers, level.by, level.people)))
        assert list(tables) == level.names
        for name, table in tables.items():
            groupings = COLUMNS[name]
            for grouping in groupings:
                assert table[f"{grouping}_label"].tolist() == [
                    label(grouping, value) for value in table[grouping]
                ]
            alone = compute(panel, groupings, people)
            same(table.drop(columns=[f"{grouping}_label" for grouping in groupings]), alone)


@pytest.mark.parametrize("statistic", STACKABLE)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panel=panels())
def test_every_level_computed_in_one_gets_the_table_it_gets_alone(statistic, panel):
    compute = DESCRIPTIVE[statistic]
    steps = levels(panel, panel.drop_duplicates("respondent"), label)
    every = Levels.of(steps)
    tables = every.apart(compute(every.answers, every.by, every.people))
    assert len(tables) == len(steps)
    for level, table in zip(steps, tables, strict=True):
        same(table, compute(level.answers, level.by, level.people))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panel=panels())
def test_divergence_from_the_one_way_level_is_divergence_from_the_answers(panel):
    _overall, one_way, _two_way = levels(panel, panel.drop_duplicates("respondent"), label)
    unstacked = one_way.unstacked()
    assert len(unstacked) <= len(GROUPINGS) * len(panel)
    for size in (1, 2, 4):
        same(
            divergence(unstacked, GROUPINGS, min_group_size=size),
            divergence(panel, GROUPINGS, min_group_size=size),
        )


def test_a_withheld_cell_reaches_the_cells_it_contains_one_level_down():
    panel = pandas.DataFrame(
        {"respondent": [0], "question": ["q"], "type": ["likert"], "number": [1.0], "codes": [[]]}
    ).assign(**{grouping: "" for grouping in ["country", "un_region", "north_south", "sector", "mode"]})
    _overall, one_way, two_way = levels(panel, panel.assign(weight=1), label)
    overall_cell = pandas.DataFrame({"question": ["q"]})
    assert [keys.to_dict("records") for keys in one_way.withheld_above(overall_cell)] == [[{"question": "q"}]]
    academia = pandas.DataFrame({"question": ["q"], BREAKDOWN: ["sector"], GROUP_KEYS[0]: ["academia"]})
    first, second = two_way.withheld_above(academia)
    # Sector is the first grouping of sector×mode and the second of four others.
    assert first.to_dict("records") == [{"question": "q", BREAKDOWN: "sector×mode", "group_1": "academia"}]
    assert sorted(second[BREAKDOWN]) == ["country×sector", "north_south×sector", "un_region×sector"]
    assert set(second.columns) == {"question", BREAKDOWN, "group_2"}
    assert set(second["group_2"]) == {"academia"}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panel=panels())
def test_groups_as_categoricals_give_the_levels_that_text_gives(panel):
    # The summary hands its groups over as categoricals, some of whose categories nobody in the
    # frame has (a filter kept other respondents): each grouping's groups are numbered from them.
    people = panel.drop_duplicates("respondent")
    coded = panel.astype(
        {grouping: pandas.CategoricalDtype(sorted({*panel[grouping], "ZZ"})) for grouping in GROUPINGS}
    )
    for plain, categorical in zip(levels(panel, people, label), levels(coded, people, label), strict=True):
        pandas.testing.assert_frame_equal(plain.answers, categorical.answers)
        pandas.testing.assert_frame_equal(plain.people, categorical.people)
        pandas.testing.assert_frame_equal(plain.groups, categorical.groups)
        for name in plain.merges:
            groupings = COLUMNS[name]
            merged = categorical.merged(name).astype(dict.fromkeys(groupings, object))
            pandas.testing.assert_frame_equal(
                plain.merged(name).astype(dict.fromkeys(groupings, object)), merged
            )
