"""The codebook pages: a survey's themes, adding, editing and deleting one, importing and
exporting the codebook as CSV.

Who may use them: as every coding page (``views_coding.coding_staff_required``), and changing the
codebook also needs the theme permissions (add, change, delete). Nothing of an import with errors
is stored.
"""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from surveys.models import Survey

from . import coding
from .forms import CodebookImportForm, ThemeForm, add_service_error
from .models import Codebook, Theme
from .views_coding import coding_staff_required


def _require(request, *permissions: str) -> None:
    if not request.user.has_perms(permissions):
        raise PermissionDenied


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
                add_service_error(form, error)
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
                add_service_error(form, error)
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
