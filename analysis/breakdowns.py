"""The breakdowns of a summary, computed level by level instead of one after another.

A summary breaks every item down by each of ``GROUPINGS`` and by each pair of them. The
breakdowns of one *level* (by one grouping, or by two) are computed together: ``Level`` stacks
their answers in one frame, each breakdown's merged down to its own groups
(``stats.grouping.collapse``), with a ``STACK`` column that numbers every (breakdown, groups) in
the order a table lists them. The statistics take ``STACK`` as they take a grouping column, so one
call computes the tables of a whole level. ``Level.described`` then names each row's breakdown
and groups (``group_1``, ``group_2``, with their labels), ``Level.withheld_above`` carries the
cells withheld in the coarser level down to this one, and ``Level.split`` gives each breakdown its
own table, as if computed alone. The work then grows with the number of rows, not of breakdowns.
``Levels`` stacks the levels once more, so that one call computes the tables of all of them.
"""

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy
import pandas

from .stats.grouping import STACK, collapse, first_rows, row_groups

GROUPINGS = ["country", "un_region", "north_south", "sector", "mode"]
PAIR = "×"
OVERALL = ""
# Every breakdown by its name ("sector", "north_south×sector"), one-way before two-way.
BREAKDOWNS: dict[str, list[str]] = {
    **{grouping: [grouping] for grouping in GROUPINGS},
    **{f"{a}{PAIR}{b}": [a, b] for a, b in itertools.combinations(GROUPINGS, 2)},
}
COLUMNS = {OVERALL: [], **BREAKDOWNS}
# The columns that hold a stacked row's groups, first grouping first.
GROUP_KEYS = ["group_1", "group_2"]
BREAKDOWN = "breakdown"


def level_keys(width: int) -> list[str]:
    """The columns that tell the cells of a level's tables apart, besides the question's."""
    return [BREAKDOWN, *GROUP_KEYS[:width]] if width else []


def _distinct_groups(rows: pandas.DataFrame, columns: list[str]) -> tuple[numpy.ndarray, pandas.DataFrame]:
    """(a number per row of ``rows``, the distinct values of its ``columns`` in ``GROUP_KEYS``
    as text, one row per number)."""
    numbers = row_groups(rows, columns)
    values = rows[columns].iloc[first_rows(numbers)].astype(str).reset_index(drop=True)
    return numbers, values.set_axis(GROUP_KEYS[: len(columns)], axis=1)


class _Answers:
    """Stacked ``answers`` taken apart by question type, once per set of types."""

    answers: pandas.DataFrame
    _of_type: dict

    def of_type(self, types: tuple[str, ...]) -> pandas.DataFrame:
        """The stacked answers to questions of ``types`` (taken apart once per ``types``)."""
        if types not in self._of_type:
            self._of_type[types] = self.answers.loc[self.answers["type"].isin(types)]
        return self._of_type[types]


