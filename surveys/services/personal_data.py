"""Personal data requests from experts: a copy of everything stored about them, and erasure.

Erasure removes the personal fields and the expert's link; answers survive only as anonymous data,
and only for surveys whose consent text said so (``Survey.keep_anonymised_answers``).
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from ..i18n import localized
from ..models import Answer, Expert, Invitation, Response
from .invitations import invitation_revoke

ERASED_NAME = "Erased expert"


@dataclass(frozen=True)
class ErasureResult:
    """What one erasure did; all zero when the expert had already been erased."""

    links_revoked: int
    drafts_deleted: int
    responses_anonymised: int
    responses_deleted: int


def expert_personal_data(*, expert: Expert) -> dict:
    """Everything stored about one expert, ready for ``json.dumps``: the profile, each invitation
    with its status timestamps, and each response with consent, attribution, mode and every
    answer (question code, question text in the response's language, the answer)."""
    invitations = (
        Invitation.objects.filter(expert=expert)
        .select_related("survey", "response")
        .prefetch_related(
            Prefetch("response__answers", queryset=Answer.objects.select_related("question").order_by("pk"))
        )
        .order_by("created_at", "pk")
    )
    return {
        "generated_at": _iso(timezone.now()),
        "expert": {
            "name": expert.name,
            "email": expert.email,
            "organisation": expert.organisation,
            "country": expert.country.code,
            "country_name": expert.country.name,
            "sector": expert.sector,
            "expertise": expert.expertise,
            "preferred_language": expert.preferred_language,
            "created_at": _iso(expert.created_at),
            "erased_at": _iso(expert.erased_at),
        },
        "invitations": [_invitation_data(invitation) for invitation in invitations],
    }


def _invitation_data(invitation: Invitation) -> dict:
    response = getattr(invitation, "response", None)
    return {
        "survey": invitation.survey.slug,
        "survey_title": invitation.survey.localized_title(),
        "created_at": _iso(invitation.created_at),
        "sent_at": _iso(invitation.sent_at),
        "opened_at": _iso(invitation.opened_at),
        "declined_at": _iso(invitation.declined_at),
        "revoked_at": _iso(invitation.revoked_at),
        "last_contact_at": _iso(invitation.last_contact_at),
        "reminders_sent": invitation.reminders_sent,
        "delivery_failures": invitation.delivery_failures,
        "last_delivery_error": invitation.last_error,
        "response": None if response is None else _response_data(response, invitation),
    }


def _response_data(response: Response, invitation: Invitation) -> dict:
    survey = invitation.survey
    return {
        "status": response.status,
        "language": response.language,
        "consent_given_at": _iso(response.consent_given_at),
        "attribution": response.attribution,
        "mode": response.mode,
        "country": response.country.code,
        "un_region": response.un_region,
        "sector": response.sector,
        "started_at": _iso(response.started_at),
        "updated_at": _iso(response.updated_at),
        "submitted_at": _iso(response.submitted_at),
        "answers": [
            {
                "question": answer.question.code,
                "question_text": localized(answer.question.text, response.language, survey.default_language),
                "number": answer.number,
                "text": answer.text,
                "codes": answer.codes,
                "other_text": answer.other_text,
                "updated_at": _iso(answer.updated_at),
            }
            for answer in response.answers.all()
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def expert_erase(*, expert: Expert) -> ErasureResult:
    """Remove an expert's personal data; idempotent.

    Name, email, organisation and expertise are replaced, every link revoked and its delivery
    error (which may quote the address) cleared, drafts deleted. A submitted response is kept as
    anonymous data — not for quotation, with its country and sector snapshot — when its survey
    keeps anonymised answers, and deleted with its answers otherwise. The admin's history shows
    the expert and their invitations as "Erased expert" from then on.
    """
    now = timezone.now()
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        responses = Response.objects.filter(invitation__expert=expert)
        drafts_deleted = _deleted_responses(responses.filter(status=Response.Status.DRAFT))
        submitted = responses.filter(status=Response.Status.SUBMITTED)
        responses_deleted = _deleted_responses(submitted.filter(survey__keep_anonymised_answers=False))
        responses_anonymised = (
            submitted.filter(survey__keep_anonymised_answers=True)
            .exclude(attribution=Response.Attribution.NOT_FOR_QUOTATION)
            .update(attribution=Response.Attribution.NOT_FOR_QUOTATION, updated_at=now)
        )
        invitations = Invitation.objects.filter(expert=expert)
        live = list(invitations.filter(revoked_at__isnull=True))
        for invitation in live:
            invitation_revoke(invitation=invitation)
        invitations.exclude(last_error="").update(last_error="")

        expert.name = ERASED_NAME
        expert.email = f"erased-{expert.pk}@erased.invalid"
        expert.organisation = ""
        expert.expertise = ""
        expert.erased_at = expert.erased_at or now
        expert.save(update_fields=["name", "email", "organisation", "expertise", "erased_at"])

        for model, object_ids in (
            (Expert, [expert.pk]),
            (Invitation, list(invitations.values_list("pk", flat=True))),
        ):
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(object_id) for object_id in object_ids],
            ).update(object_repr=ERASED_NAME)
    return ErasureResult(
        links_revoked=len(live),
        drafts_deleted=drafts_deleted,
        responses_anonymised=responses_anonymised,
        responses_deleted=responses_deleted,
    )


def _deleted_responses(responses) -> int:
    """Delete the responses (their answers go with them); returns how many responses."""
    _total, per_model = responses.delete()
    return per_model.get(Response._meta.label, 0)
