from typing import Any

from django.core.management.base import BaseCommand

from outperform.compliance import services


class Command(BaseCommand):
    help = "逾期整改通知升级、刷新审查问题逾期标记（每日一次） / Escalate overdue rectification notices"

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = services.findings_refresh_overdue()
        escalated = services.escalate_overdue()
        self.stdout.write(f"escalated={escalated} findings_newly_overdue={flagged}")
