"""Invitations and reminders by email: who gets one, what it says, its links, opting out, failed
deliveries, the commands, the admin's actions, and the database queue with its worker.

Tasks run at once here (the immediate backend, see tests/conftest.py) and emails land in
``mailoutbox``; one test runs the real database queue and ``db_worker``.
"""

import logging
import re
import signal
import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from surveys import services
from surveys.models import Invitation, Response
from surveys.services import mailing
from surveys.tasks import invitation_email_deliver
from tests.factories import ExpertFactory, SurveyFactory, invite

LINK = re.compile(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]+/)(?=\s|\"|<|$)")
DECLINE_LINK = re.compile(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]+/decline/)")
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class FlakySMTPBackend(EmailBackend):
    """The locmem backend, failing the next ``failures`` sends the way an SMTP server does."""

    failures = 0

    def send_messages(self, messages):
        if FlakySMTPBackend.failures:
            FlakySMTPBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakySMTPBackend"
    yield FlakySMTPBackend
    FlakySMTPBackend.failures = 0


def link_of(message) -> str:
    """The questionnaire link's path in an email's plain-text part."""
    return LINK.search(message.body).group(1)


def html_of(message) -> str:
    (html, mimetype), *_rest = message.alternatives
    assert mimetype == "text/html"
    return html


def days_pass(days: int) -> None:
    """Move every recorded email ``days`` into the past."""
    Invitation.objects.filter(last_contact_at__isnull=False).update(
        last_contact_at=F("last_contact_at") - timedelta(days=days)
    )


def send(kind: str, slug: str) -> str:
    out = StringIO()
    call_command(f"send_{kind}s", slug, stdout=out)
    return out.getvalue()


@pytest.fixture
def invited(survey, mailoutbox):
    """Two experts emailed their invitation; returns their invitations and clears the outbox."""
    invitations = [invite(survey, ExpertFactory())[0] for _ in range(2)]
    send("invitation", survey.slug)
    mailoutbox.clear()
    return invitations


def submit(invitation: Invitation) -> None:
    now = timezone.now()
    Response.objects.create(
        invitation=invitation,
        survey=invitation.survey,
        language="en",
        status=Response.Status.SUBMITTED,
        consent_given_at=now,
        submitted_at=now,
    )


# Invitations -------------------------------------------------------------------------------------


def test_each_eligible_expert_gets_one_invitation_with_plain_and_html_parts(survey, mailoutbox):
    eligible = [invite(survey, ExpertFactory())[0] for _ in range(2)]
    services.invitation_revoke(invitation=invite(survey, ExpertFactory())[0])
    declined, _token = invite(survey, ExpertFactory())
    mailing.invitation_decline(invitation=declined)
    invite(survey, ExpertFactory(erased_at=timezone.now()))

    assert "Queued 2 invitation email(s)" in send("invitation", survey.slug)

    assert sorted(address for m in mailoutbox for address in m.to) == sorted(
        f"{i.expert.name} <{i.expert.email}>" for i in eligible
    )
    message = mailoutbox[0]
    assert "AI governance survey" in message.subject
    assert link_of(message) in message.body and link_of(message) in html_of(message)
    for invitation in eligible:
        invitation.refresh_from_db()
        assert invitation.sent_at is not None and invitation.last_contact_at == invitation.sent_at


def test_the_link_in_the_invitation_opens_the_questionnaire(client, survey, mailoutbox):
    invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    link = link_of(mailoutbox[0])
    response = client.get(link)
    assert response.status_code == 302 and response.url == link + "consent/"


def test_sending_replaces_the_link_made_when_the_expert_was_invited(client, survey, mailoutbox):
    _invitation, first_token = invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    assert client.get(f"/r/{first_token}/").status_code == 404
    assert client.get(link_of(mailoutbox[0])).status_code == 302


def test_the_invitation_has_an_opt_out_link(survey, mailoutbox):
    invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    message = mailoutbox[0]
    decline = link_of(message) + "decline/"
    assert DECLINE_LINK.search(message.body).group(1) == decline
    assert f'{decline}"' in html_of(message)
    assert message.extra_headers["List-Unsubscribe"].endswith(f"{decline}>")


def test_running_send_invitations_twice_sends_nothing_twice(survey, mailoutbox):
    invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    assert "Queued 0 invitation email(s)" in send("invitation", survey.slug)
    assert len(mailoutbox) == 1


