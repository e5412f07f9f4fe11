"""``python manage.py import_panel SLUG FILE [--skip-invalid] [--dry-run]``: experts from a .csv or
.xlsx file, each invited to the survey SLUG. The file format is in docs/panel-import.md."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Survey
from surveys.services.panel import PanelImportError, panel_import
from surveys.services.panel_files import MAX_FILE_BYTES


class Command(BaseCommand):
    help = "Import experts from a .csv or .xlsx file and invite each to a survey (see docs/panel-import.md)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The survey every expert in the file is invited to.")
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Store the valid rows and report the others."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count; store nothing.")

    def handle(self, *args, slug, file, skip_invalid, dry_run, **options):
        survey = Survey.objects.filter(slug=slug).first()
        if survey is None:
            raise CommandError(f"No survey has the slug “{slug}”.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{file} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        try:
            with file.open("rb") as handle:
                result = panel_import(
                    survey=survey, file=handle, filename=file.name, skip_invalid=skip_invalid, dry_run=dry_run
                )
        except PanelImportError as error:
            raise CommandError(str(error)) from error

        for error in result.errors:
            self.stderr.write(str(error))
        if result.ignored_columns:
            self.stdout.write("Ignored columns: " + ", ".join(result.ignored_columns))
        verb = "" if result.stored else "would be "
        self.stdout.write(
            f"{result.created} {verb}created, {result.updated} {verb}updated, {result.unchanged} unchanged, "
            f"{result.skipped} skipped; {result.invited} {verb}invited to {survey.slug}."
        )
        if result.errors and not skip_invalid:
            raise CommandError(
                f"The file has {len(result.errors)} errors, listed above: nothing was stored. "
                "Fix the file, or use --skip-invalid to store the valid rows."
            )
        if result.stored:
            self.stdout.write(self.style.SUCCESS("Imported."))
