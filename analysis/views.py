"""The researchers' pages: the surveys with answers, a survey's dashboard and its downloads.

The dashboard shows the key findings first (each linking to the table it comes from), then per
question a chart and a table broken down by a grouping (``?by=``), then the consensus, divergence
and trend tables; a GET form filters the respondents. Everything comes from
``analysis.summary.survey_summary``: pseudonymous, small cells withheld with the survey's k, no
names, emails or organisations, no free text. Tables and charts are prepared by the helpers the
printable report uses (``analysis.report``), so both show the same numbers the same way.

Who may use them: logged-in users holding ``analysis.view_analysis`` (the researcher and admin
roles). Anyone else logged in gets 403; anonymous visitors are sent to log in.
"""

import tempfile
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from surveys.models import Response, Survey

from . import exports
from .breakdowns import BREAKDOWNS, COLUMNS
from .exports.summary_json import write_summary_json
from .report import (
    CONSENSUS_COLUMNS,
    DIRECTIONS,
    GROUPING_NAMES,
    ITEM_COLUMNS,
    TREND_COLUMNS,
    _chart,
    _divergence_tables,
    _kind,
    _table,
    build_report,
    theme_block,
)
from .summary import (
    FILTER_COLUMNS,
    Filters,
    ItemSummary,
    SurveySummary,
    group_name,
    item_table_id,
    survey_summary,
)
from .themes import DIVERGENCE_GROUPINGS, WAVE

ANALYSIS_PERMISSION = "analysis.view_analysis"
DEFAULT_BREAKDOWN = "north_south"
# Download format → (file name, content type); the files come from ``analysis.exports``.
DOWNLOADS = {
    "csv": ("{slug}-answers-long.csv", "text/csv; charset=utf-8"),
    "csv-wide": ("{slug}-answers-wide.csv", "text/csv; charset=utf-8"),
    "coded-segments": ("{slug}-coded-segments.csv", "text/csv; charset=utf-8"),
    "xlsx": ("{slug}-answers.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "sav": ("{slug}-answers.sav", "application/x-spss-sav"),
    "dta": ("{slug}-answers.dta", "application/x-stata-dta"),
    "json": ("{slug}-summary.json", "application/json; charset=utf-8"),
}

FILTER_NAMES = {name: GROUPING_NAMES[grouping] for name, grouping in FILTER_COLUMNS.items()}


def analysis_staff_required(view):
    """Login first (anonymous → login page), then ``analysis.view_analysis`` (otherwise 403)."""
    return login_required(permission_required(ANALYSIS_PERMISSION, raise_exception=True)(view))


def surveys_with_answers() -> QuerySet[Survey]:
    """The surveys with at least one submitted response, newest first, with ``submitted_count``."""
    submitted = Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED))
    return (
        Survey.objects.annotate(submitted_count=submitted)
        .filter(submitted_count__gt=0)
        .order_by("-created_at", "-pk")
    )


def breakdown_name(breakdown: str) -> str:
    """ "north_south×sector" → "Global North/South × Sector"."""
    return " × ".join(str(GROUPING_NAMES[grouping]) for grouping in COLUMNS[breakdown])


def _item_context(item: ItemSummary, breakdown: str) -> dict:
    columns = ITEM_COLUMNS[_kind(item)]
    by = item.breakdowns.get(breakdown)
    return {
        "code": item.code,
        "text": item.text,
        "section": item.section,
        "chart": _chart(item),
        "overall": _table(
            item.overall, columns, table_id=item_table_id(item.code), caption=_("All respondents")
        ),
        "breakdown": None
        if by is None
        else _table(
            by,
            columns,
            table_id=item_table_id(item.code, breakdown),
            caption=_("By %(grouping)s") % {"grouping": breakdown_name(breakdown)},
            groups=COLUMNS[breakdown],
        ),
    }


def _filter_options(survey: Survey) -> dict[str, list[tuple[str, str]]]:
    """(code, name) of the groups ``survey``'s respondents belong to (their submission snapshots),
    per filter, in one query: only groups that occur can be chosen."""
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    rows = list(submitted.values_list(*FILTER_COLUMNS.values()).distinct())
    options = {}
    for position, (name, grouping) in enumerate(FILTER_COLUMNS.items()):
        codes = {row[position] for row in rows} - {""}
        named = [(code, group_name(grouping, code)) for code in codes]
        options[name] = sorted(named, key=lambda option: option[1])
    return options


def _waves(survey: Survey) -> list[tuple[str, str]]:
    """(slug, wave label) of ``survey`` and of the other waves of its series with answers, oldest
    first."""
    submitted = Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED))
    waves = (
        Survey.objects.filter(series_id=survey.series_id)
        .annotate(submitted_count=submitted)
        .filter(Q(submitted_count__gt=0) | Q(pk=survey.pk))
        .order_by("created_at", "pk")
    )
    return list(waves.values_list("slug", "wave_label"))


def _chosen(query, options: dict[str, list[tuple[str, str]]]) -> Filters:
    """The filters in ``query`` whose values are among ``options``; anything else means all."""
    chosen = {}
    for name, choices in options.items():
        value = query.get(name, "")
        chosen[name] = value if value in {code for code, _label in choices} else ""
    return Filters(**chosen)


