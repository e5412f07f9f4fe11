"""Questionnaires: a series of surveys (waves), their sections, questions and choices."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..i18n import localized

# Form fields are named q_<code>, q_<code>__other and q_<code>__rankN: a code has no "__".
code_validator = RegexValidator(
    r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
    _("Use lower-case letters and digits, joined by single hyphens or underscores."),
)


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class Series(models.Model):
    """A study repeated in waves; surveys of one series are compared on question codes."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.title


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="surveys")
    wave_label = models.CharField(max_length=100, help_text="For example '2026' or 'Wave 2'.")
    slug = models.SlugField(unique=True)
    title = models.JSONField(default=dict, help_text="Text per language code.")
    description = models.JSONField(default=dict, blank=True)
    consent_text = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    default_language = models.CharField(max_length=10, default="en")
    languages = models.JSONField(default=list, help_text="Language codes offered to experts.")
    allow_edit_after_submit = models.BooleanField(
        default=True, help_text="Experts may change submitted answers until the survey closes."
    )
    reminder_interval_days = models.PositiveSmallIntegerField(
        default=7, help_text="Nobody is emailed again sooner than this after the last email."
    )
    max_reminders = models.PositiveSmallIntegerField(default=3)
    min_group_size = models.PositiveSmallIntegerField(
        default=5, help_text="k: analysis never shows a cell describing fewer respondents than this."
    )
    consensus_iqr_max = models.FloatField(
        default=1.0, help_text="Consensus: largest IQR on a 5-point scale (scaled for other scales)."
    )
    consensus_share_min = models.FloatField(
        default=0.70, help_text="Consensus: smallest share in the top two or bottom two boxes."
    )
    keep_anonymised_answers = models.BooleanField(
        default=False,
        help_text="When an expert asks to be erased, keep their submitted answers as anonymous data. "
        "Tick only if the consent text says so.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.localized_title()} ({self.wave_label})"

    def localized_title(self, language: str | None = None) -> str:
        return localized(self.title, language, self.default_language)

    def offered_languages(self) -> list[str]:
        return self.languages or [self.default_language]

    def is_accepting_answers(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def has_closed(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.CLOSED or bool(self.closes_at and now >= self.closes_at)

    def clean(self) -> None:
        unknown = [code for code in self.offered_languages() if code not in language_codes()]
        if unknown:
            raise ValidationError({"languages": _("Unknown language codes: %s") % ", ".join(unknown)})
        if self.default_language not in self.offered_languages():
            raise ValidationError({"default_language": _("The default language must be one of the offered.")})
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The survey must close after it opens.")})


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    title = models.JSONField(default=dict)
    intro = models.JSONField(default=dict, blank=True)
    # When its wording or settings last changed: a cached analysis summary is recomputed after.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Positions order; they are not identities (codes are), so reordering never collides.
        ordering = ["survey", "position", "pk"]

    def __str__(self) -> str:
        return localized(self.title, None, self.survey.default_language)


class Question(models.Model):
    class Type(models.TextChoices):
        LIKERT = "likert", _("Likert scale")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        RANKING = "ranking", _("Ranking")
        SCALE_0_10 = "scale_0_10", _("0–10 scale")
        NUMBER = "number", _("Number")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        COUNTRY = "country", _("Country")

    CHOICE_TYPES = (Type.SINGLE_CHOICE, Type.MULTIPLE_CHOICE, Type.RANKING)
    NUMERIC_TYPES = (Type.LIKERT, Type.SCALE_0_10, Type.NUMBER)

    class Operator(models.TextChoices):
        EQUALS = "equals", _("equals (or, for multiple choice, includes)")
        NOT_EQUALS = "not_equals", _("does not equal (or include)")
        ANY_OF = "any_of", _("is any of")
        AT_LEAST = "at_least", _("is at least")
        AT_MOST = "at_most", _("is at most")
        ANSWERED = "answered", _("is answered")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    code = models.SlugField(
        max_length=64, validators=[code_validator], help_text="Stable identifier, kept across waves."
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    text = models.JSONField(default=dict)
    help_text = models.JSONField(default=dict, blank=True)
    required = models.BooleanField(default=False)
    scale_points = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Likert only: 5 or 7.", choices=[(5, "5"), (7, "7")]
    )
    scale_labels = models.JSONField(
        default=list, blank=True, help_text="Likert: one {language: label} per point; empty for agreement."
    )
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    rank_top_k = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Ranking: how many items to order."
    )
    show_if_question = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="dependants"
    )
    show_if_operator = models.CharField(max_length=12, choices=Operator.choices, blank=True)
    show_if_value = models.JSONField(null=True, blank=True, help_text="A code, a number or a list of codes.")
    # When its wording or settings last changed: a cached analysis summary is recomputed after.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["section__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique_in_survey"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        if self.section_id and not self.survey_id:
            self.survey_id = self.section.survey_id
        super().save(*args, **kwargs)

    def localized_text(self, language: str | None = None) -> str:
        return localized(self.text, language, self.survey.default_language)

    def clean(self) -> None:
        if self.type == self.Type.LIKERT and self.scale_points not in (5, 7):
            raise ValidationError({"scale_points": _("A Likert question has 5 or 7 points.")})
        if self.scale_labels and self.scale_points and len(self.scale_labels) != self.scale_points:
            raise ValidationError({"scale_labels": _("Give one label for every point of the scale.")})
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError({"max_value": _("The upper bound is below the lower bound.")})
        if self.show_if_question_id and not self.show_if_operator:
            raise ValidationError({"show_if_operator": _("Choose how the condition compares the answer.")})


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField()
    code = models.SlugField(max_length=64, validators=[code_validator])
    label = models.JSONField(default=dict)
    is_other = models.BooleanField(default=False, help_text="'Other, please specify': asks for text.")
    is_exclusive = models.BooleanField(default=False, help_text="'None / don't know': excludes the rest.")
    # When its wording or settings last changed: a cached analysis summary is recomputed after.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="choice_code_unique_in_question"),
        ]

    def __str__(self) -> str:
        return self.code
