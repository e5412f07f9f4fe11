"""``python manage.py export_expert_data EMAIL -o FILE.json``: everything stored about one expert,
for a subject access request."""

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Expert
from surveys.services.personal_data import expert_personal_data


class Command(BaseCommand):
    help = "Write everything stored about one expert (found by email) to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("-o", "--output", type=Path, required=True, help="The JSON file to write.")

    def handle(self, *args, email, output, **options):
        expert = Expert.objects.filter(email__iexact=email.strip()).first()
        if expert is None:
            raise CommandError(f"No expert has the email {email}.")
        data = json.dumps(expert_personal_data(expert=expert), ensure_ascii=False, indent=2)
        # Personal data: readable by the owner of the file only.
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w", encoding="utf-8") as handle:
            handle.write(data + "\n")
        self.stdout.write(self.style.SUCCESS(f"Wrote the personal data of expert {expert.pk} to {output}."))
