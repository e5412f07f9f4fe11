"""Themes of the coded interview answers as results: how many respondents raise each theme, where
groups differ, sentences for the key findings, and the coded passages for download.

A respondent *carries* a theme when any coder's segment (or, with ``coder=``, that coder's) on
any of their long-text answers — to the question ``question_code``, or to every long-text question
— carries the theme or one of its sub-themes. Shares are of the respondents who answered (a
non-blank answer to one of those questions); an answer nobody has coded yet counts as carrying no
theme, so shares are lower bounds until coding is complete. Methods: docs/analysis-methods.md,
"Qualitative coding".

``load`` reads the coding (``theme_coding``, three queries; ``coded_segments_frame``);
``results`` computes tables and sentences from it.
"""

from .load import (
    SEGMENT_COLUMNS,
    THEME_COLUMNS,
    THEME_GROUPINGS,
    WAVE,
    ThemeCoding,
    coded_segments_frame,
    theme_coding,
)
from .results import (
    CHI_SQUARE,
    COMPARED_VALUES,
    DIVERGENCE_GROUPINGS,
    FISHER_EXACT,
    SHARE_COLUMNS,
    THEME_DIVERGENCE_COLUMNS,
    TOP_THEMES_TABLE,
    theme_divergence,
    theme_divergence_table,
    theme_findings,
    theme_label,
    theme_share_table,
    theme_shares,
    top_theme_findings,
)

__all__ = [
    "CHI_SQUARE",
    "COMPARED_VALUES",
    "DIVERGENCE_GROUPINGS",
    "FISHER_EXACT",
    "SEGMENT_COLUMNS",
    "SHARE_COLUMNS",
    "THEME_COLUMNS",
    "THEME_DIVERGENCE_COLUMNS",
    "THEME_GROUPINGS",
    "TOP_THEMES_TABLE",
    "WAVE",
    "ThemeCoding",
    "coded_segments_frame",
    "theme_coding",
    "theme_divergence",
    "theme_divergence_table",
    "theme_findings",
    "theme_label",
    "theme_share_table",
    "theme_shares",
    "top_theme_findings",
]
