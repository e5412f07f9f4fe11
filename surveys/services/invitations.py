"""Writes for invitations: creating them, and the lifecycle of their links."""

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from ..models import Expert, Invitation, Survey
from ..tokens import new_token, token_hash


def invitation_create(
    *, survey: Survey, expert: Expert, interviewer: AbstractBaseUser | None = None
) -> tuple[Invitation, str]:
    """Invite an expert; returns the invitation and its token, which is never stored in clear."""
    token = new_token()
    invitation = Invitation.objects.create(
        survey=survey, expert=expert, interviewer=interviewer, token_hash=token_hash(token)
    )
    return invitation, token


def invitation_reissue(*, invitation: Invitation) -> str:
    """Give the invitation a new token: the old link stops working at once. Lifts a revocation."""
    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.revoked_at = None
    invitation.save(update_fields=["token_hash", "revoked_at"])
    return token


def invitation_revoke(*, invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
