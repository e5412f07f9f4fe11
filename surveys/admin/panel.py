"""The expert panel: records, the panel import (upload, preview, confirm) and personal data requests.

The import's preview and confirmation are two requests. The uploaded file travels between them in
a hidden field, compressed and signed for the user who uploaded it, so it cannot be altered or
replayed by someone else, and expires after an hour.
"""

import base64
import io
import json
import zlib
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..models import Expert, Response, Survey
from ..services.panel import PanelImportError, PanelImportResult, panel_import
from ..services.panel_files import MAX_FILE_BYTES
from ..services.personal_data import expert_erase, expert_personal_data

PREVIEW_ROWS = 20
PREVIEW_MAX_AGE_SECONDS = 3600
# Room for the CSRF token and the rest of the confirmation form within Django's form-data limit.
FORM_OVERHEAD_BYTES = 64 * 1024


class PanelImportForm(forms.Form):
    file = forms.FileField(
        help_text=gettext_lazy("A .csv (UTF-8) or .xlsx file, at most 10 MB; see docs/panel-import.md."),
    )
    survey = forms.ModelChoiceField(
        queryset=Survey.objects.order_by("-created_at"),
        required=False,
        help_text=gettext_lazy("Invite every expert in the file to this survey."),
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label=gettext_lazy("Skip invalid rows"),
        help_text=gettext_lazy(
            "Import the valid rows and list the others. Otherwise any error stops the import."
        ),
    )


@dataclass(frozen=True)
class _Upload:
    """What the preview showed, as the confirmation receives it."""

    filename: str
    content: bytes
    survey_id: int | None
    skip_invalid: bool


def _signer(request: HttpRequest) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"surveys.panel-import.user-{request.user.pk}")


def _sign_upload(request: HttpRequest, upload: _Upload) -> str:
    meta = json.dumps(
        {"filename": upload.filename, "survey_id": upload.survey_id, "skip_invalid": upload.skip_invalid}
    )
    packed = zlib.compress(meta.encode() + b"\n" + upload.content)
    return _signer(request).sign(base64.urlsafe_b64encode(packed).decode("ascii"))


