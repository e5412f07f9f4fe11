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

The package: ``shape`` (what a summary holds), ``compute`` (``compute_summary``), ``items`` (each
item's tables), ``published`` (consensus, divergence and trends as shown), ``cached``
(``survey_summary``) and ``to_json``.
"""

from ..breakdowns import BREAKDOWNS, GROUPINGS
from .cached import SummaryVersion, summary_cache_key, summary_version, survey_summary
from .compute import compute_summary, previous_wave
from .shape import (
    FILTER_COLUMNS,
    KIND_OF_TYPE,
    Filters,
    ItemSummary,
    SurveySummary,
    distribution_table_id,
    fieldwork_table_id,
    group_name,
    item_table_id,
)
from .to_json import JSON_FORMAT, JSON_VERSION, summary_to_json, table_to_json

__all__ = [
    "BREAKDOWNS",
    "FILTER_COLUMNS",
    "GROUPINGS",
    "JSON_FORMAT",
    "JSON_VERSION",
    "KIND_OF_TYPE",
    "Filters",
    "ItemSummary",
    "SummaryVersion",
    "SurveySummary",
    "compute_summary",
    "distribution_table_id",
    "fieldwork_table_id",
    "group_name",
    "item_table_id",
    "previous_wave",
    "summary_cache_key",
    "summary_to_json",
    "summary_version",
    "survey_summary",
    "table_to_json",
]
