"""The breakdowns of a summary, computed level by level instead of one after another.

A summary breaks every item down by each of ``GROUPINGS`` and by each pair of them. The
breakdowns of one *level* (by one grouping, or by two) are computed together: ``Level`` stacks
their answers in one frame, each breakdown's merged down to its own groups (what
``stats.grouping.collapse`` gives, found as row numbers and taken from the answers once per
level), with a ``STACK`` column that numbers every (breakdown, groups) in
the order a table lists them. The statistics take ``STACK`` as they take a grouping column, so one
call computes the tables of a whole level. ``Level.described`` then names each row's breakdown
and groups (``group_1``, ``group_2``, with their labels), ``Level.withheld_above`` carries the
cells withheld in the coarser level down to this one, and ``Level.split`` gives each breakdown its
own table, as if computed alone. The work then grows with the number of rows, not of breakdowns.
``Levels`` stacks the levels once more, so that one call computes the tables of all of them.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy
import pandas

from .stats.grouping import STACK, answer_key, combined_codes, first_rows, merged_rows, weights

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


class _Merged(NamedTuple):
    """Answers merged down to some groups (``stats.grouping.collapse``), as where to find them:
    ``rows``, the row of the answers each merged row is taken from (its first), and ``weight``,
    how many answers it stands for."""

    rows: numpy.ndarray
    weight: numpy.ndarray


def _texts_coded(values: pandas.Series) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(a number per value, the values as text by number): a categorical's codes as they are."""
    if isinstance(values.dtype, pandas.CategoricalDtype) and (values.cat.codes.to_numpy() >= 0).all():
        return values.cat.codes.to_numpy(), values.cat.categories.to_numpy(dtype=object).astype(str)
    numbers, texts = pandas.factorize(values.astype(str).to_numpy(dtype=object))
    return numbers, texts.astype(str)


def _shared_codes(*columns: pandas.Series) -> tuple[list[numpy.ndarray], numpy.ndarray]:
    """([a number per value of each of ``columns``], the values as text by number): equal texts
    get the same number in every column, and the numbers sort as the texts do."""
    coded = [_texts_coded(column) for column in columns]
    texts = numpy.unique(numpy.concatenate([column_texts for _numbers, column_texts in coded]))
    return [texts.searchsorted(column_texts).take(numbers) for numbers, column_texts in coded], texts


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
    # Each breakdown's answers merged down to its groups, before stacking (by name), as rows of
    # ``source``, the answers broken down.
    merges: dict[str, _Merged] = field(default_factory=dict)
    source: pandas.DataFrame = field(default_factory=pandas.DataFrame)
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
            # New labels on the slice rather than rename and reset_index, half the cost.
            columns = [renamed.get(column, column) for column in rows.columns]
            part = rows.iloc[start:end].set_axis(columns, axis=1)
            tables[name] = part.set_axis(pandas.RangeIndex(end - start), axis=0)
        return tables

    def merged(self, name: str) -> pandas.DataFrame:
        """The answers of breakdown ``name`` merged down to its groups, before stacking: what
        ``collapse(answers, COLUMNS[name])`` gives."""
        rows, weight = self.merges[name]
        return merged_rows(self.source, rows, weight, COLUMNS[name])

    def unstacked(self) -> pandas.DataFrame:
        """The merged answers of this level's breakdowns one under the other, each grouping's
        column set on its own breakdown's rows only: for a one-way level, a frame from which
        each grouping compares its groups as from all answers, with far fewer rows."""
        return pandas.concat([self.merged(name) for name in self.names], ignore_index=True)

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


class _Groups(NamedTuple):
    """A grouping's groups, numbered once for a summary (``_shared_codes``): each answer's and
    each respondent's number, and each group's text and label by number."""

    in_answers: numpy.ndarray
    in_people: numpy.ndarray
    texts: numpy.ndarray
    labels: numpy.ndarray


