"""The tables of each item: every kind's statistics at every level of breakdowns with small cells
withheld and labels added, the rating-scale distributions drawn in charts, and how many answered
each free-text question."""

import numpy
import pandas
from django.utils.translation import gettext as _
from django_countries import countries

from ..breakdowns import BREAKDOWNS, OVERALL, Level, Levels
from ..small_cells import Rules, hidden_in, number_columns, withhold
from ..split_tables import ByQuestion, ItemBreakdowns
from ..stats import (
    DEFAULT_TOP_BOXES,
    SCALE_TYPES,
    choice_summary,
    kendalls_w,
    number_summary,
    ranking_summary,
    scale_distribution,
    scale_summary,
)
from ..stats.grouping import first_rows, row_groups, weights
from ..stats.scales import NUMBER, box_counts
from ..stats.summaries import CHOICE_TYPES
from .shape import (
    ALL_RESPONDENTS,
    CHART_GROUPING,
    FREE_TEXT_TYPES,
    KIND_OF_TYPE,
    RANKING,
    ItemSummary,
    group_name,
)


def _every_level(every: Levels, compute, suppress) -> tuple[pandas.DataFrame, dict[int, pandas.DataFrame]]:
    """(the overall table unsuppressed, {level width: suppressed table}): ``compute(every)`` gives
    the tables of every level in one, ``suppress(table, level, done)`` withholds a level's small
    cells, coarser levels first so finer ones can keep their withheld cells withheld."""
    done: dict[int, pandas.DataFrame] = {}
    raw = pandas.DataFrame()
    for level, table in zip(every.levels, every.apart(compute(every)), strict=True):
        table = level.described(table)
        if not level.width:
            raw = table
        done[level.width] = suppress(table, level, done)
    return raw, done


def _scale_bounds(
    table: pandas.DataFrame, questions: pandas.DataFrame
) -> tuple[pandas.Series, pandas.Series]:
    """The lowest and highest point of each row's scale (Likert 1 … 5 or 7; 0–10)."""
    scales = questions.set_index("code")
    likert = scales["type"].eq("likert").to_numpy()
    points = scales["scale_points"].astype(float).to_numpy()
    low = pandas.Series(numpy.where(likert, 1.0, 0.0), index=scales.index)
    high = pandas.Series(numpy.where(likert, points, 10.0), index=scales.index)
    question = table["question"].astype(object)  # a categorical would map to categoricals
    return question.map(low).astype(float), question.map(high).astype(float)


def _with_box(table: pandas.DataFrame, questions: pandas.DataFrame) -> pandas.DataFrame:
    """``table`` (a ``scale_distribution``) with ``box``: agree, disagree or neither (top-box rule)."""
    low, high = _scale_bounds(table, questions)
    boxes = box_counts(high - low + 1, DEFAULT_TOP_BOXES)
    point = table["point"].astype(float)
    box = numpy.select(
        [point >= high - boxes + 1, point <= low + boxes - 1], ["agree", "disagree"], "neither"
    )
    return table.assign(box=box)


