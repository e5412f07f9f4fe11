"""What results may be broken down by, who counts as a group's respondents, and the order of rows."""

from collections.abc import Sequence

import numpy
import pandas

# The snapshot columns of a response (``analysis.load``); "" means unknown.
GROUPINGS = ("country", "un_region", "un_subregion", "north_south", "sector", "mode")
# A column that numbers the groups of several breakdowns stacked in one frame (``analysis.
# breakdowns``). Every statistic takes it alone in place of grouping columns, and so computes
# many breakdowns in one call.
STACK = "stack"


def weights(frame: pandas.DataFrame) -> numpy.ndarray:
    """How many answers each row of ``frame`` stands for: its ``weight`` column
    (``load.answer_counts_frame``), else 1 each (``load.answers_frame``)."""
    if "weight" in frame:
        return frame["weight"].to_numpy(dtype="int64")
    return numpy.ones(len(frame), dtype="int64")


# The columns that describe an answer itself (``load.ANSWER_COLUMNS`` less ``respondent``, the
# groups and ``codes``, a list, which ``collapse`` compares by ``codes_key``).
ANSWER_KEYS = ["survey", "series", "wave", "question", "type", "scale_points", "rank_top_k", "number", "text"]


def first_rows(numbers: numpy.ndarray) -> numpy.ndarray:
    """The first row holding each number 0, 1, … of ``numbers``."""
    # Written last to first, so the earliest row stays.
    first = numpy.empty(numbers.max(initial=-1) + 1, dtype="int64")
    first[numbers[::-1]] = numpy.arange(len(numbers) - 1, -1, -1)
    return first


def codes_key(frame: pandas.DataFrame, shared: numpy.ndarray | None = None) -> numpy.ndarray:
    """A number per row of ``frame``, the same for rows whose ``codes`` lists are equal. Rows
    that share one list (``analysis.load`` decodes each distinct list once) are compared once;
    ``shared``, when given, numbers the rows by the list they share (0, 1, …), else the lists'
    identities do."""
    lists = frame["codes"].to_numpy(dtype=object)
    if shared is None:
        shared = numpy.fromiter(map(id, lists), dtype="int64", count=len(lists))
    shared = pandas.factorize(shared)[0]
    distinct = pandas.Series([tuple(lists[row]) for row in first_rows(shared)], dtype=object)
    return pandas.factorize(distinct)[0][shared]


def column_codes(values: pandas.Series) -> tuple[numpy.ndarray, int]:
    """(a number per value, the same for equal values (NA included), how many numbers there may
    be): a categorical's codes as they are, other columns factorized."""
    if isinstance(values.dtype, pandas.CategoricalDtype):
        return values.cat.codes.to_numpy().astype("int64") + 1, len(values.cat.categories) + 1
    codes, uniques = pandas.factorize(values, use_na_sentinel=False)
    return codes, len(uniques)


def combined_codes(
    codes: Sequence[tuple[numpy.ndarray, int]], start: numpy.ndarray | None = None, length: int = 0
) -> numpy.ndarray:
    """``row_groups`` from each column's ``column_codes``: the numbers combined in one integer,
    numbered again only when the next column could overflow it, then counted 0, 1, … in order of
    first appearance (``length``: the number of rows, for no columns and no ``start``)."""
    combined = numpy.zeros(length, dtype="int64") if start is None else start.astype("int64")
    bound = int(combined.max(initial=0)) + 1  # combined < bound
    for numbers, size in codes:
        size = max(size, 1)
        if bound * size >= 2**62:
            combined, uniques = pandas.factorize(combined)
            bound = max(len(uniques), 1)
        combined = combined * size + numbers
        bound *= size
    return pandas.factorize(combined)[0]


def row_groups(
    frame: pandas.DataFrame, columns: Sequence[str], start: numpy.ndarray | None = None
) -> numpy.ndarray:
    """A number per row of ``frame``, the same for rows equal in ``columns`` (and in ``start``,
    numbers already given), counted 0, 1, … in order of first appearance. Each column is numbered
    on its own (``column_codes``), then the numbers are combined (``combined_codes``)."""
    return combined_codes([column_codes(frame[column]) for column in columns], start, len(frame))


def answer_key(frame: pandas.DataFrame) -> numpy.ndarray:
    """A number per row of ``frame``, the same for rows that give the same answer to the same
    question (equal ``ANSWER_KEYS`` and ``codes``), whoever gave it."""
    codes = frame["codes_key"].to_numpy() if "codes_key" in frame else codes_key(frame)
    return row_groups(frame, [column for column in ANSWER_KEYS if column in frame], codes)


