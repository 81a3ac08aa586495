"""Recompute every published or closed cycle from its template snapshot and compare with the stored
results — after a restore, an upgrade or a migration. Exits 1 on any difference."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from outperform.cycles.models import Appraisal, Cycle, CycleState
from outperform.cycles.services.computing import cycle_results_preview

RESULT_STATES = [CycleState.PUBLISHED, CycleState.CONFIRMATION, CycleState.ARCHIVED]


class Command(BaseCommand):
    help = "Recompute published/closed cycles from their snapshots and compare with the stored results."

    def handle(self, *args: Any, **options: Any) -> None:
        differences = 0
        for cycle in Cycle.objects.filter(state__in=RESULT_STATES).order_by("start_date", "pk"):
            preview = cycle_results_preview(cycle)
            checked = 0
            # Calibrated results are HR's decisions, not the engine's: they are kept as stored.
            for a in Appraisal.objects.filter(cycle=cycle, calibrated=False, computed_at__isnull=False):
                r = preview.get(a.pk)
                stored = (a.composite, a.grade, a.rank, a.bonus_fen)
                again = (r.composite, r.grade or "", r.rank, r.bonus_fen) if r else None
                checked += 1
                if again != stored:
                    differences += 1
                    self.stderr.write(f"{cycle} · {a.subject_name}: stored {stored}, recomputed {again}")
            self.stdout.write(f"{cycle}: {checked} results recomputed")
        if differences:
            raise CommandError(f"{differences} results differ from their recomputation")
        self.stdout.write(self.style.SUCCESS("All stored results reproduced exactly."))
