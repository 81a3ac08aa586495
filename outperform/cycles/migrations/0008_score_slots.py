"""Score slots (cycles/slots.py): each cycle numbers the (indicator, role) pairs its templates rate,
and each score stores its pair's number and its value in hundredths (a stored generated column), so
that the compute reads scores without a join on text and without numeric arithmetic.

Existing cycles are numbered here from their template snapshots (in the order the templates were
snapshotted) and their scores given their numbers, in one pass per cycle. Scores are held to
0.00–100.00 by a constraint (the evaluation service always refused anything else), so that the
compute can pack a value into its field unchecked."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast, Round


def number_existing(apps: Any, schema_editor: Any) -> None:
    from outperform.cycles.slots import template_pairs

    Cycle = apps.get_model("cycles", "Cycle")
    CycleTemplate = apps.get_model("cycles", "CycleTemplate")
    snapshots: dict[int, list[Any]] = {}
    for cycle_id, snapshot in CycleTemplate.objects.order_by("pk").values_list("cycle_id", "snapshot"):
        snapshots.setdefault(cycle_id, []).append(snapshot)
    with schema_editor.connection.cursor() as cur:
        for cycle_id, templates in snapshots.items():
            pairs = list(dict.fromkeys(p for snapshot in templates for p in template_pairs(snapshot)))
            Cycle.objects.filter(pk=cycle_id).update(score_slots=[list(p) for p in pairs])
            if not pairs:
                continue
            arms = " ".join(f"WHEN indicator_code = %s AND role = %s THEN {u}" for u in range(len(pairs)))
            cur.execute(f"UPDATE cycles_score SET slot = CASE {arms} END WHERE cycle_id = %s",  # noqa: S608
                        [*(v for p in pairs for v in p), cycle_id])


class Migration(migrations.Migration):

    dependencies = [
        ("cycles", "0007_template_overrides"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="score_slots",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="score",
            name="slot",
            field=models.SmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="hundredths",
            field=models.GeneratedField(
                db_persist=True,
                expression=Cast(Round(CombinedExpression(models.F("value"), "*", models.Value(100))),
                                models.SmallIntegerField()),
                output_field=models.SmallIntegerField(),
            ),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="score",
            constraint=models.CheckConstraint(
                condition=models.Q(("value__gte", 0), ("value__lte", 100)), name="score_value_range"
            ),
        ),
    ]
