"""Cycle scope by named subjects; peers chosen by the supervisor."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cycles", "0002_appraisal_fillfactor")]

    operations: list[migrations.operations.base.Operation] = []
