"""``python manage.py create_user NAME --role ROLE``: make (or update) a staff account."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from surveys.roles import ROLES
from surveys.services import user_create_with_role


class Command(BaseCommand):
    help = "Create or update a staff account with one role: " + ", ".join(ROLES)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Asked for when not given.")

    def handle(self, *args, username, role, email, password, **options):
        if not password:
            password = getpass.getpass("Password: ")
            if not password:
                raise CommandError("A password is needed.")
        user_create_with_role(username=username, password=password, role=role, email=email)
        self.stdout.write(self.style.SUCCESS(f"{username}: {role}"))
