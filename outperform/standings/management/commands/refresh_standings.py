"""Cron entry point of the standings refresh (Celery beat runs the same nightly)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from outperform.standings.services import standings_refresh


class Command(BaseCommand):
    help = "Recompute vendor standings from published scorecards / 重新评定服务商评级"

    def handle(self, *args: Any, **options: Any) -> None:
        s = standings_refresh(actor=None)
        self.stdout.write(f"vendors {s.vendors}, new rows {s.created}, changed {s.changed}, notified {s.notified}"
                          f" / 评定 {s.vendors} 家，新增 {s.created} 条，变化 {s.changed} 家")
