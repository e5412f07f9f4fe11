"""``compute_summary``: a survey's summary computed from its answers, loaded once."""

import pandas
from django.db.models.functions import Coalesce
from django.utils import translation

from surveys.i18n import localized
from surveys.models import Question, Survey

from ..breakdowns import GROUPINGS, OVERALL, levels
from ..findings import divergence_table_anchor, key_findings
from ..load import (
    GROUP_COLUMNS,
    QUESTION_ORDER,
    choices_frame,
    counted_frames,
    questions_frame,
)
from ..small_cells import Rules, respondent_counts
from ..split_tables import AnchoredTables
from ..stats import ConsensusCriteria, consensus, divergence, wave_trends
from ..stats.grouping import answer_key, codes_key, weights
from ..summary_themes import ThemeSummary, theme_key_findings, theme_summaries, themes_tables
from ..themes import theme_coding
from .items import free_text_counts, item_summaries, item_tables, labelled, scale_distributions
from .published import naming_shown_groups, published_consensus, published_divergence, published_trends
from .shape import (
    Filters,
    ItemSummary,
    SurveySummary,
    distribution_table_id,
    fieldwork_table_id,
    group_name,
    item_table_id,
)


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


def _section_titles(survey: Survey) -> dict[str, str]:
    """Question code → the title of its section, in the survey's default language (one query)."""
    language = survey.default_language
    rows = (
        Question.objects.filter(survey=survey).order_by(*QUESTION_ORDER).values_list("code", "section__title")
    )
    return {code: localized(title, language, language) for code, title in rows}


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
            grouping: labelled(table, [grouping] if grouping else [])
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
    if "codes_key" not in answers:
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
    counted = counted_frames(surveys=waves)
    answers, everyone = _categorical(counted.answers), counted.respondents
    questions = questions_frame(survey=survey)
    choices = choices_frame(survey=survey)
    frame = filters.restrict(answers.loc[answers["survey"].eq(survey.slug)])
    people = filters.restrict(everyone.loc[everyone["survey"].eq(survey.slug)])
    n_people = int(weights(people).sum())
    rules = Rules(k=k, everything=n_people < k)
    steps = levels(frame, people, group_name)
    respondent_counts(steps[1:], rules)

    scale_raw, kinds = item_tables(steps, choices, rules)
    scales, numbers = kinds["scale"], kinds["number"]
    distributions = scale_distributions(steps, questions, rules, scales)
    free_text = free_text_counts(frame, steps[0], questions, rules)
    items = item_summaries(questions, _section_titles(survey), kinds, free_text, distributions)

    divergence_raw = divergence(steps[1].unstacked(), GROUPINGS, min_group_size=k)
    trends_raw = trends = None
    if previous is not None:
        earlier = filters.restrict(answers.loc[answers["survey"].eq(previous.slug)], wave=False)
        trends_raw = wave_trends(earlier, frame)
        current = pandas.concat([scales[OVERALL], numbers[OVERALL]], ignore_index=True)
        trends = published_trends(trends_raw, current, rules)
    findings = []
    if not rules.everything:
        findings = key_findings(
            consensus_table=consensus(scale_raw, criteria),
            divergence_table=divergence_raw,
            trend_table=trends_raw,
            items=dict(zip(questions["code"], questions["text"], strict=True)),
            k=k,
        )
    findings = naming_shown_groups(findings, rules.respondents)
    themes = _themes(survey, waves, filters, questions, rules) if with_themes and not rules.everything else []
    findings += theme_key_findings(themes, k=k)
    consensus_table = published_consensus(scale_raw, scales[OVERALL], criteria)
    divergence_table = published_divergence(
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
