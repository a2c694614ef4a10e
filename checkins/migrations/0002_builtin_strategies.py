"""Load the built-in strategies from the catalogue in code.

Later catalogue edits are applied by the ``post_migrate`` sync (and ``manage.py
sync_strategies``), which uses the same function.
"""

from django.db import migrations


def load(apps, schema_editor):
    from checkins.strategies import sync_builtin_strategies

    sync_builtin_strategies(apps.get_model("checkins", "Strategy"))


class Migration(migrations.Migration):
    dependencies = [("checkins", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
