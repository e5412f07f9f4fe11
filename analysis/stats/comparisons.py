"""Differences between groups of experts (divergence) and between waves (trends), with effect
sizes, rank tests and a false-discovery-rate correction across every test reported together.

Rank tests compare whole distributions of answers, so they suit ordinal scales; each item is
tested on its own, which is why these functions loop over items (not over answers) to call
SciPy.
"""

from collections.abc import Sequence

import numpy
import pandas
from scipy import special as scipy_special
from scipy import stats as scipy_stats

from .grouping import GROUPINGS, first_rows, group_columns, row_groups, weights
from .scales import DEFAULT_TOP_BOXES, NUMBER, NUMERIC_TYPES, TopBoxes, numeric_answers

ALPHA = 0.05
MIN_GROUP_SIZE = 10
MANN_WHITNEY = "mann_whitney"
KRUSKAL_WALLIS = "kruskal_wallis"


def cliffs_delta_matrix(values: pandas.Series, groups: pandas.Series) -> pandas.DataFrame:
    """Cliff's delta between every pair of groups: entry [a, b] = δ(a, b).

    δ(a, b) = (#{x > y} − #{x < y}) / (n_a n_b) over all pairs of an answer x from group a and an
    answer y from group b (Cliff 1993, Psychological Bulletin 114(3):494–509): the probability
    that a's answer is higher minus the probability that it is lower, from −1 to 1. Equivalently
    δ = 2U_a / (n_a n_b) − 1 with U_a the Mann–Whitney statistic of group a (ties counted ½).

    Computed from counts rather than pairs: with C the groups × distinct-values count matrix and
    Sᵤᵥ = sign(valueᵤ − valueᵥ), the dominance counts are C S Cᵀ.
    """
    counts = pandas.crosstab(groups, values)
    points = counts.columns.to_numpy(dtype=float)
    sign = numpy.sign(points[:, None] - points[None, :])
    matrix = counts.to_numpy(dtype=float)
    sizes = matrix.sum(axis=1)
    deltas = matrix @ sign @ matrix.T / numpy.outer(sizes, sizes)
    return pandas.DataFrame(deltas, index=counts.index, columns=counts.index)


def cliffs_delta(x: Sequence[float], y: Sequence[float]) -> float:
    """Cliff's delta δ(x, y) between two samples (formula in ``cliffs_delta_matrix``)."""
    values = pandas.Series([*x, *y], dtype=float)
    groups = pandas.Series(["x"] * len(x) + ["y"] * len(y))
    return float(cliffs_delta_matrix(values, groups).loc["x", "y"])


def benjamini_hochberg(p_values: pandas.Series) -> pandas.Series:
    """Benjamini–Hochberg q-values (Benjamini & Hochberg 1995, JRSS B 57(1):289–300): with the m
    p-values sorted, q₍ᵢ₎ = min over j ≥ i of min(1, m p₍ⱼ₎ / j). Calling q ≤ α significant keeps
    the expected share of false discoveries at most α. NaN p-values are not counted as tests."""
    q_values = pandas.Series(numpy.nan, index=p_values.index, dtype=float)
    tested = p_values.notna()
    if tested.any():
        q_values[tested] = scipy_stats.false_discovery_control(p_values[tested].to_numpy(float), method="bh")
    return q_values


def rank_test(samples: list[numpy.ndarray]) -> tuple[str, float, float]:
    """(test, statistic, p-value) comparing the samples: two-sided Mann–Whitney U for two
    (statistic U of the first sample), Kruskal–Wallis H for more. Samples with no variation at all
    give statistic 0 (H) or n₁n₂/2 (U) and p = 1: there is no difference to detect."""
    if len(samples) == 2:
        result = scipy_stats.mannwhitneyu(samples[0], samples[1], alternative="two-sided")
        return MANN_WHITNEY, float(result.statistic), float(result.pvalue)
    if numpy.unique(numpy.concatenate(samples)).size == 1:
        return KRUSKAL_WALLIS, 0.0, 1.0
    result = scipy_stats.kruskal(*samples)
    return KRUSKAL_WALLIS, float(result.statistic), float(result.pvalue)


def _midranks(ties: numpy.ndarray) -> numpy.ndarray:
    """The average rank of each distinct value, given how many answers hold each (ascending)."""
    return numpy.cumsum(ties) - (ties - 1) / 2


