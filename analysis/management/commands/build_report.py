"""``python manage.py build_report SLUG -o report.html [--language zh-hans]``: the printable report
of a survey as one self-contained HTML file."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from analysis.report import build_report
from analysis.summary import survey_summary
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Write the printable report of a survey: one HTML file with its styles and charts inside, "
        "small cells withheld, never personal data. Open it in a browser and print it to PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", required=True, help="The HTML file to write.")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language of the report's text; the survey's default language when left out.",
        )

    def handle(self, *args, slug, output, language, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            raise CommandError(f"No survey has the slug “{slug}”.")
        with translation.override(language or survey.default_language):
            html = build_report(survey_summary(survey=survey))
        Path(output).write_text(html, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"{survey.slug}: report written to {output}"))
