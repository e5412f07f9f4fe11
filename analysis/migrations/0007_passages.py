from django.db import migrations, models

BATCH_SIZE = 1000


def fill_passages(apps, schema_editor):
    """The text each existing coded segment and quote covers now, as its passage."""
    for name in ("CodedSegment", "Quote"):
        model = apps.get_model("analysis", name)
        marks = list(model.objects.select_related("answer").only("start", "end", "answer__text"))
        for mark in marks:
            mark.passage = mark.answer.text[mark.start : mark.end]
        model.objects.bulk_update(marks, ["passage"], batch_size=BATCH_SIZE)


class Migration(migrations.Migration):
    """The passage text of each coded segment and quote, kept so an expert's later edit of the
    answer never shifts a coding or a quote onto other words."""

    dependencies = [("analysis", "0006_theme_updated_at")]

    operations = [
        migrations.AddField(model_name="codedsegment", name="passage", field=models.TextField(blank=True)),
        migrations.AddField(model_name="quote", name="passage", field=models.TextField(blank=True)),
        migrations.RunPython(fill_passages, migrations.RunPython.noop),
    ]
