"""``python manage.py export_survey SLUG -o FILE``: write a survey's questionnaire to a file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Survey
from surveys.services.questionnaire_files import QuestionnaireFileError, export_survey


class Command(BaseCommand):
    help = (
        "Write a survey's questionnaire and settings in the Roundtable questionnaire format: "
        "JSON for .json, YAML for .yaml or .yml (docs/questionnaire-format.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", required=True, help="The file to write: .json, .yaml or .yml.")

    def handle(self, *args, slug, output, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            raise CommandError(f"No survey has the slug “{slug}”.")
        try:
            export_survey(survey=survey, path=Path(output))
        except (QuestionnaireFileError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{slug} → {output}"))
