"""Statistics for expert surveys: pure functions, tidy frames in, tidy frames out.

The input is ``analysis.load.answers_frame`` (or any frame with its columns) for one survey;
answers of several surveys in one frame are pooled by question code (``wave_trends`` compares
waves). Nothing here touches the database. Formulas and references are in each docstring and in
docs/analysis-methods.md.
"""

from .comparisons import (
    ALPHA,
    MIN_GROUP_SIZE,
    benjamini_hochberg,
    cliffs_delta,
    cliffs_delta_matrix,
    divergence,
    rank_test,
    wave_trends,
)
from .consensus import DEFAULT_CRITERIA, ConsensusCriteria, consensus
from .grouping import GROUPINGS
from .ranking import kendalls_w, ranking_summary
from .scales import DEFAULT_TOP_BOXES, NUMERIC_TYPES, SCALE_TYPES, numeric_answers
from .summaries import CHOICE_TYPES, choice_summary, number_summary, scale_distribution, scale_summary
from .suppression import suppress_small_cells

__all__ = [
    "ALPHA",
    "CHOICE_TYPES",
    "DEFAULT_CRITERIA",
    "DEFAULT_TOP_BOXES",
    "GROUPINGS",
    "MIN_GROUP_SIZE",
    "NUMERIC_TYPES",
    "SCALE_TYPES",
    "ConsensusCriteria",
    "benjamini_hochberg",
    "choice_summary",
    "cliffs_delta",
    "cliffs_delta_matrix",
    "consensus",
    "divergence",
    "kendalls_w",
    "number_summary",
    "numeric_answers",
    "rank_test",
    "ranking_summary",
    "scale_distribution",
    "scale_summary",
    "suppress_small_cells",
    "wave_trends",
]
