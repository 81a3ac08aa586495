"""Install the built-in indicator library and the two ready templates (idempotent: only adds)."""

from django.db import migrations


def load(apps, schema_editor):
    from outperform.indicators.builtin import load_builtin_library

    load_builtin_library(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
