"""Coding pages: the surveys to code, a survey's codebook, the coding workspace (one answer at a
time) and the quotes a report may use.

Who may use them: logged-in staff holding ``analysis.code_answers`` (the researcher and admin
roles); anyone else logged in gets 403, anonymous visitors are sent to log in. Changing the
codebook also needs the theme permissions. The workspace shows no personal data: a respondent is
a pseudonym with their sector, region, country and language. Names appear only on the quotes
page, in the attribution of experts who agreed to be quoted by name.
"""

import io
import itertools
from dataclasses import dataclass, field

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from surveys.i18n import localized
from surveys.models import Answer, Question, Response, Sector, Survey

from . import coding, quotes
from .load import QUESTION_ORDER, respondent_pseudonym
from .models import Codebook, CodedSegment, Quote, Theme
from .workspace_suggestions import workspace_suggestions

CODING_PERMISSION = "analysis.code_answers"
SHORTCUT_THEMES = 9  # number keys 1–9 toggle the first nine themes
STATUS_CHOICES = [
    ("all", gettext_lazy("All answers")),
    ("uncoded_by_me", gettext_lazy("Not coded by me yet")),
    ("coded_by_me", gettext_lazy("Coded by me")),
]


def coding_staff_required(view):
    """Login first (anonymous → login page), then ``analysis.code_answers`` (otherwise 403)."""
    return login_required(permission_required(CODING_PERMISSION, raise_exception=True)(view))


def _require(request, *permissions: str) -> None:
    if not request.user.has_perms(permissions):
        raise PermissionDenied


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the template's <form> has its own token
    return helper


