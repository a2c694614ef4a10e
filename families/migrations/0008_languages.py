# User.language and Family.language (issue 17: four languages).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("families", "0007_family_pin"),
    ]

    operations = [
        migrations.AddField(
            model_name="family",
            name="language",
            field=models.CharField(
                choices=[
                    ("en", "English"),
                    ("es", "Español"),
                    ("fr", "Français"),
                    ("de", "Deutsch"),
                ],
                default="en",
                max_length=2,
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                choices=[
                    ("en", "English"),
                    ("es", "Español"),
                    ("fr", "Français"),
                    ("de", "Deutsch"),
                ],
                default="en",
                max_length=2,
            ),
        ),
        migrations.AddConstraint(
            model_name="family",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", ["en", "es", "fr", "de"])),
                name="family_language_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", ["en", "es", "fr", "de"])),
                name="user_language_valid",
            ),
        ),
    ]
