"""Ranking questions: mean ranks, first places, Borda scores and Kendall's W.

A ranking answer lists item codes in rank order; a question with ``rank_top_k`` = k asks for the
k most important of its n items, so each ranker leaves n − r items unranked (r ≤ k items
ranked). Unranked items are treated as tied for the remaining places: each gets the average of
ranks r + 1 … n, that is (r + 1 + n) / 2 (the usual mid-rank for ties). This mid-rank is used
for ``mean_rank`` and Kendall's W; ``mean_rank_ranked`` averages only the ranks actually given.
"""

import numpy
import pandas
from scipy import sparse
from scipy import stats as scipy_stats

from .grouping import answer_key, first_rows, group_columns, in_question_order, row_groups, weights
from .summaries import By

RANKING = "ranking"


def _rankings(
    frame: pandas.DataFrame, columns: list[str], choices: pandas.DataFrame | None
) -> tuple[pandas.DataFrame, pandas.DataFrame]:
    """(the rankers of every ranking question in ``frame``: ``respondent``, ``question``, the
    group ``columns``, ``ranking`` (a number per distinct ranking of a question), ``weight``;
    each distinct ranking × each item of its question: ``ranking``, ``item``, ``rank`` (NaN when
    unranked), ``ranked_by_respondent``, ``n_items``, ``top_k``, ``rank_filled`` and ``points``
    as ``ranked_items`` describes them)."""
    codes = frame["codes"].to_numpy(dtype=object)
    lengths = numpy.fromiter(map(len, codes), dtype="int64", count=len(codes))
    answers = frame.loc[frame["type"].eq(RANKING).to_numpy(dtype=bool) & (lengths > 0)]
    top_k = answers["rank_top_k"] if "rank_top_k" in answers else float("nan")
    # Each distinct ranking of a question is taken apart once, however many rankers gave it: the
    # answers are numbered (``grouping.answer_key``, unless the frame's already are).
    numbered = answers["answer_key"].to_numpy() if "answer_key" in answers else answer_key(answers)
    rankers = answers.assign(top_k=top_k, weight=weights(answers), ranking=numbered)
    rankers = rankers[["respondent", "question", *columns, "codes", "top_k", "weight", "ranking"]]
    # A respondent's first ranking of a question, the rows numbered rather than hashed.
    rankers = rankers.take(first_rows(row_groups(rankers, ["respondent", "question"]))).reset_index(drop=True)
    rankers["ranking"] = pandas.factorize(rankers["ranking"])[0]
    distinct = rankers.drop_duplicates("ranking")[["ranking", "question", "codes", "top_k"]].reset_index(
        drop=True
    )
    distinct["ranked_by_respondent"] = distinct["codes"].astype(object).str.len()
    ranks = distinct[["ranking", "question", "codes"]].explode("codes").rename(columns={"codes": "item"})
    ranks["rank"] = ranks.groupby(level=0).cumcount() + 1
    ranks = ranks.drop_duplicates(["ranking", "item"])
    items = ranks[["question", "item"]]
    if choices is not None:
        asked = rankers["question"].unique()
        listed = choices.loc[choices["question"].isin(asked), ["question", "code"]]
        items = pandas.concat([listed.rename(columns={"code": "item"}), items])
    items = items.drop_duplicates()
    items = items.assign(n_items=items.groupby("question")["item"].transform("size"))
    grid = distinct.drop(columns="codes").merge(items, on="question")
    grid = grid.merge(ranks[["ranking", "item", "rank"]], on=["ranking", "item"], how="left")
    grid["top_k"] = (
        pandas.to_numeric(grid["top_k"], errors="coerce")
        .astype(float)
        .fillna(grid["n_items"])
        .clip(lower=grid["ranked_by_respondent"])
    )
    grid["rank_filled"] = grid["rank"].fillna((grid["ranked_by_respondent"] + 1 + grid["n_items"]) / 2)
    grid["points"] = (grid["top_k"] + 1 - grid["rank"]).fillna(0.0)
    return rankers.drop(columns=["codes", "top_k"]), grid


