from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The built-ins 0002 could not hold (formulas need 0003's column); codes already taken stay.
    from outperform.metrics.builtin import load_builtin

    load_builtin(apps.get_model("metrics", "Metric"))


class Migration(migrations.Migration):
    dependencies = [("metrics", "0003_formula_metrics")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
