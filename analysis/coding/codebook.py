"""The codebook of a survey (its own, or its series') and its themes, nested two levels deep."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from surveys.models import Survey

from ..models import Codebook, Theme


def codebook_for_survey(*, survey: Survey) -> Codebook:
    """The codebook ``survey`` is coded with: its own, else its series' (shared by every wave),
    else a new codebook of the survey, created here on first use."""

    def existing() -> Codebook | None:
        return (
            Codebook.objects.filter(survey=survey).order_by("pk").first()
            or Codebook.objects.filter(series_id=survey.series_id).order_by("pk").first()
        )

    codebook = existing()
    if codebook is None:
        with transaction.atomic():
            # One creator at a time: two first uses at once must not make two codebooks.
            Survey.objects.select_for_update().filter(pk=survey.pk).first()
            codebook = existing() or Codebook.objects.create(survey=survey, name=str(survey)[:200])
    return codebook


def codebook_themes(*, codebook: Codebook) -> list[Theme]:
    """The themes of ``codebook`` in reading order: each top-level theme, then its sub-themes
    (by position, then name). One query."""
    themes = list(codebook.themes.select_related("parent").order_by("position", "name", "pk"))
    children: dict[int, list[Theme]] = {}
    for theme in themes:
        if theme.parent_id is not None:
            children.setdefault(theme.parent_id, []).append(theme)
    ordered = []
    for theme in themes:
        if theme.parent_id is None:
            ordered += [theme, *children.get(theme.pk, [])]
    return ordered


def _validated(theme: Theme) -> Theme:
    if theme.parent_id is not None and theme.parent_id == theme.pk:
        raise ValidationError({"parent": _("A theme cannot be its own parent.")})
    theme.full_clean()
    theme.save()
    return theme


def theme_create(
    *, codebook: Codebook, name: str, description: str = "", parent: Theme | None = None
) -> Theme:
    """A new theme of ``codebook`` (a sub-theme of ``parent`` when given), placed after its
    siblings. Raises ``ValidationError`` for a blank or taken name or a parent that breaks the
    two-level rule."""
    siblings = codebook.themes.filter(parent=parent)
    last = siblings.aggregate(last=Max("position"))["last"]
    theme = Theme(
        codebook=codebook,
        parent=parent,
        name=name.strip(),
        description=description.strip(),
        position=0 if last is None else last + 1,
    )
    return _validated(theme)


def theme_update(*, theme: Theme, name: str, description: str, parent: Theme | None) -> Theme:
    """``theme`` renamed, redescribed and moved under ``parent`` (None: top level). Raises
    ``ValidationError`` as ``theme_create`` does, and when a theme with sub-themes would become
    a sub-theme itself."""
    theme.name = name.strip()
    theme.description = description.strip()
    theme.parent = parent
    return _validated(theme)


def theme_delete(*, theme: Theme) -> None:
    """Delete ``theme`` and its sub-themes. Coded passages stay (with their other themes); they
    no longer carry the deleted themes."""
    theme.delete()