class _Breakdowns:
    """The answers and respondents of a summary, broken down a level at a time. Each grouping's
    groups are numbered once, the same in answers and respondents, in the order of their text;
    answers are merged down to a breakdown's groups as row numbers (``_Merged``) and taken from
    the answers once per level."""

    def __init__(self, answers: pandas.DataFrame, people: pandas.DataFrame, label: Callable[[str, str], str]):
        self.answers, self.people = answers, people
        self.answer = answers["answer_key"].to_numpy() if "answer_key" in answers else answer_key(answers)
        self.groups: dict[str, _Groups] = {}
        for grouping in GROUPINGS:
            if grouping in answers:
                (in_answers, in_people), texts = _shared_codes(answers[grouping], people[grouping])
                labels = numpy.array([label(grouping, text) for text in texts], dtype=object)
                self.groups[grouping] = _Groups(in_answers, in_people, texts, labels)
        self.merges: dict[tuple[str, ...], _Merged] = {}

    def merge(self, columns: list[str]) -> _Merged:
        """The answers merged down to the groups of ``columns``, from the fewest answers already
        merged down to more columns (merging merged rows further gives the same rows), else
        from all: ``collapse``, in row numbers."""
        finer = [merged for done, merged in self.merges.items() if set(columns) <= set(done)]
        rows, weight = min(
            finer,
            key=lambda merged: len(merged.rows),
            default=_Merged(numpy.arange(len(self.answers)), weights(self.answers)),
        )
        parts = [
            (self.groups[column].in_answers.take(rows), len(self.groups[column].texts)) for column in columns
        ]
        into = combined_codes(parts, self.answer.take(rows))
        first = first_rows(into)
        self.merges[tuple(columns)] = merged = _Merged(
            rows.take(first), numpy.bincount(into, weights=weight, minlength=len(first)).astype("int64")
        )
        return merged

    def _group_numbers(self, columns: list[str], rows: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(a number per answer at ``rows``, one per respondent) for their groups of ``columns``,
        numbers sorting as the groups' texts do, first grouping first."""
        in_answers, in_people = (
            numpy.zeros(len(rows), dtype="int64"),
            numpy.zeros(len(self.people), dtype="int64"),
        )
        for column in columns:
            groups = self.groups[column]
            in_answers = in_answers * len(groups.texts) + groups.in_answers.take(rows)
            in_people = in_people * len(groups.texts) + groups.in_people
        return in_answers, in_people

    def overall(self) -> Level:
        """The level of the overall table: every answer merged as far as it goes."""
        rows, weight = self.merge([])
        return Level(
            width=0, names=[OVERALL], answers=merged_rows(self.answers, rows, weight, []), people=self.people
        )

    def level(self, width: int) -> Level:
        """The level of the breakdowns by ``width`` (1 or 2) groupings."""
        names = [name for name, columns in BREAKDOWNS.items() if len(columns) == width]
        merges, stacks, people_stacks = {}, [], []
        # The columns of ``Level.groups``, a part per breakdown.
        groups: dict[str, list[numpy.ndarray]] = {
            column: []
            for column in (
                BREAKDOWN,
                *(f"{key}{end}" for key in GROUP_KEYS[:width] for end in ("", "_label")),
            )
        }
        start = 0
        for position, name in enumerate(names):
            columns = COLUMNS[name]
            merges[name] = merged = self.merge(columns)
            in_answers, in_people = self._group_numbers(columns, merged.rows)
            distinct = numpy.unique(numpy.concatenate([in_answers, in_people]))
            stacks.append(start + distinct.searchsorted(in_answers))
            people_stacks.append(start + distinct.searchsorted(in_people))
            start += len(distinct)
            groups[BREAKDOWN].append(numpy.full(len(distinct), position))
            for key, column in zip(reversed(GROUP_KEYS[:width]), reversed(columns), strict=True):
                of_column = self.groups[column]
                distinct, at = numpy.divmod(distinct, len(of_column.texts))
                groups[key].append(of_column.texts.take(at))
                groups[f"{key}_label"].append(of_column.labels.take(at))
        groups = {column: numpy.concatenate(parts) for column, parts in groups.items()}
        described = {
            STACK: numpy.arange(start),
            BREAKDOWN: pandas.Categorical.from_codes(groups.pop(BREAKDOWN), categories=names),
        }
        for column, values in groups.items():
            described[column] = pandas.Series(
                values.astype(object), dtype=str if column.endswith("_label") else "category"
            )
        answers = merged_rows(
            self.answers,
            numpy.concatenate([merged.rows for merged in merges.values()]),
            numpy.concatenate([merged.weight for merged in merges.values()]),
            [],
        )
        answers[STACK] = numpy.concatenate(stacks)
        people = self.people[["respondent", *(["weight"] if "weight" in self.people else [])]]
        people = people.take(numpy.tile(numpy.arange(len(people)), len(names))).reset_index(drop=True)
        people[STACK] = numpy.concatenate(people_stacks)
        # Each stacked row stands for its own respondents: numbered apart, so no statistic takes
        # the rows of two breakdowns for one respondent's.
        answers["respondent"] = numpy.arange(len(answers))
        people["respondent"] = numpy.arange(len(people))
        return Level(
            width=width,
            names=names,
            answers=answers,
            people=people,
            groups=pandas.DataFrame(described),
            merges=merges,
            source=self.answers,
        )


def levels(
    frame: pandas.DataFrame, people: pandas.DataFrame, label: Callable[[str, str], str]
) -> list[Level]:
    """The overall level, then the breakdowns by one grouping, then by two (``label(grouping,
    value)`` names a group). The two-way ones are merged from the answers first, the coarser
    ones from them, far fewer rows."""
    breakdowns = _Breakdowns(frame, people, label)
    two_way = breakdowns.level(2)
    one_way = breakdowns.level(1)
    return [breakdowns.overall(), one_way, two_way]
