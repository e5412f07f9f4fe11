"""Key findings: the few results worth a sentence, written plainly and translatable.

Three kinds, each from one table of ``analysis.stats``:

- *consensus*: items reaching consensus (``stats.consensus`` on an overall ``scale_summary``),
  the largest share first;
- *divergence*: significant differences between groups (``stats.divergence``), the smallest
  q-value first, naming the groups with the highest and lowest share agreeing (or, for number
  items and scales where the shares tie, the groups whose answers are higher and lower);
- *trend*: significant changes since the previous wave (``stats.wave_trends``), the largest
  change in share agreeing first.

Nothing comes from a suppressed cell: a finding is dropped when a row is flagged
``suppressed``, or when any count it rests on (those agreeing and the rest, per group or wave)
would be suppressed by ``suppress_small_cells`` with ``k``, complementary rule included.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from surveys.geography import NORTH, SOUTH
from surveys.models import Response, Sector

from .stats import ALPHA, SCALE_TYPES, suppress_small_cells

MIN_CELL_SIZE = 5
LIMIT = 3
CONSENSUS_TABLE = "consensus"
TRENDS_TABLE = "trends"

CONSENSUS_TEXT = {
    "agree": _("%(share)s of experts agree that “%(item)s” (n = %(n)d): consensus."),
    "disagree": _("%(share)s of experts disagree that “%(item)s” (n = %(n)d): consensus."),
}
# "from": groups that are places; "in": groups that are kinds (sector, mode of answering).
DIVERGENCE_SHARE_TEXT = {
    "from": _(
        "Experts from %(group_high)s agree more often than those from %(group_low)s that “%(item)s” "
        "(%(share_high)s vs %(share_low)s, q %(q)s)."
    ),
    "in": _(
        "Experts in the group “%(group_high)s” agree more often than those in “%(group_low)s” that "
        "“%(item)s” (%(share_high)s vs %(share_low)s, q %(q)s)."
    ),
}
DIVERGENCE_MEDIAN_TEXT = {
    "from": _(
        "Experts from %(group_high)s give higher answers than those from %(group_low)s to “%(item)s” "
        "(median %(median_high)s vs %(median_low)s, q %(q)s)."
    ),
    "in": _(
        "Experts in the group “%(group_high)s” give higher answers than those in “%(group_low)s” to "
        "“%(item)s” (median %(median_high)s vs %(median_low)s, q %(q)s)."
    ),
}
TREND_SHARE_TEXT = {
    "rose": _(
        "Agreement that “%(item)s” rose from %(share_prev)s in %(wave_prev)s to %(share_curr)s in "
        "%(wave_curr)s (q %(q)s)."
    ),
    "fell": _(
        "Agreement that “%(item)s” fell from %(share_prev)s in %(wave_prev)s to %(share_curr)s in "
        "%(wave_curr)s (q %(q)s)."
    ),
}
TREND_MEDIAN_TEXT = {
    "rose": _(
        "Answers to “%(item)s” rose from a median of %(median_prev)s in %(wave_prev)s to "
        "%(median_curr)s in %(wave_curr)s (q %(q)s)."
    ),
    "fell": _(
        "Answers to “%(item)s” fell from a median of %(median_prev)s in %(wave_prev)s to "
        "%(median_curr)s in %(wave_curr)s (q %(q)s)."
    ),
}
PLACE_GROUPINGS = ("country", "un_region", "un_subregion", "north_south")
NORTH_SOUTH_PHRASES = {NORTH: _("the Global North"), SOUTH: _("the Global South")}


@dataclass(frozen=True)
class Finding:
    """One sentence for a report, the numbers behind it and the table (anchor) it comes from."""

    kind: str  # "consensus", "divergence" or "trend"
    question: str
    text: str
    numbers: dict[str, Any] = field(default_factory=dict)
    table: str = ""


def divergence_table_anchor(grouping: str) -> str:
    return f"divergence-{grouping}"


def group_label(grouping: str, value: str) -> str:
    """How a group is named in a sentence: "the Global South", "Brazil", "Academia" …"""
    if grouping == "north_south":
        return str(NORTH_SOUTH_PHRASES.get(value, value))
    if grouping == "country":
        return str(countries.name(value) or value)
    if grouping == "sector" and value in Sector.values:
        return str(Sector(value).label)
    if grouping == "mode" and value in Response.Mode.values:
        return str(Response.Mode(value).label)
    return value


def percent_text(share: float) -> str:
    return _("%(percent)d %%") % {"percent": round(share * 100)}


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def q_text(q_value: float) -> str:
    """The q-value after "q " in a sentence: "= 0.003" or "< 0.001"."""
    return "< 0.001" if q_value < 0.001 else f"= {q_value:.3f}"


def publishable(
    table: pandas.DataFrame, parts: Mapping[str, tuple[str | None, str]], k: int
) -> pandas.Series:
    """True for the rows of ``table`` whose cells would all be shown by ``suppress_small_cells``.

    ``parts`` maps a part of a finding (a group, a wave) to (column counting the respondents who
    agree or None, column with the part's total): the part's cells are those agreeing and the rest.
    """
    cells = []
    for part, (inside, total) in parts.items():
        totals = table[total].astype(float)
        counts = [totals] if inside is None else [table[inside].astype(float), totals - table[inside]]
        cells += [
            pandas.DataFrame({"row": table.index, "part": part, "count": count.to_numpy()})
            for count in counts
        ]
    if not cells or table.empty:
        return pandas.Series(True, index=table.index)
    checked = suppress_small_cells(
        pandas.concat(cells, ignore_index=True), "count", k, within=["row", "part"]
    )
    hidden = checked.loc[checked["suppressed"], "row"].unique()
    shown = pandas.Series(~table.index.isin(hidden), index=table.index)
    if "suppressed" in table:
        shown &= ~table["suppressed"].fillna(False).astype(bool)
    return shown


def _item(items: Mapping[str, str] | None, question: str) -> str:
    return (items or {}).get(question) or question


def consensus_findings(
    table: pandas.DataFrame,
    *,
    items: Mapping[str, str] | None = None,
    k: int = MIN_CELL_SIZE,
    limit: int = LIMIT,
) -> list[Finding]:
    """The ``limit`` items with consensus and the largest share (then the smallest IQR), from an
    overall ``stats.consensus`` table (no group columns)."""
    reached = table.loc[table["consensus"]]
    reached = reached.assign(
        side=reached["n_agree"].where(reached["direction"].eq("agree"), reached["n_disagree"])
    )
    reached = reached.loc[publishable(reached, {"all": ("side", "n")}, k)]
    best = reached.sort_values(["share", "iqr", "n"], ascending=[False, True, False], kind="stable").head(
        limit
    )
    return [
        Finding(
            kind="consensus",
            question=row.question,
            text=CONSENSUS_TEXT[row.direction]
            % {"share": percent_text(row.share), "item": _item(items, row.question), "n": row.n},
            numbers={
                "direction": row.direction,
                "share": float(row.share),
                "n": int(row.n),
                "median": float(row.median),
                "iqr": float(row.iqr),
            },
            table=CONSENSUS_TABLE,
        )
        for row in best.itertuples()
    ]


def divergence_findings(
    table: pandas.DataFrame,
    *,
    items: Mapping[str, str] | None = None,
    k: int = MIN_CELL_SIZE,
    limit: int = LIMIT,
    alpha: float = ALPHA,
) -> list[Finding]:
    """The ``limit`` sharpest significant divergences (q ≤ ``alpha``), in the order of
    ``stats.divergence`` (q-value, then effect size)."""
    significant = table.loc[table["q_value"].le(alpha)]
    by_share = significant["type"].isin(SCALE_TYPES) & significant["share_difference"].gt(0)
    shares = significant.loc[by_share]
    medians = significant.loc[~by_share]
    keep = pandas.concat(
        [
            publishable(shares, {"high": ("agree_high", "n_high"), "low": ("agree_low", "n_low")}, k),
            publishable(medians, {"higher": (None, "n_higher"), "lower": (None, "n_lower")}, k),
        ]
    )
    chosen = significant.loc[keep.reindex(significant.index, fill_value=False)].head(limit)
    findings = []
    for row in chosen.itertuples():
        family = "from" if row.grouping in PLACE_GROUPINGS else "in"
        numbers: dict[str, Any] = {
            "grouping": row.grouping,
            "q_value": float(row.q_value),
            "p_value": float(row.p_value),
            "delta": float(row.delta),
        }
        if by_share[row.Index]:
            values = {
                "group_high": group_label(row.grouping, row.share_group_high),
                "group_low": group_label(row.grouping, row.share_group_low),
                "share_high": percent_text(row.share_high),
                "share_low": percent_text(row.share_low),
            }
            text = DIVERGENCE_SHARE_TEXT[family]
            numbers |= {
                "group_high": row.share_group_high,
                "group_low": row.share_group_low,
                "share_high": float(row.share_high),
                "share_low": float(row.share_low),
                "n_high": int(row.n_high),
                "n_low": int(row.n_low),
            }
        else:
            values = {
                "group_high": group_label(row.grouping, row.delta_higher),
                "group_low": group_label(row.grouping, row.delta_lower),
                "median_high": _number(row.median_higher),
                "median_low": _number(row.median_lower),
            }
            text = DIVERGENCE_MEDIAN_TEXT[family]
            numbers |= {
                "group_high": row.delta_higher,
                "group_low": row.delta_lower,
                "median_high": float(row.median_higher),
                "median_low": float(row.median_lower),
                "n_high": int(row.n_higher),
                "n_low": int(row.n_lower),
            }
        findings.append(
            Finding(
                kind="divergence",
                question=row.question,
                text=text % {**values, "item": _item(items, row.question), "q": q_text(row.q_value)},
                numbers=numbers,
                table=divergence_table_anchor(row.grouping),
            )
        )
    return findings


def trend_findings(
    table: pandas.DataFrame,
    *,
    items: Mapping[str, str] | None = None,
    k: int = MIN_CELL_SIZE,
    limit: int = LIMIT,
    alpha: float = ALPHA,
) -> list[Finding]:
    """The ``limit`` largest significant changes since the previous wave (``stats.wave_trends``):
    changes in share agreeing (q ≤ ``alpha``) by size, then changes in median (number items, and
    scales whose share agreeing did not change significantly) by q-value."""
    by_share = table["share_q_value"].le(alpha) & table["share_change"].ne(0)
    by_median = ~by_share & table["median_q_value"].le(alpha)
    shares = table.loc[by_share]
    shares = shares.loc[
        publishable(shares, {"prev": ("agree_prev", "n_prev"), "curr": ("agree_curr", "n_curr")}, k)
    ]
    medians = table.loc[by_median & table["median_change"].ne(0)]
    medians = medians.loc[publishable(medians, {"prev": (None, "n_prev"), "curr": (None, "n_curr")}, k)]
    chosen = pandas.concat(
        [
            shares.assign(order=-shares["share_change"].abs(), q_used=shares["share_q_value"]),
            medians.assign(order=float("inf"), q_used=medians["median_q_value"]),
        ]
    )
    chosen = chosen.sort_values(["order", "q_used"], kind="stable").head(limit)
    findings = []
    for row in chosen.itertuples():
        shared = {
            "item": _item(items, row.question),
            "wave_prev": row.wave_prev,
            "wave_curr": row.wave_curr,
            "q": q_text(row.q_used),
        }
        numbers: dict[str, Any] = {
            "wave_prev": row.wave_prev,
            "wave_curr": row.wave_curr,
            "q_value": float(row.q_used),
        }
        if by_share[row.Index]:
            direction = "rose" if row.share_change > 0 else "fell"
            text = TREND_SHARE_TEXT[direction] % {
                **shared,
                "share_prev": percent_text(row.share_agree_prev),
                "share_curr": percent_text(row.share_agree_curr),
            }
            numbers |= {"share_prev": float(row.share_agree_prev), "share_curr": float(row.share_agree_curr)}
        else:
            direction = "rose" if row.median_change > 0 else "fell"
            text = TREND_MEDIAN_TEXT[direction] % {
                **shared,
                "median_prev": _number(row.median_prev),
                "median_curr": _number(row.median_curr),
            }
            numbers |= {"median_prev": float(row.median_prev), "median_curr": float(row.median_curr)}
        numbers |= {"n_prev": int(row.n_prev), "n_curr": int(row.n_curr)}
        findings.append(
            Finding(kind="trend", question=row.question, text=text, numbers=numbers, table=TRENDS_TABLE)
        )
    return findings


def key_findings(
    *,
    consensus_table: pandas.DataFrame | None = None,
    divergence_table: pandas.DataFrame | None = None,
    trend_table: pandas.DataFrame | None = None,
    items: Mapping[str, str] | None = None,
    k: int = MIN_CELL_SIZE,
    limit: int = LIMIT,
    alpha: float = ALPHA,
) -> list[Finding]:
    """Up to ``limit`` findings of each kind, consensus first, then divergence, then trends.

    ``items`` maps question codes to the wording used in sentences (for example
    ``dict(zip(questions.code, questions.text))`` from ``load.questions_frame``); ``k`` is the
    smallest number of respondents a published count may describe. Sentences are translated
    into the active language when this is called.
    """
    findings = []
    if consensus_table is not None:
        findings += consensus_findings(consensus_table, items=items, k=k, limit=limit)
    if divergence_table is not None:
        findings += divergence_findings(divergence_table, items=items, k=k, limit=limit, alpha=alpha)
    if trend_table is not None:
        findings += trend_findings(trend_table, items=items, k=k, limit=limit, alpha=alpha)
    return findings
