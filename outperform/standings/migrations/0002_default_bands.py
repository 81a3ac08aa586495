"""Default standing bands (A ≥ 90, B ≥ 80, C ≥ 70, D below) and the decay weights 50/30/20."""

from django.db import migrations


def create(apps, schema_editor):
    from outperform.standings.defaults import install_defaults

    install_defaults(apps.get_model("standings", "StandingBand"), apps.get_model("standings", "StandingPolicy"))


class Migration(migrations.Migration):
    dependencies = [("standings", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
