from typing import Any

from django.core.management.base import BaseCommand

from outperform.insights.services import send_scheduled_reports


class Command(BaseCommand):
    help = "发送今天到期的定时报告（每个报告每月一次）/ Send the scheduled reports due today (once a month each)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = send_scheduled_reports()
        self.stdout.write(f"sent={summary['sent']} skipped={summary['skipped']} failed={summary['failed']}")
