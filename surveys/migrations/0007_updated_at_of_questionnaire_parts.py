import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """When sections, questions and choices last changed, so a reworded questionnaire never shows a
    stale cached summary. Existing rows get the time of the migration."""

    dependencies = [("surveys", "0006_analysis_settings")]

    operations = [
        migrations.AddField(
            model_name=model_name,
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        )
        for model_name in ("section", "question", "choice")
    ]
