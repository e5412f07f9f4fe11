"""Small-cell suppression, so that no published number describes fewer than k experts."""

from collections.abc import Sequence

import numpy
import pandas
from pandas.api import types as dtypes

from .grouping import column_codes, combined_codes

Within = Sequence[str] | Sequence[Sequence[str]] | None


def _structures(within: Within) -> list[list[str]]:
    """``within`` as a list of column lists, one per way in which cells add up to a total."""
    if within is None:
        return []
    if all(isinstance(column, str) for column in within):
        return [list(within)]
    return [list(columns) for columns in within]


def withhold(values: pandas.Series, hidden: numpy.ndarray) -> pandas.Series:
    """``values`` with the ``hidden`` ones NA (integers and booleans become nullable)."""
    if dtypes.is_bool_dtype(values):
        values = values.astype("boolean")
    elif dtypes.is_integer_dtype(values):
        values = values.astype("Int64")
    return values.mask(hidden) if hidden.any() else values


def suppress_small_cells(
    table: pandas.DataFrame,
    count_column: str,
    k: int,
    *,
    within: Within = None,
    total_column: str | None = None,
    value_columns: Sequence[str] | None = None,
    suppress_zeros: bool = False,
) -> pandas.DataFrame:
    """``table`` with every cell that could reveal fewer than ``k`` respondents hidden: its
    ``value_columns`` set to NA and a ``suppressed`` column True (rows already flagged in a
    ``suppressed`` column stay suppressed).

    Each row is a cell; ``count_column`` holds how many respondents it describes. ``within`` names
    the columns whose values identify a group of cells adding up to a shown total — for example
    ``["question", "sector"]`` for the points of one question's distribution in one sector — or
    a list of such column lists when cells add up along several dimensions (the rows and columns
    of a cross-table); ``[]`` makes the whole table one group. The rules:

    1. *Primary*: a cell with 0 < count < k is suppressed (0 too with ``suppress_zeros``). An
       empty cell describes nobody and is shown by default.
    2. *Small total*: when a group's total — ``total_column`` if given, else the sum of its
       counts — is below k (and above 0), every cell of the group is suppressed, empty ones
       included, together with the total: the total and the shown cells would reveal the rest.
       Without ``within``, a row whose ``total_column`` is below k is suppressed.
    3. *Complementary*: in a group with exactly one suppressed cell, the total minus the shown
       cells would give it away, so the smallest other cell (a non-empty one if there is one;
       ties by row order) is suppressed too. Repeated over every grouping until nothing changes,
       because a complementary cell may leave another group with a single suppressed cell.

    ``value_columns`` defaults to every column that is not text and not in ``within`` (the count,
    the total, shares, means …); pass it explicitly when a label is numeric (a scale point).
    """
    structures = _structures(within)
    counts = pandas.to_numeric(table[count_column], errors="coerce").to_numpy(dtype=float)
    shown_zero = counts == 0
    hidden = (counts < k) & (suppress_zeros | ~shown_zero)
    if "suppressed" in table:
        hidden |= table["suppressed"].fillna(False).to_numpy(dtype=bool)
    if total_column is not None and not structures:
        totals = pandas.to_numeric(table[total_column], errors="coerce").to_numpy(dtype=float)
        hidden |= (totals < k) & (suppress_zeros | (totals > 0))
    # Each column numbered once, however many structures it is in.
    codes = {column: column_codes(table[column]) for columns in structures for column in columns}
    group_ids = [
        combined_codes([codes[column] for column in columns], length=len(table)) for columns in structures
    ]
    for ids in group_ids:
        if total_column is None:
            totals = numpy.bincount(ids, weights=numpy.nan_to_num(counts))[ids]
        else:
            totals = pandas.to_numeric(table[total_column], errors="coerce").to_numpy(dtype=float)
        hidden |= (totals < k) & (suppress_zeros | (totals > 0))
    changed = bool(group_ids)
    while changed:
        changed = False
        for ids in group_ids:
            hidden_in_group = numpy.bincount(ids, weights=hidden.astype(float))[ids]
            candidates = numpy.flatnonzero((hidden_in_group == 1) & ~hidden)
            if candidates.size == 0:
                continue
            # Order by group, then non-empty before empty, then smallest count, then row order.
            order = numpy.lexsort((candidates, counts[candidates], shown_zero[candidates], ids[candidates]))
            ranked = candidates[order]
            first_of_group = numpy.r_[True, ids[ranked][1:] != ids[ranked][:-1]]
            hidden[ranked[first_of_group]] = True
            changed = True
    keys = {column for columns in structures for column in columns}
    if value_columns is None:
        value_columns = [
            column
            for column in table.columns
            if column not in keys and column != "suppressed" and not dtypes.is_string_dtype(table[column])
        ]
    result = table.copy()
    for column in value_columns:
        result[column] = withhold(result[column], hidden)
    result["suppressed"] = hidden
    return result