def _add_service_error(form: forms.Form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on ``form``: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# Forms ------------------------------------------------------------------------------------------


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
        self.helper = _helper()


class CodebookImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"), required=False)
    text = forms.CharField(
        label=gettext_lazy("Or paste the CSV here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("text", "").strip():
            raise ValidationError(_("Choose a CSV file or paste its content."))
        return cleaned

    def content(self) -> bytes:
        upload = self.cleaned_data.get("file")
        return upload.read(coding.MAX_CODEBOOK_BYTES + 1) if upload else self.cleaned_data["text"].encode()


# Pages ------------------------------------------------------------------------------------------


@coding_staff_required
@require_GET
def coding_surveys(request):
    """Surveys with open-ended questions, and how many of their answers this coder has coded."""
    return render(
        request, "analysis/coding/surveys.html", {"surveys": coding.surveys_for_coding(coder=request.user)}
    )


@dataclass
class Piece:
    """A stretch of the answer text between two places where a highlight starts or ends."""

    start: int
    text: str
    themes: list[str] = field(default_factory=list)
    coded: bool = False


def answer_pieces(text: str, segments: list[CodedSegment]) -> list[Piece]:
    """``text`` cut wherever one of ``segments`` starts or ends, each piece with its offset, and
    whether (and with which themes) it is coded. The "\\r" of every "\\r\\n" is left out: HTML
    turns "\\r\\n" into "\\n", so a piece with one inside would shift the offsets the browser
    computes from its ``data-start``."""
    cuts = {0, len(text)}
    for segment in segments:
        cuts |= {segment.start, segment.end}
    carriage_returns = [
        index for index, char in enumerate(text) if char == "\r" and text[index + 1 : index + 2] == "\n"
    ]
    for index in carriage_returns:
        cuts |= {index, index + 1}
    bounds = sorted(cut for cut in cuts if 0 <= cut <= len(text))
    pieces = []
    for start, end in itertools.pairwise(bounds):
        if start in carriage_returns:
            continue
        covering = [segment for segment in segments if segment.start <= start and end <= segment.end]
        names = list(dict.fromkeys(theme.name for segment in covering for theme in segment.themes.all()))
        pieces.append(Piece(start=start, text=text[start:end], themes=names, coded=bool(covering)))
    return pieces


def _position(request, total: int) -> int:
    try:
        position = int(request.GET.get("n", "1"))
    except ValueError:
        position = 1
    return min(max(position, 1), max(total, 1))


def _url_at(request, position: int) -> str:
    query = request.GET.copy()
    query["n"] = str(position)
    return f"{request.path}?{query.urlencode()}"


def _answer_facts(answer: Answer) -> dict:
    """What the workspace says about the respondent: no name, email or organisation."""
    response = answer.response
    language = response.language
    return {
        "pseudonym": respondent_pseudonym(response.pk),
        "sector": quotes.sector_label(response.sector) or _("Unknown"),
        "country": countries.name(response.country.code) if response.country else _("Unknown"),
        "region": quotes.region_label(response.un_region) or _("Unknown"),
        "language": get_language_info(language)["name_local"] if language else _("Unknown"),
    }


def long_text_questions(survey: Survey) -> list[Question]:
    """The questions of ``survey`` that can be coded (long text), in questionnaire order."""
    return list(
        Question.objects.filter(survey=survey, type=Question.Type.LONG_TEXT).order_by(*QUESTION_ORDER)
    )


def _passages(text: str, kept: list, lost: list, name: str) -> list[dict]:
    """The coded segments or quotes of an answer for the page: each as ``name``, with the ``text``
    it covers — for one the expert's edit removed (``gone``), the text it was made on."""
    return [{name: mark, "text": text[mark.start : mark.end], "gone": False} for mark in kept] + [
        {name: mark, "text": mark.passage, "gone": True} for mark in lost
    ]


def _workspace(
    request,
    survey: Survey,
    codebook: Codebook,
    coding_form: CodingForm | None = None,
    quote_form: QuoteForm | None = None,
):
    filter_form = FilterForm(
        request.GET, questions=long_text_questions(survey), language=survey.default_language
    )
    filters = filter_form.filters()
    answers = coding.answers_to_code(survey=survey, coder=request.user, **filters)
    total = answers.count()
    position = _position(request, total)
    answer = answers[position - 1] if total else None
    themes = coding.codebook_themes(codebook=codebook)
    checked = set()
    if coding_form is not None and coding_form.is_bound:
        checked = set(coding_form.data.getlist("themes"))
    context = {
        "survey": survey,
        "survey_title": survey.localized_title(),
        "filter_form": filter_form,
        "total": total,
        "position": position,
        "answer": answer,
        "themes": [
            {
                "theme": theme,
                "key": index + 1 if index < SHORTCUT_THEMES else None,
                "checked": str(theme.pk) in checked,
            }
            for index, theme in enumerate(themes)
        ],
        "coding_errors": coding_form.non_field_errors() if coding_form is not None else [],
        "memo": coding_form.data.get("memo", "") if coding_form is not None else "",
        "quote_form": quote_form,
        "languages": settings.LANGUAGES,
        **workspace_suggestions(
            survey=survey, question_code=filters["question_code"], answer=answer, coder=request.user
        ),
    }
    if answer is not None:
        response = answer.response
        # Where the coded and quoted passages are now, should the expert have edited the answer.
        segments, lost_segments = coding.placed(text=answer.text, marks=answer.coder_segments)
        marked, lost_quotes = coding.placed(text=answer.text, marks=answer.passage_quotes)
        context.update(
            {
                "question_text": localized(answer.question.text, None, survey.default_language),
                "facts": _answer_facts(answer),
                "quotable": response.attribution in quotes.QUOTABLE,
                # A translation is usually into the other language of the study.
                "translation_language": (quote_form.data.get("translation_language") if quote_form else None)
                or next((code for code, _name in settings.LANGUAGES if code != response.language), ""),
                "named": response.attribution == Response.Attribution.NAMED,
                "pieces": answer_pieces(answer.text, segments),
                "segments": _passages(answer.text, segments, lost_segments, "segment"),
                "answer_quotes": _passages(answer.text, marked, lost_quotes, "quote"),
                "previous_url": _url_at(request, position - 1) if position > 1 else "",
                "next_url": _url_at(request, position + 1) if position < total else "",
            }
        )
    failed = any(form is not None and form.errors for form in (coding_form, quote_form))
    return render(request, "analysis/coding/workspace.html", context, status=400 if failed else 200)


def _answer_or_404(survey: Survey, answer_id: int | None) -> Answer:
    answer = (
        coding.codable_answers(survey=survey)
        .select_related("question", "response")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None:
        raise Http404
    return answer


def _code(request, survey: Survey, codebook: Codebook) -> CodingForm | None:
    """Code a passage (or the whole answer); None when done, else the form with its errors."""
    form = CodingForm(request.POST, codebook=codebook)
    if not form.is_valid():
        return form
    answer = _answer_or_404(survey, form.cleaned_data["answer"])
    start, end = form.span(answer)
    try:
        coding.segment_code(
            answer=answer,
            coder=request.user,
            start=start,
            end=end,
            themes=form.cleaned_data["themes"],
            memo=form.cleaned_data["memo"],
        )
    except ValidationError as error:
        _add_service_error(form, error)
        return form
    messages.success(request, _("The coding is saved."))
    return None


def _quote(request, survey: Survey) -> QuoteForm | None:
    """Mark a passage (or the whole answer) as a quote; None when done, else the form with errors."""
    form = QuoteForm(request.POST)
    if not form.is_valid():
        return form
    answer = _answer_or_404(survey, form.cleaned_data["answer"])
    start, end = form.span(answer)
    try:
        quotes.quote_mark(
            answer=answer,
            start=start,
            end=end,
            user=request.user,
            translation=form.cleaned_data["translation"],
            translation_language=form.cleaned_data["translation_language"],
        )
    except quotes.QuoteRefused as refusal:
        form.add_error(None, str(refusal))
        return form
    except ValidationError as error:
        _add_service_error(form, error)
        return form
    messages.success(request, _("The passage is marked as a quote."))
    return None


def _posted_id(request, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise Http404 from None


@coding_staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def coding_workspace(request, slug: str):
    """One answer at a time, with filters; POST codes a passage, marks a quote or removes either
    (``action``), then comes back to the same place in the same list."""
    survey = get_object_or_404(Survey, slug=slug)
    codebook = coding.codebook_for_survey(survey=survey)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "code":
            form = _code(request, survey, codebook)
            if form is not None:
                return _workspace(request, survey, codebook, coding_form=form)
        elif action == "quote":
            form = _quote(request, survey)
            if form is not None:
                return _workspace(request, survey, codebook, quote_form=form)
        elif action == "uncode":
            segment = get_object_or_404(
                CodedSegment,
                pk=_posted_id(request, "segment"),
                coder=request.user,
                answer__response__survey=survey,
            )
            coding.segment_uncode(segment=segment, coder=request.user)
            messages.success(request, _("The coding is removed."))
        elif action == "unquote":
            quote = get_object_or_404(Quote, pk=_posted_id(request, "quote"), answer__response__survey=survey)
            quotes.quote_unmark(quote=quote)
            messages.success(request, _("The quote is withdrawn."))
        else:
            raise Http404
        query = request.GET.urlencode()
        return redirect(
            f"{reverse('coding:workspace', kwargs={'slug': survey.slug})}{'?' + query if query else ''}"
        )
    return _workspace(request, survey, codebook)


@coding_staff_required
@require_GET
@never_cache
def coding_quotes(request, slug: str):
    """The quotes a report may use, attributed as their experts agreed; unattributable ones left out."""
    survey = get_object_or_404(Survey, slug=slug)
    report = quotes.quotes_for_report(survey=survey, k=survey.min_group_size)
    proposed = Quote.objects.filter(
        answer__response__survey=survey, answer__response__status=Response.Status.SUBMITTED
    ).count()
    context = {
        "survey": survey,
        "survey_title": survey.localized_title(),
        "quotes": report,
        "left_out": proposed - len(report),
        "k": survey.min_group_size,
    }
    return render(request, "analysis/coding/quotes.html", context)


# The codebook -----------------------------------------------------------------------------------


def _codebook_page(
    request, survey: Survey, codebook: Codebook, *, theme_form=None, import_form=None, result=None
):
    context = {
        "survey": survey,
        "survey_title": survey.localized_title(),
        "codebook": codebook,
        "shared": codebook.series_id is not None,
        "themes": coding.codebook_themes(codebook=codebook),
        "theme_form": theme_form or ThemeForm(codebook=codebook),
        "import_form": import_form or CodebookImportForm(),
        "import_result": result,
    }
    failed = any(form is not None and form.errors for form in (theme_form, import_form)) or bool(
        result and result.errors
    )
    return render(request, "analysis/coding/codebook.html", context, status=400 if failed else 200)


def _import(request, survey: Survey, codebook: Codebook):
    form = CodebookImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _codebook_page(request, survey, codebook, import_form=form)
    content = form.content()
    try:
        result = coding.codebook_import_csv(codebook=codebook, file=io.BytesIO(content))
    except coding.CodebookImportError as error:
        form.add_error(None, str(error))
        result = None
    if result is not None and result.stored:
        messages.success(
            request,
            _("The codebook is imported: %(created)d themes created, %(updated)d updated.")
            % {"created": result.created, "updated": result.updated},
        )
        return redirect("coding:codebook", slug=survey.slug)
    # Nothing was stored: the input comes back as text beside its errors, to be corrected in place.
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    kept = CodebookImportForm({"text": text})
    kept.is_valid()
    for error in form.non_field_errors():
        kept.add_error(None, error)
    return _codebook_page(request, survey, codebook, import_form=kept, result=result)


@coding_staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def codebook(request, slug: str):
    """The survey's codebook: its themes; POST adds a theme (``action=add``) or imports a CSV
    (``action=import``). Nothing of an import with errors is stored."""
    survey = get_object_or_404(Survey, slug=slug)
    book = coding.codebook_for_survey(survey=survey)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "import":
            _require(request, "analysis.add_theme", "analysis.change_theme")
            return _import(request, survey, book)
        if action != "add":
            raise Http404
        _require(request, "analysis.add_theme")
        form = ThemeForm(request.POST, codebook=book)
        if form.is_valid():
            try:
                coding.theme_create(codebook=book, **form.cleaned_data)
            except ValidationError as error:
                _add_service_error(form, error)
            else:
                messages.success(request, _("The theme is added."))
                return redirect("coding:codebook", slug=survey.slug)
        return _codebook_page(request, survey, book, theme_form=form)
    return _codebook_page(request, survey, book)


def _theme_or_404(survey: Survey, theme_id: int) -> tuple[Codebook, Theme]:
    book = coding.codebook_for_survey(survey=survey)
    return book, get_object_or_404(Theme.objects.select_related("parent"), pk=theme_id, codebook=book)


@coding_staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def theme_edit(request, slug: str, theme_id: int):
    """Rename, redescribe or move one theme."""
    _require(request, "analysis.change_theme")
    survey = get_object_or_404(Survey, slug=slug)
    book, theme = _theme_or_404(survey, theme_id)
    if request.method == "POST":
        form = ThemeForm(request.POST, codebook=book, theme=theme)
        if form.is_valid():
            try:
                coding.theme_update(theme=theme, **form.cleaned_data)
            except ValidationError as error:
                _add_service_error(form, error)
            else:
                messages.success(request, _("The theme is saved."))
                return redirect("coding:codebook", slug=survey.slug)
    else:
        form = ThemeForm(
            codebook=book,
            theme=theme,
            initial={"name": theme.name, "description": theme.description, "parent": theme.parent},
        )
    context = {
        "survey": survey,
        "survey_title": survey.localized_title(),
        "theme": theme,
        "form": form,
        "segment_count": theme.segments.count(),
        "child_count": theme.children.count(),
    }
    return render(request, "analysis/coding/theme.html", context, status=400 if form.errors else 200)


@coding_staff_required
@require_POST
def theme_remove(request, slug: str, theme_id: int):
    """Delete a theme and its sub-themes (the codings keep their other themes)."""
    _require(request, "analysis.delete_theme")
    survey = get_object_or_404(Survey, slug=slug)
    _book, theme = _theme_or_404(survey, theme_id)
    coding.theme_delete(theme=theme)
    messages.success(request, _("The theme is deleted."))
    return redirect("coding:codebook", slug=survey.slug)


@coding_staff_required
@require_GET
@never_cache
def codebook_export(request, slug: str):
    """The codebook as CSV for Excel (UTF-8 with BOM); formula-like cells neutralised."""
    survey = get_object_or_404(Survey, slug=slug)
    text = coding.codebook_export_csv(codebook=coding.codebook_for_survey(survey=survey))
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-codebook.csv"'
    return response
