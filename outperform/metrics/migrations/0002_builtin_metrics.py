from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from outperform.metrics.builtin import load_builtin

    load_builtin(apps.get_model("metrics", "Metric"))


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
