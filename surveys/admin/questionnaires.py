"""Questionnaire authoring: a survey with its sections, questions and choices on one page,
nested and drag-to-reorder (django-nested-admin), plus open/close/reopen, clone as a new wave
and a preview as an expert that stores nothing.

Who: the admin role edits; fieldwork staff may view. Once an open or closed survey has answers,
questions, sections and choices can no longer be deleted and question types and codes no
longer change; wording can.
"""

import nested_admin
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import services
from ..models import Choice, Question, Section, Series, Survey
from ..validation import QuestionnaireInvalid
from .preview import survey_preview
from .translated import TranslatedFieldsMixin


def _locked(request, obj) -> bool:
    survey = _survey_of(obj) or _survey_being_edited(request)
    return survey is not None and services.questionnaire_is_locked(survey=survey)


def _survey_of(obj):
    if isinstance(obj, Survey):
        return obj
    if isinstance(obj, Section | Question):
        return obj.survey
    if isinstance(obj, Choice):
        return obj.question.survey
    return None


def _survey_being_edited(request):
    object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
    return Survey.objects.filter(pk=object_id).first() if object_id else None


class LockedFieldsForm(TranslatedFieldsMixin, forms.ModelForm):
    """Refuses changes to ``locked_fields`` once the survey has answers."""

    locked_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and _survey_of(self.instance) and _locked(None, self.instance):
            for name in self.locked_fields:
                if name in self.changed_data:
                    self.add_error(
                        name,
                        ValidationError(
                            _("The survey already has answers: this cannot change any more (wording can)."),
                            code="locked",
                        ),
                    )
        return cleaned


class ChoiceAdminForm(LockedFieldsForm):
    locked_fields = ("code",)

    class Meta:
        model = Choice
        fields = ["position", "code", "label", "is_other", "is_exclusive"]


class QuestionAdminForm(LockedFieldsForm):
    locked_fields = ("code", "type")

    class Meta:
        model = Question
        fields = [
            "position",
            "code",
            "type",
            "text",
            "help_text",
            "required",
            "scale_points",
            "scale_labels",
            "min_value",
            "max_value",
            "rank_top_k",
            "show_if_question",
            "show_if_operator",
            "show_if_value",
        ]


class SectionAdminForm(TranslatedFieldsMixin, forms.ModelForm):
    class Meta:
        model = Section
        fields = ["position", "title", "intro"]


class SurveyAdminForm(TranslatedFieldsMixin, forms.ModelForm):
    languages = forms.MultipleChoiceField(
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Languages offered to experts"),
    )
    default_language = forms.ChoiceField(choices=settings.LANGUAGES, label=gettext_lazy("Default language"))

    class Meta:
        model = Survey
        fields = [
            "series",
            "wave_label",
            "slug",
            "title",
            "description",
            "consent_text",
            "default_language",
            "languages",
            "allow_edit_after_submit",
            "reminder_interval_days",
            "max_reminders",
            "keep_anonymised_answers",
        ]


class LockableInlineMixin:
    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _locked(request, obj)


class ChoiceInline(LockableInlineMixin, nested_admin.NestedTabularInline):
    model = Choice
    form = ChoiceAdminForm
    extra = 0
    sortable_field_name = "position"


