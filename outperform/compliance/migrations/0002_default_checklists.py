from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from outperform.compliance.builtin import load_default_checklists

    load_default_checklists(apps)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
