"""``python manage.py send_invitations SLUG``: queue an invitation email for every expert on the
survey's panel who has not been emailed yet (see ``surveys/services/mailing.py`` for who qualifies).

Running it twice queues nothing twice, even before the worker has sent the first batch.
"""

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Survey
from surveys.services import mailing
from surveys.tasks import tasks_run_in_background


class Command(BaseCommand):
    help = "Queue invitation emails for the experts of survey SLUG who have not been emailed yet."
    kind = mailing.MailKind.INVITATION

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The survey's slug.")

    def handle(self, *args, slug: str, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            raise CommandError(f"No survey with slug “{slug}”.")
        try:
            queued = mailing.invitations_queue(survey=survey, kind=self.kind)
        except mailing.SurveyNotOpen as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Queued {queued} {self.kind.value} email(s) for “{slug}”."))
        if not queued:
            return
        if tasks_run_in_background():
            self.stdout.write(
                "They are sent by the task worker: make sure `python manage.py db_worker` is running."
            )
        else:
            self.stdout.write(
                "The immediate task backend has sent them already; failures are recorded on each "
                "invitation (see the admin)."
            )
