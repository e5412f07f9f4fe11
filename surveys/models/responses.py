"""Responses and their answers, with the respondent's group snapshot."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .panel import Invitation, Sector
from .questionnaires import Question, Section, Survey


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
