"""Indexes for the worker list's own sortable columns (issue 9 §5: pages fast at 100,000 workers)."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workers", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(fields=["hire_date", "id"], name="worker_hire_date_id"),
        ),
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(fields=["status", "id"], name="worker_status_id"),
        ),
    ]
