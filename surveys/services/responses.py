"""Writes for responses and answers: opening, consent, saving pages, submitting."""

import contextlib

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..conditions import AnswerValue, visible_question_ids
from ..geography import country_groups
from ..models import Answer, Invitation, Response, Section
from ..selectors import Questionnaire, answers_for_response
from ..tally import tally_kept


class ResponseIncomplete(Exception):
    """Required questions are unanswered; ``sections`` lists where, in questionnaire order."""

    def __init__(self, sections: list[Section]):
        self.sections = sections
        super().__init__(_("Some required questions are not answered yet."))


def response_open(
    *,
    invitation: Invitation,
    interviewer: AbstractBaseUser | None = None,
    language: str | None = None,
) -> Response:
    """The invitation's response, created on first opening. Records when the link was opened.

    With ``interviewer`` the response is marked as entered by that interviewer.
    """
    survey = invitation.survey
    with transaction.atomic():
        if invitation.opened_at is None and interviewer is None:
            invitation.opened_at = timezone.now()
            invitation.save(update_fields=["opened_at"])
        response = getattr(invitation, "response", None)  # usually loaded with the invitation
        if response is None:
            preferred = language or invitation.expert.preferred_language
            response, _created = Response.objects.get_or_create(
                invitation=invitation,
                defaults={
                    "survey": survey,
                    "language": preferred
                    if preferred in survey.offered_languages()
                    else survey.default_language,
                },
            )
    if interviewer is not None and not response.is_submitted and response.interviewer_id != interviewer.pk:
        response.mode = Response.Mode.INTERVIEWER
        response.interviewer = interviewer
        response.save(update_fields=["mode", "interviewer", "updated_at"])
    invitation.response = response
    return response


def response_set_language(*, response: Response, language: str) -> None:
    if language in response.survey.offered_languages():
        response.language = language
        response.save(update_fields=["language", "updated_at"])


def response_give_consent(*, response: Response, attribution: str) -> None:
    """Record consent (first time only) and the attribution choice (may be changed)."""
    response.consent_given_at = response.consent_given_at or timezone.now()
    response.attribution = attribution
    response.save(update_fields=["consent_given_at", "attribution", "updated_at"])


def response_save_page(
    *,
    response: Response,
    questionnaire: Questionnaire,
    section: Section,
    values: dict[int, AnswerValue],
    next_section: Section | None,
) -> None:
    """Store one page of answers, in a constant number of queries.

    Answers given are upserted, emptied ones deleted, and answers to any question that the new
    answers hide (on this page or later ones) deleted too, so hidden answers are never kept.
    ``next_section`` is where the expert resumes.
    """
    stored = answers_for_response(response=response)
    merged = {**stored, **values}
    visible = visible_question_ids(questionnaire.questions, merged)
    page_ids = {question.pk for question in questionnaire.questions_in(section)}
    to_delete = {qid for qid in merged if qid not in visible}
    to_delete |= {qid for qid, value in values.items() if value.is_empty()}
    to_delete |= {qid for qid in page_ids if qid not in values and qid in stored}
    rows = [
        Answer(
            response=response,
            question_id=question_id,
            number=value.number,
            text=value.text,
            codes=value.codes,
            other_text=value.other_text,
        )
        for question_id, value in values.items()
        if question_id not in to_delete
    ]
    # A submitted response's answers are counted in its survey's tally, which follows the edit.
    kept = tally_kept(response) if response.is_submitted else contextlib.nullcontext()
    with transaction.atomic(), kept:
        if to_delete:
            Answer.objects.filter(response=response, question_id__in=to_delete).delete()
        Answer.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["response", "question"],
            update_fields=["number", "text", "codes", "other_text", "updated_at"],
        )
        response.resume_section = next_section
        response.save(update_fields=["resume_section", "updated_at"])


def response_missing_sections(*, response: Response, questionnaire: Questionnaire) -> list[Section]:
    """Sections holding a shown, required question that has no answer."""
    answers = answers_for_response(response=response)
    visible = visible_question_ids(questionnaire.questions, answers)
    missing = {
        question.section_id
        for question in questionnaire.questions
        if question.required
        and question.pk in visible
        and (question.pk not in answers or answers[question.pk].is_empty())
    }
    return [section for section in questionnaire.sections if section.pk in missing]


def response_submit(*, response: Response, questionnaire: Questionnaire) -> Response:
    """Submit (or re-submit after edits) and snapshot the expert's groups.

    Idempotent: a second submit of an unchanged response changes nothing but the snapshot.
    Raises ``ResponseIncomplete`` naming the sections with required questions unanswered.
    """
    with transaction.atomic(), tally_kept(response):
        locked = Response.objects.select_for_update().select_related("invitation__expert").get(pk=response.pk)
        missing = response_missing_sections(response=locked, questionnaire=questionnaire)
        if missing:
            raise ResponseIncomplete(missing)
        expert = locked.invitation.expert
        groups = country_groups(expert.country.code)
        locked.country = expert.country
        locked.un_region = groups.region
        locked.un_subregion = groups.subregion
        locked.north_south = groups.north_south
        locked.sector = expert.sector
        if not locked.is_submitted:
            locked.status = Response.Status.SUBMITTED
            locked.submitted_at = timezone.now()
        locked.resume_section = None
        locked.save()
    return locked
