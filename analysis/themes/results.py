"""Themes as results: how many respondents raise each theme, overall and by group with small
cells withheld, where groups differ, and sentences for the key findings.

The functions ending in ``_table`` and the sentences are pure functions of a ``ThemeCoding``
(``theme_coding``: three queries) or of their tables; ``theme_shares`` and ``theme_divergence``
read the coding themselves.
"""

from collections.abc import Collection, Sequence
from typing import Any

import numpy
import pandas
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from scipy import stats as scipy_stats

from ..findings import (
    LIMIT,
    MIN_CELL_SIZE,
    PLACE_GROUPINGS,
    Finding,
    group_label,
    percent_text,
    publishable,
    q_text,
)
from ..stats import ALPHA, MIN_GROUP_SIZE, benjamini_hochberg, suppress_small_cells
from .load import THEME_COLUMNS, THEME_GROUPINGS, WAVE, Surveys, ThemeCoding, theme_coding

EVERYONE = "everyone"  # the one group of an overall table
DIVERGENCE_GROUPINGS = ("north_south", "un_region", "sector")
FISHER_EXACT = "fisher_exact"
CHI_SQUARE = "chi_square"
SHARE_COLUMNS = ["n", "count", "share", "suppressed"]
THEME_DIVERGENCE_COLUMNS = [
    *THEME_COLUMNS, "question", "grouping", "groups", "n_groups", "n", "test", "statistic", "p_value",
    "q_value", "significant", "share_group_high", "share_high", "count_high", "n_high", "share_group_low",
    "share_low", "count_low", "n_low", "share_difference", "suppressed",
]  # fmt: skip
# The counts a compared pair of groups rests on: (those carrying the theme, the group's total).
COMPARED_COUNTS = {"high": ("count_high", "n_high"), "low": ("count_low", "n_low")}
COMPARED_VALUES = (
    "share_high",
    "count_high",
    "n_high",
    "share_low",
    "count_low",
    "n_low",
    "share_difference",
)
TOP_THEMES_TABLE = "themes-overall"

TOP_THEME_TEXT = _(
    "“%(theme)s” comes up in the answers of %(share)s of the experts who answered the interview "
    "questions (%(count)d of %(n)d)."
)
THEME_SHARE_TEXT = {
    "from": _(
        "“%(theme)s” comes up in %(share_high)s of answers from %(group_high)s and %(share_low)s of "
        "answers from %(group_low)s (q %(q)s)."
    ),
    "in": _(
        "“%(theme)s” comes up in %(share_high)s of answers from experts in the group “%(group_high)s” "
        "and %(share_low)s of answers from those in “%(group_low)s” (q %(q)s)."
    ),
    WAVE: _(
        "“%(theme)s” comes up in %(share_high)s of answers in %(group_high)s and %(share_low)s of "
        "answers in %(group_low)s (q %(q)s)."
    ),
}


def _groupings(by: str | Sequence[str] | None) -> list[str]:
    columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    unknown = [column for column in columns if column not in THEME_GROUPINGS]
    if unknown:
        raise ValueError(f"Cannot break themes down by {unknown}; use columns from {list(THEME_GROUPINGS)}.")
    return list(dict.fromkeys(columns))


def _marks(coding: ThemeCoding, question_code: str | None) -> tuple[pandas.DataFrame, pandas.DataFrame]:
    """(respondents who answered — the question ``question_code``, or any long-text question —
    one row each with their groups; marks, a boolean frame of those respondents × themes, True
    where the respondent carries the theme on one of those answers)."""
    answers = coding.answers
    if question_code is not None:
        answers = answers.loc[answers["question"].eq(question_code)]
    carriers = coding.segments.merge(answers[["answer", "response"]], on="answer")
    respondents = answers.drop_duplicates("response").drop(columns=["answer", "question"])
    respondents = respondents.reset_index(drop=True)
    marks = numpy.zeros((len(respondents), len(coding.themes)), dtype=bool)
    marks[
        pandas.Index(respondents["response"]).get_indexer(carriers["response"]),
        pandas.Index(coding.themes["theme"]).get_indexer(carriers["theme"]),
    ] = True
    return respondents, pandas.DataFrame(marks, columns=coding.themes["theme"])


