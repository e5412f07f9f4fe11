"""Writes for emailing the panel: queuing invitations and reminders, delivering them, opting out.

Links. Only a hash of an invitation's token is stored, so an email cannot repeat an old link: every
delivery re-issues the token (``invitation_reissue``) and puts the new link in the email. The link
of an earlier email stops working then; the newest email always holds the working link, and the
reminder says that it replaces the earlier one.

Claiming. ``invitations_queue`` claims each invitation before queuing its email, with a
compare-and-set UPDATE of ``last_contact_at`` (the value read must still be there; the claim writes
the queuing time). Running the command again, even before a worker has delivered anything, finds
every claimed invitation contacted "just now" and queues nothing twice. The queued task carries the
claim's time, and delivers only while ``last_contact_at`` still holds it: a newer claim, or a
delivery already made (which writes the sending time), turns a stale or repeated task into a no-op.
A claim is a lease of ``reminder_interval_days``: a task lost with its queue is taken over by the
next run after that. A claim that ends without an email (the expert declined meanwhile, or delivery
failed for good) is released: ``last_contact_at`` goes back to what it was.

Retries. django-tasks does not retry. A failed send (SMTP or connection error) is recorded on the
invitation (``delivery_failures``, ``last_error``, ``last_error_at``) and the task queues itself
again, ``RETRY_DELAY`` × attempt later where the backend can defer (the database backend), at once
where it cannot (the immediate backend); after ``MAX_DELIVERY_ATTEMPTS`` the claim is released, so
the next run of the command tries again. The token re-issue is rolled back with the failed send, so
the link of the previous email keeps working.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Invitation, Response, Survey
from .invitations import invitation_reissue

MAX_DELIVERY_ATTEMPTS = 3
RETRY_DELAY = timedelta(minutes=5)


class MailKind(models.TextChoices):
    INVITATION = "invitation", gettext_lazy("Invitation")
    REMINDER = "reminder", gettext_lazy("Reminder")


class SurveyNotOpen(Exception):
    """Emails are only sent for a survey that accepts answers; the message says why this one does not."""

    def __init__(self, survey: Survey, now: datetime):
        if survey.status != Survey.Status.OPEN:
            reason = _("its status is “%(status)s”") % {"status": survey.get_status_display()}
        elif survey.opens_at and now < survey.opens_at:
            reason = _("it opens on %(date)s") % {"date": _local_date(survey.opens_at)}
        else:
            reason = _("it closed on %(date)s") % {"date": _local_date(survey.closes_at)}
        super().__init__(
            _(
                "Survey “%(slug)s” is not accepting answers (%(reason)s), so no invitations or reminders "
                "are sent. Open it, with its closing date in the future, first."
            )
            % {"slug": survey.slug, "reason": reason}
        )


def _local_date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment))


class DeliveryFailed(Exception):
    """Sending one email failed; the failure is recorded and a retry queued (or the claim released)."""


def invitation_language(*, invitation: Invitation) -> str:
    """The language to write to the expert in: their preferred one if the survey offers it,
    else the survey's default."""
    survey = invitation.survey
    preferred = invitation.expert.preferred_language
    return preferred if preferred in survey.offered_languages() else survey.default_language


def _deliverable(kind: MailKind) -> QuerySet[Invitation]:
    """Invitations that may get an email of ``kind``, leaving timing aside: nobody who declined,
    was revoked, has submitted or was erased; invitations only once, reminders only after an
    invitation and fewer than the survey's ``max_reminders``."""
    invitations = Invitation.objects.filter(
        revoked_at__isnull=True, declined_at__isnull=True, expert__erased_at__isnull=True
    ).exclude(response__status=Response.Status.SUBMITTED)
    if kind == MailKind.INVITATION:
        return invitations.filter(sent_at__isnull=True)
    return invitations.filter(sent_at__isnull=False, reminders_sent__lt=F("survey__max_reminders"))


def invitations_queue(
    *,
    survey: Survey,
    kind: str,
    now: datetime | None = None,
    invitation_ids: Iterable[int] | None = None,
) -> int:
    """Claim every invitation of ``survey`` due an email of ``kind`` and queue its delivery;
    returns how many were queued. ``invitation_ids`` narrows the choice (the admin's actions).

    Due: deliverable (see ``_deliverable``) and not contacted, nor claimed, within the survey's
    ``reminder_interval_days``. Raises ``SurveyNotOpen`` unless the survey accepts answers.
    """
    kind = MailKind(kind)
    now = now or timezone.now()
    if not survey.is_accepting_answers(now):
        raise SurveyNotOpen(survey, now)
    due = _deliverable(kind).filter(survey=survey)
    due = due.filter(
        Q(last_contact_at__isnull=True)
        | Q(last_contact_at__lte=now - timedelta(days=survey.reminder_interval_days))
    )
    if invitation_ids is not None:
        due = due.filter(pk__in=list(invitation_ids))
    queued = 0
    for invitation_id, previous_contact_at in due.order_by("pk").values_list("pk", "last_contact_at"):
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=invitation_id, last_contact_at=previous_contact_at).update(
                last_contact_at=now
            )
            if not claimed:  # a concurrent run claimed it first
                continue
            _enqueue_delivery(
                invitation_id=invitation_id,
                kind=kind,
                claimed_at=now,
                previous_contact_at=previous_contact_at,
                attempt=1,
            )
        queued += 1
    return queued