def scale_distributions(
    steps: list[Level], questions: pandas.DataFrame, rules: Rules, scales: dict[str, pandas.DataFrame]
) -> pandas.DataFrame:
    """Answers per point of each rating scale, overall and per North/South group, for charts:
    points add up within a group and within its boxes, and across groups to the overall count.
    Counted from the answers already merged for the overall table and the North/South one."""
    values = ["count", "share"]
    everyone = steps[0].of_type(SCALE_TYPES)
    chart_groups = steps[1].merged(CHART_GROUPING)
    chart_groups = chart_groups.loc[chart_groups["type"].isin(SCALE_TYPES)]
    overall_withheld = scales[OVERALL].loc[scales[OVERALL]["n"].isna(), ["question"]]
    overall = rules.hide(
        _with_box(scale_distribution(everyone), questions),
        "count",
        groups=[],
        cell=["question", "point"],
        value_columns=values,
        hidden=[overall_withheld],
        within=[["question"], ["question", "box"]],
    )
    by = scales[CHART_GROUPING]
    groups_withheld = by.loc[by["n"].isna(), ["question", CHART_GROUPING]]
    by_group = rules.hide(
        _with_box(scale_distribution(chart_groups, CHART_GROUPING), questions),
        "count",
        groups=[CHART_GROUPING],
        cell=["question", "point"],
        value_columns=values,
        hidden=[overall.loc[overall["count"].isna(), ["question", "point"]], groups_withheld],
        within=[["question", CHART_GROUPING], ["question", CHART_GROUPING, "box"]],
    )
    overall["n"] = withhold(overall["n"], hidden_in(overall, overall_withheld))
    by_group["n"] = withhold(by_group["n"], hidden_in(by_group, groups_withheld))
    overall = overall.assign(group=ALL_RESPONDENTS, label=_("All respondents"))
    by_group = by_group.rename(columns={CHART_GROUPING: "group"})
    by_group["label"] = _names(by_group["group"], CHART_GROUPING)
    columns = ["question", "group", "label", "point", "count", "n", "share", "suppressed"]
    return pandas.concat([overall[columns], by_group[columns]], ignore_index=True)


def _names(values: pandas.Series, grouping: str) -> pandas.Series:
    return values.map({value: group_name(grouping, value) for value in values.unique()}).astype(str)


def labelled(table: pandas.DataFrame, groups: list[str]) -> pandas.DataFrame:
    """``table`` with a ``<grouping>_label`` column after each group column."""
    table = table.copy()
    for grouping in groups:
        table.insert(
            table.columns.get_loc(grouping) + 1, f"{grouping}_label", _names(table[grouping], grouping)
        )
    return table


def _with_option_labels(table: pandas.DataFrame, option: str, labels: pandas.Series) -> pandas.DataFrame:
    """``table`` with each option's (or ranked item's) ``label``: its label in ``labels`` (choice
    labels by question and code), or the name of the country for country questions."""
    # Labelled once per distinct (question, option), a few hundred, then given to every row.
    pair = row_groups(table, ["question", option])
    pairs = table[["question", option]].iloc[first_rows(pair)]
    label = labels.reindex(pandas.MultiIndex.from_frame(pairs)).to_numpy(dtype=object)
    unlisted = numpy.flatnonzero(pandas.isna(label))
    codes = pairs[option].to_numpy(dtype=object)
    label[unlisted] = [str(countries.name(code) or code) for code in codes[unlisted]]
    table = table.copy()
    table.insert(
        table.columns.get_loc(option) + 1, "label", pandas.Series(label[pair], index=table.index, dtype=str)
    )
    return table


def free_text_counts(frame: pandas.DataFrame, overall: Level, questions: pandas.DataFrame, rules: Rules):
    """Free-text questions: how many answered (the texts themselves are never loaded)."""
    people = overall.people
    asked = questions.loc[questions["type"].isin(FREE_TEXT_TYPES), ["code", "type"]]
    free = frame.loc[frame["type"].isin(FREE_TEXT_TYPES)]
    answered = pandas.Series(weights(free), index=free.index).groupby(free["question"]).sum()
    table = asked.rename(columns={"code": "question"}).reset_index(drop=True)
    table["n"] = table["question"].map(answered).fillna(0).astype(int)
    table["n_respondents"] = int(weights(people).sum())
    table["n_skipped"] = table["n_respondents"] - table["n"]
    return rules.groups(table, overall, {}, ["n", "n_respondents", "n_skipped"])


def _by_question(table: pandas.DataFrame) -> dict[str, pandas.DataFrame]:
    return {code: part.reset_index(drop=True) for code, part in table.groupby("question", sort=False)}


RANKING_COUNTS = {
    "n_first": (["n_first", "share_first"], True),  # first places partition the rankers
    "n_ranked": (["n_ranked", "mean_rank_ranked"], False),
}


