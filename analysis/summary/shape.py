"""What a summary is: the filters it describes, its items and tables, and the ids its tables are
anchored by in the report, the JSON and the findings' links."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy
import pandas
from django.utils.translation import gettext as _

from surveys.geography import NORTH_SOUTH_LABELS

from ..breakdowns import OVERALL, PAIR
from ..findings import Finding, group_label
from ..stats import SCALE_TYPES, ConsensusCriteria
from ..stats.scales import NUMBER
from ..stats.summaries import CHOICE_TYPES
from ..summary_themes import ThemeSummary

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
