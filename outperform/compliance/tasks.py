from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="outperform.compliance.tasks.escalate_rectifications")
def escalate_rectifications() -> dict[str, int]:
    """Daily: refresh the findings' overdue flag, escalate overdue notices (once each)."""
    return {"findings_overdue": services.findings_refresh_overdue(), "escalated": services.escalate_overdue()}
