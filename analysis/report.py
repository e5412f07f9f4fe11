"""The printable report of a survey summary: one self-contained HTML file.

Nothing in it is fetched: the stylesheet (with its print rules) is inline, charts are inline SVG
(``analysis.charts``), and no link leads outside the file. It holds what ``survey_summary`` holds —
pseudonymous aggregates with small cells withheld — so no name, email or organisation, and no
free text. Interface text is translated into the active language; texts from the questionnaire
are escaped by the template (and by matplotlib inside charts).

The order: title, key findings (each linking to its table), method (respondents per group,
fieldwork dates, the suppression rule with k, the consensus criteria, the tests), then every
question with its chart, its table and its one-way breakdowns, then consensus, divergence,
trends and the themes of the coded long-text answers (shares, not passages: still no free text).
"""

from functools import partial

import numpy
import pandas
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .charts import bar_chart_svg, cached_chart, likert_chart_svg
from .findings import divergence_table_anchor
from .stats import ALPHA
from .summary import (
    FILTER_COLUMNS,
    GROUPINGS,
    KIND_OF_TYPE,
    ItemSummary,
    SurveySummary,
    fieldwork_table_id,
    group_name,
    item_table_id,
)
from .summary_themes import ThemeSummary, themes_divergence_table_id, themes_table_id
from .themes import CHI_SQUARE, FISHER_EXACT, WAVE

TEMPLATE = "analysis/report.html"
FREE_TEXT = "free_text"

GROUPING_NAMES = {
    "country": gettext_lazy("Country"),
    "un_region": gettext_lazy("UN region"),
    "north_south": gettext_lazy("Global North/South"),
    "sector": gettext_lazy("Sector"),
    "mode": gettext_lazy("How answered"),
    WAVE: gettext_lazy("Wave"),
}
DIRECTIONS = {"agree": gettext_lazy("agree"), "disagree": gettext_lazy("disagree"), "": "—"}

