"""The nouns of data gathering: questionnaires, the expert panel, invitations and responses.

Questionnaire texts are stored as ``{language code: text}`` dictionaries (see ``i18n.py``) so a
survey can carry any language its authors write, with fallback to the survey's default language.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .i18n import localized

# Form fields are named q_<code>, q_<code>__other and q_<code>__rankN: a code has no "__".
code_validator = RegexValidator(
    r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
    _("Use lower-case letters and digits, joined by single hyphens or underscores."),
)


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class Sector(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    ACADEMIA = "academia", _("Academia")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    GOVERNMENT = "government", _("Government")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    OTHER = "other", _("Other")


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


class Expert(models.Model):
    """A panel member. Personal fields here never reach researchers unless the expert is named."""

    name = models.CharField(max_length=200)
    email = models.EmailField()
    organisation = models.CharField(max_length=200, blank=True)
    country = CountryField()
    sector = models.CharField(max_length=30, choices=Sector.choices)
    expertise = models.CharField(max_length=200, blank=True)
    preferred_language = models.CharField(max_length=10, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True, help_text="Personal fields removed on request.")

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="expert_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One expert invited to one survey. The link's token is stored only as a SHA-256 hash."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_invitations",
        help_text="Staff member assigned to interview this expert.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_contact_at = models.DateTimeField(
        null=True, blank=True, help_text="Last invitation or reminder sent."
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    delivery_failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "expert"], name="one_invitation_per_expert_and_survey"),
        ]
        permissions = [
            ("conduct_interview", "Can enter answers for assigned experts"),
            ("conduct_any_interview", "Can enter answers for any expert"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.survey.slug}"


class Quota(models.Model):
    """A fieldwork target: how many submissions staff want from one group."""

    class Dimension(models.TextChoices):
        COUNTRY = "country", _("Country")
        UN_REGION = "un_region", _("UN region")
        NORTH_SOUTH = "north_south", _("Global North/South")
        SECTOR = "sector", _("Sector")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="quotas")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    value = models.CharField(max_length=60, help_text="A country code, region name, north/south or sector.")
    target = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "dimension", "value"], name="one_quota_per_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value}: {self.target}"


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Attribution(models.TextChoices):
        NAMED = "named", _("Named: quote me with my name and organisation")
        ANONYMOUS = "anonymous", _("Anonymous: quote me as an expert from my sector and country")
        NOT_FOR_QUOTATION = "not_for_quotation", _("Not for quotation: use my answers, never quote me")

    class Mode(models.TextChoices):
        SELF = "self", _("Self-completed")
        INTERVIEWER = "interviewer", _("Entered by an interviewer")

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    language = models.CharField(max_length=10)
    consent_given_at = models.DateTimeField(null=True, blank=True)
    attribution = models.CharField(max_length=20, choices=Attribution.choices, blank=True)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.SELF)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resume_section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the expert was at submission, so later panel edits never move old answers between groups.
    country = CountryField(blank=True)
    un_region = models.CharField(max_length=60, blank=True)
    un_subregion = models.CharField(max_length=60, blank=True)
    north_south = models.CharField(max_length=5, blank=True)
    sector = models.CharField(max_length=30, choices=Sector.choices, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="submitted") | models.Q(consent_given_at__isnull=False),
                name="submitted_response_has_consent",
            ),
        ]
        indexes = [
            # How many are submitted and the latest change among them, read without the table
            # (the answer tally's fingerprint, surveys.tally.fingerprints).
            models.Index(fields=["survey", "status", "updated_at"], name="response_status_updated"),
        ]

    def __str__(self) -> str:
        return f"response {self.pk} ({self.status})"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    """One answer, stored in the column its question type needs.

    likert, scale_0_10, number → ``number``; single_choice, country, short/long text → ``text``;
    multiple_choice (codes ticked) and ranking (codes in rank order) → ``codes``;
    the text of an "other, please specify" choice → ``other_text``.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # RESTRICT: a question with answers cannot be deleted on its own; deleting a whole survey can.
    question = models.ForeignKey(Question, on_delete=models.RESTRICT, related_name="answers")
    number = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    codes = models.JSONField(default=list, blank=True)
    other_text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"


class TallyProfile(models.Model):
    """A group of one survey's respondents with the same group snapshot and mode, numbered from 0
    within the survey: what an ``AnswerTally`` row counts answers by. ``respondents``: how many
    submitted responses it has (kept with the tally, ``surveys.tally``)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    country = models.CharField(max_length=2)
    un_region = models.CharField(max_length=60)
    un_subregion = models.CharField(max_length=60)
    north_south = models.CharField(max_length=5)
    sector = models.CharField(max_length=30)
    mode = models.CharField(max_length=12)
    respondents = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="one_tally_profile_per_number"),
            models.UniqueConstraint(
                fields=["survey", "country", "un_region", "un_subregion", "north_south", "sector", "mode"],
                name="one_tally_profile_per_groups",
            ),
        ]

    def __str__(self) -> str:
        return f"profile {self.number} of survey {self.survey_id}"


class AnswerTally(models.Model):
    """How many submitted answers of one survey give one value to a question, by respondent
    profile (``TallyProfile``): what every summary counts, kept as answers are submitted and
    edited (``surveys.tally``) so a summary reads a few hundred rows instead of counting millions
    of answers. Derived data: it can always be rebuilt from the answers, and is whenever
    ``TallyState`` finds it out of date."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    number = models.FloatField(null=True)
    # The text of single-choice and country answers (a code), "" for other types: never free text.
    category = models.TextField()
    # The codes ticked or ranked, as the database writes the JSON list as text.
    codes = models.TextField()
    # The value's counts by profile: (profile number, count) pairs of unsigned 32-bit
    # little-endian integers (``surveys.tally.WEIGHTS``), profiles rising; a profile not listed
    # counts 0.
    weights = models.BinaryField(default=bytes)

    class Meta:
        indexes = [models.Index(fields=["survey", "question"], name="tally_survey_question")]

    def __str__(self) -> str:
        return f"question {self.question_id}: {self.category or self.number or self.codes}"


class TallyState(models.Model):
    """What a survey's ``AnswerTally`` counts: the fingerprint of its submitted responses and its
    questions (``surveys.tally.fingerprints``) when the tally was last brought up to date."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, primary_key=True, related_name="+")
    fingerprint = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"tally of survey {self.survey_id}"
