"""``python manage.py seed_demo [--experts N] [--seed S]``: a demo survey with a synthetic panel.

Creates the demo staff accounts, the bilingual "Global AI Governance Expert Survey", a panel of
synthetic experts in many countries and sectors, and their invitations and answers (see
``surveys/demo``). Running it again adds nothing: it keeps the data, resets the demo passwords and
prints fresh links. To reseed (another ``--experts`` or ``--seed``), delete db.sqlite3, migrate
and run it again. It runs only with DEBUG on: the staff accounts' password is published.
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from surveys.demo import seed as demo


class Command(BaseCommand):
    help = "Create the demo survey, staff accounts and a synthetic expert panel with answers (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--experts", type=int, default=320, help="Panel size (default 320).")
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed for the panel (default 2026)."
        )

    def handle(self, *args, experts: int, seed: int, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo runs only with DEBUG on: it gives staff accounts a published password. "
                "Never seed a database that others can reach."
            )
        if experts < 1:
            raise CommandError("--experts must be at least 1.")
        started = time.monotonic()
        result = demo.seed_demo(experts=experts, seed=seed)
        elapsed = time.monotonic() - started
        base_url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        write = self.stdout.write
        survey = result.survey
        if result.created:
            write(self.style.SUCCESS(f"Created the demo survey {survey.slug} in {elapsed:.1f} s."))
        else:
            write(
                self.style.WARNING(
                    f"The demo survey {survey.slug} exists already: nothing was added "
                    "(--experts and --seed apply to a fresh database; to reseed, delete db.sqlite3, "
                    "run migrate, then seed_demo)."
                )
            )
        counts = result.counts
        write(
            "Panel: {experts} experts; {submitted} submitted, {drafts} drafts, {declined} declined, "
            "{not_opened} not opened yet.".format(**counts)
        )
        write("")
        write("Staff logins — demo only, never use these accounts on a server others can reach:")
        write(f"  {base_url}/accounts/login/")
        for username, role in demo.STAFF_ACCOUNTS:
            write(f"  username {username:<12} password {demo.DEMO_PASSWORD}   role {role}")
        write("")
        write("Expert links (fresh tokens: only token hashes are stored, so every run re-issues these")
        write("links, and links printed by an earlier run no longer work):")
        for link in result.links:
            write(f"  {link.description} — {link.expert} ({link.language}):")
            write(f"    {base_url}/r/{link.token}/")