# How a cell is written: TEXT as is, COUNT whole, NUMBER to two decimals, SHARE as a percentage,
# P a p- or q-value, YES_NO a boolean.
TEXT, COUNT, NUMBER, SHARE, P, YES_NO = "text", "count", "number", "share", "p", "yes_no"
ITEM_COLUMNS = {
    "scale": [
        ("n", gettext_lazy("Answered"), COUNT),
        ("mean", gettext_lazy("Mean"), NUMBER),
        ("sd", gettext_lazy("SD"), NUMBER),
        ("median", gettext_lazy("Median"), NUMBER),
        ("iqr", gettext_lazy("IQR"), NUMBER),
        ("share_agree", gettext_lazy("Agree"), SHARE),
        ("share_disagree", gettext_lazy("Disagree"), SHARE),
    ],
    "number": [
        ("n", gettext_lazy("Answered"), COUNT),
        ("mean", gettext_lazy("Mean"), NUMBER),
        ("sd", gettext_lazy("SD"), NUMBER),
        ("min", gettext_lazy("Min"), NUMBER),
        ("median", gettext_lazy("Median"), NUMBER),
        ("max", gettext_lazy("Max"), NUMBER),
        ("iqr", gettext_lazy("IQR"), NUMBER),
    ],
    "choice": [
        ("label", gettext_lazy("Option"), TEXT),
        ("count", gettext_lazy("Chose it"), COUNT),
        ("n", gettext_lazy("Answered"), COUNT),
        ("share", gettext_lazy("Share"), SHARE),
    ],
    "ranking": [
        ("label", gettext_lazy("Item"), TEXT),
        ("n", gettext_lazy("Ranked"), COUNT),
        ("n_ranked", gettext_lazy("Ranked it"), COUNT),
        ("mean_rank", gettext_lazy("Mean rank"), NUMBER),
        ("share_first", gettext_lazy("Ranked first"), SHARE),
        ("borda", gettext_lazy("Borda score"), NUMBER),
    ],
    FREE_TEXT: [
        ("n", gettext_lazy("Answered"), COUNT),
        ("n_skipped", gettext_lazy("Skipped or not shown"), COUNT),
    ],
}
FIELDWORK_COLUMNS = [("n_respondents", gettext_lazy("Respondents"), COUNT)]
CONSENSUS_COLUMNS = [
    ("item", gettext_lazy("Question"), TEXT),
    ("n", gettext_lazy("Answered"), COUNT),
    ("median", gettext_lazy("Median"), NUMBER),
    ("iqr", gettext_lazy("IQR"), NUMBER),
    ("iqr_max", gettext_lazy("IQR limit"), NUMBER),
    ("direction", gettext_lazy("Direction"), TEXT),
    ("share", gettext_lazy("Share that way"), SHARE),
    ("consensus", gettext_lazy("Consensus"), YES_NO),
]
# The test (Mann–Whitney for two groups, else Kruskal–Wallis) and the raw p-value are left out so
# the table fits a printed page; the method section names the tests.
DIVERGENCE_COLUMNS = [
    ("item", gettext_lazy("Question"), TEXT),
    ("groups", gettext_lazy("Groups compared"), TEXT),
    ("n", gettext_lazy("Answered"), COUNT),
    ("q_value", gettext_lazy("q (BH)"), P),
    ("delta", gettext_lazy("Cliff's δ"), NUMBER),
    ("delta_higher", gettext_lazy("Answers higher"), TEXT),
    ("delta_lower", gettext_lazy("Answers lower"), TEXT),
    ("share_group_high", gettext_lazy("Agrees most"), TEXT),
    ("share_high", gettext_lazy("Its share agreeing"), SHARE),
    ("share_group_low", gettext_lazy("Agrees least"), TEXT),
    ("share_low", gettext_lazy("Its share agreeing"), SHARE),
]
DIVERGENCE_NAMED_COLUMNS = ("delta_higher", "delta_lower", "share_group_high", "share_group_low")
TREND_COLUMNS = [
    ("item", gettext_lazy("Question"), TEXT),
    ("n_prev", gettext_lazy("Answered before"), COUNT),
    ("n_curr", gettext_lazy("Answered now"), COUNT),
    ("share_agree_prev", gettext_lazy("Agreed before"), SHARE),
    ("share_agree_curr", gettext_lazy("Agree now"), SHARE),
    ("share_q_value", gettext_lazy("q (agreement)"), P),
    ("median_prev", gettext_lazy("Median before"), NUMBER),
    ("median_curr", gettext_lazy("Median now"), NUMBER),
    ("median_q_value", gettext_lazy("q (median)"), P),
]
THEME_SHARE_COLUMNS = [
    ("count", gettext_lazy("Carry it"), COUNT),
    ("n", gettext_lazy("Answered"), COUNT),
    ("share", gettext_lazy("Share"), SHARE),
]
THEME_DIVERGENCE_COLUMNS = [
    ("theme_label", gettext_lazy("Theme"), TEXT),
    ("grouping", gettext_lazy("Grouping"), TEXT),
    ("groups", gettext_lazy("Groups compared"), TEXT),
    ("n", gettext_lazy("Answered"), COUNT),
    ("test", gettext_lazy("Test"), TEXT),
    ("q_value", gettext_lazy("q (BH)"), P),
    ("share_group_high", gettext_lazy("Raised most by"), TEXT),
    ("share_high", gettext_lazy("Its share"), SHARE),
    ("share_group_low", gettext_lazy("Raised least by"), TEXT),
    ("share_low", gettext_lazy("Its share"), SHARE),
]
THEME_TESTS = {FISHER_EXACT: gettext_lazy("Fisher's exact"), CHI_SQUARE: gettext_lazy("χ²")}


def _cell(value, kind: str, row_withheld: bool) -> dict:
    """One cell: its ``text``, whether it is ``numeric`` and whether it is ``withheld`` (blank in
    a row that suppression touched; blank elsewhere means undefined, such as the SD of one answer)."""
    numeric = kind not in (TEXT, YES_NO)
    if value is None or (numpy.ndim(value) == 0 and pandas.isna(value)):
        return {"text": "", "numeric": numeric, "withheld": row_withheld}
    if kind == COUNT:
        text = formats.number_format(int(value))
    elif kind == NUMBER:
        text = formats.number_format(float(value), decimal_pos=2)
    elif kind == SHARE:
        text = _("%(percent)s %%") % {"percent": formats.number_format(float(value) * 100, decimal_pos=0)}
    elif kind == P:
        text = "<\u00a00.001" if value < 0.001 else formats.number_format(float(value), decimal_pos=3)
    elif kind == YES_NO:
        text = _("yes") if value else _("no")
    else:
        text = str(value)
    return {"text": text, "numeric": numeric, "withheld": False}