def collapse(frame: pandas.DataFrame, columns: Sequence[str]) -> pandas.DataFrame:
    """``frame`` with the rows that differ only in their respondent and in groupings outside
    ``columns`` merged into one, which carries their summed ``weight``: every statistic of a
    breakdown by ``columns`` (or by fewer of them) is the same, computed from far fewer rows.
    Rows come in the order of their first appearance; ``respondent`` is the first merged row's.
    An ``answer_key`` column (``answer_key``), when ``frame`` has one, saves comparing the
    answers again for each breakdown.
    """
    answer = frame["answer_key"].to_numpy() if "answer_key" in frame else answer_key(frame)
    merged_into = row_groups(frame, columns, answer)
    first = first_rows(merged_into)
    weight = numpy.bincount(merged_into, weights=weights(frame), minlength=len(first)).astype("int64")
    return merged_rows(frame, first, weight, columns)


def merged_rows(
    frame: pandas.DataFrame, rows: numpy.ndarray, weight: numpy.ndarray, columns: Sequence[str]
) -> pandas.DataFrame:
    """The ``rows`` of ``frame`` standing for ``weight`` answers each, with the columns that
    ``collapse(frame, columns)`` keeps: the answer's, ``columns``, ``respondent``, ``codes`` and
    ``answer_key`` when ``frame`` has one."""
    keys = [column for column in (*ANSWER_KEYS, *columns) if column in frame]
    kept = [*keys, "respondent", "codes", *(["answer_key"] if "answer_key" in frame else [])]
    return frame[kept].take(rows).assign(weight=weight).reset_index(drop=True)


def group_columns(by: str | Sequence[str] | None, *, most: int = 2) -> list[str]:
    """``by`` as a list of distinct grouping columns (at most ``most``) or ``[STACK]``, or a
    ValueError saying why not."""
    if by is None:
        return []
    columns = [by] if isinstance(by, str) else list(by)
    if columns == [STACK]:
        return columns
    unknown = [column for column in columns if column not in GROUPINGS]
    if unknown:
        raise ValueError(f"Cannot break results down by {unknown}; use columns from {list(GROUPINGS)}.")
    if len(set(columns)) != len(columns) or len(columns) > most:
        raise ValueError(f"Break results down by at most {most} different columns, not {columns}.")
    return columns


def respondent_groups(
    frame: pandas.DataFrame, respondents: pandas.DataFrame | None, columns: list[str]
) -> pandas.DataFrame:
    """One row per respondent with ``columns`` and ``weight``: from ``respondents``
    (``load.respondents_frame``, or ``load.respondent_counts_frame`` whose rows each stand for
    ``weight`` respondents) when given, else from the respondents who gave at least one answer in
    ``frame`` (a row each)."""
    if respondents is None:
        return frame.drop_duplicates("respondent")[["respondent", *columns]].assign(weight=1)
    people = respondents.assign(weight=weights(respondents))
    return people.drop_duplicates("respondent")[["respondent", *columns, "weight"]]


def group_sizes(
    frame: pandas.DataFrame, respondents: pandas.DataFrame | None, columns: list[str]
) -> pandas.DataFrame:
    """Respondents per group of ``columns``: the groups with a column ``n_respondents``."""
    groups = respondent_groups(frame, respondents, columns)
    if not columns:
        return pandas.DataFrame({"n_respondents": [int(groups["weight"].sum())]})
    sizes = groups.groupby(columns, dropna=False, observed=True)["weight"].sum()
    return sizes.rename("n_respondents").reset_index()


def in_question_order(table: pandas.DataFrame, frame: pandas.DataFrame, then: list[str]) -> pandas.DataFrame:
    """``table`` sorted by the order in which questions first appear in ``frame`` (questionnaire
    order for ``load.answers_frame``), then by the columns ``then``; index reset."""
    # Positions from an Index rather than ``Series.map``, which keeps a categorical a categorical
    # and would then sort by category rather than by position.
    questions = pandas.Index(_in_order_of_appearance(frame["question"]), dtype=object)
    return (
        table.assign(_question_rank=questions.get_indexer(table["question"].to_numpy(dtype=object)))
        .sort_values(["_question_rank", *then], kind="stable")
        .drop(columns="_question_rank")
        .reset_index(drop=True)
    )


def _in_order_of_appearance(values: pandas.Series) -> numpy.ndarray:
    """The distinct values of ``values`` as objects, in order of first appearance; a categorical's
    found by its codes, without hashing a value per row."""
    if isinstance(values.dtype, pandas.CategoricalDtype):
        codes = pandas.unique(values.cat.codes.to_numpy())
        return values.cat.categories.to_numpy(dtype=object)[codes[codes >= 0]]
    return pandas.unique(values.to_numpy(dtype=object))
