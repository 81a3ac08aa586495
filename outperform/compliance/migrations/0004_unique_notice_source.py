from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0003_notice_source_per_vendor_period"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="rectificationnotice",
            constraint=models.UniqueConstraint(condition=models.Q(("source_key", ""), _negated=True),
                                               fields=("source_key",), name="unique_notice_source"),
        ),
    ]
