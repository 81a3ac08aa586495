"""Compute speed (issue 4 §6)."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cycles", "0003_subjects_peers")]

    operations: list[migrations.operations.base.Operation] = []