def theme_share_table(
    coding: ThemeCoding,
    *,
    by: str | None = None,
    question_code: str | None = None,
    k: int | None = None,
    withheld: Collection[str] = (),
) -> pandas.DataFrame:
    """The share of respondents carrying each theme, overall or per group of ``by`` (one of
    ``THEME_GROUPINGS``: the groupings of ``stats`` and ``"wave"``), on their answers to the
    question ``question_code`` or to any long-text question.

    One row per theme (codebook order) — × group with ``by``, the unknown group "" included —
    with ``THEME_COLUMNS``, the group column, ``n`` (respondents who answered, in the group),
    ``count`` (those carrying the theme), ``share`` = count / n and ``suppressed``.

    Small cells are withheld with ``suppress_small_cells`` and ``k`` (``coding.k`` by default):
    first the groups, whose sizes add up to the overall n — a group of fewer than k respondents,
    a group in ``withheld`` (withheld in another table), and a complementary group lose n, count
    and share; then the counts of each theme, which add up over the groups to the theme's overall
    count — a count below k and a complementary one lose count and share. A count of 0 describes
    nobody and is shown.
    """
    groupings = _groupings(by)
    if len(groupings) > 1:
        raise ValueError(f"Break theme shares down by one column at a time, not {groupings}.")
    respondents, marks = _marks(coding, question_code)
    k = coding.k if k is None else k
    columns = groupings or [EVERYONE]
    groups = respondents.assign(**{EVERYONE: ""})[columns]
    sizes = groups.groupby(columns).size().rename("n").reset_index()
    sizes["suppressed"] = sizes[columns[0]].isin(list(withheld))
    sizes = suppress_small_cells(sizes, "n", k, within=[], value_columns=["n"])
    counts = marks.groupby([groups[column] for column in columns]).sum()
    counts = counts.melt(ignore_index=False, var_name="theme", value_name="count").reset_index()
    table = coding.themes.merge(sizes, how="cross").merge(counts, on=["theme", *columns], how="left")
    table["count"] = table["count"].fillna(0).astype(int).where(table["n"].notna())
    table["share"] = table["count"] / table["n"].astype(float)
    table = suppress_small_cells(table, "count", k, within=["theme"], value_columns=["count", "share"])
    return table[[*THEME_COLUMNS, *groupings, *SHARE_COLUMNS]].astype({"n": "Int64", "count": "Int64"})


def theme_shares(
    *,
    survey: Surveys,
    by: str | None = None,
    k: int | None = None,
    coder: AbstractBaseUser | None = None,
    question_code: str | None = None,
) -> pandas.DataFrame:
    """``theme_share_table`` of the coding of ``survey`` (several waves: pass them together), by
    every coder or by ``coder``; ``k`` defaults to the survey's ``min_group_size`` (the largest
    for several surveys). Three queries, whatever the number of answers."""
    coding = theme_coding(survey=survey, coder=coder)
    return theme_share_table(coding, by=by, question_code=question_code, k=k)


def _test(carrying: numpy.ndarray, sizes: numpy.ndarray) -> tuple[str, float, float]:
    """(test, statistic, p-value) for the shares carrying/sizes of two or more groups."""
    table = numpy.column_stack([carrying, sizes - carrying])
    if len(sizes) == 2:
        result = scipy_stats.fisher_exact(table, alternative="two-sided")
        return FISHER_EXACT, float(result.statistic), float(result.pvalue)
    if (table.sum(axis=0) == 0).any():
        return CHI_SQUARE, 0.0, 1.0
    result = scipy_stats.chi2_contingency(table, correction=False)
    return CHI_SQUARE, float(result.statistic), float(result.pvalue)