def _table(frame: pandas.DataFrame, columns: list, *, table_id: str, caption: str, groups=()) -> dict:
    """``frame`` for the template: the ``<grouping>_label`` columns of ``groups``, then the
    ``columns`` (column, heading, kind) it has, one cell per value."""
    specs = [*((f"{grouping}_label", GROUPING_NAMES[grouping], TEXT) for grouping in groups), *columns]
    specs = [spec for spec in specs if spec[0] in frame]
    withheld = numpy.zeros(len(frame), dtype=bool)
    if "suppressed" in frame:
        withheld = frame["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    values = frame[[column for column, _heading, _kind in specs]].itertuples(index=False, name=None)
    rows = [
        [_cell(value, kind, hidden) for value, (_column, _heading, kind) in zip(row, specs, strict=True)]
        for row, hidden in zip(values, withheld, strict=True)
    ]
    headers = [{"text": str(heading), "numeric": kind not in (TEXT, YES_NO)} for _c, heading, kind in specs]
    return {"id": table_id, "caption": caption, "headers": headers, "rows": rows}


def _kind(item: ItemSummary) -> str:
    return KIND_OF_TYPE.get(item.type, FREE_TEXT)


def _chart(item: ItemSummary) -> str:
    """The item's chart as inline SVG markup; "" when it has none (numbers, free text) or when
    every number is withheld."""
    kind = _kind(item)
    if kind in ("number", FREE_TEXT) or item.overall.empty or item.overall["n"].isna().all():
        return ""
    if kind == "scale":
        if item.distribution is None or item.distribution.empty:
            return ""
        return cached_chart(likert_chart_svg, item.distribution, title=item.text)
    if kind == "choice":
        title = _("%(question)s (share of those answering who chose each option)") % {"question": item.text}
        return cached_chart(bar_chart_svg, item.overall, value="share", label="label", title=title)
    title = _("%(question)s (Borda score: mean points, k for a first place … 1 for the k-th)") % {
        "question": item.text
    }
    return cached_chart(bar_chart_svg, item.overall, value="borda", label="label", title=title)


def _item(item: ItemSummary) -> dict:
    """A question: its chart (markup from matplotlib, which escapes text), overall table and
    breakdowns by each single grouping (pairs are in the dashboard and the JSON download)."""
    columns = ITEM_COLUMNS[_kind(item)]
    breakdowns = [
        _table(
            item.breakdowns[grouping],
            columns,
            table_id=item_table_id(item.code, grouping),
            caption=_("By %(grouping)s") % {"grouping": GROUPING_NAMES[grouping]},
            groups=[grouping],
        )
        for grouping in GROUPINGS
        if grouping in item.breakdowns
    ]
    return {
        "code": item.code,
        "text": item.text,
        "section": item.section,
        "chart": mark_safe(_chart(item)),  # noqa: S308 - SVG written by matplotlib, text escaped
        "overall": _table(
            item.overall, columns, table_id=item_table_id(item.code), caption=_("All respondents")
        ),
        "breakdowns": breakdowns,
    }


def _names(values: pandas.Series, grouping: str) -> pandas.Series:
    present = values.dropna().unique()
    return values.map({value: group_name(grouping, value) for value in present})


def _joined_names(codes: list[str], *, grouping: str) -> str:
    return ", ".join(group_name(grouping, code) for code in codes)


def _divergence_tables(summary: SurveySummary, texts: dict[str, str]) -> list[dict]:
    """One table per grouping tested, anchored as the key findings link to them."""
    tables = []
    for grouping in GROUPINGS:
        rows = summary.divergence.loc[summary.divergence["grouping"].eq(grouping)]
        if rows.empty:
            continue
        names = {column: _names(rows[column], grouping) for column in DIVERGENCE_NAMED_COLUMNS}
        groups = rows["groups"].map(partial(_joined_names, grouping=grouping))
        shown = rows.assign(item=rows["question"].map(texts), groups=groups, **names)
        caption = _("By %(grouping)s") % {"grouping": GROUPING_NAMES[grouping]}
        tables.append(
            _table(shown, DIVERGENCE_COLUMNS, table_id=divergence_table_anchor(grouping), caption=caption)
        )
    return tables


def _theme_shares(table, question: str, grouping: str) -> dict:
    """A theme share table: the theme, then the group (in a breakdown), then the numbers."""
    group = [(f"{grouping}_label", GROUPING_NAMES[grouping], TEXT)] if grouping else []
    caption = _("All who answered")
    if grouping:
        caption = _("By %(grouping)s") % {"grouping": GROUPING_NAMES[grouping]}
    return _table(
        table,
        [("theme_label", gettext_lazy("Theme"), TEXT), *group, *THEME_SHARE_COLUMNS],
        table_id=themes_table_id(question, grouping),
        caption=caption,
    )


def _theme_divergence(block: ThemeSummary) -> dict:
    """The differences between groups in a block's theme shares, groups and tests by name."""
    rows = block.divergence
    named = list(
        zip(rows["grouping"], rows["groups"], rows["share_group_high"], rows["share_group_low"], strict=True)
    )
    shown = rows.assign(
        grouping=[str(GROUPING_NAMES[grouping]) for grouping, *_rest in named],
        groups=[_joined_names(groups, grouping=grouping) for grouping, groups, *_rest in named],
        share_group_high=[group_name(grouping, high) for grouping, _groups, high, _low in named],
        share_group_low=[group_name(grouping, low) for grouping, _groups, _high, low in named],
        test=[str(THEME_TESTS[test]) for test in rows["test"]],
    )
    return _table(
        shown,
        THEME_DIVERGENCE_COLUMNS,
        table_id=themes_divergence_table_id(block.question),
        caption=_("Differences between groups"),
    )


def _theme_chart(block: ThemeSummary) -> str:
    """Bars of the share of respondents carrying each theme; "" when every share is withheld."""
    overall = block.shares[""]
    if overall.empty or overall["share"].isna().all():
        return ""
    title = _("Share of the experts who answered whose answers carry each theme")
    return cached_chart(bar_chart_svg, overall, value="share", label="theme_label", title=title)


def theme_block(block: ThemeSummary, groupings: list[str], *, chart: bool = False) -> dict:
    """A block of the themes section: its question, the chart (when ``chart``), the overall share
    table, the share tables by each of ``groupings`` it has, and its divergence table."""
    return {
        "question": block.question,
        "text": block.text,
        "chart": mark_safe(_theme_chart(block)) if chart else "",  # noqa: S308 - SVG by matplotlib
        "tables": [
            _theme_shares(block.shares[grouping], block.question, grouping)
            for grouping in dict.fromkeys(["", *groupings])
            if grouping in block.shares
        ],
        "divergence": _theme_divergence(block),
    }


def _filters(summary: SurveySummary) -> list[dict]:
    """The filters applied, named: [{"name": "Sector", "value": "Academia"}, …]."""
    names = {"region": GROUPING_NAMES["un_region"], "wave": _("Wave")} | {
        name: GROUPING_NAMES[column] for name, column in FILTER_COLUMNS.items() if name != "region"
    }
    applied = []
    for name, label in names.items():
        value = getattr(summary.filters, name)
        if value:
            shown = value if name == "wave" else group_name(FILTER_COLUMNS[name], value)
            applied.append({"name": str(label), "value": shown})
    return applied


def report_context(summary: SurveySummary) -> dict:
    """What ``templates/analysis/report.html`` shows, with every table and chart prepared."""
    texts = {item.code: item.text for item in summary.items}
    consensus = summary.consensus.assign(
        item=summary.consensus["question"].map(texts),
        direction=summary.consensus["direction"].map(DIRECTIONS),
    )
    trends = None
    if summary.trends is not None:
        trends = _table(
            summary.trends.assign(item=summary.trends["question"].map(texts)),
            TREND_COLUMNS,
            table_id="trends",
            caption=_("Change since %(wave)s") % {"wave": summary.previous_wave},
        )
    criteria = summary.criteria
    return {
        "summary": summary,
        "generated_at": timezone.now(),
        "filters": _filters(summary),
        "fieldwork": summary.fieldwork,
        "respondents_by_group": [
            _table(
                table,
                FIELDWORK_COLUMNS,
                table_id=fieldwork_table_id(grouping),
                caption=str(GROUPING_NAMES[grouping]),
                groups=[grouping],
            )
            for grouping, table in summary.fieldwork["by_group"].items()
        ],
        "criteria": {
            "iqr_5": formats.number_format(criteria.iqr_max_5pt, decimal_pos=2),
            "iqr_7": formats.number_format(criteria.iqr_max_5pt * 6 / 4, decimal_pos=2),
            "iqr_11": formats.number_format(criteria.iqr_max_5pt * 10 / 4, decimal_pos=2),
            "share": formats.number_format(criteria.share_min * 100, decimal_pos=0),
        },
        "alpha": formats.number_format(ALPHA, decimal_pos=2),
        "findings": summary.findings,
        "items": [_item(item) for item in summary.items],
        "consensus": _table(consensus, CONSENSUS_COLUMNS, table_id="consensus", caption=_("Consensus")),
        "divergence": _divergence_tables(summary, texts),
        "trends": trends,
        "themes": [
            theme_block(block, [*GROUPINGS, WAVE], chart=not block.question) for block in summary.themes
        ],
    }


def build_report(summary: SurveySummary) -> str:
    """The printable report of ``summary`` as one self-contained HTML document, in the active
    language (compute ``summary`` in the same language: its findings are sentences)."""
    return render_to_string(TEMPLATE, report_context(summary))
