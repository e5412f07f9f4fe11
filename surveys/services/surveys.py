"""Writes for a survey's life: opening, closing, reopening, cloning a new wave, and the rule
that an open survey with answers only takes non-destructive changes."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Answer, Choice, Question, Section, Survey
from ..validation import QuestionnaireInvalid, survey_problems


class SurveyStateError(Exception):
    """A change the survey's state does not allow; the message says why."""


def survey_has_answers(*, survey: Survey) -> bool:
    return Answer.objects.filter(question__survey=survey).exists()


def questionnaire_is_locked(*, survey: Survey) -> bool:
    """True when questions may no longer be deleted or change type: the survey is not a draft
    and answers exist. Wording can always change."""
    return survey.status != Survey.Status.DRAFT and survey_has_answers(survey=survey)


def survey_open(
    *, survey: Survey, opens_at: datetime | None = None, closes_at: datetime | None = None
) -> None:
    """Open the survey to experts after checking the questionnaire.

    Raises ``QuestionnaireInvalid`` listing every problem, or ``SurveyStateError`` for dates.
    """
    problems = survey_problems(survey=survey)
    if problems:
        raise QuestionnaireInvalid(problems)
    opens_at = opens_at or survey.opens_at or timezone.now()
    closes_at = closes_at if closes_at is not None else survey.closes_at
    if closes_at is not None and closes_at <= max(opens_at, timezone.now()):
        raise SurveyStateError(_("The closing date must be in the future and after the opening date."))
    survey.status, survey.opens_at, survey.closes_at = Survey.Status.OPEN, opens_at, closes_at
    survey.save(update_fields=["status", "opens_at", "closes_at"])


def survey_close(*, survey: Survey) -> None:
    """Close now. Drafts are kept; nothing more can be submitted."""
    survey.status, survey.closes_at = Survey.Status.CLOSED, timezone.now()
    survey.save(update_fields=["status", "closes_at"])


def survey_reopen(*, survey: Survey, closes_at: datetime | None = None) -> None:
    """Reopen a closed survey until ``closes_at`` (or with no closing date)."""
    if survey.status != Survey.Status.CLOSED:
        raise SurveyStateError(_("Only a closed survey can be reopened."))
    if closes_at is not None and closes_at <= timezone.now():
        raise SurveyStateError(_("The new closing date must be in the future."))
    survey.status, survey.closes_at = Survey.Status.OPEN, closes_at
    survey.save(update_fields=["status", "closes_at"])


@transaction.atomic
def survey_clone_wave(*, survey: Survey, slug: str, wave_label: str) -> Survey:
    """A draft copy of the questionnaire as the next wave of the same series.

    Question and choice codes are kept, so answers of the two waves can be compared; show-if
    conditions point at the copies of their targets. Panel, invitations and answers are not copied.
    """
    if Survey.objects.filter(slug=slug).exists():
        raise SurveyStateError(_("A survey with the slug “%(slug)s” exists already.") % {"slug": slug})
    sections = list(survey.sections.order_by("position", "pk"))
    questions = list(survey.questions.order_by("section__position", "section_id", "position", "pk"))
    choices = list(Choice.objects.filter(question__survey=survey).order_by("question_id", "position", "pk"))
    clone = Survey.objects.get(pk=survey.pk)
    clone.pk, clone.slug, clone.wave_label = None, slug, wave_label
    clone.status, clone.opens_at, clone.closes_at = Survey.Status.DRAFT, None, None
    clone.save()
    section_map = {}
    for section in sections:
        old_pk = section.pk
        section.pk, section.survey = None, clone
        section_map[old_pk] = section
    Section.objects.bulk_create(section_map.values())
    question_map = {}
    for question in questions:
        old_pk = question.pk
        question.pk, question.survey, question.section = None, clone, section_map[question.section_id]
        question_map[old_pk] = question
    # Targets first: a show-if can only be set once its target has a primary key.
    targets = {old: question.show_if_question_id for old, question in question_map.items()}
    for question in question_map.values():
        question.show_if_question = None
    Question.objects.bulk_create(question_map.values())
    for old, target in targets.items():
        if target is not None:
            question_map[old].show_if_question = question_map[target]
    Question.objects.bulk_update(
        [q for q in question_map.values() if q.show_if_question is not None], ["show_if_question"]
    )
    for choice in choices:
        choice.pk, choice.question = None, question_map[choice.question_id]
    Choice.objects.bulk_create(choices)
    return clone
