"""Per-cycle template overrides (issue 4 §1): reserved so parallel model work needs no merge migration."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cycles", "0006_compute_storage")]

    operations: list[migrations.operations.base.Operation] = []