def _unsign_upload(request: HttpRequest, payload: str) -> _Upload:
    """Raises ``signing.BadSignature`` (or its ``SignatureExpired``) for a payload not ours."""
    packed = _signer(request).unsign(payload, max_age=PREVIEW_MAX_AGE_SECONDS)
    meta, content = zlib.decompress(base64.urlsafe_b64decode(packed)).split(b"\n", 1)
    return _Upload(content=content, **json.loads(meta))


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "country", "sector", "preferred_language"]
    list_filter = ["sector", "country"]
    search_fields = ["name", "email", "organisation"]
    actions = ["export_personal_data", "erase_experts"]

    def get_actions(self, request):
        # Erasure replaces deletion: it honours each survey's keep_anonymised_answers.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # No hard delete of one expert from its page; the erase action (checked with obj=None) stays.
        return obj is None and super().has_delete_permission(request)

    def get_urls(self):
        import_url = path(
            "import/",
            self.admin_site.admin_view(self.import_panel_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_import_panel",
        )
        # Before the model's own URLs, whose "<object_id>/" would match "import/".
        return [import_url, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import_panel": self._may_import(request)}
        return super().changelist_view(request, extra_context)

    def _may_import(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_panel_view(self, request: HttpRequest) -> HttpResponse:
        """Step 1 (a file posted): a dry run shown as a preview. Step 2 (the signed file posted
        back): the import itself."""
        if not self._may_import(request):
            raise PermissionDenied
        if request.method == "POST" and "payload" in request.POST:
            return self._import_confirmed(request)
        form = PanelImportForm(request.POST or None, request.FILES or None)
        if not form.is_valid():
            return self._import_page(request, form)
        file = form.cleaned_data["file"]
        survey = form.cleaned_data["survey"]
        upload = _Upload(
            filename=file.name,
            content=file.read(MAX_FILE_BYTES + 1),
            survey_id=survey.pk if survey else None,
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
        try:
            result = self._run_import(upload, survey, dry_run=True)
        except PanelImportError as error:
            form.add_error("file", str(error))
            return self._import_page(request, form)
        payload = too_large = None
        if result.rows and (upload.skip_invalid or not result.errors):
            payload = _sign_upload(request, upload)
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and len(payload) > limit - FORM_OVERHEAD_BYTES:
                payload, too_large = None, True
        return self._import_page(
            request, form, result=result, survey=survey, payload=payload, too_large_to_confirm=too_large
        )

    def _import_confirmed(self, request: HttpRequest) -> HttpResponse:
        try:
            upload = _unsign_upload(request, request.POST["payload"])
        except signing.BadSignature:
            self.message_user(request, _("The preview has expired. Upload the file again."), messages.ERROR)
            return HttpResponseRedirect(request.path)
        survey = Survey.objects.filter(pk=upload.survey_id).first() if upload.survey_id else None
        if upload.survey_id and survey is None:
            self.message_user(request, _("The survey has been deleted since the preview."), messages.ERROR)
            return HttpResponseRedirect(request.path)
        try:
            result = self._run_import(upload, survey, dry_run=False)
        except PanelImportError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)
        if not result.stored:
            return self._import_page(request, PanelImportForm(), result=result, survey=survey)
        self.message_user(request, _summary(result, survey), messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    @staticmethod
    def _run_import(upload: _Upload, survey: Survey | None, *, dry_run: bool) -> PanelImportResult:
        return panel_import(
            survey=survey,
            file=io.BytesIO(upload.content),
            filename=upload.filename,
            skip_invalid=upload.skip_invalid,
            dry_run=dry_run,
        )

    def _import_page(self, request: HttpRequest, form: PanelImportForm, **context) -> TemplateResponse:
        result = context.get("result")
        return TemplateResponse(
            request,
            "admin/surveys/expert/import_panel.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Import panel"),
                "opts": self.opts,
                "form": form,
                "media": self.media + form.media,
                "preview_rows": result.rows[:PREVIEW_ROWS] if result else [],
                **context,
            },
        )

    @admin.action(description=gettext_lazy("Export personal data (JSON)"), permissions=["view"])
    def export_personal_data(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one expert to export their data."), messages.WARNING)
            return None
        expert = queryset.get()
        data = json.dumps(expert_personal_data(expert=expert), ensure_ascii=False, indent=2)
        response = HttpResponse(data, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="expert-{expert.pk}-personal-data.json"'
        return response

    @admin.action(description=gettext_lazy("Erase selected experts"), permissions=["delete"])
    def erase_experts(self, request: HttpRequest, queryset) -> TemplateResponse | None:
        """Ask first, like Django's delete confirmation; erase when the confirmation is posted."""
        if request.POST.get("post") == "yes":
            experts = list(queryset)
            for expert in experts:
                expert_erase(expert=expert)
            count = len(experts)
            self.message_user(
                request,
                ngettext("Erased %(count)d expert.", "Erased %(count)d experts.", count) % {"count": count},
                messages.SUCCESS,
            )
            return None
        submitted = Q(invitations__response__status=Response.Status.SUBMITTED)
        kept = Q(invitations__survey__keep_anonymised_answers=True)
        experts = queryset.annotate(
            drafts=Count(
                "invitations__response", filter=Q(invitations__response__status=Response.Status.DRAFT)
            ),
            responses_kept=Count("invitations__response", filter=submitted & kept),
            responses_deleted=Count("invitations__response", filter=submitted & ~kept),
        ).order_by("pk")
        return TemplateResponse(
            request,
            "admin/surveys/expert/erase_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Erase experts?"),
                "opts": self.opts,
                "experts": experts,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            },
        )


def _summary(result: PanelImportResult, survey: Survey | None) -> str:
    summary = _(
        "Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(skipped)d skipped."
    ) % {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": result.skipped,
    }
    if survey is not None:
        summary += " " + _("%(invited)d invited to %(survey)s.") % {
            "invited": result.invited,
            "survey": survey,
        }
    return summary