def _filtered_summary(survey: Survey, query) -> tuple[SurveySummary, Filters, dict]:
    """(the summary for the filters in ``query``, those filters, the options they were chosen
    from)."""
    options = _filter_options(survey)
    filters = _chosen(query, options)
    return survey_summary(survey=survey, filters=filters), filters, options


def _theme_blocks(summary: SurveySummary, breakdown: str) -> list[dict]:
    """The themes section: every long-text answer with its chart, by the groupings of ``breakdown``
    and by those the theme findings link to (and by wave); then each coded question by the
    groupings of ``breakdown``."""
    chosen = COLUMNS[breakdown]
    linked = [*chosen, *DIVERGENCE_GROUPINGS, WAVE]
    return [
        theme_block(block, chosen if block.question else linked, chart=not block.question)
        for block in summary.themes
    ]


def _dashboard_context(summary: SurveySummary, breakdown: str) -> dict:
    """The findings, question, consensus, divergence, trend and theme tables of ``summary``."""
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
    return {
        "summary": summary,
        "findings": summary.findings,
        "items": [_item_context(item, breakdown) for item in summary.items],
        "consensus": _table(
            consensus, CONSENSUS_COLUMNS, table_id="consensus", caption=_("Rating-scale questions")
        ),
        "divergence": _divergence_tables(summary, texts),
        "trends": trends,
        "themes": _theme_blocks(summary, breakdown),
    }


@analysis_staff_required
@require_GET
@never_cache
def survey_list(request):
    """The surveys with submitted answers, with a link to each one's dashboard."""
    surveys = surveys_with_answers().select_related("series")
    return render(request, "analysis/surveys.html", {"surveys": surveys})


@analysis_staff_required
@require_GET
@never_cache
def dashboard(request, slug: str):
    """Key findings, a chart and a breakdown table per question, consensus, divergence and trends,
    for the respondents the filters keep. Choosing another wave opens that wave's dashboard."""
    survey = get_object_or_404(Survey, slug=slug)
    waves = _waves(survey)
    wave = request.GET.get("wave", "")
    other_wave = next((other for other, label in waves if label == wave and other != survey.slug), None)
    if other_wave is not None:
        kept = urlencode({key: value for key, value in request.GET.items() if key != "wave"})
        return redirect(f"{reverse('analysis:dashboard', kwargs={'slug': other_wave})}?{kept}")
    summary, filters, options = _filtered_summary(survey, request.GET)
    breakdown = request.GET.get("by", "")
    breakdown = breakdown if breakdown in BREAKDOWNS else DEFAULT_BREAKDOWN
    context = {
        **_dashboard_context(summary, breakdown),
        "survey": survey,
        "filters": [
            {"name": name, "label": FILTER_NAMES[name], "value": getattr(filters, name), "options": choices}
            for name, choices in options.items()
        ],
        "filtered": filters != Filters(),
        "filter_query": urlencode({name: value for name, value in asdict(filters).items() if value}),
        "waves": waves,
        "breakdowns": [(name, breakdown_name(name)) for name in BREAKDOWNS],
        "breakdown": breakdown,
    }
    return render(request, "analysis/dashboard.html", context)


@analysis_staff_required
@require_GET
@never_cache
def download(request, slug: str, file_format: str):
    """A survey's raw data (long or wide CSV, streamed; Excel, SPSS, Stata: pseudonymous, one row
    per answer or respondent), its coded interview passages (CSV, streamed, one row per segment and
    theme) or its summary as JSON (small cells withheld, filters applied)."""
    survey = get_object_or_404(Survey, slug=slug)
    if file_format not in DOWNLOADS:
        raise Http404
    file_name, content_type = DOWNLOADS[file_format]
    file_name = file_name.format(slug=survey.slug)
    attachment = f'attachment; filename="{file_name}"'
    if file_format == "json":
        summary, _filters, _options = _filtered_summary(survey, request.GET)
        response = HttpResponse(content_type=content_type, headers={"Content-Disposition": attachment})
        write_summary_json(summary, response)
        return response
    if file_format in exports.TEXT_FORMATS:
        lines = exports.TEXT_FORMATS[file_format](survey=survey)
        return StreamingHttpResponse(
            lines, content_type=content_type, headers={"Content-Disposition": attachment}
        )
    extra = {"summary_tables": survey_summary(survey=survey).tables} if file_format == "xlsx" else {}
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / file_name
        exports.FILE_FORMATS[file_format](survey=survey, path=path, **extra)
        # Opened before the directory goes: the open file outlives its name and streams from disk.
        handle = path.open("rb")
    return FileResponse(handle, as_attachment=True, filename=file_name, content_type=content_type)


@analysis_staff_required
@require_GET
@never_cache
def report(request, slug: str):
    """The printable report of a survey, for the respondents the filters keep."""
    survey = get_object_or_404(Survey, slug=slug)
    summary, _filters, _options = _filtered_summary(survey, request.GET)
    return HttpResponse(build_report(summary))
