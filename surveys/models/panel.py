"""The expert panel: experts, their invitations to surveys, and fieldwork quotas."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .questionnaires import Survey


class Sector(models.TextChoices):
    INDUSTRY = "industry", _("Industry")
    ACADEMIA = "academia", _("Academia")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    GOVERNMENT = "government", _("Government")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    OTHER = "other", _("Other")


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
