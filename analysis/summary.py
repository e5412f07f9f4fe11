"""The summary of one survey that the dashboard, the downloads and the report all show.

``survey_summary`` loads the submitted answers of the survey and of its previous wave once
(``analysis.load``), computes every table with ``analysis.stats`` and withholds every number
that could describe fewer than the survey's k respondents (``Survey.min_group_size``), by the
rules of ``suppress_small_cells`` applied consistently across tables:

- *group sizes*: respondents per group (fieldwork) and answerers per group of each item. The
  groups of a breakdown add up to the coarser table (one grouping → the overall figure, two
  groupings → each one-way table), so complementary cells are hidden along every margin, and a
  cell hidden in a coarser table stays hidden in the finer ones;
- *counts inside a shown group*: the points of a scale (within the group and within its agree /
  disagree boxes), the options chosen, first places and items ranked, and those agreeing,
  disagreeing or neither;
- means, medians, IQRs, rank statistics and tests of a shown group stay: each describes at least
  k respondents.

A withheld number is null (NA) and its row has ``suppressed`` = True; a row whose ``n`` is null is
withheld entirely. When the filtered respondents are fewer than k, everything is withheld and
``SurveySummary.suppressed`` says so. Summaries are cached; see ``summary_cache_key``.

Themes of the coded long-text answers (``analysis.summary_themes``) follow the same rules: a group
withheld among the respondents stays withheld in the theme tables.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import numpy
import pandas
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Coalesce, JSONArray
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries

from surveys.geography import NORTH_SOUTH_LABELS
from surveys.i18n import localized
from surveys.models import Choice, Question, Response, Section, Survey
from surveys.selectors import one_value

from .breakdowns import BREAKDOWNS, GROUPINGS, OVERALL, PAIR, Level, Levels, levels
from .findings import Finding, divergence_table_anchor, group_label, key_findings
from .load import (
    GROUP_COLUMNS,
    QUESTION_ORDER,
    answer_counts_frame,
    choices_frame,
    questions_frame,
    respondent_counts_frame,
)
from .models import CodedSegment, Theme
from .small_cells import Rules, hidden_in, number_columns, respondent_counts, withhold
from .split_tables import AnchoredTables, ByQuestion, ItemBreakdowns
from .stats import (
    DEFAULT_TOP_BOXES,
    SCALE_TYPES,
    ConsensusCriteria,
    choice_summary,
    consensus,
    divergence,
    kendalls_w,
    number_summary,
    ranking_summary,
    scale_distribution,
    scale_summary,
    wave_trends,
)
from .stats.grouping import answer_key, codes_key, weights
from .stats.scales import NUMBER, box_counts
from .stats.summaries import CHOICE_TYPES
from .summary_themes import ThemeSummary, theme_key_findings, theme_summaries, themes_tables, themes_to_json
from .themes import theme_coding

FILTER_COLUMNS = {
    "region": "un_region",
    "north_south": "north_south",
    "sector": "sector",
    "country": "country",
}
FREE_TEXT_TYPES = ("short_text", "long_text")
RANKING = "ranking"
# Which summary describes a question of each type (free text: only how many answered).
KIND_OF_TYPE = {
    **{kind: "scale" for kind in SCALE_TYPES},
    NUMBER: "number",
    **{kind: "choice" for kind in CHOICE_TYPES},
    RANKING: "ranking",
}
CHART_GROUPING = "north_south"
ALL_RESPONDENTS = "all"
CACHE_FORMAT = 2  # bump when the summary's shape changes, so old cache entries are never read


@dataclass
class Filters:
    """Which respondents a summary describes; "" means all. ``region`` is a UN region, ``wave`` a
    wave label (a survey is one wave: another label leaves nobody)."""

    region: str = ""
    north_south: str = ""
    sector: str = ""
    country: str = ""
    wave: str = ""

    def restrict(self, frame: pandas.DataFrame, *, wave: bool = True) -> pandas.DataFrame:
        """The rows of ``frame`` (answers or respondents) that these filters keep."""
        wanted = {
            FILTER_COLUMNS[name]: value for name, value in asdict(self).items() if value and name != "wave"
        }
        if wave and self.wave:
            wanted["wave"] = self.wave
        keep = numpy.ones(len(frame), dtype=bool)
        for column, value in wanted.items():
            keep &= frame[column].eq(value).to_numpy(dtype=bool)
        return frame.loc[keep]


@dataclass
class ItemSummary:
    """One question: its tables in questionnaire order, withheld cells null.

    ``overall`` is the summary of its type (``scale_summary``, ``number_summary``,
    ``choice_summary`` or ``ranking_summary`` with option/item ``label`` and, for rankings,
    Kendall's W; free text: n answered only); ``breakdowns`` the same by each of ``BREAKDOWNS``
    with ``<grouping>_label`` columns; ``distribution`` (rating scales) has per ``group`` ("all",
    then each North/South group) and ``point``: ``count``, ``n``, ``share`` and a ``label``.
    """

    code: str
    type: str
    text: str
    section: str
    overall: pandas.DataFrame
    breakdowns: Mapping[str, pandas.DataFrame] = field(default_factory=dict)  # an ItemBreakdowns
    distribution: pandas.DataFrame | None = None


@dataclass
class SurveySummary:
    """Everything the dashboard, the downloads and the report show about one survey (see the
    module docstring for what is withheld); ``tables`` holds every table by the id the report
    anchors it with and the findings link to."""

    survey_slug: str
    title: str
    wave: str
    k: int
    filters: Filters
    n_respondents: int | None  # None when fewer than k (then ``suppressed``)
    fieldwork: dict  # opens_at, closes_at, n_submitted, by_group: {grouping: table}
    items: list[ItemSummary]
    consensus: pandas.DataFrame
    divergence: pandas.DataFrame
    trends: pandas.DataFrame | None
    findings: list[Finding]
    tables: Mapping[str, pandas.DataFrame]  # every table by its anchor id (AnchoredTables)
    criteria: ConsensusCriteria = field(default_factory=ConsensusCriteria)
    previous_wave: str = ""
    suppressed: bool = False  # fewer than k respondents: every number is withheld
    themes: list[ThemeSummary] = field(default_factory=list)  # [] without a codebook


def item_table_id(code: str, breakdown: str = OVERALL) -> str:
    """The anchor of an item's table: "item-<code>", "item-<code>-by-sector",
    "item-<code>-by-north_south-and-sector" (two groupings), "item-<code>-distribution"."""
    if breakdown == OVERALL:
        return f"item-{code}"
    return f"item-{code}-by-{breakdown.replace(PAIR, '-and-')}"


def distribution_table_id(code: str) -> str:
    return f"item-{code}-distribution"


def fieldwork_table_id(grouping: str) -> str:
    return f"fieldwork-{grouping}"


def group_name(grouping: str, value: str) -> str:
    """How a group is named in a table: "Global South", "Brazil", "Academia", "Unknown" …"""
    if value == "":
        return _("Unknown")
    if grouping == "north_south":
        return str(NORTH_SOUTH_LABELS.get(value, value))
    return group_label(grouping, value)


def previous_wave(*, survey: Survey) -> Survey | None:
    """The wave before ``survey`` in its series: the survey of the same series that opened (or,
    never opened, was created) last before it; None for a first wave."""
    started = survey.opens_at or survey.created_at
    return (
        Survey.objects.filter(series_id=survey.series_id)
        .exclude(pk=survey.pk)
        .annotate(started=Coalesce("opens_at", "created_at"))
        .filter(started__lt=started)
        .order_by("-started", "-pk")
        .first()
    )


class SummaryVersion(NamedTuple):
    """What a cached summary depends on (``summary_version``)."""

    n_submitted: int
    submitted: str | None
    updated: str | None
    n_segments: int
    segments_updated: str | None
    n_segment_themes: int
    n_themes: int
    theme_parents: int | None
    questionnaire_updated: str | None
    themes_updated: str | None


def summary_version(*, survey: Survey) -> SummaryVersion:
    """What a cached summary depends on, in one query: the submitted responses of the survey's
    series (this wave and the one it is compared with) — how many, and the latest submission and
    edit — and their coding: how many coded segments and segment themes, the latest coding, and the
    themes of the series' codebooks (how many, and where they nest). A new submission, an edit, a
    deletion, a new or removed coded segment, theme on a segment or theme changes it, and so does
    rewording the questionnaires of the series (sections, questions, choices) or a theme."""
    series = survey.series_id
    submitted = Response.objects.filter(survey__series_id=series, status=Response.Status.SUBMITTED)
    segments = CodedSegment.objects.filter(answer__response__in=submitted)
    links = CodedSegment.themes.through.objects.filter(codedsegment__in=segments)
    themes = Theme.objects.filter(Q(codebook__series_id=series) | Q(codebook__survey__series_id=series))
    parts = [
        model.objects.filter(**{lookup: series})
        for model, lookup in (
            (Section, "survey__series_id"),
            (Question, "survey__series_id"),
            (Choice, "question__survey__series_id"),
        )
    ]
    version = Survey.objects.filter(pk=survey.pk).values(
        # One pass over the responses for their three figures (three subqueries read them thrice).
        figures=one_value(submitted, JSONArray(Count("pk"), Max("submitted_at"), Max("updated_at"))),
        n_segments=one_value(segments, Count("pk")),
        segments_updated=one_value(segments, Max("updated_at")),
        n_segment_themes=one_value(links, Count("pk")),
        n_themes=one_value(themes, Count("pk")),
        theme_parents=one_value(themes, Sum("parent_id")),
        **{f"updated_{index}": one_value(part, Max("updated_at")) for index, part in enumerate(parts)},
        themes_updated=one_value(themes, Max("updated_at")),
    )[0]
    version["n_submitted"], version["submitted"], version["updated"] = version.pop("figures")
    questionnaire = [version.pop(f"updated_{index}") for index in range(len(parts))]
    version["questionnaire_updated"] = max((moment for moment in questionnaire if moment), default=None)
    return SummaryVersion(
        **{key: value.isoformat() if isinstance(value, datetime) else value for key, value in version.items()}
    )


def summary_cache_key(*, survey: Survey, filters: Filters, version: tuple) -> str:
    """The cache key: the survey and the fields of it a summary shows or uses (so editing its
    title, dates or analysis settings is never served stale), the filters, the language
    sentences and labels are written in, and ``summary_version`` (which also follows the wording
    of the questionnaire and the themes)."""
    parts = (
        CACHE_FORMAT,
        survey.pk,
        survey.slug,
        survey.wave_label,
        survey.title,
        survey.default_language,
        survey.opens_at,
        survey.closes_at,
        survey.min_group_size,
        survey.consensus_iqr_max,
        survey.consensus_share_min,
        translation.get_language(),
        sorted(asdict(filters).items()),
        version,
    )
    return "analysis.summary." + hashlib.sha256(repr(parts).encode()).hexdigest()


def survey_summary(*, survey: Survey, filters: Filters | None = None) -> SurveySummary:
    """The summary of ``survey`` for the respondents ``filters`` keep, from the cache when no
    response has been submitted or edited and no coding changed since it was computed (one
    query), else computed (nine more queries, twelve with a codebook, whatever the number of
    respondents and coded passages, when the answer tally is current) and cached."""
    filters = filters or Filters()
    version = summary_version(survey=survey)
    key = summary_cache_key(survey=survey, filters=filters, version=version)
    summary = cache.get(key)
    if summary is None:
        summary = compute_summary(survey=survey, filters=filters, with_themes=version.n_themes > 0)
        cache.set(key, summary)
    return summary


def _naming_shown_groups(findings: list[Finding], respondents: dict[str, pandas.DataFrame]) -> list[Finding]:
    """Findings minus those naming a group whose size is withheld: a small group, or the
    complement withheld beside it. Otherwise a finding's numbers would undo the suppression."""
    kept = []
    for finding in findings:
        grouping = finding.numbers.get("grouping")
        if finding.kind == "divergence" and grouping in respondents:
            table = respondents[grouping]
            hidden = set(table.loc[table["suppressed"], grouping].astype(str))
            named = {str(finding.numbers.get("group_high")), str(finding.numbers.get("group_low"))}
            if named & hidden:
                continue
        kept.append(finding)
    return kept


def _every_level(every: Levels, compute, suppress) -> tuple[pandas.DataFrame, dict[int, pandas.DataFrame]]:
    """(the overall table unsuppressed, {level width: suppressed table}): ``compute(every)`` gives
    the tables of every level in one, ``suppress(table, level, done)`` withholds a level's small
    cells, coarser levels first so finer ones can keep their withheld cells withheld."""
    done: dict[int, pandas.DataFrame] = {}
    raw = pandas.DataFrame()
    for level, table in zip(every.levels, every.apart(compute(every)), strict=True):
        table = level.described(table)
        if not level.width:
            raw = table
        done[level.width] = suppress(table, level, done)
    return raw, done


def _scale_bounds(
    table: pandas.DataFrame, questions: pandas.DataFrame
) -> tuple[pandas.Series, pandas.Series]:
    """The lowest and highest point of each row's scale (Likert 1 … 5 or 7; 0–10)."""
    scales = questions.set_index("code")
    likert = scales["type"].eq("likert").to_numpy()
    points = scales["scale_points"].astype(float).to_numpy()
    low = pandas.Series(numpy.where(likert, 1.0, 0.0), index=scales.index)
    high = pandas.Series(numpy.where(likert, points, 10.0), index=scales.index)
    question = table["question"].astype(object)  # a categorical would map to categoricals
    return question.map(low).astype(float), question.map(high).astype(float)


def _with_box(table: pandas.DataFrame, questions: pandas.DataFrame) -> pandas.DataFrame:
    """``table`` (a ``scale_distribution``) with ``box``: agree, disagree or neither (top-box rule)."""
    low, high = _scale_bounds(table, questions)
    boxes = box_counts(high - low + 1, DEFAULT_TOP_BOXES)
    point = table["point"].astype(float)
    box = numpy.select(
        [point >= high - boxes + 1, point <= low + boxes - 1], ["agree", "disagree"], "neither"
    )
    return table.assign(box=box)


def _distributions(
    steps: list[Level], questions: pandas.DataFrame, rules: Rules, scales: dict[str, pandas.DataFrame]
) -> pandas.DataFrame:
    """Answers per point of each rating scale, overall and per North/South group, for charts:
    points add up within a group and within its boxes, and across groups to the overall count.
    Counted from the answers already merged for the overall table and the North/South one."""
    values = ["count", "share"]
    everyone = steps[0].of_type(SCALE_TYPES)
    chart_groups = steps[1].merged[CHART_GROUPING]
    chart_groups = chart_groups.loc[chart_groups["type"].isin(SCALE_TYPES)]
    overall_withheld = scales[OVERALL].loc[scales[OVERALL]["n"].isna(), ["question"]]
    overall = rules.hide(
        _with_box(scale_distribution(everyone), questions),
        "count",
        groups=[],
        cell=["question", "point"],
        value_columns=values,
        hidden=[overall_withheld],
        within=[["question"], ["question", "box"]],
    )
    by = scales[CHART_GROUPING]
    groups_withheld = by.loc[by["n"].isna(), ["question", CHART_GROUPING]]
    by_group = rules.hide(
        _with_box(scale_distribution(chart_groups, CHART_GROUPING), questions),
        "count",
        groups=[CHART_GROUPING],
        cell=["question", "point"],
        value_columns=values,
        hidden=[overall.loc[overall["count"].isna(), ["question", "point"]], groups_withheld],
        within=[["question", CHART_GROUPING], ["question", CHART_GROUPING, "box"]],
    )
    overall["n"] = withhold(overall["n"], hidden_in(overall, overall_withheld))
    by_group["n"] = withhold(by_group["n"], hidden_in(by_group, groups_withheld))
    overall = overall.assign(group=ALL_RESPONDENTS, label=_("All respondents"))
    by_group = by_group.rename(columns={CHART_GROUPING: "group"})
    by_group["label"] = _names(by_group["group"], CHART_GROUPING)
    columns = ["question", "group", "label", "point", "count", "n", "share", "suppressed"]
    return pandas.concat([overall[columns], by_group[columns]], ignore_index=True)


def _names(values: pandas.Series, grouping: str) -> pandas.Series:
    return values.map({value: group_name(grouping, value) for value in values.unique()}).astype(str)


def _labelled(table: pandas.DataFrame, groups: list[str]) -> pandas.DataFrame:
    """``table`` with a ``<grouping>_label`` column after each group column."""
    table = table.copy()
    for grouping in groups:
        table.insert(
            table.columns.get_loc(grouping) + 1, f"{grouping}_label", _names(table[grouping], grouping)
        )
    return table


def _with_option_labels(table: pandas.DataFrame, option: str, choices: pandas.DataFrame) -> pandas.DataFrame:
    """``table`` with each option's (or ranked item's) ``label``: its choice label, or the name
    of the country for country questions."""
    labels = choices.set_index(["question", "code"])["label"]
    label = pandas.Series(
        labels.reindex(pandas.MultiIndex.from_frame(table[["question", option]])).to_numpy(),
        index=table.index,
    )
    names = {code: str(countries.name(code) or code) for code in table[option].unique()}
    table = table.copy()
    table.insert(
        table.columns.get_loc(option) + 1, "label", label.fillna(table[option].map(names)).astype(str)
    )
    return table


CONSENSUS_COLUMNS = [
    "question", "type", "n", "median", "iqr", "iqr_max", "iqr_met", "direction", "share", "share_met",
    "consensus", "n_agree", "share_agree", "n_disagree", "share_disagree", "suppressed",
]  # fmt: skip


def _published_consensus(
    raw: pandas.DataFrame, shown: pandas.DataFrame, criteria: ConsensusCriteria
) -> pandas.DataFrame:
    """``stats.consensus`` of the overall scale summary ``raw``, with the numbers withheld in
    ``shown`` (the same table suppressed) withheld, and the share in the direction of agreement
    withheld with its count."""
    table = consensus(raw, criteria)
    for column in (
        "n",
        "median",
        "iqr",
        "n_agree",
        "share_agree",
        "n_disagree",
        "share_disagree",
        "suppressed",
    ):
        table[column] = shown[column].to_numpy()
    whole = table["n"].isna().to_numpy()
    side = table["n_agree"].where(table["direction"].ne("disagree"), table["n_disagree"])
    table["share"] = withhold(table["share"], side.isna().to_numpy())
    for column in ("iqr_met", "share_met", "consensus", "direction"):
        table[column] = withhold(table[column], whole)
    return table[CONSENSUS_COLUMNS].reset_index(drop=True)


# Per group named in a divergence row: (its n column, its agreement columns).
DIVERGENCE_ROLES = {
    "share_group_high": ("n_high", ["agree_high", "share_high", "share_difference"]),
    "share_group_low": ("n_low", ["agree_low", "share_low", "share_difference"]),
    "delta_higher": ("n_higher", []),
    "delta_lower": ("n_lower", []),
}


def _published_divergence(
    raw: pandas.DataFrame, one_way: dict[str, list[pandas.DataFrame]]
) -> pandas.DataFrame:
    """``stats.divergence`` with a group's numbers withheld wherever its item's breakdown withholds
    them (``one_way``: grouping → its suppressed scale and number tables), and the total ``n``
    withheld when any group tested is."""
    flags = pandas.concat(
        [
            table[["question", grouping]]
            .rename(columns={grouping: "group"})
            .assign(
                grouping=grouping,
                n_hidden=table["n"].isna().to_numpy(),
                agree_hidden=(table["n_agree"] if "n_agree" in table else table["n"]).isna().to_numpy(),
            )
            for grouping, tables in one_way.items()
            for table in tables
        ],
        ignore_index=True,
    )
    table = raw.copy().reset_index(drop=True)
    withheld = numpy.zeros(len(table), dtype=bool)
    for role, (n_column, agreement) in DIVERGENCE_ROLES.items():
        found = table[["question", "grouping", role]].rename(columns={role: "group"})
        found = found.merge(flags, on=["question", "grouping", "group"], how="left")
        n_hidden = found["n_hidden"].fillna(False).to_numpy(dtype=bool)
        agree_hidden = n_hidden | found["agree_hidden"].fillna(False).to_numpy(dtype=bool)
        table[n_column] = withhold(table[n_column], n_hidden)
        for column in agreement:
            table[column] = withhold(table[column], agree_hidden)
        withheld |= n_hidden | (agree_hidden & bool(agreement))
    tested = table[["question", "grouping", "groups"]].assign(row=numpy.arange(len(table))).explode("groups")
    tested = tested.rename(columns={"groups": "group"}).merge(
        flags, on=["question", "grouping", "group"], how="left"
    )
    any_hidden = tested.groupby("row")["n_hidden"].agg(lambda hidden: hidden.fillna(False).any())
    total_hidden = any_hidden.reindex(range(len(table)), fill_value=False).to_numpy(dtype=bool)
    table["n"] = withhold(table["n"], total_hidden)
    table["groups"] = table["groups"].map(list)
    table["suppressed"] = withheld | total_hidden
    return table


TREND_SHARE_COLUMNS = [
    "agree_prev", "agree_curr", "share_agree_prev", "share_agree_curr", "share_change", "share_p_value",
    "share_q_value",
]  # fmt: skip


def _published_trends(raw: pandas.DataFrame, current: pandas.DataFrame, rules: Rules) -> pandas.DataFrame:
    """``stats.wave_trends`` with agreement withheld when those agreeing or the rest are a small
    cell in either wave (or withheld in the current overall tables ``current``), and the whole
    row when either wave has fewer than k answers."""
    rows = raw[["question"]].assign(row=numpy.arange(len(raw)))
    cells = pandas.concat(
        [
            rows.assign(wave=wave, part=part, count=count.astype(float).to_numpy())
            for wave in ("prev", "curr")
            for part, count in (
                ("agree", raw[f"agree_{wave}"]),
                ("rest", raw[f"n_{wave}"] - raw[f"agree_{wave}"]),
            )
        ],
        ignore_index=True,
    )
    checked = rules.hide(
        cells, "count", groups=[], cell=[], value_columns=["count"], within=[["row", "wave"]]
    )
    in_cells = numpy.isin(rows["row"], checked.loc[checked["suppressed"], "row"])
    now = current.drop_duplicates("question").set_index("question")
    whole = (
        raw["n_prev"].lt(rules.k).to_numpy()
        | raw["n_curr"].lt(rules.k).to_numpy()
        | raw["question"].map(now["n"].isna()).fillna(True).to_numpy(dtype=bool)
        | rules.everything
    )
    agree_withheld = raw["question"].map(now["n_agree"].isna()).fillna(False).to_numpy(dtype=bool)
    share_hidden = whole | in_cells | (agree_withheld & raw["type"].ne(NUMBER).to_numpy())
    table = raw.copy()
    for column in TREND_SHARE_COLUMNS:
        table[column] = withhold(table[column], share_hidden)
    for column in [*number_columns(table), "significant"]:
        table[column] = withhold(table[column], whole)
    table["suppressed"] = share_hidden | whole
    return table.reset_index(drop=True)


def _section_titles(survey: Survey) -> dict[str, str]:
    """Question code → the title of its section, in the survey's default language (one query)."""
    language = survey.default_language
    rows = (
        Question.objects.filter(survey=survey).order_by(*QUESTION_ORDER).values_list("code", "section__title")
    )
    return {code: localized(title, language, language) for code, title in rows}


def _free_text(frame: pandas.DataFrame, overall: Level, questions: pandas.DataFrame, rules: Rules):
    """Free-text questions: how many answered (the texts themselves are never loaded)."""
    people = overall.people
    asked = questions.loc[questions["type"].isin(FREE_TEXT_TYPES), ["code", "type"]]
    free = frame.loc[frame["type"].isin(FREE_TEXT_TYPES)]
    answered = pandas.Series(weights(free), index=free.index).groupby(free["question"]).sum()
    table = asked.rename(columns={"code": "question"}).reset_index(drop=True)
    table["n"] = table["question"].map(answered).fillna(0).astype(int)
    table["n_respondents"] = int(weights(people).sum())
    table["n_skipped"] = table["n_respondents"] - table["n"]
    return rules.groups(table, overall, {}, ["n", "n_respondents", "n_skipped"])


def _by_question(table: pandas.DataFrame) -> dict[str, pandas.DataFrame]:
    return {code: part.reset_index(drop=True) for code, part in table.groupby("question", sort=False)}


ITEM_TYPES = (SCALE_TYPES, (NUMBER,), CHOICE_TYPES, (RANKING,))
RANKING_COUNTS = {
    "n_first": (["n_first", "share_first"], True),  # first places partition the rankers
    "n_ranked": (["n_ranked", "mean_rank_ranked"], False),
}


def _item_tables(
    steps: list[Level], choices: pandas.DataFrame, rules: Rules
) -> tuple[pandas.DataFrame, dict[str, dict[str, pandas.DataFrame]]]:
    """(the overall scale summary unsuppressed, {kind: {breakdown: suppressed, labelled table}})
    for the kinds of ``KIND_OF_TYPE``, every level of breakdowns at once."""
    every = Levels.of(steps)
    scale_raw, scales = _every_level(
        every,
        lambda every: scale_summary(
            every.of_type(SCALE_TYPES), every.by, respondents=every.people, distribution=False
        ),
        lambda table, level, done: rules.agreement(
            rules.groups(table, level, done, number_columns(table, ("scale_min", "scale_max"))), level, done
        ),
    )
    _raw, numbers = _every_level(
        every,
        lambda every: number_summary(every.of_type((NUMBER,)), every.by, respondents=every.people),
        lambda table, level, done: rules.groups(table, level, done, number_columns(table)),
    )
    _raw, options = _every_level(
        every,
        lambda every: choice_summary(every.of_type(CHOICE_TYPES), every.by, choices=choices),
        lambda table, level, done: rules.options(
            table, level, done, "option", {"count": (["count", "share"], True)}
        ),
    )
    _raw, rankings = _every_level(
        every,
        lambda every: ranking_summary(every.of_type((RANKING,)), every.by, choices=choices),
        lambda table, level, done: rules.options(table, level, done, "item", RANKING_COUNTS),
    )
    agreement = kendalls_w(steps[0].of_type((RANKING,)), choices=choices)[["question", "w", "p_value"]]
    agreement = agreement.rename(columns={"w": "kendalls_w", "p_value": "kendalls_w_p_value"})
    overall = rankings[0].merge(agreement, on="question", how="left")
    for column in ("kendalls_w", "kendalls_w_p_value"):
        overall[column] = withhold(overall[column], overall["n"].isna().to_numpy())
    rankings[0] = overall
    kinds: dict[str, dict[str, pandas.DataFrame]] = {"scale": {}, "number": {}, "choice": {}, "ranking": {}}
    for level in steps:
        kinds["scale"] |= level.split(scales[level.width])
        kinds["number"] |= level.split(numbers[level.width])
        kinds["choice"] |= level.split(_with_option_labels(options[level.width], "option", choices))
        kinds["ranking"] |= level.split(_with_option_labels(rankings[level.width], "item", choices))
    return scale_raw, kinds


def _items(
    questions: pandas.DataFrame,
    sections: dict[str, str],
    kinds: dict[str, dict[str, pandas.DataFrame]],
    free_text: pandas.DataFrame,
    distributions: pandas.DataFrame,
) -> list[ItemSummary]:
    """One ``ItemSummary`` per question, in questionnaire order: its overall table and chart taken
    out now, its breakdowns when read (``split_tables``)."""
    overall = {kind: _by_question(tables[OVERALL]) for kind, tables in kinds.items()}
    breakdowns = {
        kind: {name: ByQuestion(tables[name]) for name in BREAKDOWNS} for kind, tables in kinds.items()
    }
    free_texts, charts = _by_question(free_text), _by_question(distributions)
    items = []
    for code, kind, text in zip(questions["code"], questions["type"], questions["text"], strict=True):
        if kind in FREE_TEXT_TYPES:
            table, by = free_texts[code], ItemBreakdowns(code, [], {})
        else:
            of_kind = KIND_OF_TYPE[kind]
            table = overall[of_kind].get(code, kinds[of_kind][OVERALL].iloc[0:0])
            by = ItemBreakdowns(code, list(BREAKDOWNS), breakdowns[of_kind])
        distribution = charts.get(code, distributions.iloc[0:0]) if kind in SCALE_TYPES else None
        items.append(
            ItemSummary(
                code=code,
                type=kind,
                text=text,
                section=sections.get(code, ""),
                overall=table,
                breakdowns=by,
                distribution=distribution,
            )
        )
    return items


def _anchored(
    by_group: dict[str, pandas.DataFrame],
    items: list[ItemSummary],
    consensus_table: pandas.DataFrame,
    divergence_table: pandas.DataFrame,
    trends: pandas.DataFrame | None,
    themes: list[ThemeSummary],
) -> AnchoredTables:
    """Every table by its anchor id, in the order of the report."""
    tables = AnchoredTables()
    for grouping, table in by_group.items():
        tables.add(fieldwork_table_id(grouping), table)
    for item in items:
        tables.add(item_table_id(item.code), item.overall)
        for name in item.breakdowns:
            tables.add_breakdown(item_table_id(item.code, name), item.breakdowns, name)
        if item.distribution is not None:
            tables.add(distribution_table_id(item.code), item.distribution)
    tables.add("consensus", consensus_table)
    tables.add("divergence", divergence_table)
    for grouping in GROUPINGS:
        rows = divergence_table["grouping"].eq(grouping)
        tables.add(divergence_table_anchor(grouping), divergence_table.loc[rows].reset_index(drop=True))
    if trends is not None:
        tables.add("trends", trends)
    for anchor, table in themes_tables(themes).items():
        tables.add(anchor, table)
    return tables


def _withheld_groups(respondents: pandas.DataFrame, grouping: str) -> set[str]:
    """The groups of ``grouping`` whose number of respondents is withheld."""
    return set(respondents.loc[respondents["suppressed"].to_numpy(dtype=bool), grouping])


def _themes(
    survey: Survey, waves: list[Survey], filters: Filters, questions: pandas.DataFrame, rules: Rules
) -> list[ThemeSummary]:
    """The themes of ``survey``'s coded long-text answers for the respondents ``filters`` keep, in
    three queries, with the groups withheld among the respondents withheld, and group labels."""
    coding = theme_coding(survey=waves)
    current = filters.restrict(coding.answers.loc[coding.answers["survey"].eq(survey.slug)])
    long_texts = questions.loc[questions["type"].eq(Question.Type.LONG_TEXT)]
    themes = theme_summaries(
        coding,
        survey=survey.slug,
        current=current,
        waves=filters.restrict(coding.answers, wave=False) if len(waves) > 1 else None,
        groupings=GROUPINGS,
        withheld={
            grouping: _withheld_groups(rules.respondents[grouping], grouping) for grouping in GROUPINGS
        },
        questions=dict(zip(long_texts["code"], long_texts["text"], strict=True)),
    )
    for block in themes:
        block.shares = {
            grouping: _labelled(table, [grouping] if grouping else [])
            for grouping, table in block.shares.items()
        }
    return themes


CATEGORICAL_COLUMNS = ["survey", "series", "wave", "question", "type", "text", *GROUP_COLUMNS]


def _categorical(answers: pandas.DataFrame) -> pandas.DataFrame:
    """``answers`` with its text columns as categoricals, its ``codes`` lists numbered
    (``codes_key``) and each distinct answer numbered (``answer_key``): the many groupings of a
    summary then group by small integers instead of hashing the same strings again each time,
    several times faster with the same results (categories sort as their strings do)."""
    answers = answers.astype(dict.fromkeys(CATEGORICAL_COLUMNS, "category"))
    answers = answers.assign(codes_key=codes_key(answers))
    return answers.assign(answer_key=answer_key(answers))


def compute_summary(*, survey: Survey, filters: Filters, with_themes: bool = True) -> SurveySummary:
    """The summary of ``survey`` for the respondents ``filters`` keep, computed now, in nine
    queries when the answer tally is current, and three more for the themes ``with_themes``
    (``survey_summary`` caches it). Sentences and labels are in the active language."""
    k = survey.min_group_size
    criteria = ConsensusCriteria(iqr_max_5pt=survey.consensus_iqr_max, share_min=survey.consensus_share_min)
    previous = previous_wave(survey=survey)
    waves = [survey] if previous is None else [survey, previous]
    answers = _categorical(answer_counts_frame(surveys=waves))
    everyone = respondent_counts_frame(surveys=waves)
    questions = questions_frame(survey=survey)
    choices = choices_frame(survey=survey)
    frame = filters.restrict(answers.loc[answers["survey"].eq(survey.slug)])
    people = filters.restrict(everyone.loc[everyone["survey"].eq(survey.slug)])
    n_people = int(weights(people).sum())
    rules = Rules(k=k, everything=n_people < k)
    steps = levels(frame, people, group_name)
    respondent_counts(steps[1:], rules)

    scale_raw, kinds = _item_tables(steps, choices, rules)
    scales, numbers = kinds["scale"], kinds["number"]
    distributions = _distributions(steps, questions, rules, scales)
    free_text = _free_text(frame, steps[0], questions, rules)
    items = _items(questions, _section_titles(survey), kinds, free_text, distributions)

    divergence_raw = divergence(steps[1].unstacked(), GROUPINGS, min_group_size=k)
    trends_raw = trends = None
    if previous is not None:
        earlier = filters.restrict(answers.loc[answers["survey"].eq(previous.slug)], wave=False)
        trends_raw = wave_trends(earlier, frame)
        current = pandas.concat([scales[OVERALL], numbers[OVERALL]], ignore_index=True)
        trends = _published_trends(trends_raw, current, rules)
    findings = []
    if not rules.everything:
        findings = key_findings(
            consensus_table=consensus(scale_raw, criteria),
            divergence_table=divergence_raw,
            trend_table=trends_raw,
            items=dict(zip(questions["code"], questions["text"], strict=True)),
            k=k,
        )
    findings = _naming_shown_groups(findings, rules.respondents)
    themes = _themes(survey, waves, filters, questions, rules) if with_themes and not rules.everything else []
    findings += theme_key_findings(themes, k=k)
    consensus_table = _published_consensus(scale_raw, scales[OVERALL], criteria)
    divergence_table = _published_divergence(
        divergence_raw, {grouping: [scales[grouping], numbers[grouping]] for grouping in GROUPINGS}
    )
    by_group = {grouping: rules.respondents[grouping] for grouping in GROUPINGS}
    n_respondents = None if rules.everything else n_people
    return SurveySummary(
        survey_slug=survey.slug,
        title=survey.localized_title(translation.get_language()),
        wave=survey.wave_label,
        k=k,
        filters=filters,
        n_respondents=n_respondents,
        fieldwork={
            "opens_at": survey.opens_at,
            "closes_at": survey.closes_at,
            "n_submitted": n_respondents,
            "by_group": by_group,
        },
        items=items,
        consensus=consensus_table,
        divergence=divergence_table,
        trends=trends,
        findings=findings,
        tables=_anchored(by_group, items, consensus_table, divergence_table, trends, themes),
        criteria=criteria,
        previous_wave=previous.wave_label if previous is not None else "",
        suppressed=rules.everything,
        themes=themes,
    )


JSON_FORMAT = "roundtable.survey-summary"
JSON_VERSION = 1


def table_to_json(table: pandas.DataFrame) -> dict[str, list]:
    """``{"columns": [...], "rows": [[...], ...]}`` with NaN/NA as null and numpy types as JSON's."""
    split = json.loads(table.to_json(orient="split", index=False, date_format="iso", double_precision=15))
    return {"columns": split["columns"], "rows": split["data"]}


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def summary_to_json(summary: SurveySummary) -> dict[str, Any]:
    """``summary`` as JSON-safe data; every table once, under ``tables`` by its id, referred to by
    id elsewhere. The structure is documented key by key in docs/summary-json.md."""
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "survey": summary.survey_slug,
        "title": summary.title,
        "wave": summary.wave,
        "previous_wave": summary.previous_wave or None,
        "k": summary.k,
        "filters": asdict(summary.filters),
        "suppressed": summary.suppressed,
        "n_respondents": summary.n_respondents,
        "consensus_criteria": {
            "iqr_max_5pt": summary.criteria.iqr_max_5pt,
            "share_min": summary.criteria.share_min,
        },
        "fieldwork": {
            "opens_at": _moment(summary.fieldwork["opens_at"]),
            "closes_at": _moment(summary.fieldwork["closes_at"]),
            "n_submitted": summary.fieldwork["n_submitted"],
            "by_group": {
                grouping: fieldwork_table_id(grouping) for grouping in summary.fieldwork["by_group"]
            },
        },
        "items": [
            {
                "code": item.code,
                "type": item.type,
                "text": item.text,
                "section": item.section,
                "overall": item_table_id(item.code),
                "breakdowns": {
                    breakdown: item_table_id(item.code, breakdown) for breakdown in item.breakdowns
                },
                "distribution": distribution_table_id(item.code) if item.distribution is not None else None,
            }
            for item in summary.items
        ],
        "consensus": "consensus",
        "divergence": "divergence",
        "trends": "trends" if summary.trends is not None else None,
        "themes": themes_to_json(summary.themes),
        "findings": [
            {
                "kind": finding.kind,
                "question": finding.question,
                "text": str(finding.text),
                "numbers": finding.numbers,
                "table": finding.table,
            }
            for finding in summary.findings
        ],
        "tables": {table_id: table_to_json(table) for table_id, table in summary.tables.items()},
    }
