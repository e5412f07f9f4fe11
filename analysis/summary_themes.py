"""The themes part of the survey summary: theme shares by group and where groups differ, for every
long-text answer together and per coded question, with small cells withheld as in the other tables.

``theme_summaries`` works on a ``themes.ThemeCoding`` whose answers ``analysis.summary`` has already
cut to the respondents the filters keep; group labels are added there too (``summary.items.labelled``).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

import numpy
import pandas

from .findings import Finding
from .themes import (
    COMPARED_VALUES,
    DIVERGENCE_GROUPINGS,
    TOP_THEMES_TABLE,
    WAVE,
    ThemeCoding,
    theme_divergence_table,
    theme_findings,
    theme_label,
    theme_share_table,
    top_theme_findings,
)

ALL_ANSWERS = ""  # the ``question`` of the block of every long-text answer
OVERALL = ""  # the key of a block's table without groups


@dataclass
class ThemeSummary:
    """The themes of the answers to one long-text question (``question``, its code, and ``text``)
    or, with ``question`` ``ALL_ANSWERS``, of every long-text answer.

    ``shares``: ``theme_share_table`` with a ``theme_label`` column, overall (key ``OVERALL``), then
    by each grouping given and by ``"wave"`` when there is a previous wave. ``divergence``:
    ``theme_divergence_table`` over ``DIVERGENCE_GROUPINGS`` (``groups`` as lists), with the numbers
    of a row withheld (``suppressed``) when a group it compares is withheld in its share table.
    """

    question: str
    text: str
    shares: dict[str, pandas.DataFrame]
    divergence: pandas.DataFrame


def themes_table_id(question: str, grouping: str = OVERALL) -> str:
    """The anchor of a theme table: "themes-overall" and "themes-<grouping>" for every long-text
    answer (the key findings link there), "themes-item-<code>" and
    "themes-item-<code>-by-<grouping>" for one question."""
    if question == ALL_ANSWERS:
        return f"themes-{grouping}" if grouping else TOP_THEMES_TABLE
    return f"themes-item-{question}" + (f"-by-{grouping}" if grouping else "")


def themes_divergence_table_id(question: str) -> str:
    """ "themes-divergence" for every long-text answer, "themes-item-<code>-divergence" for one."""
    return "themes-divergence" if question == ALL_ANSWERS else f"themes-item-{question}-divergence"


def _with_theme_labels(table: pandas.DataFrame) -> pandas.DataFrame:
    """``table`` with ``theme_label`` ("AI divide › Access to compute") after ``parent_name``."""
    names = zip(table["theme_name"], table["parent_name"], strict=True)
    table = table.copy()
    table.insert(
        table.columns.get_loc("parent_name") + 1, "theme_label", [theme_label(*name) for name in names]
    )
    return table


def _published_divergence(divergence: pandas.DataFrame, shares: Mapping[str, pandas.DataFrame]):
    """``divergence`` with the numbers of a row withheld when one of the groups it compares has its
    size withheld in ``shares`` (a small group's complement, or a group withheld among the
    respondents): its n beside the others' would give the withheld group away."""
    withheld = pandas.concat(
        [
            shares[grouping].loc[shares[grouping]["n"].isna(), [grouping]].set_axis(["group"], axis=1)
            .assign(grouping=grouping)
            for grouping in DIVERGENCE_GROUPINGS
            if grouping in shares
        ],
        ignore_index=True,
    )  # fmt: skip
    tested = divergence[["grouping", "groups"]].assign(row=numpy.arange(len(divergence)))
    tested = tested.explode("groups").rename(columns={"groups": "group"})
    rows = tested.merge(withheld, on=["grouping", "group"])["row"]
    hidden = numpy.isin(numpy.arange(len(divergence)), rows)
    table = divergence.copy()
    for column in (*COMPARED_VALUES, "n"):
        table[column] = (
            table[column].astype("Float64" if column.startswith("share") else "Int64").mask(hidden)
        )
    table["suppressed"] = table["suppressed"] | hidden
    table["groups"] = table["groups"].map(list)
    return _with_theme_labels(table)


