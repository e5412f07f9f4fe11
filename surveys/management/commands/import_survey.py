"""``python manage.py import_survey FILE [--slug S] [--replace]``: create a draft survey from a
questionnaire file (.json, .yaml, .yml in the Roundtable format, or an XLSForm .xlsx)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.services.questionnaire_files import QuestionnaireFileError, import_survey
from surveys.services.surveys import SurveyStateError
from surveys.validation import QuestionnaireInvalid


class Command(BaseCommand):
    help = (
        "Create a draft survey from a questionnaire file: the Roundtable format (.json, .yaml, .yml; "
        "docs/questionnaire-format.md) or an XLSForm (.xlsx). Nothing is stored if anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--slug", help="Import under this slug instead of the file's.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the questionnaire of the survey with this slug, if it has no responses.",
        )

    def handle(self, *args, file, slug, replace, **options):
        try:
            survey = import_survey(path=Path(file), slug=slug, replace=replace)
        except QuestionnaireInvalid as invalid:
            problems = "\n".join(f"  - {problem}" for problem in invalid.problems)
            raise CommandError(f"{file} was not imported:\n{problems}") from invalid
        except (QuestionnaireFileError, SurveyStateError) as error:
            raise CommandError(f"{file} was not imported: {error}") from error
        questions = survey.questions.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{survey.slug}”: {survey.sections.count()} sections, {questions} questions "
                f"(status: {survey.status})."
            )
        )
