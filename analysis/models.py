"""What analysis stores of its own: access rights, and qualitative coding of interview answers
(codebooks, themes, coded passages, candidate quotes)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from surveys.models import Answer, Series, Survey


class AnalysisAccess(models.Model):
    """Holds the analysis permissions; no table (``managed = False``)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_analysis", "Can see analysis dashboards and downloads")]

    def __str__(self) -> str:
        return "analysis access"


class Codebook(models.Model):
    """Themes for coding free-text answers: of one survey, or shared by every wave of a series."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, null=True, blank=True, related_name="codebooks"
    )
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, null=True, blank=True, related_name="codebooks"
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(survey__isnull=False, series__isnull=True)
                | Q(survey__isnull=True, series__isnull=False),
                name="codebook_of_a_survey_or_a_series",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A code of the codebook; themes nest two levels deep (a theme and its sub-themes)."""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="themes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # When its name, description or place last changed: a cached analysis summary is recomputed after.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["codebook", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "name"], name="theme_name_unique_in_codebook"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": _("Themes nest two levels deep: the parent must be a top-level theme.")}
            )
        if self.parent.codebook_id != self.codebook_id:
            raise ValidationError({"parent": _("The parent theme belongs to another codebook.")})
        if self.pk and self.children.exists():
            raise ValidationError({"parent": _("A theme with sub-themes cannot become a sub-theme itself.")})


class CodedSegment(models.Model):
    """One coder's reading of a passage of a free-text answer: its themes and a memo.

    ``start``/``end`` are character offsets into ``answer.text`` (the whole answer: 0 and its
    length) and ``passage`` the text they held when coded, so an expert's later edit of the answer
    never shifts a coding onto other words (``coding.placed``). Several researchers code
    independently: each segment records its coder.
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="segments")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coded_segments"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    passage = models.TextField(blank=True)
    themes = models.ManyToManyField(Theme, related_name="segments", blank=True)
    memo = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["answer", "start", "end", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="segment_is_not_empty"),
        ]

    def __str__(self) -> str:
        return f"segment {self.pk} [{self.start}:{self.end}]"


class Quote(models.Model):
    """A passage a researcher proposes to quote, attributed as the expert chose at consent.

    An answer whose expert chose *not for quotation* can be coded but never quoted (the services
    refuse it). A quote in another language can carry a researcher's translation. ``passage`` is
    the text marked, so an expert's later edit never puts other words in their mouth.
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="quotes")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    passage = models.TextField(blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    translation = models.TextField(blank=True)
    translation_language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="quote_is_not_empty"),
        ]
        permissions = [("code_answers", "Can code free-text answers and propose quotes")]

    def __str__(self) -> str:
        return f"quote {self.pk}"
