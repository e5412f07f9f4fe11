"""``python manage.py rebuild_tallies [SLUG ...]``: count the submitted answers of surveys into their
answer tallies again (``surveys.tally``), whether or not they look out of date."""

from django.core.management.base import BaseCommand, CommandError

from surveys.models import AnswerTally, Survey
from surveys.tally import fingerprints, profiles_frame, rebuild, stored_counts


class Command(BaseCommand):
    help = (
        "Count the submitted answers of the named surveys (all surveys when none is named) into their "
        "answer tallies again. Summaries rebuild a tally by themselves when its survey's answers were "
        "changed outside the app's services; this is for when something else may have changed them."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG")

    def handle(self, *args, slugs, **options):
        surveys = Survey.objects.order_by("slug")
        if slugs:
            surveys = surveys.filter(slug__in=slugs)
            unknown = sorted(set(slugs) - set(surveys.values_list("slug", flat=True)))
            if unknown:
                raise CommandError(f"No survey has the slug {', '.join(f'“{slug}”' for slug in unknown)}.")
        for survey in surveys:
            rebuild(survey.pk, fingerprints([survey.pk])[survey.pk], force=True)
            rows = AnswerTally.objects.filter(survey=survey)
            profiles = profiles_frame([survey.pk])
            counts = len(stored_counts(rows, profiles))
            summary = f"{counts} counts of {rows.count()} values by {len(profiles)} respondent profiles"
            self.stdout.write(self.style.SUCCESS(f"{survey.slug}: {summary}"))