def item_tables(
    steps: list[Level], choices: pandas.DataFrame, rules: Rules
) -> tuple[pandas.DataFrame, dict[str, dict[str, pandas.DataFrame]]]:
    """(the overall scale summary unsuppressed, {kind: {breakdown: suppressed, labelled table}})
    for the kinds of ``KIND_OF_TYPE``, every level of breakdowns at once."""
    every = Levels.of(steps)
    scale_raw, scales = _every_level(
        every,
        lambda every: scale_summary(
            every.of_type(SCALE_TYPES), every.by, respondents=every.people, distribution=False
        ),
        lambda table, level, done: rules.agreement(
            rules.groups(table, level, done, number_columns(table, ("scale_min", "scale_max"))), level, done
        ),
    )
    _raw, numbers = _every_level(
        every,
        lambda every: number_summary(every.of_type((NUMBER,)), every.by, respondents=every.people),
        lambda table, level, done: rules.groups(table, level, done, number_columns(table)),
    )
    _raw, options = _every_level(
        every,
        lambda every: choice_summary(every.of_type(CHOICE_TYPES), every.by, choices=choices),
        lambda table, level, done: rules.options(
            table, level, done, "option", {"count": (["count", "share"], True)}
        ),
    )
    _raw, rankings = _every_level(
        every,
        lambda every: ranking_summary(every.of_type((RANKING,)), every.by, choices=choices),
        lambda table, level, done: rules.options(table, level, done, "item", RANKING_COUNTS),
    )
    agreement = kendalls_w(steps[0].of_type((RANKING,)), choices=choices)[["question", "w", "p_value"]]
    agreement = agreement.rename(columns={"w": "kendalls_w", "p_value": "kendalls_w_p_value"})
    overall = rankings[0].merge(agreement, on="question", how="left")
    for column in ("kendalls_w", "kendalls_w_p_value"):
        overall[column] = withhold(overall[column], overall["n"].isna().to_numpy())
    rankings[0] = overall
    kinds: dict[str, dict[str, pandas.DataFrame]] = {"scale": {}, "number": {}, "choice": {}, "ranking": {}}
    labels = choices.set_index(["question", "code"])["label"]
    for level in steps:
        kinds["scale"] |= level.split(scales[level.width])
        kinds["number"] |= level.split(numbers[level.width])
        kinds["choice"] |= level.split(_with_option_labels(options[level.width], "option", labels))
        kinds["ranking"] |= level.split(_with_option_labels(rankings[level.width], "item", labels))
    return scale_raw, kinds


def item_summaries(
    questions: pandas.DataFrame,
    sections: dict[str, str],
    kinds: dict[str, dict[str, pandas.DataFrame]],
    free_text: pandas.DataFrame,
    distributions: pandas.DataFrame,
) -> list[ItemSummary]:
    """One ``ItemSummary`` per question, in questionnaire order: its overall table and chart taken
    out now, its breakdowns when read (``split_tables``)."""
    overall = {kind: _by_question(tables[OVERALL]) for kind, tables in kinds.items()}
    breakdowns = {
        kind: {name: ByQuestion(tables[name]) for name in BREAKDOWNS} for kind, tables in kinds.items()
    }
    free_texts, charts = _by_question(free_text), _by_question(distributions)
    items = []
    for code, kind, text in zip(questions["code"], questions["type"], questions["text"], strict=True):
        if kind in FREE_TEXT_TYPES:
            table, by = free_texts[code], ItemBreakdowns(code, [], {})
        else:
            of_kind = KIND_OF_TYPE[kind]
            table = overall[of_kind].get(code, kinds[of_kind][OVERALL].iloc[0:0])
            by = ItemBreakdowns(code, list(BREAKDOWNS), breakdowns[of_kind])
        distribution = charts.get(code, distributions.iloc[0:0]) if kind in SCALE_TYPES else None
        items.append(
            ItemSummary(
                code=code,
                type=kind,
                text=text,
                section=sections.get(code, ""),
                overall=table,
                breakdowns=by,
                distribution=distribution,
            )
        )
    return items
