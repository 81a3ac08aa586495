"""Recompute the data-fed metric values of running cycles (for cron; Celery beat runs the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from outperform.cycles.models import Cycle

from ...services import metrics_refresh, metrics_refresh_open


class Command(BaseCommand):
    help = "刷新运行中考核周期的数据指标 / Refresh the metric values of running cycles"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, help="only this cycle id")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("cycle"):
            summaries = [metrics_refresh(cycle=Cycle.objects.get(pk=options["cycle"]))]
        else:
            summaries = metrics_refresh_open()
        for s in summaries:
            self.stdout.write(
                f"cycle {s.cycle_id}: {len(s.metrics)} metrics, created {s.created}, updated {s.updated}, "
                f"unchanged {s.unchanged}, manual kept {s.kept_manual}"
            )
        if not summaries:
            self.stdout.write("no running cycle")