def test_a_queued_invitation_is_not_queued_again_before_the_worker_sends_it(survey, settings, mailoutbox):
    settings.TASKS = DATABASE_QUEUE
    invite(survey, ExpertFactory())
    assert mailing.invitations_queue(survey=survey, kind="invitation") == 1
    assert mailing.invitations_queue(survey=survey, kind="invitation") == 0
    assert DBTaskResult.objects.count() == 1 and mailoutbox == []


def test_a_stale_task_sends_nothing(survey, settings, mailoutbox):
    settings.TASKS = DATABASE_QUEUE
    invitation, _token = invite(survey, ExpertFactory())
    mailing.invitations_queue(survey=survey, kind="invitation")
    first = DBTaskResult.objects.get()
    later = timezone.now() + timedelta(days=survey.reminder_interval_days + 1)
    assert mailing.invitations_queue(survey=survey, kind="invitation", now=later) == 1  # lease expired
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert invitation_email_deliver.call(**first.args_kwargs["kwargs"]) is False
    assert mailoutbox == []
    invitation.refresh_from_db()
    assert invitation.last_contact_at == later  # the newer claim stands


def test_an_expert_preferring_chinese_gets_the_email_in_chinese(survey, mailoutbox):
    invite(survey, ExpertFactory(preferred_language="zh-hans"))
    send("invitation", survey.slug)
    message = mailoutbox[0]
    assert "人工智能治理调查" in message.subject and "人工智能治理调查" in message.body
    assert '<html lang="zh-hans">' in html_of(message)
    assert f"{survey.closes_at:%Y}年" in message.body  # the closing date in Chinese format


def test_an_expert_whose_language_is_not_offered_gets_the_surveys_default(db, mailoutbox):
    survey = SurveyFactory(languages=["en"], default_language="en")
    invite(survey, ExpertFactory(preferred_language="zh-hans"))
    send("invitation", survey.slug)
    message = mailoutbox[0]
    assert "AI governance survey" in message.subject
    assert '<html lang="en">' in html_of(message)


def test_the_experts_name_is_escaped_in_the_html_part_only(survey, mailoutbox):
    invite(survey, ExpertFactory(name="Ana <b>O'Brien</b> & Co"))
    send("invitation", survey.slug)
    message = mailoutbox[0]
    assert "Ana &lt;b&gt;O&#x27;Brien&lt;/b&gt; &amp; Co" in html_of(message)
    assert "Dear Ana <b>O'Brien</b> & Co," in message.body


# Reminders ---------------------------------------------------------------------------------------


def test_invited_experts_who_have_not_answered_are_reminded_after_the_interval(invited, survey, mailoutbox):
    days_pass(survey.reminder_interval_days)
    assert "Queued 2 reminder email(s)" in send("reminder", survey.slug)
    assert len(mailoutbox) == 2 and all("Reminder" in m.subject for m in mailoutbox)
    for invitation in invited:
        invitation.refresh_from_db()
        assert invitation.reminders_sent == 1


def test_recently_contacted_experts_are_not_reminded(invited, survey, mailoutbox):
    days_pass(survey.reminder_interval_days - 1)
    send("reminder", survey.slug)
    assert mailoutbox == []


def test_declined_submitted_and_revoked_experts_are_never_reminded(invited, survey, mailoutbox):
    declined, submitted = invited
    revoked, _token = invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    mailoutbox.clear()
    mailing.invitation_decline(invitation=declined)
    submit(submitted)
    services.invitation_revoke(invitation=Invitation.objects.get(pk=revoked.pk))
    days_pass(30)
    assert "Queued 0 reminder email(s)" in send("reminder", survey.slug)
    assert mailoutbox == []


def test_experts_never_invited_are_not_reminded(survey, mailoutbox):
    invite(survey, ExpertFactory())
    send("reminder", survey.slug)
    assert mailoutbox == []


def test_reminders_stop_after_max_reminders(invited, survey, mailoutbox):
    survey.max_reminders = 2
    survey.save()
    for _round in range(4):
        days_pass(survey.reminder_interval_days)
        send("reminder", survey.slug)
    assert len(mailoutbox) == 2 * len(invited)
    assert {i.reminders_sent for i in Invitation.objects.filter(survey=survey)} == {2}


def test_the_reminder_link_replaces_the_invitations_link(client, survey, mailoutbox):
    invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    days_pass(survey.reminder_interval_days)
    send("reminder", survey.slug)
    invitation_email, reminder = mailoutbox
    assert client.get(link_of(invitation_email)).status_code == 404
    assert client.get(link_of(reminder)).status_code == 302
    assert "replaces the one in our earlier email" in reminder.body


