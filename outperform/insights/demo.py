"""Demo rows of the insights app: two monthly report schedules (the dashboards and reports read the
base demo's cycles and need nothing else)."""

from __future__ import annotations

from outperform.core.demo.loader import DemoContext
from outperform.org.models import Department

from .models import ReportFormat, ReportKind, ReportSchedule


def load(ctx: DemoContext) -> None:
    hr = ctx.users.get("hr")
    if hr is None:
        return
    ReportSchedule.objects.create(name="每月绩效汇总（管理层）", kind=ReportKind.CYCLE_SUMMARY, format=ReportFormat.PDF,
                                  day_of_month=1, owner=hr, addresses="management@example.com")
    ops = Department.objects.filter(code="OPS").first()
    if ops is not None:
        schedule = ReportSchedule.objects.create(
            name="运营中心月度考核结果", kind=ReportKind.RESULTS, format=ReportFormat.XLSX, department=ops,
            day_of_month=3, owner=hr, addresses="ops-lead@example.com")
        supervisor = ctx.users.get("supervisor")
        if supervisor is not None:
            schedule.recipients.add(supervisor)
