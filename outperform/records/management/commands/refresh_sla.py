"""Cron entry point of the SLA refresh (Celery beat runs the same every five minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from outperform.records.sla.service import sla_refresh_open


class Command(BaseCommand):
    help = "Recompute the SLA due times and statuses of open tickets / 刷新未解决工单的SLA状态"

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            count = sla_refresh_open()
        self.stdout.write(f"refreshed {count} tickets / 已刷新 {count} 张工单")
