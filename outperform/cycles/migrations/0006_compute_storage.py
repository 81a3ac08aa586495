"""Compute speed, second pass (issue 4 §6): reserved so parallel model work needs no merge migration."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cycles", "0005_page_indexes")]

    operations: list[migrations.operations.base.Operation] = []