class QuestionInline(LockableInlineMixin, nested_admin.NestedStackedInline):
    model = Question
    form = QuestionAdminForm
    fk_name = "section"
    extra = 0
    sortable_field_name = "position"
    inlines = [ChoiceInline]
    classes = ["collapse"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "show_if_question":
            survey = _survey_being_edited(request)
            kwargs["queryset"] = Question.objects.filter(survey=survey) if survey else Question.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SectionInline(LockableInlineMixin, nested_admin.NestedStackedInline):
    model = Section
    form = SectionAdminForm
    extra = 0
    sortable_field_name = "position"
    inlines = [QuestionInline]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["slug", "title"]


class OpenForm(forms.Form):
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at"), required=False)
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at"), required=False)


class CloneForm(forms.Form):
    slug = forms.SlugField(label=gettext_lazy("Slug of the new wave"))
    wave_label = forms.CharField(label=gettext_lazy("Wave label"), max_length=100)


@admin.register(Survey)
class SurveyAdmin(nested_admin.NestedModelAdmin):
    class Media:
        css = {"all": ["roundtable/admin.css"]}

    form = SurveyAdminForm
    list_display = ["slug", "wave_label", "status", "opens_at", "closes_at"]
    list_filter = ["status", "series"]
    search_fields = ["slug", "wave_label"]
    readonly_fields = ["status", "opens_at", "closes_at"]
    inlines = [SectionInline]
    change_form_template = "admin/surveys/survey/change_form.html"

    def get_urls(self):
        own = [
            path(
                "<int:object_id>/open/",
                self.admin_site.admin_view(self.open_view),
                name="surveys_survey_open",
            ),
            path(
                "<int:object_id>/close/",
                self.admin_site.admin_view(self.close_view),
                name="surveys_survey_close",
            ),
            path(
                "<int:object_id>/reopen/",
                self.admin_site.admin_view(self.reopen_view),
                name="surveys_survey_reopen",
            ),
            path(
                "<int:object_id>/clone/",
                self.admin_site.admin_view(self.clone_view),
                name="surveys_survey_clone",
            ),
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="surveys_survey_preview",
            ),
        ]
        return own + super().get_urls()

    def _survey_for_change(self, request, object_id) -> Survey:
        survey = get_object_or_404(Survey, pk=object_id)
        if not self.has_change_permission(request, survey):
            raise PermissionDenied
        return survey

    def _state_page(self, request, survey, title, form, button, help_text="", problems=()):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": survey,
            "title": title,
            "form": form,
            "button": button,
            "help_text": help_text,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/surveys/survey/state_form.html", context)

    def _back(self, survey):
        return redirect(reverse("admin:surveys_survey_change", args=[survey.pk]))

    def open_view(self, request, object_id):
        """Open after validation; every problem is listed if it cannot open."""
        survey = self._survey_for_change(request, object_id)
        form = OpenForm(
            request.POST or None, initial={"opens_at": survey.opens_at, "closes_at": survey.closes_at}
        )
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                services.survey_open(survey=survey, **form.cleaned_data)
            except QuestionnaireInvalid as invalid:
                problems = invalid.problems
            except services.SurveyStateError as error:
                form.add_error("closes_at", str(error))
            else:
                messages.success(request, _("The survey is open."))
                return self._back(survey)
        return self._state_page(
            request, survey, _("Open “%s”") % survey.slug, form, _("Open the survey"), problems=problems
        )

    def close_view(self, request, object_id):
        survey = self._survey_for_change(request, object_id)
        if request.method == "POST":
            services.survey_close(survey=survey)
            messages.success(request, _("The survey is closed. Drafts are kept."))
            return self._back(survey)
        return self._state_page(
            request,
            survey,
            _("Close “%s”") % survey.slug,
            None,
            _("Close the survey now"),
            _("Experts will no longer be able to submit. Saved drafts are kept."),
        )

    def reopen_view(self, request, object_id):
        survey = self._survey_for_change(request, object_id)
        form = OpenForm(request.POST or None)
        del form.fields["opens_at"]
        if request.method == "POST" and form.is_valid():
            try:
                services.survey_reopen(survey=survey, closes_at=form.cleaned_data["closes_at"])
            except services.SurveyStateError as error:
                form.add_error("closes_at", str(error))
            else:
                messages.success(request, _("The survey is open again."))
                return self._back(survey)
        return self._state_page(request, survey, _("Reopen “%s”") % survey.slug, form, _("Reopen"))

    def clone_view(self, request, object_id):
        survey = self._survey_for_change(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CloneForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                clone = services.survey_clone_wave(survey=survey, **form.cleaned_data)
            except services.SurveyStateError as error:
                form.add_error("slug", str(error))
            else:
                messages.success(request, _("New wave created as a draft; question codes are kept."))
                return redirect(reverse("admin:surveys_survey_change", args=[clone.pk]))
        return self._state_page(
            request,
            survey,
            _("Clone “%s” as a new wave") % survey.slug,
            form,
            _("Clone"),
            _("Sections, questions and choices are copied with their codes; experts and answers are not."),
        )

    def preview_view(self, request, object_id):
        survey = get_object_or_404(Survey, pk=object_id)
        if not self.has_view_permission(request, survey):
            raise PermissionDenied
        return survey_preview(request, survey=survey)
