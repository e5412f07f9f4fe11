from django.db import migrations

from surveys.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Researchers and admins may see analysis (analysis.view_analysis)."""

    dependencies = [
        ("analysis", "0001_initial"),
        ("surveys", "0006_analysis_settings"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
