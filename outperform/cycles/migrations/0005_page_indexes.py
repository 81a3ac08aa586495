"""Indexes for the pages users open most (issue 9 §5): 我的评价 of a rater with 10,000+ assignments."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cycles", "0004_compute")]

    operations: list[migrations.operations.base.Operation] = [
        migrations.AddIndex(
            model_name="raterassignment",
            index=models.Index(fields=["rater", "state", "due_date", "id"], name="assignment_todo_order"),
        ),
        migrations.AddIndex(
            model_name="raterassignment",
            index=models.Index(fields=["rater", "cycle", "role", "state"], name="assignment_rater_groups"),
        ),
    ]