def _summary(
    coding: ThemeCoding,
    question: str,
    *,
    groupings: Collection[str],
    waves: ThemeCoding | None,
    withheld: Mapping[str, Collection[str]],
    text: str,
) -> ThemeSummary:
    """The ``ThemeSummary`` of one block: ``question`` a code, or ``ALL_ANSWERS``."""
    code = question or None
    shares = {OVERALL: theme_share_table(coding, question_code=code)}
    for grouping in groupings:
        shares[grouping] = theme_share_table(
            coding, by=grouping, question_code=code, withheld=withheld.get(grouping, ())
        )
    if waves is not None:
        shares[WAVE] = theme_share_table(waves, by=WAVE, question_code=code)
    divergence = theme_divergence_table(
        coding, by=DIVERGENCE_GROUPINGS, question_code=code, min_group_size=coding.k
    )
    return ThemeSummary(
        question=question,
        text=text,
        shares={grouping: _with_theme_labels(table) for grouping, table in shares.items()},
        divergence=_published_divergence(divergence, shares),
    )


def theme_summaries(
    coding: ThemeCoding,
    *,
    survey: str,
    current: pandas.DataFrame,
    waves: pandas.DataFrame | None,
    groupings: Collection[str],
    withheld: Mapping[str, Collection[str]],
    questions: Mapping[str, str],
) -> list[ThemeSummary]:
    """The themes of ``coding`` (a survey and perhaps its previous wave), no query: first for every
    long-text answer, then for each question of ``questions`` (code → text, in questionnaire
    order) on whose answers a theme has been coded; [] when the codebook has no theme.

    ``survey``: the slug of the wave described; ``current``: the rows of ``coding.answers``
    described (that wave, the filters applied);
    ``waves``: the same over both waves for the tables by wave, None for a first wave.
    ``groupings``: the share tables by group besides overall and by wave; ``withheld``: grouping →
    the groups withheld among the respondents, withheld in the share tables too."""
    if coding.themes.empty:
        return []
    described = replace(coding, answers=current)
    compared = None if waves is None else replace(coding, answers=waves)
    this_wave = coding.answers.loc[coding.answers["survey"].eq(survey)]
    coded = set(this_wave.merge(coding.segments, on="answer")["question"])
    blocks = [ALL_ANSWERS, *(code for code in questions if code in coded)]
    return [
        _summary(
            described,
            question,
            groupings=groupings,
            waves=compared,
            withheld=withheld,
            text=questions.get(question, ""),
        )
        for question in blocks
    ]


def theme_key_findings(themes: list[ThemeSummary], *, k: int) -> list[Finding]:
    """The key findings about themes, from the block of every long-text answer: the themes most
    respondents raise (``top_theme_findings``), then significant differences between groups
    (``theme_findings``); sentences in the active language."""
    if not themes:
        return []
    every_answer = themes[0]
    return top_theme_findings(every_answer.shares[OVERALL], k=k) + theme_findings(
        every_answer.divergence, k=k
    )


def themes_tables(themes: list[ThemeSummary]) -> dict[str, pandas.DataFrame]:
    """Every theme table by its anchor id: per block, its share tables, then its divergence."""
    tables = {}
    for block in themes:
        for grouping, table in block.shares.items():
            tables[themes_table_id(block.question, grouping)] = table
        tables[themes_divergence_table_id(block.question)] = block.divergence
    return tables


def themes_to_json(themes: list[ThemeSummary]) -> list[dict]:
    """The ``themes`` entries of the JSON summary: per block, its question (null for every
    long-text answer) and the ids of its tables (docs/summary-json.md)."""
    return [
        {
            "question": block.question or None,
            "text": block.text or None,
            "overall": themes_table_id(block.question),
            "breakdowns": {
                grouping: themes_table_id(block.question, grouping) for grouping in block.shares if grouping
            },
            "divergence": themes_divergence_table_id(block.question),
        }
        for block in themes
    ]
