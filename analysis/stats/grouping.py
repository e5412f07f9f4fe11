"""What results may be broken down by, who counts as a group's respondents, and the order of rows."""

from collections.abc import Sequence

import pandas

# The snapshot columns of a response (``analysis.load``); "" means unknown.
GROUPINGS = ("country", "un_region", "un_subregion", "north_south", "sector", "mode")


def group_columns(by: str | Sequence[str] | None, *, most: int = 2) -> list[str]:
    """``by`` as a list of distinct grouping columns (at most ``most``), or a ValueError saying why not."""
    if by is None:
        return []
    columns = [by] if isinstance(by, str) else list(by)
    unknown = [column for column in columns if column not in GROUPINGS]
    if unknown:
        raise ValueError(f"Cannot break results down by {unknown}; use columns from {list(GROUPINGS)}.")
    if len(set(columns)) != len(columns) or len(columns) > most:
        raise ValueError(f"Break results down by at most {most} different columns, not {columns}.")
    return columns


def respondent_groups(
    frame: pandas.DataFrame, respondents: pandas.DataFrame | None, columns: list[str]
) -> pandas.DataFrame:
    """One row per respondent with ``columns``: from ``respondents`` (``load.respondents_frame``)
    when given, else from the respondents who gave at least one answer in ``frame``."""
    source = frame if respondents is None else respondents
    return source.drop_duplicates("respondent")[["respondent", *columns]]


def group_sizes(
    frame: pandas.DataFrame, respondents: pandas.DataFrame | None, columns: list[str]
) -> pandas.DataFrame:
    """Respondents per group of ``columns``: the groups with a column ``n_respondents``."""
    groups = respondent_groups(frame, respondents, columns)
    if not columns:
        return pandas.DataFrame({"n_respondents": [len(groups)]})
    return groups.groupby(columns, dropna=False).size().rename("n_respondents").reset_index()


def in_question_order(table: pandas.DataFrame, frame: pandas.DataFrame, then: list[str]) -> pandas.DataFrame:
    """``table`` sorted by the order in which questions first appear in ``frame`` (questionnaire
    order for ``load.answers_frame``), then by the columns ``then``; index reset."""
    # Positions from an Index rather than ``Series.map``, which keeps a categorical a categorical
    # and would then sort by category rather than by position.
    questions = pandas.Index(pandas.unique(frame["question"].to_numpy(dtype=object)))
    return (
        table.assign(_question_rank=questions.get_indexer(table["question"].to_numpy(dtype=object)))
        .sort_values(["_question_rank", *then], kind="stable")
        .drop(columns="_question_rank")
        .reset_index(drop=True)
    )
