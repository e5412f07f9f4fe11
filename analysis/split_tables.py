"""A summary's tables of many questions, each question's part taken out only when it is read.

A summary computes each breakdown's table for all questions of a kind at once (a table "by
sector" holds every scale item's rows). The dashboard shows one breakdown of an item at a time,
and a summary is cached between requests, so splitting every such table into one per question up
front — some 750 small frames at 50 questions — cost more than computing them, and made the
cached summary slow to store and to read back. Here a ``ByQuestion`` keeps the whole table and
gives a question's rows on demand; ``ItemBreakdowns`` and ``AnchoredTables`` are the read-only
mappings ``ItemSummary.breakdowns`` and ``SurveySummary.tables`` are, built on it.
"""

from collections.abc import Iterator, Mapping

import numpy
import pandas


class ByQuestion:
    """A table of many questions (a ``question`` column) whose rows for one question are given,
    in their order, as a table of their own (``of``). Where each question's rows are is worked
    out at the first read, and not stored with the table."""

    def __init__(self, table: pandas.DataFrame):
        self.table = table
        self._rows: dict[str, numpy.ndarray] | None = None

    def of(self, code: str) -> pandas.DataFrame:
        """The rows of question ``code`` (none if it has none), numbered from 0."""
        if self._rows is None:
            questions = self.table["question"].astype(str)
            self._rows = questions.groupby(questions, sort=False).indices
        rows = self._rows.get(code, numpy.empty(0, dtype="int64"))
        return self.table.take(rows).reset_index(drop=True)

    def __getstate__(self) -> dict:
        return {"table": self.table, "_rows": None}


class ItemBreakdowns(Mapping):
    """One question's table in each breakdown ``names``: a read-only mapping, in that order, of
    breakdown name to table, each taken from its ``ByQuestion`` when first read."""

    def __init__(self, code: str, names: list[str], tables: Mapping[str, ByQuestion]):
        self.code = code
        self.names = list(names)
        self.tables = tables
        self._read: dict[str, pandas.DataFrame] = {}

    def __getitem__(self, name: str) -> pandas.DataFrame:
        if name not in self._read:
            if name not in self.names:
                raise KeyError(name)
            self._read[name] = self.tables[name].of(self.code)
        return self._read[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __getstate__(self) -> dict:
        return {"code": self.code, "names": self.names, "tables": self.tables, "_read": {}}


class AnchoredTables(Mapping):
    """Tables by anchor id, in the order they were added: ``add`` a table, ``add_breakdown`` one
    of an item's breakdowns (read from its ``ItemBreakdowns`` only when asked for)."""

    def __init__(self):
        self._tables: dict[str, pandas.DataFrame | tuple[ItemBreakdowns, str]] = {}

    def add(self, anchor: str, table: pandas.DataFrame) -> None:
        self._tables[anchor] = table

    def add_breakdown(self, anchor: str, breakdowns: ItemBreakdowns, name: str) -> None:
        """The table ``breakdowns[name]``, read from ``breakdowns`` when asked for."""
        self._tables[anchor] = (breakdowns, name)

    def __getitem__(self, anchor: str) -> pandas.DataFrame:
        table = self._tables[anchor]
        if isinstance(table, tuple):
            breakdowns, name = table
            return breakdowns[name]
        return table

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)
