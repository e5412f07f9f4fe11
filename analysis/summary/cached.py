"""Summaries served from the cache until what they show changes: ``survey_summary``, and the
version and key it caches them by."""

import hashlib
from dataclasses import asdict
from datetime import datetime
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import JSONArray
from django.utils import translation

from surveys.models import Choice, Question, Response, Section, Survey
from surveys.selectors import one_value

from ..models import CodedSegment, Theme
from .compute import compute_summary
from .shape import Filters, SurveySummary

CACHE_FORMAT = 2  # bump when the summary's shape changes, so old cache entries are never read


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
