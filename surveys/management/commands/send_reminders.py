"""``python manage.py send_reminders SLUG``: queue a reminder for every expert of the survey who
was invited, has not submitted or declined, was last emailed at least ``reminder_interval_days``
ago and has had fewer than ``max_reminders`` reminders. Safe to run daily, e.g. from cron.
"""

from surveys.services import mailing

from .send_invitations import Command as SendInvitationsCommand


class Command(SendInvitationsCommand):
    help = "Queue reminder emails for the experts of survey SLUG who are due one."
    kind = mailing.MailKind.REMINDER
