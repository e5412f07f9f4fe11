"""Input parsing for the coding pages (``views_coding``, ``views_codebook``); layout by crispy
``FormHelper`` where a form is drawn whole."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.i18n import localized
from surveys.models import Answer, Question, Sector

from . import coding, quotes
from .models import Codebook, Theme

STATUS_CHOICES = [
    ("all", gettext_lazy("All answers")),
    ("uncoded_by_me", gettext_lazy("Not coded by me yet")),
    ("coded_by_me", gettext_lazy("Coded by me")),
]


def _inline_helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the template's <form> has its own token
    return helper


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on ``form``: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class FilterForm(forms.Form):
    question = forms.ChoiceField(label=gettext_lazy("Question"), required=False)
    region = forms.ChoiceField(
        label=gettext_lazy("UN region"),
        required=False,
        choices=[("", gettext_lazy("All regions")), *quotes.UN_REGION_LABELS.items()],
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"),
        required=False,
        choices=[("", gettext_lazy("All sectors")), *Sector.choices],
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[("", gettext_lazy("All languages")), *settings.LANGUAGES],
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, questions: list[Question], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [
            ("", _("All questions")),
            *((question.code, localized(question.text, None, language)) for question in questions),
        ]

    def filters(self) -> dict:
        """Keyword arguments for ``coding.answers_to_code``; a field with a bad value is ignored."""
        self.is_valid()
        cleaned = self.cleaned_data
        return {
            "question_code": cleaned.get("question") or None,
            "region": cleaned.get("region", ""),
            "sector": cleaned.get("sector", ""),
            "language": cleaned.get("language", ""),
            "status": cleaned.get("status") or "all",
        }


class PassageForm(forms.Form):
    """An answer and, when a passage is selected, its offsets; empty offsets mean the whole answer."""

    answer = forms.IntegerField(widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def span(self, answer: Answer) -> tuple[int, int]:
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start is None or end is None:
            return 0, len(answer.text)
        return start, end


class CodingForm(PassageForm):
    scope = forms.ChoiceField(choices=[("selection", "selection"), ("whole", "whole")])
    themes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Themes"), queryset=Theme.objects.none(), required=False
    )
    memo = forms.CharField(label=gettext_lazy("Memo"), required=False, max_length=5000)

    def __init__(self, *args, codebook: Codebook, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = codebook.themes.all()

    def clean(self):
        cleaned = super().clean()
        selected = cleaned.get("start") is not None and cleaned.get("end") is not None
        if cleaned.get("scope") == "selection" and not selected:
            raise ValidationError(_("Select a passage in the answer first, or code the whole answer."))
        return cleaned

    def span(self, answer: Answer) -> tuple[int, int]:
        if self.cleaned_data["scope"] == "whole":
            return 0, len(answer.text)
        return super().span(answer)


class QuoteForm(PassageForm):
    translation = forms.CharField(label=gettext_lazy("Translation"), required=False, max_length=5000)
    translation_language = forms.ChoiceField(
        label=gettext_lazy("Language of the translation"), required=False, choices=settings.LANGUAGES
    )


class ThemeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Sub-theme of"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=gettext_lazy("— none: a top-level theme —"),
    )

    def __init__(self, *args, codebook: Codebook, theme: Theme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = codebook.themes.filter(parent__isnull=True)
        self.fields["parent"].queryset = parents.exclude(pk=theme.pk) if theme else parents
        self.helper = _inline_helper()


class CodebookImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"), required=False)
    text = forms.CharField(
        label=gettext_lazy("Or paste the CSV here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _inline_helper()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("text", "").strip():
            raise ValidationError(_("Choose a CSV file or paste its content."))
        return cleaned

    def content(self) -> bytes:
        upload = self.cleaned_data.get("file")
        return upload.read(coding.MAX_CODEBOOK_BYTES + 1) if upload else self.cleaned_data["text"].encode()
