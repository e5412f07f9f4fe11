from django.db import migrations

from surveys.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Admins see the task queue's results (failed email deliveries among them)."""

    dependencies = [
        ("analysis", "0004_roles_coding"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
