"""The answer tally's tables (kept and read by ``surveys.tally``)."""

from django.db import models

from .questionnaires import Question, Survey


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