def test_a_revoked_link_shows_the_no_longer_valid_page(client, invited, mailoutbox, survey):
    invitation, _other = invited
    days_pass(survey.reminder_interval_days)
    send("reminder", survey.slug)
    link = next(link_of(m) for m in mailoutbox if invitation.expert.email in m.to[0])
    services.invitation_revoke(invitation=Invitation.objects.get(pk=invitation.pk))
    response = client.get(link)
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()


# Opting out --------------------------------------------------------------------------------------


@pytest.fixture
def decline_link(survey, mailoutbox):
    invitation, _token = invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    return invitation, DECLINE_LINK.search(mailoutbox[0].body).group(1)


def test_the_opt_out_link_asks_before_declining(client, decline_link):
    invitation, link = decline_link
    page = client.get(link)
    assert page.status_code == 200 and "<form" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.declined_at is None


def test_declining_stops_further_emails_and_is_idempotent(client, decline_link, survey, mailoutbox):
    invitation, link = decline_link
    assert client.post(link).url == link
    page = client.get(link).content.decode()
    assert "You will receive no more emails about this survey" in page
    invitation.refresh_from_db()
    first_declined_at = invitation.declined_at
    assert first_declined_at is not None
    assert client.post(link, follow=True).status_code == 200
    invitation.refresh_from_db()
    assert invitation.declined_at == first_declined_at
    mailoutbox.clear()
    days_pass(30)
    send("reminder", survey.slug)
    assert mailoutbox == []


def test_declining_only_stops_emails_the_link_still_works(client, decline_link):
    _invitation, link = decline_link
    client.post(link)
    assert client.get(link.removesuffix("decline/")).status_code == 302


def test_an_expert_reads_the_opt_out_page_in_their_language(client, survey, mailoutbox):
    invite(survey, ExpertFactory(preferred_language="zh-hans"))
    send("invitation", survey.slug)
    page = client.get(DECLINE_LINK.search(mailoutbox[0].body).group(1)).content.decode()
    assert '<html lang="zh-hans">' in page and "人工智能治理调查" in page


def test_opting_out_with_an_unknown_token_is_404(client, db):
    assert client.get("/r/not-a-token/decline/").status_code == 404
    assert client.post("/r/not-a-token/decline/").status_code == 404


def test_opting_out_with_a_revoked_link_shows_the_no_longer_valid_page(client, decline_link):
    invitation, link = decline_link
    services.invitation_revoke(invitation=invitation)
    assert client.post(link).status_code == 410
    invitation.refresh_from_db()
    assert invitation.declined_at is None


# Failed deliveries -------------------------------------------------------------------------------


def test_a_failed_delivery_is_recorded_and_retried(survey, mailoutbox, flaky_smtp, client):
    flaky_smtp.failures = 1
    invitation, _token = invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    assert len(mailoutbox) == 1
    invitation.refresh_from_db()
    assert invitation.delivery_failures == 1
    assert invitation.last_error.startswith("SMTPServerDisconnected")
    assert invitation.last_error_at is not None and invitation.sent_at is not None
    assert client.get(link_of(mailoutbox[0])).status_code == 302


def test_delivery_gives_up_after_three_attempts_and_the_next_run_tries_again(
    survey, mailoutbox, flaky_smtp, client
):
    flaky_smtp.failures = mailing.MAX_DELIVERY_ATTEMPTS
    invitation, token = invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    invitation.refresh_from_db()
    assert mailoutbox == [] and invitation.delivery_failures == mailing.MAX_DELIVERY_ATTEMPTS
    assert invitation.sent_at is None and invitation.last_contact_at is None  # the claim is released
    assert client.get(f"/r/{token}/").status_code == 302  # a failed send leaves the old link working
    send("invitation", survey.slug)
    assert len(mailoutbox) == 1


def test_a_retry_waits_a_few_minutes_where_the_queue_can_defer(survey, settings, mailoutbox, flaky_smtp):
    settings.TASKS = DATABASE_QUEUE
    flaky_smtp.failures = 1
    invitation, _token = invite(survey, ExpertFactory())
    mailing.invitations_queue(survey=survey, kind="invitation")
    queued = DBTaskResult.objects.get()
    with pytest.raises(mailing.DeliveryFailed):
        invitation_email_deliver.call(**queued.args_kwargs["kwargs"])
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after - timezone.now() > mailing.RETRY_DELAY - timedelta(seconds=30)
    invitation.refresh_from_db()
    assert invitation.delivery_failures == 1 and mailoutbox == []


