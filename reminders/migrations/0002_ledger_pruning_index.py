"""The pruning scan's index (reminders/pruning.py): processed reminders by processed_at."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="scheduledreminder",
            index=models.Index(
                condition=models.Q(("processed_at__isnull", False)),
                fields=["processed_at"],
                name="reminder_processed_idx",
            ),
        ),
    ]
