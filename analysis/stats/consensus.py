"""Consensus on rating-scale items, by the criteria common in Delphi studies.

An item reaches consensus when answers are both *concentrated* and *one-sided*:

- the interquartile range is at most ``iqr_max_5pt`` = 1 on a five-point scale (Rayens & Hahn
  2000; von der Gracht 2012 reviews IQR ≤ 1 as the usual criterion for 4- and 5-point scales).
  Other scales get the same limit in proportion to their range: iqr_max = iqr_max_5pt ×
  (max − min) / 4, that is 1.5 for a 7-point Likert scale and 2.5 for a 0–10 scale;
- at least ``share_min`` = 70 % of those who answered are in the top boxes (agree) or in the
  bottom boxes (disagree) — the top-box rule of ``scales``. 70 % is a common choice; Diamond et
  al. (2014) found a median threshold of 75 % among Delphi studies using percent agreement.

Comparisons allow a rounding tolerance of 1e-9, so values exactly at a threshold meet it.
Full references in docs/analysis-methods.md.
"""

from dataclasses import dataclass

import numpy
import pandas

TOLERANCE = 1e-9
FIVE_POINT_RANGE = 4.0


@dataclass(frozen=True)
class ConsensusCriteria:
    """Thresholds for consensus; a survey may set its own."""

    iqr_max_5pt: float = 1.0
    share_min: float = 0.70

    def iqr_max(self, scale_min: pandas.Series, scale_max: pandas.Series) -> pandas.Series:
        """The IQR limit for scales running from ``scale_min`` to ``scale_max``."""
        return self.iqr_max_5pt * (scale_max - scale_min) / FIVE_POINT_RANGE


DEFAULT_CRITERIA = ConsensusCriteria()


def consensus(summary: pandas.DataFrame, criteria: ConsensusCriteria = DEFAULT_CRITERIA) -> pandas.DataFrame:
    """``summary`` (from ``scale_summary``) with, per row:

    - ``iqr_max``: the IQR limit for the item's scale, and ``iqr_met`` = iqr ≤ iqr_max;
    - ``direction``: "agree" when share_agree > share_disagree, "disagree" when less, "" when equal;
    - ``share``: the share in that direction, and ``share_met`` = share ≥ share_min;
    - ``consensus`` = iqr_met and share_met (never for a row nobody answered).
    """
    table = summary.copy()
    table["iqr_max"] = criteria.iqr_max(table["scale_min"], table["scale_max"])
    table["iqr_met"] = (table["iqr"] <= table["iqr_max"] + TOLERANCE).fillna(False).astype(bool)
    agree, disagree = table["share_agree"], table["share_disagree"]
    table["direction"] = numpy.select([agree > disagree, agree < disagree], ["agree", "disagree"], "")
    table["share"] = agree.where(table["direction"].ne("disagree"), disagree)
    table["share_met"] = (table["share"] >= criteria.share_min - TOLERANCE).fillna(False).astype(
        bool
    ) & table["direction"].ne("")
    table["consensus"] = table["iqr_met"] & table["share_met"] & table["n"].gt(0)
    return table
