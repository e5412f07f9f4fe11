from django.db import migrations

from surveys.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Researchers code answers and keep the codebook; admins may too."""

    dependencies = [("analysis", "0003_qualitative_coding")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
