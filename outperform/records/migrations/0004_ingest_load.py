"""Ingest speed (issue 5 §5): reserved so parallel model work needs no merge migration."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("records", "0003_taskrecord_indexes")]

    operations: list[migrations.operations.base.Operation] = []