# The commands ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["invitation", "reminder"])
def test_the_commands_refuse_a_closed_survey(kind, survey, mailoutbox):
    services.survey_close(survey=survey)
    invite(survey, ExpertFactory())
    with pytest.raises(CommandError, match="not accepting answers"):
        send(kind, survey.slug)
    assert mailoutbox == []


def test_the_commands_refuse_a_draft_survey(db):
    survey = SurveyFactory(status="draft")
    with pytest.raises(CommandError, match="its status is “Draft”"):
        send("invitation", survey.slug)


def test_the_commands_name_an_unknown_survey(db):
    with pytest.raises(CommandError, match="No survey with slug “nope”"):
        send("invitation", "nope")


def test_the_command_says_the_worker_must_run_when_emails_are_queued(survey, settings):
    settings.TASKS = DATABASE_QUEUE
    invite(survey, ExpertFactory())
    assert "python manage.py db_worker" in send("invitation", survey.slug)


# The admin's actions -----------------------------------------------------------------------------

CHANGELIST = "/admin/surveys/invitation/"


def admin_action(client, action: str, *invitations: Invitation):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [i.pk for i in invitations]}, follow=True
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("fieldwork", True), ("researcher", False), ("interviewer", False)],
)
def test_sending_an_invitation_from_the_admin_by_role(client, staff, survey, mailoutbox, role, allowed):
    invitation, _token = invite(survey, ExpertFactory())
    client.force_login(staff[role])
    admin_action(client, "send_invitation_now", invitation)
    assert len(mailoutbox) == (1 if allowed else 0)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("fieldwork", True), ("researcher", False), ("interviewer", False)],
)
def test_revoking_a_link_from_the_admin_by_role(client, staff, survey, role, allowed):
    invitation, _token = invite(survey, ExpertFactory())
    client.force_login(staff[role])
    admin_action(client, "revoke_link", invitation)
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) == allowed


def test_a_reminder_from_the_admin_follows_the_reminder_rules(client, staff, invited, survey, mailoutbox):
    client.force_login(staff["fieldwork"])
    page = admin_action(client, "send_reminder", *invited).content.decode()
    assert mailoutbox == [] and "2 skipped" in page
    days_pass(survey.reminder_interval_days)
    admin_action(client, "send_reminder", invited[0])
    assert [m.to for m in mailoutbox] == [[f"{invited[0].expert.name} <{invited[0].expert.email}>"]]


def test_the_admin_refuses_to_email_for_a_closed_survey(client, staff, survey, mailoutbox):
    invitation, _token = invite(survey, ExpertFactory())
    services.survey_close(survey=survey)
    client.force_login(staff["admin"])
    page = admin_action(client, "send_invitation_now", invitation).content.decode()
    assert mailoutbox == [] and "not accepting answers" in page


def test_reissuing_shows_the_new_link_once_and_the_old_one_stops_working(client, staff, survey):
    invitation, old_token = invite(survey, ExpertFactory())
    client.force_login(staff["fieldwork"])
    page = admin_action(client, "reissue_link", invitation).content.decode()
    new_link = LINK.search(page).group(1)
    assert client.get(CHANGELIST).content.decode().count(new_link) == 0  # shown only once
    client.logout()
    assert client.get(f"/r/{old_token}/").status_code == 404
    assert client.get(new_link).status_code == 302


def test_the_invitation_list_shows_each_emails_status(client, staff, invited):
    client.force_login(staff["fieldwork"])
    page = client.get(CHANGELIST).content.decode()
    for column in ("sent_at", "last_contact_at", "reminders_sent", "declined_at", "delivery_failures"):
        assert f"column-{column}" in page


# The database queue and its worker ---------------------------------------------------------------


def run_db_worker() -> None:
    """``db_worker --batch``: run what is queued, then stop. The worker installs signal handlers
    and sets its loggers' levels; both are put back for the rest of the test session."""
    handlers = {
        number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    try:
        call_command(
            "db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0, stdout=StringIO()
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_queue_and_db_worker_deliver_invitations(survey, settings, mailoutbox, client):
    settings.TASKS = DATABASE_QUEUE
    invitation, _token = invite(survey, ExpertFactory())
    send("invitation", survey.slug)
    assert mailoutbox == []
    run_db_worker()
    assert len(mailoutbox) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert client.get(link_of(mailoutbox[0])).status_code == 302
