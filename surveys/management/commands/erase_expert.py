"""``python manage.py erase_expert EMAIL [--yes]``: remove one expert's personal data on request.

What is kept and what is deleted is explained in ``surveys.services.personal_data.expert_erase``.
"""

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Expert
from surveys.services.personal_data import expert_erase


class Command(BaseCommand):
    help = "Erase one expert's personal data (found by email). Asks for confirmation unless --yes."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, email, yes, **options):
        expert = Expert.objects.filter(email__iexact=email.strip()).first()
        if expert is None:
            raise CommandError(f"No expert has the email {email}.")
        if not yes:
            self.stdout.write(
                f"This removes the name, email, organisation and expertise of {expert.name} "
                f"<{expert.email}>, revokes their links and deletes their drafts. Submitted answers are "
                "kept as anonymous data only for surveys that keep anonymised answers; the others are "
                "deleted. It cannot be undone."
            )
            try:
                answer = input('Type "yes" to erase: ')
            except EOFError:
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was erased.")
        result = expert_erase(expert=expert)
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased expert {expert.pk}: {result.links_revoked} links revoked, "
                f"{result.drafts_deleted} drafts deleted, {result.responses_anonymised} responses kept "
                f"anonymised, {result.responses_deleted} responses deleted."
            )
        )