def rank_test_counts(counts: numpy.ndarray, values: numpy.ndarray) -> tuple[str, float, float]:
    """``rank_test`` computed from a groups × values count matrix (``values`` ascending) instead of
    the answers themselves, with SciPy's formulas: for two groups the Mann–Whitney U of the first,
    U₁ = R₁ − n₁(n₁ + 1)/2, with the normal approximation (tie and continuity corrections)
    z = (max(U₁, U₂) − n₁n₂/2 − ½) / √(n₁n₂/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1)))) and
    p = 2Φ(−z); for more, Kruskal–Wallis H = [12/(N(N + 1)) Σ Rᵢ²/nᵢ − 3(N + 1)] / (1 −
    Σ(t³ − t)/(N³ − N)) against χ² with k − 1 df. Rᵢ are rank sums with ties at their mid-rank, t
    the sizes of the ties. Where SciPy would use the exact Mann–Whitney distribution (no ties and
    a group of at most 8), the answers are rebuilt from the counts and SciPy is called."""
    counts = numpy.asarray(counts, dtype=float)
    ties = counts.sum(axis=0)
    sizes = counts.sum(axis=1)
    total = ties.sum()
    rank_sums = counts @ _midranks(ties)
    tie_term = float((ties**3 - ties).sum())
    if len(sizes) == 2:
        n1, n2 = sizes
        if (ties <= 1).all() and min(n1, n2) <= 8:
            return rank_test(
                [numpy.repeat(values, counts[0].astype(int)), numpy.repeat(values, counts[1].astype(int))]
            )
        u1 = rank_sums[0] - n1 * (n1 + 1) / 2
        spread = numpy.sqrt(n1 * n2 / 12 * ((total + 1) - tie_term / (total * (total - 1))))
        with numpy.errstate(divide="ignore", invalid="ignore"):
            z = (max(u1, n1 * n2 - u1) - n1 * n2 / 2 - 0.5) / spread
        return MANN_WHITNEY, float(u1), float(numpy.clip(2 * scipy_special.ndtr(-z), 0.0, 1.0))
    if (ties > 0).sum() == 1:
        return KRUSKAL_WALLIS, 0.0, 1.0
    h = 12.0 / (total * (total + 1)) * float((rank_sums**2 / sizes).sum()) - 3 * (total + 1)
    h /= 1 - tie_term / (total**3 - total)
    # χ²'s survival function as ``scipy.stats.chi2.sf`` computes it (1 at and below 0), without
    # its argument checks, which cost some forty times more per item.
    return KRUSKAL_WALLIS, float(h), float(scipy_special.chdtrc(len(sizes) - 1, max(h, 0.0)))