def theme_divergence_table(
    coding: ThemeCoding,
    *,
    by: str | Sequence[str] = DIVERGENCE_GROUPINGS,
    question_code: str | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    k: int | None = None,
    alpha: float = ALPHA,
) -> pandas.DataFrame:
    """Where groups of respondents raise a theme more or less often, on their answers to the
    question ``question_code`` or to any long-text question: one row per theme × grouping in
    ``by`` that could be tested, with ``THEME_DIVERGENCE_COLUMNS``.

    Per theme and grouping, the groups compared are those with at least ``min_group_size``
    respondents who answered; the unknown group "" is left out; fewer than two groups, no row.
    The test compares the share carrying the theme: for two groups, Fisher's exact test on the
    2 × 2 table carrying / not × group (two-sided; ``statistic`` is the sample odds ratio); for
    more, Pearson's chi-square test of independence on the groups × 2 table (no continuity
    correction; p = 1 when nobody, or everybody, carries the theme). ``q_value``:
    Benjamini–Hochberg over every theme × grouping of the result; ``significant`` = q ≤ ``alpha``.
    ``share_group_high``/``share_group_low`` have the largest and smallest share, with their
    ``count_`` and ``n_``; ``share_difference`` = share_high − share_low.

    A row whose counts — carrying and not carrying, in either group named — would be withheld by
    ``suppress_small_cells`` with ``k`` (``coding.k`` by default) keeps its test but loses its
    counts and shares, and is marked ``suppressed``. Rows are sorted by q-value, then by share
    difference (largest first).
    """
    groupings = _groupings(by)
    respondents, marks = _marks(coding, question_code)
    rows = []
    for grouping in groupings:
        groups = respondents[grouping].to_numpy()
        sizes = pandas.Series(groups).value_counts()
        tested = sorted(sizes.index[(sizes >= min_group_size) & (sizes.index != "")])
        if len(tested) < 2:
            continue
        n = sizes[tested].to_numpy()
        counts = marks.groupby(groups).sum().reindex(tested)
        for theme in coding.themes.itertuples(index=False):
            carrying = counts[theme.theme].to_numpy()
            test, statistic, p_value = _test(carrying, n)
            shares = carrying / n
            high, low = int(numpy.argmax(shares)), int(numpy.argmin(shares))
            rows.append(
                {
                    **theme._asdict(),
                    "question": question_code or "",
                    "grouping": grouping,
                    "groups": tuple(tested),
                    "n_groups": len(tested),
                    "n": int(n.sum()),
                    "test": test,
                    "statistic": statistic,
                    "p_value": p_value,
                    "share_group_high": tested[high],
                    "share_high": shares[high],
                    "count_high": int(carrying[high]),
                    "n_high": int(n[high]),
                    "share_group_low": tested[low],
                    "share_low": shares[low],
                    "count_low": int(carrying[low]),
                    "n_low": int(n[low]),
                    "share_difference": shares[high] - shares[low],
                }
            )
    table = pandas.DataFrame(rows, columns=THEME_DIVERGENCE_COLUMNS)
    table["q_value"] = benjamini_hochberg(table["p_value"].astype(float))
    table["significant"] = table["q_value"].le(alpha)
    table = table.sort_values(["q_value", "share_difference"], ascending=[True, False], kind="stable")
    table = table.reset_index(drop=True)
    shown = publishable(table.drop(columns="suppressed"), COMPARED_COUNTS, coding.k if k is None else k)
    hidden = ~shown.to_numpy(dtype=bool)
    for column in COMPARED_VALUES:
        table[column] = table[column].astype(float).mask(hidden)
    table["suppressed"] = hidden
    return table.astype({column: "Int64" for column in ("count_high", "n_high", "count_low", "n_low")})


