from typing import Any

from django.core.management.base import BaseCommand

from outperform.insights.summary import summary_build_all


class Command(BaseCommand):
    help = "为已归档周期生成看板结果汇总 / Build the dashboard result cells of archived cycles."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = summary_build_all()
        self.stdout.write(f"cycles={summary['cycles']} built={summary['built']}")
