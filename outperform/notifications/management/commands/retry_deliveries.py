"""`manage.py retry_deliveries`: send e-mails and bot messages that are due (cron, every minute,
when no Celery broker is configured)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from outperform.notifications.delivery import deliveries_retry_due


class Command(BaseCommand):
    help = "Send pending deliveries and retry failed ones whose backoff has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = deliveries_retry_due()
        self.stdout.write(f"{sent} delivery(ies) sent")
