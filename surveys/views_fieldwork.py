"""The fieldwork dashboard: progress of a survey's invitations by group, quotas, non-responders.

Who may use them: logged-in staff holding both ``surveys.view_invitation`` and
``surveys.view_expert`` (the admin and fieldwork roles), because the pages show the panel's
personal data. Anyone else logged in gets 403; anonymous visitors are sent to log in.
"""

import csv
import datetime
from collections.abc import Iterator

import pandas
from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_countries import countries

from . import fieldwork
from .geography import NORTH_SOUTH_LABELS
from .models import Quota, Sector, Survey
from .services.quotas import quota_delete, quota_set
from .spreadsheet_safety import neutralise_formula

FIELDWORK_PERMISSIONS = ("surveys.view_invitation", "surveys.view_expert")


def fieldwork_staff_required(view):
    """Login first (anonymous → login page), then both permissions (otherwise 403)."""
    return login_required(permission_required(FIELDWORK_PERMISSIONS, raise_exception=True)(view))


class QuotaForm(forms.Form):
    dimension = forms.ChoiceField(label=gettext_lazy("Group by"), choices=Quota.Dimension.choices)
    value = forms.CharField(
        label=gettext_lazy("Group"),
        max_length=60,
        help_text=gettext_lazy(
            "A country code (BR), a UN region (Africa), north or south, or a sector code (academia)."
        ),
    )
    target = forms.IntegerField(label=gettext_lazy("Target submissions"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has its own token


def _survey_or_404(slug: str) -> Survey:
    survey = fieldwork.survey_for_fieldwork(slug=slug)
    if survey is None:
        raise Http404
    return survey


def _group_label(by: str, value: str) -> str:
    if by == "country":
        label = countries.name(value)
    elif by == "north_south":
        label = NORTH_SOUTH_LABELS.get(value, value)
    elif by == "sector":
        label = Sector(value).label if value in Sector.values else value
    else:
        label = value
    return str(label) if label else _("Unknown")


def _count_rows(counts: pandas.DataFrame, by: str | None) -> list[dict]:
    """Rows for the counts table: label, the counts, and the response rate as a percentage."""
    rate = counts["response_rate"]
    table = counts.assign(
        label=[_group_label(by, value) for value in counts.index] if by else [_("All invitations")],
        response_percent=(rate * 100).astype(object).where(rate.notna(), None),
    )
    return table.sort_values("label").to_dict("records")


def _quota_rows(progress: pandas.DataFrame) -> list[dict]:
    dimension_labels = dict(Quota.Dimension.choices)
    return progress.assign(
        dimension_label=progress["dimension"].map(lambda dimension: str(dimension_labels[dimension])),
        value_label=[
            _group_label(dimension, value)
            for dimension, value in zip(progress["dimension"], progress["value"], strict=True)
        ],
    ).to_dict("records")


def _handle_quota_post(request, survey: Survey) -> QuotaForm | None:
    """Set or delete a quota; None when done (redirect), else the form with its errors."""
    if request.POST.get("action") == "delete":
        try:
            quota_id = int(request.POST.get("quota_id", ""))
        except ValueError:
            quota_id = 0
        if quota_delete(survey=survey, quota_id=quota_id):
            messages.success(request, _("The quota is deleted."))
        return None
    form = QuotaForm(request.POST)
    if form.is_valid():
        try:
            quota_set(survey=survey, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The quota is saved."))
            return None
    return form


@fieldwork_staff_required
@require_GET
def fieldwork_surveys(request):
    """Every survey, with a link to its fieldwork dashboard."""
    return render(request, "staff/fieldwork/surveys.html", {"surveys": fieldwork.surveys_for_fieldwork()})


@fieldwork_staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def fieldwork_dashboard(request, slug: str):
    """Counts by group, quota progress (POST sets or deletes a quota) and the non-responders."""
    survey = _survey_or_404(slug)
    form = QuotaForm()
    if request.method == "POST":
        if not request.user.has_perm("surveys.change_quota"):
            raise PermissionDenied
        form = _handle_quota_post(request, survey)
        if form is None:
            return redirect("staff:fieldwork", slug=survey.slug)
    frame = fieldwork.fieldwork_frame(survey=survey)
    groupings = [
        ("country", _("By country"), _("Country")),
        ("un_region", _("By UN region"), _("UN region")),
        ("north_south", _("By Global North/South"), _("Global North/South")),
        ("sector", _("By sector"), _("Sector")),
    ]
    context = {
        "survey": survey,
        "survey_title": survey.localized_title(),
        "overall": _count_rows(fieldwork.fieldwork_counts(frame=frame, by=None), None)[0],
        "group_tables": [
            {
                "by": by,
                "heading": heading,
                "group_heading": group_heading,
                "rows": _count_rows(fieldwork.fieldwork_counts(frame=frame, by=by), by),
            }
            for by, heading, group_heading in groupings
        ],
        "quotas": _quota_rows(fieldwork.quota_progress(survey=survey, frame=frame)),
        "form": form,
        "non_responders": [
            {
                **row,
                "country_name": _group_label("country", row["country"]),
                "sector_label": _group_label("sector", row["sector"]),
            }
            for row in fieldwork.non_responders(survey=survey)
        ],
    }
    return render(request, "staff/fieldwork/dashboard.html", context, status=400 if form.errors else 200)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, str):
        return neutralise_formula(value)
    return value


@fieldwork_staff_required
@require_GET
@never_cache
def fieldwork_csv(request, slug: str):
    """The non-responders as a CSV for Excel (UTF-8 with BOM), streamed row by row. Cells that a
    spreadsheet would run as a formula are neutralised."""
    survey = _survey_or_404(slug)
    rows = (
        fieldwork.non_responders(survey=survey)
        .values_list(*fieldwork.NON_RESPONDER_COLUMNS)
        .iterator(chunk_size=2000)
    )
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(fieldwork.NON_RESPONDER_COLUMNS)
        for row in rows:
            yield writer.writerow([_csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-non-responders.csv"'
    return response