def ranked_items(
    frame: pandas.DataFrame, columns: list[str], choices: pandas.DataFrame | None
) -> pandas.DataFrame:
    """One row per ranker × item of every ranking question in ``frame``, with ``rank`` (NaN when
    unranked), ``ranked_by_respondent`` (r), ``n_items`` (n), ``top_k`` (k: the question's
    ``rank_top_k``, or n when absent), ``rank_filled`` (rank, or (r + 1 + n) / 2 when unranked)
    ``points`` (Borda: k + 1 − rank when ranked, else 0) and ``weight`` (how many rankers gave
    that ranking: ``stats.grouping.weights``).

    The items of a question are its choices in ``choices`` (``load.choices_frame``) plus any
    item ranked; without ``choices``, only items somebody ranked are known.
    """
    rankers, grid = _rankings(frame, columns, choices)
    return rankers.merge(grid.drop(columns="question"), on="ranking").drop(columns="ranking")


def ranking_summary(
    frame: pandas.DataFrame, by: By = None, *, choices: pandas.DataFrame | None = None
) -> pandas.DataFrame:
    """One row per ranking question, group of ``by`` and item:

    - ``n``: rankers (respondents who answered the question) in the group;
    - ``n_ranked``: rankers who placed the item in their top k;
    - ``mean_rank``: mean over all rankers, unranked items at the mid-rank (r + 1 + n) / 2
      (module docstring); ``mean_rank_ranked``: mean over those who ranked the item;
    - ``n_first``, ``share_first`` = n_first / n;
    - ``borda_total`` = Σ points, with k points for a first place, k − 1 for second … 1 for the
      k-th, 0 unranked (Borda count truncated at k); ``borda`` = borda_total / n, the mean points
      per ranker, comparable across groups of different size.

    Items come in order of ``mean_rank`` (best first) within each question and group.
    """
    columns = group_columns(by)
    keys = ["question", *columns]
    rankers, grid = _rankings(frame, columns, choices)
    # Every sum below is, per group and item, Σ over the rankings of (rankers in the group who
    # gave it) × (what it gives the item): one sparse matrix product per question instead of a
    # row per ranker and item.
    group = row_groups(rankers, keys)
    grid = grid.assign(
        ranked=grid["rank"].notna().astype(float),
        ranked_rank=grid["rank"].fillna(0.0),
        first=grid["rank"].eq(1).astype(float),
    )
    sums = {"n_ranked": "ranked", "rank_sum": "rank_filled", "ranked_sum": "ranked_rank", "n_first": "first"}
    sums["borda_total"] = "points"
    asked = rankers["question"].to_numpy(dtype=object)
    parts = []
    for question, cells in grid.groupby("question", sort=False, observed=True):
        rows = numpy.flatnonzero(asked == question)
        groups, group_at = numpy.unique(group[rows], return_inverse=True)
        rankings, ranking_at = numpy.unique(rankers["ranking"].to_numpy()[rows], return_inverse=True)
        given = sparse.csr_matrix(
            (rankers["weight"].to_numpy(dtype=float)[rows], (group_at, ranking_at)),
            shape=(len(groups), len(rankings)),
        )
        item_names, item_at = numpy.unique(cells["item"].to_numpy(dtype=object), return_inverse=True)
        cell_at = numpy.searchsorted(rankings, cells["ranking"].to_numpy())
        part = rankers.iloc[first_rows(group)[groups]][keys].reset_index(drop=True)
        part = part.loc[part.index.repeat(len(item_names))].reset_index(drop=True)
        part["item"] = numpy.tile(item_names, len(groups))
        part["n"] = numpy.repeat(numpy.asarray(given.sum(axis=1)).ravel(), len(item_names))
        for name, value in sums.items():
            per_ranking = numpy.zeros((len(rankings), len(item_names)))
            per_ranking[cell_at, item_at] = cells[value].to_numpy(dtype=float)
            part[name] = (given @ per_ranking).ravel()
        parts.append(part)
    if not parts:
        empty = rankers[keys].iloc[0:0].assign(item=pandas.Series(dtype=object))
        parts = [empty.assign(**dict.fromkeys(["n", *sums], pandas.Series(dtype=float)))]
    table = pandas.concat(parts, ignore_index=True)
    for count in ("n", "n_ranked", "n_first"):
        table[count] = table[count].round().astype("int64")
    table["mean_rank"] = table["rank_sum"] / table["n"]
    table["mean_rank_ranked"] = table["ranked_sum"] / table["n_ranked"].where(table["n_ranked"] > 0)
    table["share_first"] = table["n_first"] / table["n"]
    table["borda"] = table["borda_total"] / table["n"]
    ordered = [*keys, "item", "n", "n_ranked", "mean_rank", "mean_rank_ranked", "n_first", "share_first"]
    return in_question_order(table, frame, [*columns, "mean_rank", "item"])[
        [*ordered, "borda_total", "borda"]
    ]


