from django.db import migrations

from surveys.roles import sync_role_groups


def sync_roles(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    """Fieldwork staff set quota targets (view/add/change on Quota)."""

    dependencies = [("surveys", "0004_positions_order_and_restricted_deletes")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
