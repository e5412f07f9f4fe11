"""``python manage.py export_responses SLUG --format FORMAT [-o PATH]``: a survey's submitted
responses or coded interview passages as a raw-data file (``docs/exports.md``), or its summary as
JSON or a printable report."""

import io
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from analysis.exports import FILE_FORMATS, TEXT_FORMATS
from analysis.exports.summary_json import write_summary_json
from analysis.report import build_report
from analysis.summary import survey_summary
from surveys.models import Survey

SUMMARY_FORMATS = ["json", "html"]


def text_lines(*, survey: Survey, format: str) -> Iterable[str]:
    """The text of ``survey`` in a text ``format``: a streamed CSV, or the survey's summary as JSON
    (``docs/summary-json.md``) or as the printable HTML report, in the survey's default language."""
    if format in TEXT_FORMATS:
        return TEXT_FORMATS[format](survey=survey)
    with translation.override(survey.default_language):
        summary = survey_summary(survey=survey)
        if format == "html":
            return [build_report(summary)]
        stream = io.StringIO()
        write_summary_json(summary, stream)
        return [stream.getvalue()]


class Command(BaseCommand):
    help = (
        "Write the submitted responses of a survey: csv (long, one row per answer), csv-wide (one "
        "row per response), xlsx, sav (SPSS) or dta (Stata); its coded interview passages: "
        "coded-segments (one row per segment and theme); or its summary: json or html (the "
        "printable report). Pseudonymous, never personal data."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--format", required=True, choices=[*TEXT_FORMATS, *SUMMARY_FORMATS, *FILE_FORMATS]
        )
        parser.add_argument(
            "-o", "--output", help="The file to write; text formats go to standard output without it."
        )

    def handle(self, *args, slug, format, output, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            raise CommandError(f"No survey has the slug “{slug}”.")
        if format in FILE_FORMATS and not output:
            raise CommandError(f"The {format} format is a binary file: give its path with -o.")
        try:
            if format in FILE_FORMATS:
                FILE_FORMATS[format](survey=survey, path=Path(output))
            elif output:
                with Path(output).open("w", encoding="utf-8", newline="") as file:
                    file.writelines(text_lines(survey=survey, format=format))
            else:
                for line in text_lines(survey=survey, format=format):
                    self.stdout.write(line, ending="")
                return
        except OSError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{slug} → {output}"))