def kendalls_w(
    frame: pandas.DataFrame, by: By = None, *, choices: pandas.DataFrame | None = None
) -> pandas.DataFrame:
    """Kendall's coefficient of concordance among the rankers of each ranking question (and group):
    ``n_rankers`` (m), ``n_items`` (n), ``w``, ``chi_square``, ``df``, ``p_value``.

    W = 12 S / (m²(n³ − n) − m Σⱼ Tⱼ), where Rᵢ is the sum of item i's ranks over the m rankers,
    S = Σᵢ (Rᵢ − R̄)², and Tⱼ = Σ(t³ − t) over ranker j's groups of t tied ranks — here the
    n − r unranked items, tied at the mid-rank (module docstring). W runs from 0 (no agreement)
    to 1 (identical rankings). Significance: χ² = m(n − 1)W with n − 1 degrees of freedom,
    equal to Friedman's tie-corrected statistic. (Kendall & Babington Smith 1939; Siegel &
    Castellan 1988; Legendre 2005, J. Agric. Biol. Environ. Stat. 10(2):226–245.)
    """
    columns = group_columns(by)
    keys = ["question", *columns]
    grid = ranked_items(frame, columns, choices)
    grid = grid.assign(rank_sum=grid["weight"] * grid["rank_filled"])
    rank_sums = grid.groupby([*keys, "item"], dropna=False)["rank_sum"].sum()
    deviations = rank_sums - rank_sums.groupby(level=keys, dropna=False).transform("mean")
    spread = (
        (deviations**2)
        .rename("s")
        .groupby(level=keys, dropna=False)
        .agg(["size", "sum"])
        .rename(columns={"size": "n_items", "sum": "s"})
        .reset_index()
    )
    rankers = grid.drop_duplicates(["respondent", "question"])
    tied = rankers["n_items"] - rankers["ranked_by_respondent"]
    ties = (
        rankers.assign(t=rankers["weight"] * (tied**3 - tied))
        .groupby(keys, dropna=False)
        .agg(n_rankers=("weight", "sum"), ties=("t", "sum"))
        .reset_index()
    )
    table = spread.merge(ties, on=keys)
    m, n = table["n_rankers"].astype(float), table["n_items"].astype(float)
    denominator = m**2 * (n**3 - n) - m * table["ties"]
    table["w"] = 12 * table["s"] / denominator.where(denominator > 0)
    table["df"] = table["n_items"] - 1
    table["chi_square"] = m * (n - 1) * table["w"]
    table["p_value"] = scipy_stats.chi2.sf(table["chi_square"], table["df"])
    ordered = [*keys, "n_rankers", "n_items", "w", "chi_square", "df", "p_value"]
    return in_question_order(table, frame, columns)[ordered]