def invitation_deliver(
    *,
    invitation_id: int,
    kind: str,
    claimed_at: datetime,
    previous_contact_at: datetime | None,
    attempt: int = 1,
) -> bool:
    """Send one claimed invitation or reminder (runs in the task). Returns True when the email
    went out, False when it no longer should (declined, revoked, submitted, survey no longer open,
    or the claim is stale); then the claim is released.

    The email carries a freshly issued link, so the links of earlier emails stop working. Records
    ``sent_at`` (the first time), ``reminders_sent`` and ``last_contact_at``. On an SMTP or
    connection error, records the failure, queues a retry (or, after ``MAX_DELIVERY_ATTEMPTS``,
    releases the claim) and raises ``DeliveryFailed``.
    """
    kind = MailKind(kind)
    claim = {
        "invitation_id": invitation_id,
        "claimed_at": claimed_at,
        "previous_contact_at": previous_contact_at,
    }
    try:
        with transaction.atomic():
            invitation = (
                _deliverable(kind)
                .select_for_update(of=("self",))
                .select_related("survey", "expert")
                .filter(pk=invitation_id, last_contact_at=claimed_at)
                .first()
            )
            if invitation is None or not invitation.survey.is_accepting_answers():
                _release_claim(**claim)
                return False
            token = invitation_reissue(invitation=invitation)
            _email(invitation=invitation, kind=kind, token=token).send()
            sent_at = timezone.now()
            invitation.sent_at = invitation.sent_at or sent_at
            invitation.last_contact_at = sent_at
            if kind == MailKind.REMINDER:
                invitation.reminders_sent += 1
            invitation.save(update_fields=["sent_at", "last_contact_at", "reminders_sent"])
    except OSError as error:  # smtplib.SMTPException and socket errors are OSErrors
        Invitation.objects.filter(pk=invitation_id).update(
            delivery_failures=F("delivery_failures") + 1,
            last_error=f"{type(error).__name__}: {error}",
            last_error_at=timezone.now(),
        )
        if attempt < MAX_DELIVERY_ATTEMPTS:
            _enqueue_delivery(kind=kind, attempt=attempt + 1, delay=RETRY_DELAY * attempt, **claim)
        else:
            _release_claim(**claim)
        raise DeliveryFailed(
            f"{kind.label} email for invitation {invitation_id} failed "
            f"(attempt {attempt} of {MAX_DELIVERY_ATTEMPTS}): {error}"
        ) from error
    return True


def invitation_decline(*, invitation: Invitation) -> None:
    """The expert opts out of emails about this survey. Idempotent: the first time is kept.

    Declining only stops invitations and reminders; the link keeps working.
    """
    Invitation.objects.filter(pk=invitation.pk, declined_at__isnull=True).update(declined_at=timezone.now())
    invitation.refresh_from_db(fields=["declined_at"])


def _release_claim(*, invitation_id: int, claimed_at: datetime, previous_contact_at: datetime | None) -> None:
    Invitation.objects.filter(pk=invitation_id, last_contact_at=claimed_at).update(
        last_contact_at=previous_contact_at
    )


def _enqueue_delivery(
    *,
    invitation_id: int,
    kind: MailKind,
    claimed_at: datetime,
    previous_contact_at: datetime | None,
    attempt: int,
    delay: timedelta | None = None,
) -> None:
    from ..tasks import invitation_email_deliver  # tasks.py imports this module

    task = invitation_email_deliver
    if delay and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(
        invitation_id=invitation_id,
        kind=kind.value,
        claimed_at=claimed_at.isoformat(),
        previous_contact_at=previous_contact_at.isoformat() if previous_contact_at else None,
        attempt=attempt,
    )


def _email(*, invitation: Invitation, kind: MailKind, token: str) -> EmailMultiAlternatives:
    """The email in the expert's language: subject, plain text and HTML, with the personal link
    and the opt-out link."""
    survey, expert = invitation.survey, invitation.expert
    language = invitation_language(invitation=invitation)
    site_url = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    decline_link = site_url + reverse("decline", kwargs={"token": token})
    context = {
        "expert_name": expert.name,
        "survey_title": survey.localized_title(language),
        "closes_at": survey.closes_at,
        "link": site_url + reverse("expert:start", kwargs={"token": token}),
        "decline_link": decline_link,
        "started": kind == MailKind.REMINDER
        and Response.objects.filter(invitation=invitation, consent_given_at__isnull=False).exists(),
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        text = render_to_string(f"emails/{kind}.txt", context)
        html = render_to_string(f"emails/{kind}.html", {**context, "subject": subject})
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[formataddr((expert.name, expert.email))],
        headers={"List-Unsubscribe": f"<{decline_link}>"},
    )
    message.attach_alternative(html, "text/html")
    return message
