"""Small-cell suppression applied consistently across the tables of one summary (the rules are
``analysis.summary``'s docstring; one table's are ``stats.suppress_small_cells``)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy
import pandas
from pandas.api import types as dtypes

from .breakdowns import Level, level_keys
from .stats import suppress_small_cells
from .stats.grouping import STACK, group_sizes
from .stats.suppression import withhold


def hidden_in(table: pandas.DataFrame, hidden: pandas.DataFrame) -> numpy.ndarray:
    """True for the rows of ``table`` whose values in ``hidden``'s columns match a row of ``hidden``."""
    if hidden.empty or table.empty:
        return numpy.zeros(len(table), dtype=bool)
    keys = list(hidden.columns)
    return pandas.MultiIndex.from_frame(table[keys]).isin(pandas.MultiIndex.from_frame(hidden))


def cell_columns(level: Level, *columns: str) -> list[str]:
    """The columns naming a cell of ``level``'s tables within its group: ``columns`` and the breakdown."""
    return [*columns, *level.keys[:1]]


@dataclass
class Rules:
    """Small-cell suppression with k, consistent across the tables of one summary.

    Tables come a level at a time (``analysis.breakdowns``): ``done`` maps each coarser level's
    width to its table already suppressed, whose withheld cells stay withheld."""

    k: int
    everything: bool  # fewer than k respondents: withhold every number
    # Respondents per group: {breakdown: table}, and the same stacked by level width.
    respondents: dict[str, pandas.DataFrame] = field(default_factory=dict)
    stacked_respondents: dict[int, pandas.DataFrame] = field(default_factory=dict)

    def hide(
        self,
        table: pandas.DataFrame,
        count: str,
        *,
        groups: list[str],
        cell: list[str],
        value_columns: list[str],
        hidden: Sequence[pandas.DataFrame] = (),
        within: Sequence[list[str]] = (),
        total: str | None = None,
    ) -> pandas.DataFrame:
        """``suppress_small_cells`` where cells named by ``cell`` + ``groups`` add up, over each
        group column, to a coarser table, and along ``within``; rows matching ``hidden`` (cells
        withheld elsewhere) start withheld."""
        flagged = numpy.full(len(table), self.everything)
        for keys in hidden:
            flagged |= hidden_in(table, keys)
        structures = [[*cell, *(g for g in groups if g != dropped)] for dropped in groups] + list(within)
        return suppress_small_cells(
            table.assign(suppressed=flagged),
            count,
            self.k,
            within=structures or None,
            total_column=total,
            value_columns=value_columns,
        )

    @staticmethod
    def withheld_above(level: Level, done: dict, withheld, columns: Sequence[str] = ("question",)) -> list:
        """Keys of the cells of ``level`` that fall in cells withheld one level coarser: the rows
        of that table where ``withheld(table)`` holds, keyed by ``columns`` and groups."""
        if not level.width:
            return []
        coarse = done[level.width - 1]
        inside = numpy.asarray(withheld(coarse), dtype=bool)
        if not inside.any():
            return []
        return level.withheld_above(coarse.loc[inside, [*columns, *level_keys(level.width - 1)]])

    def group_hidden(self, level: Level, done: dict, count: str = "n") -> list:
        """Keys of withheld groups: in the coarser tables of ``level`` and among respondents."""
        hidden = self.withheld_above(level, done, lambda table: table[count].isna())
        if level.width:
            people = self.stacked_respondents[level.width]
            hidden.append(people.loc[people["suppressed"], level.keys])
        return hidden

    def groups(self, table: pandas.DataFrame, level: Level, done: dict, value_columns: list[str]):
        """``table`` (one row per question and group, answerers in ``n``) with small groups withheld."""
        return self.hide(
            table,
            "n",
            groups=level.group_keys,
            cell=cell_columns(level, "question"),
            value_columns=value_columns,
            hidden=self.group_hidden(level, done),
        )

    def agreement(self, table: pandas.DataFrame, level: Level, done: dict) -> pandas.DataFrame:
        """Withholds ``n_agree``/``n_disagree`` (and shares) where those agreeing, disagreeing or
        neither are a small cell of the group, or of the same part across groups."""
        keys = table[["question", *level.keys]].assign(row=numpy.arange(len(table)))
        rest = table["n"] - table["n_agree"] - table["n_disagree"]
        counts = {"agree": table["n_agree"], "disagree": table["n_disagree"], "neither": rest}
        # The part as a categorical: compared and grouped by its code, not its text, below.
        cells = pandas.concat(
            [
                keys.assign(
                    part=pandas.Categorical.from_codes(numpy.full(len(keys), at), categories=list(counts)),
                    count=count.astype(float).to_numpy(),
                )
                for at, count in enumerate(counts.values())
            ],
            ignore_index=True,
        )
        hidden = [keys.loc[table["suppressed"].to_numpy(), ["row"]]]
        for part in ("agree", "disagree"):
            withheld = self.withheld_above(level, done, lambda coarse, part=part: coarse[f"n_{part}"].isna())
            hidden += [keys.assign(part=part) for keys in withheld]
        either = self.withheld_above(
            level, done, lambda coarse: coarse["n_agree"].isna() | coarse["n_disagree"].isna()
        )
        hidden += [keys.assign(part="neither") for keys in either]
        checked = self.hide(
            cells,
            "count",
            groups=level.group_keys,
            cell=cell_columns(level, "question", "part"),
            value_columns=["count"],
            hidden=hidden,
            within=[["row"]],
        )
        table = table.copy()
        for part in ("agree", "disagree"):
            rows = checked.loc[checked["part"].eq(part) & checked["suppressed"], "row"]
            withheld = numpy.isin(numpy.arange(len(table)), rows)
            for column in (f"n_{part}", f"share_{part}"):
                table[column] = withhold(table[column], withheld)
            table["suppressed"] |= withheld
        return table

    def options(
        self,
        table: pandas.DataFrame,
        level: Level,
        done: dict,
        option: str,
        counts: dict[str, tuple[list[str], bool]],
    ) -> pandas.DataFrame:
        """Withholds small groups, then small ``counts`` (count column → (its value columns,
        whether the counts of a group partition its respondents)) of each option of a group."""
        keys = ["question", *level.keys]
        sizes = self.groups(table.drop_duplicates(keys)[[*keys, "n"]], level, done, ["n"])
        group_withheld = sizes.loc[sizes["suppressed"], keys]
        in_withheld_group = hidden_in(table, group_withheld)
        result = table.copy()
        result["suppressed"] = in_withheld_group
        for count, (value_columns, partition) in counts.items():
            margins = self.withheld_above(
                level, done, lambda coarse, count=count: coarse[count].isna(), ["question", option]
            )
            checked = self.hide(
                table,
                count,
                groups=level.group_keys,
                cell=cell_columns(level, "question", option),
                value_columns=value_columns,
                hidden=[group_withheld, *margins],
                within=[keys] if partition else [],
                total="n" if partition else None,
            )
            result[value_columns] = checked[value_columns]
            result["suppressed"] |= checked["suppressed"]
        for column in number_columns(table):
            result[column] = withhold(result[column], in_withheld_group)
        return result


def number_columns(table: pandas.DataFrame, exclude: tuple[str, ...] = ()) -> list[str]:
    """The numeric, non-boolean columns of ``table`` (the values a suppression blanks)."""
    return [
        column
        for column in table.columns
        if column not in exclude
        and dtypes.is_numeric_dtype(table[column])
        and not dtypes.is_bool_dtype(table[column])
    ]


def respondent_counts(stacked: list[Level], rules: Rules) -> None:
    """Respondents per group of every breakdown, small groups withheld (``n_respondents``), into
    ``rules``: a table per breakdown, and per level."""
    for level in stacked:
        counts = level.described(group_sizes(level.people, level.people, [STACK]))
        hidden = []  # one-way groups add up to everyone, whose number is only withheld with everything
        if level.width > 1:
            hidden = Rules.withheld_above(
                level, rules.stacked_respondents, lambda table: table["suppressed"], ()
            )
        table = rules.hide(
            counts,
            "n_respondents",
            groups=level.group_keys,
            cell=cell_columns(level),
            value_columns=["n_respondents"],
            hidden=hidden,
        )
        rules.stacked_respondents[level.width] = table
        rules.respondents |= level.split(table)