def _count_median(counts: numpy.ndarray, values: numpy.ndarray) -> numpy.ndarray:
    """The median of each row's answers (the mean of the middle two for an even number), from a
    groups × values count matrix."""
    cumulative = numpy.cumsum(counts, axis=1)
    sizes = cumulative[:, -1:]
    # The value holding the answer at (0-based) position i is the first whose cumulative count
    # exceeds i.
    low = (cumulative <= (sizes - 1) // 2).sum(axis=1)
    high = (cumulative <= sizes // 2).sum(axis=1)
    return (values[low] + values[high]) / 2


def _compare_groups(
    question: str,
    kind: str,
    grouping: str,
    groups: list,
    values: numpy.ndarray,
    counts: numpy.ndarray,
    agree: numpy.ndarray,
) -> dict:
    """The tests and effect sizes of one item across ``groups`` of ``grouping`` (see
    ``divergence``), from its groups × values count matrix; ``agree`` flags the values in the top
    boxes (all False for number items)."""
    sizes = counts.sum(axis=1)
    n_agree = counts @ agree
    medians = _count_median(counts, values)
    on_scale = kind != NUMBER
    shares = n_agree / sizes if on_scale else numpy.full(len(groups), numpy.nan)
    test, statistic, p_value = rank_test_counts(counts, values)
    matrix = counts.astype(float)
    sign = numpy.sign(values[:, None] - values[None, :])
    deltas = matrix @ sign @ matrix.T / numpy.outer(sizes, sizes)
    upper = numpy.triu(numpy.abs(deltas), k=1)
    a, b = numpy.unravel_index(numpy.argmax(upper), upper.shape)
    higher, lower = (a, b) if deltas[a, b] >= 0 else (b, a)
    row = {
        "question": question,
        "type": kind,
        "grouping": grouping,
        "groups": tuple(groups),
        "n_groups": len(groups),
        "n": int(sizes.sum()),
        "test": test,
        "statistic": statistic,
        "p_value": p_value,
        "delta": float(abs(deltas[a, b])),
        "delta_higher": groups[higher],
        "delta_lower": groups[lower],
        "n_higher": int(sizes[higher]),
        "n_lower": int(sizes[lower]),
        "median_higher": float(medians[higher]),
        "median_lower": float(medians[lower]),
    }
    high, low = (int(numpy.argmax(shares)), int(numpy.argmin(shares))) if on_scale else (None, None)
    for side, group in (("high", high), ("low", low)):
        row[f"share_group_{side}"] = groups[group] if on_scale else None
        row[f"share_{side}"] = float(shares[group]) if on_scale else numpy.nan
        row[f"n_{side}"] = int(sizes[group]) if on_scale else None
        row[f"agree_{side}"] = int(n_agree[group]) if on_scale else None
    row["share_difference"] = row["share_high"] - row["share_low"]
    return row


DIVERGENCE_COLUMNS = [
    "question", "type", "grouping", "groups", "n_groups", "n", "test", "statistic", "p_value",
    "q_value", "significant", "delta", "delta_higher", "delta_lower", "n_higher", "n_lower",
    "median_higher", "median_lower", "share_difference", "share_group_high", "share_high", "n_high",
    "agree_high", "share_group_low", "share_low", "n_low", "agree_low",
]  # fmt: skip


def divergence(
    frame: pandas.DataFrame,
    by: str | Sequence[str],
    *,
    min_group_size: int = MIN_GROUP_SIZE,
    top_boxes: TopBoxes = DEFAULT_TOP_BOXES,
    alpha: float = ALPHA,
) -> pandas.DataFrame:
    """Where groups of experts answer differently: one row per numeric item (Likert, 0–10,
    number) × grouping in ``by`` (one or more of ``GROUPINGS``) that could be tested.

    Per item and grouping, the groups compared are those with at least ``min_group_size``
    answers; unknown groups ("") are left out; an item with fewer than two such groups is not
    tested and has no row. Columns:

    - ``groups`` tested, ``n_groups``, ``n`` answers in them;
    - ``test``/``statistic``/``p_value``: two-sided Mann–Whitney U for two groups (U of the first
      group in ``groups``; Mann & Whitney 1947), Kruskal–Wallis H for more (Kruskal & Wallis
      1952), both from SciPy; see ``rank_test``;
    - ``q_value``: Benjamini–Hochberg over all rows of the result, that is across every item ×
      grouping tested; ``significant`` = q ≤ ``alpha``;
    - ``delta``: Cliff's delta of the two groups, or the largest |δ| of any pair of groups for
      more, oriented so that it is ≥ 0: ``delta_higher`` tends to answer higher than
      ``delta_lower``; their ``n_`` and ``median_``;
    - for rating scales, the spread in share agreeing (top-box rule): ``share_group_high`` and
      ``share_group_low`` with the largest and smallest ``share_high``/``share_low``, their
      ``n_``/``agree_`` counts, and ``share_difference`` = share_high − share_low (NaN for number
      items).

    Rows are sorted by q-value, then by |delta| (largest first).
    """
    groupings = group_columns(by, most=len(GROUPINGS))
    answers = numeric_answers(frame, NUMERIC_TYPES, top_boxes, columns=["question", *groupings])
    answers = answers.assign(
        _row=numpy.arange(len(answers)), _weight=weights(answers), agree=answers["agree"].fillna(False)
    )
    rows = []
    for grouping in groupings:
        known = answers.loc[answers[grouping].notna() & answers[grouping].ne("")]
        # The tests and effect sizes need only how many answers each value got in each group, so
        # every item is compared from its groups × values count matrix.
        # Numbered and summed with NumPy, in order of first appearance: the first row of a cell
        # is its earliest answer, and holds its question's type and the value's box.
        cell = row_groups(known, ["question", grouping, "number"])
        firsts = first_rows(cell)
        counts = known[["question", grouping, "number", "_row", "agree", "type"]].iloc[firsts]
        counts = counts.rename(columns={"_row": "first"}).reset_index(drop=True)
        counts["count"] = numpy.bincount(cell, weights=known["_weight"].to_numpy(), minlength=len(firsts))
        group = row_groups(counts, ["question", grouping])
        sizes = numpy.bincount(group, weights=counts["count"].to_numpy())[group]
        eligible = counts.loc[sizes >= min_group_size]
        # Each item's rows as array slices (a frame per item costs more than its test), items in
        # the order their first compared answer comes in ``frame``.
        item_at, questions = pandas.factorize(eligible["question"])
        first = numpy.full(len(questions), numpy.inf)
        numpy.minimum.at(first, item_at, eligible["first"].to_numpy(dtype=float))
        by_item = numpy.argsort(item_at, kind="stable")
        ends = numpy.cumsum(numpy.bincount(item_at, minlength=len(questions)))
        group_of = eligible[grouping].to_numpy(dtype=object)[by_item]
        number, count = (eligible[column].to_numpy(dtype=float)[by_item] for column in ("number", "count"))
        agreeing = eligible["agree"].to_numpy(dtype=float)[by_item]
        kind = eligible["type"].to_numpy(dtype=object)[by_item]
        for at in numpy.argsort(first, kind="stable"):
            item = slice(ends[at - 1] if at else 0, ends[at])
            groups = sorted(set(group_of[item]))
            if len(groups) < 2:
                continue
            values = numpy.unique(number[item])
            matrix = numpy.zeros((len(groups), len(values)))
            cells = (numpy.searchsorted(groups, group_of[item]), numpy.searchsorted(values, number[item]))
            matrix[cells] = count[item]
            agree = numpy.zeros(len(values))
            agree[cells[1]] = agreeing[item]
            rows.append(
                _compare_groups(questions[at], kind[item][0], grouping, groups, values, matrix, agree)
            )
    table = pandas.DataFrame(rows, columns=DIVERGENCE_COLUMNS).astype(
        {column: "Int64" for column in ("n_high", "agree_high", "n_low", "agree_low")}
    )
    table["q_value"] = benjamini_hochberg(table["p_value"])
    table["significant"] = table["q_value"].le(alpha)
    return table.sort_values(["q_value", "delta"], ascending=[True, False], kind="stable").reset_index(
        drop=True
    )[DIVERGENCE_COLUMNS]


def _wave_items(frame: pandas.DataFrame, top_boxes: TopBoxes) -> pandas.DataFrame:
    """Per numeric item of one wave: type, scale, n, n_agree, median, and how many answers hold
    each value (``values`` ascending, their ``counts``)."""
    answers = numeric_answers(
        frame, NUMERIC_TYPES, top_boxes, columns=["question", *frame.columns.intersection(["wave"])]
    )
    if "wave" not in answers:
        answers["wave"] = ""
    answers = answers.assign(_weight=weights(answers), agree=answers["agree"].fillna(False))
    counts = (
        answers.groupby(["question", "number"], sort=False)
        .agg(count=("_weight", "sum"), agree=("agree", "first"))
        .reset_index()
        .sort_values(["question", "number"], kind="stable")
    )
    counts["n_agree"] = counts["count"] * counts["agree"]
    items = answers.groupby("question", sort=False).agg(
        type=("type", "first"),
        scale_min=("scale_min", "first"),
        scale_max=("scale_max", "first"),
        wave=("wave", "first"),
    )
    by_item = counts.groupby("question", sort=False)
    items["n"] = by_item["count"].sum()
    items["agree"] = by_item["n_agree"].sum()
    items["values"] = by_item["number"].agg(lambda values: values.to_numpy(dtype=float))
    items["counts"] = by_item["count"].agg(lambda counts: counts.to_numpy(dtype=float))
    items["median"] = [
        float(_count_median(counts[None, :], values)[0])
        for values, counts in zip(items["values"], items["counts"], strict=True)
    ]
    return items


def _two_samples(item: pandas.Series) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The 2 × values count matrix of an item's answers in the previous and current wave."""
    values = numpy.union1d(item["values_prev"], item["values_curr"])
    matrix = numpy.zeros((2, len(values)))
    matrix[0, numpy.searchsorted(values, item["values_prev"])] = item["counts_prev"]
    matrix[1, numpy.searchsorted(values, item["values_curr"])] = item["counts_curr"]
    return matrix, values


def wave_trends(
    frame_prev: pandas.DataFrame,
    frame_curr: pandas.DataFrame,
    *,
    top_boxes: TopBoxes = DEFAULT_TOP_BOXES,
    alpha: float = ALPHA,
) -> pandas.DataFrame:
    """Change between two waves of a series, for every numeric item asked in both with the same
    question code, type and scale (items whose scale changed are left out).

    Columns: ``question``, ``type``, ``wave_prev``/``wave_curr``, ``n_prev``/``n_curr``,
    ``agree_prev``/``agree_curr`` and ``share_agree_prev``/``share_agree_curr`` (top-box rule;
    NaN for number items), ``share_change`` = curr − prev with ``share_p_value`` from Fisher's
    exact test on the 2 × 2 table agree / not agree × wave (two-sided); ``median_prev``/
    ``median_curr``, ``median_change`` with ``median_p_value`` from the two-sided Mann–Whitney U
    test between the waves' answers. ``share_q_value`` and ``median_q_value``: Benjamini–Hochberg
    over all p-values of the table together; ``significant`` when either q ≤ ``alpha``.

    Rows are sorted by the smaller q-value, then by |share_change| (largest first).
    """
    prev, curr = _wave_items(frame_prev, top_boxes), _wave_items(frame_curr, top_boxes)
    items = prev.merge(curr, left_index=True, right_index=True, suffixes=("_prev", "_curr"))
    same = (
        items["type_prev"].eq(items["type_curr"])
        & items["scale_max_prev"].fillna(-1).eq(items["scale_max_curr"].fillna(-1))
        & items["scale_min_prev"].fillna(-1).eq(items["scale_min_curr"].fillna(-1))
    )
    items = items.loc[same]
    on_scale = items["type_prev"].ne(NUMBER)
    table = pandas.DataFrame(
        {
            "question": items.index,
            "type": items["type_prev"].to_numpy(),
            "wave_prev": items["wave_prev"].to_numpy(),
            "wave_curr": items["wave_curr"].to_numpy(),
            "n_prev": items["n_prev"].to_numpy(),
            "n_curr": items["n_curr"].to_numpy(),
            "agree_prev": items["agree_prev"].to_numpy(),
            "agree_curr": items["agree_curr"].to_numpy(),
        }
    )
    scale = on_scale.to_numpy()
    table["share_agree_prev"] = (table["agree_prev"] / table["n_prev"]).where(scale)
    table["share_agree_curr"] = (table["agree_curr"] / table["n_curr"]).where(scale)
    table["share_change"] = table["share_agree_curr"] - table["share_agree_prev"]
    table["share_p_value"] = [
        scipy_stats.fisher_exact([[a1, n1 - a1], [a2, n2 - a2]]).pvalue if is_scale else numpy.nan
        for a1, n1, a2, n2, is_scale in zip(
            table["agree_prev"], table["n_prev"], table["agree_curr"], table["n_curr"], scale, strict=True
        )
    ]
    table["median_prev"] = items["median_prev"].to_numpy()
    table["median_curr"] = items["median_curr"].to_numpy()
    table["median_change"] = table["median_curr"] - table["median_prev"]
    table["median_p_value"] = [rank_test_counts(*_two_samples(item))[2] for _, item in items.iterrows()]
    q_values = benjamini_hochberg(
        pandas.concat([table["share_p_value"], table["median_p_value"]], ignore_index=True)
    )
    table["share_q_value"] = q_values.iloc[: len(table)].to_numpy()
    table["median_q_value"] = q_values.iloc[len(table) :].to_numpy()
    table["significant"] = table["share_q_value"].le(alpha) | table["median_q_value"].le(alpha)
    order = table.assign(
        _q=table[["share_q_value", "median_q_value"]].min(axis=1), _change=-table["share_change"].abs()
    )
    return (
        order.sort_values(["_q", "_change"], kind="stable")
        .drop(columns=["_q", "_change"])
        .reset_index(drop=True)
    )