@dataclass
class Level(_Answers):
    """The breakdowns by ``width`` groupings (0: the overall table alone), with their answers and
    respondents stacked, and ``groups``: one row per ``STACK`` number with its ``breakdown``, its
    groups and their labels, sorted by breakdown, then group."""

    width: int
    names: list[str]
    answers: pandas.DataFrame
    people: pandas.DataFrame
    groups: pandas.DataFrame = field(default_factory=pandas.DataFrame)
    # Each breakdown's answers merged down to its groups, before stacking (by name).
    merged: dict[str, pandas.DataFrame] = field(default_factory=dict)
    _of_type: dict = field(default_factory=dict)

    @property
    def by(self) -> str | None:
        """What the statistics break this level's answers down by."""
        return STACK if self.width else None

    @property
    def keys(self) -> list[str]:
        return level_keys(self.width)

    @property
    def group_keys(self) -> list[str]:
        return GROUP_KEYS[: self.width]

    def described(self, table: pandas.DataFrame) -> pandas.DataFrame:
        """``table`` with its ``STACK`` column replaced by ``breakdown`` and each group with its
        label (``group_1``, ``group_1_label`` …)."""
        if not self.width:
            return table
        at = table.columns.get_loc(STACK)
        groups = self.groups.take(table[STACK].to_numpy()).reset_index(drop=True)
        groups = groups.drop(columns=STACK)
        return pandas.concat(
            [
                table.iloc[:, :at].reset_index(drop=True),
                groups,
                table.iloc[:, at + 1 :].reset_index(drop=True),
            ],
            axis=1,
        )

    def split(self, table: pandas.DataFrame) -> dict[str, pandas.DataFrame]:
        """Each breakdown's rows of the described ``table`` as a table of its own, its groups in
        columns named after their groupings (``sector``, ``sector_label`` …)."""
        if not self.width:
            return {OVERALL: table}
        # Sorted by breakdown once (stable, so each keeps its order), then cut into slices.
        breakdown = table[BREAKDOWN].cat.codes.to_numpy()
        order = numpy.argsort(breakdown, kind="stable")
        rows = table.drop(columns=BREAKDOWN).take(order)
        for key in self.group_keys:  # text again, as tables give their groups
            codes, categories = rows[key].cat.codes.to_numpy(), rows[key].cat.categories.astype(str).array
            rows[key] = pandas.Series(categories.take(codes, allow_fill=True), index=rows.index)
        ends = numpy.cumsum(numpy.bincount(breakdown, minlength=len(self.names)))
        tables = {}
        for name, start, end in zip(self.names, [0, *ends[:-1]], ends, strict=True):
            renamed = {}
            for key, grouping in zip(GROUP_KEYS, COLUMNS[name], strict=False):
                renamed |= {key: grouping, f"{key}_label": f"{grouping}_label"}
            tables[name] = rows.iloc[start:end].rename(columns=renamed).reset_index(drop=True)
        return tables

    def unstacked(self) -> pandas.DataFrame:
        """The merged answers of this level's breakdowns one under the other, each grouping's
        column set on its own breakdown's rows only: for a one-way level, a frame from which
        each grouping compares its groups as from all answers, with far fewer rows."""
        return pandas.concat(
            [self.merged[name] for name in self.names],
            ignore_index=True,
        )

    def withheld_above(self, rows: pandas.DataFrame) -> list[pandas.DataFrame]:
        """Keys of this level's cells that ``rows`` (cells withheld one level coarser: a question,
        the coarser level's ``keys`` and maybe more) fall in: an overall cell in every breakdown
        of a question; a cell of a one-way breakdown in each two-way breakdown it is a side of."""
        if self.width < 2:
            return [rows] if self.width else []
        margins = rows[BREAKDOWN].astype(str).to_numpy(dtype=object)
        found = []
        for side, key in enumerate(GROUP_KEYS):
            # The breakdowns with each one-way breakdown on this side, and each row once per such
            # breakdown of its own.
            sides = numpy.array([COLUMNS[name][side] for name in self.names], dtype=object)
            by_side = numpy.argsort(sides, kind="stable")
            starts = numpy.searchsorted(sides[by_side], margins, side="left")
            counts = numpy.searchsorted(sides[by_side], margins, side="right") - starts
            row = numpy.repeat(numpy.arange(len(rows)), counts)
            within = numpy.arange(len(row)) - numpy.repeat(numpy.cumsum(counts) - counts, counts)
            names = numpy.array(self.names, dtype=object)[by_side[starts[row] + within]]
            keyed = rows.drop(columns=BREAKDOWN).take(row).reset_index(drop=True)
            found.append(keyed.assign(**{BREAKDOWN: names}).rename(columns={GROUP_KEYS[0]: key}))
        return found


@dataclass
class Levels(_Answers):
    """The answers and respondents of ``levels`` one under the other, each level's ``STACK``
    numbers after those of the levels before it (the overall table, which has none, as one
    number): a statistic broken down by ``STACK`` computes the tables of every level in one call,
    saving its fixed costs for all but one. ``apart`` gives each level its rows back."""

    levels: list[Level]
    answers: pandas.DataFrame
    people: pandas.DataFrame
    # Where each level's STACK numbers start.
    starts: list[int]
    _of_type: dict = field(default_factory=dict)
    by = STACK

    @classmethod
    def of(cls, levels: list[Level]) -> "Levels":
        sizes = [len(level.groups) if level.width else 1 for level in levels]
        starts = [int(start) for start in numpy.cumsum([0, *sizes[:-1]])]
        answer_columns = [column for column in levels[-1].answers.columns if column != STACK]
        answers, people = [], []
        for level, start in zip(levels, starts, strict=True):
            people_columns = ["respondent", *(["weight"] if "weight" in level.people else [])]
            for frame, columns, parts in (
                (level.answers, answer_columns, answers),
                (level.people, people_columns, people),
            ):
                stack = frame[STACK].to_numpy() + start if level.width else start
                parts.append(frame[columns].assign(**{STACK: stack}))
        answers = pandas.concat(answers, ignore_index=True)
        people = pandas.concat(people, ignore_index=True)
        # As within a level: each row stands for its own respondents.
        answers["respondent"] = numpy.arange(len(answers))
        people["respondent"] = numpy.arange(len(people))
        return cls(levels=levels, answers=answers, people=people, starts=starts)

    def apart(self, table: pandas.DataFrame) -> list[pandas.DataFrame]:
        """The rows of ``table`` (computed by ``STACK`` from these answers) of each level, in the
        order of ``levels``, with the level's own ``STACK`` numbers (none for the overall table):
        each as if computed from the level alone."""
        stack = table[STACK].to_numpy()
        tables = []
        for level, start, end in zip(self.levels, self.starts, [*self.starts[1:], None], strict=True):
            inside = stack >= start if end is None else (stack >= start) & (stack < end)
            rows = table.loc[inside].reset_index(drop=True)
            if level.width:
                rows[STACK] = rows[STACK] - start
            else:
                rows = rows.drop(columns=STACK)
            tables.append(rows)
        return tables


