import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """When a theme last changed, so a renamed theme never shows a stale cached summary. Existing
    rows get the time of the migration."""

    dependencies = [("analysis", "0005_roles_task_results")]

    operations = [
        migrations.AddField(
            model_name="theme",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