def theme_divergence(
    *,
    survey: Surveys,
    by: str | Sequence[str] = DIVERGENCE_GROUPINGS,
    coder: AbstractBaseUser | None = None,
    question_code: str | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    k: int | None = None,
    alpha: float = ALPHA,
) -> pandas.DataFrame:
    """``theme_divergence_table`` of the coding of ``survey``, by every coder or by ``coder``."""
    return theme_divergence_table(
        theme_coding(survey=survey, coder=coder),
        by=by,
        question_code=question_code,
        min_group_size=min_group_size,
        k=k,
        alpha=alpha,
    )


def theme_label(name: str, parent_name: str) -> str:
    """How a theme is named: "AI divide", or "AI divide › Access to compute" for a sub-theme."""
    return f"{parent_name} › {name}" if parent_name else name


def theme_findings(
    table: pandas.DataFrame, *, k: int = MIN_CELL_SIZE, limit: int = LIMIT, alpha: float = ALPHA
) -> list[Finding]:
    """Sentences for the ``limit`` sharpest significant differences (q ≤ ``alpha``) in a
    ``theme_divergence`` table, in its order: "“AI divide” comes up in 64 % of answers from the
    Global South and 21 % of answers from the Global North (q = 0.002)." A row is left out when it
    is ``suppressed`` or when a count it rests on (carrying and not, in either group) would be
    withheld with ``k``. Translatable: sentences are in the language active when this is called."""
    significant = table.loc[table["q_value"].le(alpha) & table["share_difference"].gt(0)]
    chosen = significant.loc[publishable(significant, COMPARED_COUNTS, k)].head(limit)
    findings = []
    for row in chosen.itertuples():
        family = "from" if row.grouping in PLACE_GROUPINGS else WAVE if row.grouping == WAVE else "in"
        text = THEME_SHARE_TEXT[family] % {
            "theme": theme_label(row.theme_name, row.parent_name),
            "group_high": group_label(row.grouping, row.share_group_high),
            "group_low": group_label(row.grouping, row.share_group_low),
            "share_high": percent_text(row.share_high),
            "share_low": percent_text(row.share_low),
            "q": q_text(row.q_value),
        }
        numbers: dict[str, Any] = {
            "theme": int(row.theme),
            "grouping": row.grouping,
            "group_high": row.share_group_high,
            "group_low": row.share_group_low,
            "share_high": float(row.share_high),
            "share_low": float(row.share_low),
            "n_high": int(row.n_high),
            "n_low": int(row.n_low),
            "p_value": float(row.p_value),
            "q_value": float(row.q_value),
        }
        findings.append(
            Finding(
                kind="theme",
                question=row.question,
                text=text,
                numbers=numbers,
                table=f"themes-{row.grouping}",
            )
        )
    return findings


def top_theme_findings(
    table: pandas.DataFrame, *, k: int = MIN_CELL_SIZE, limit: int = LIMIT
) -> list[Finding]:
    """Sentences for the ``limit`` themes carried by the largest share of respondents, from an
    overall ``theme_share_table`` (no group column), the largest share first: "“AI divide” comes
    up in the answers of 64 % of the experts who answered the interview questions (32 of 50)."
    A theme nobody carries is left out, and so is one whose counts (carrying and not) would be
    withheld with ``k``. Translatable, like ``theme_findings``."""
    carried = table.loc[table["count"].fillna(0).gt(0)]
    carried = carried.loc[publishable(carried, {"all": ("count", "n")}, k)]
    chosen = carried.sort_values(["share", "count"], ascending=False, kind="stable").head(limit)
    return [
        Finding(
            kind="top_theme",
            question="",
            text=TOP_THEME_TEXT
            % {
                "theme": theme_label(row.theme_name, row.parent_name),
                "share": percent_text(row.share),
                "count": row.count,
                "n": row.n,
            },
            numbers={
                "theme": int(row.theme),
                "share": float(row.share),
                "count": int(row.count),
                "n": int(row.n),
            },
            table=TOP_THEMES_TABLE,
        )
        for row in chosen.itertuples()
    ]