def _merged(
    frame: pandas.DataFrame, columns: list[str], done: dict[str, pandas.DataFrame]
) -> pandas.DataFrame:
    """``collapse(frame, columns)``, from the smallest answers of ``done`` already merged down to
    more columns (merging merged rows further gives the same rows), else from ``frame``."""
    finer = [merged for name, merged in done.items() if set(columns) <= set(COLUMNS[name])]
    return collapse(min(finer, key=len, default=frame), columns)


def overall(frame: pandas.DataFrame, people: pandas.DataFrame, done: dict | None = None) -> Level:
    """The level of the overall table: every answer merged as far as it goes."""
    return Level(width=0, names=[OVERALL], answers=_merged(frame, [], done or {}), people=people)


def stacked(
    frame: pandas.DataFrame,
    people: pandas.DataFrame,
    width: int,
    label: Callable[[str, str], str],
    done: dict[str, pandas.DataFrame] | None = None,
) -> Level:
    """The level of the breakdowns by ``width`` (1 or 2) groupings, from the answers ``frame``
    and the respondents ``people``; ``label(grouping, value)`` names a group. ``done`` holds the
    answers of breakdowns already merged (by name), and gets this level's."""
    names = [name for name, columns in BREAKDOWNS.items() if len(columns) == width]
    done = {} if done is None else done
    label = functools.cache(label)
    parts = []
    for name in names:
        columns = COLUMNS[name]
        merged = done[name] = _merged(frame, columns, done)
        answer_groups, answer_values = _distinct_groups(merged, columns)
        people_groups, people_values = _distinct_groups(people, columns)
        parts.append((name, merged, answer_groups, answer_values, people_groups, people_values))
    keys = level_keys(width)
    groups = pandas.concat(
        [
            pandas.concat([answer_values, people_values]).assign(**{BREAKDOWN: name, "_position": position})
            for position, (name, _merged, _a, answer_values, _p, people_values) in enumerate(parts)
        ],
        ignore_index=True,
    )
    groups = groups.drop_duplicates(keys).sort_values(["_position", *keys[1:]], kind="stable")
    groups = groups.drop(columns="_position").reset_index(drop=True)
    # A few hundred (breakdown, groups) at most: looked up in a dict, not a MultiIndex.
    stacks = {key: stack for stack, key in enumerate(zip(*(groups[key] for key in keys), strict=True))}

    def stack_of(name: str, values: pandas.DataFrame, numbers: numpy.ndarray) -> numpy.ndarray:
        rows = zip(*(values[key] for key in keys[1:]), strict=True)
        return numpy.array([stacks[(name, *row)] for row in rows], dtype="int64")[numbers]

    answers = pandas.concat(
        [
            merged.drop(columns=COLUMNS[name]).assign(**{STACK: stack_of(name, values, numbers)})
            for name, merged, numbers, values, _p, _v in parts
        ],
        ignore_index=True,
    )
    stacked_people = pandas.concat(
        [
            people[["respondent", *(["weight"] if "weight" in people else [])]].assign(
                **{STACK: stack_of(name, values, numbers)}
            )
            for name, _m, _a, _v, numbers, values in parts
        ],
        ignore_index=True,
    )
    # Each stacked row stands for its own respondents: numbered apart, so no statistic takes
    # the rows of two breakdowns for one respondent's.
    answers["respondent"] = numpy.arange(len(answers))
    stacked_people["respondent"] = numpy.arange(len(stacked_people))
    described = {STACK: numpy.arange(len(groups)), BREAKDOWN: pandas.Categorical(groups[BREAKDOWN], names)}
    for position, key in enumerate(GROUP_KEYS[:width]):
        groupings = [COLUMNS[name][position] for name in groups[BREAKDOWN]]
        described[key] = groups[key].astype(str).astype("category")
        described[f"{key}_label"] = pandas.Series(
            [label(grouping, value) for grouping, value in zip(groupings, groups[key], strict=True)],
            dtype=str,
        )
    return Level(
        width=width,
        names=names,
        answers=answers,
        people=stacked_people,
        groups=pandas.DataFrame(described),
        merged={name: done[name] for name in names},
    )


def levels(
    frame: pandas.DataFrame, people: pandas.DataFrame, label: Callable[[str, str], str]
) -> list[Level]:
    """The overall level, then the breakdowns by one grouping, then by two. The two-way ones are
    merged from the answers first, the coarser ones from them, far fewer rows."""
    done: dict[str, pandas.DataFrame] = {}
    two_way = stacked(frame, people, 2, label, done)
    one_way = stacked(frame, people, 1, label, done)
    return [overall(frame, people, done), one_way, two_way]
