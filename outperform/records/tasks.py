"""Celery tasks: fetch, call the service."""

from __future__ import annotations

from celery import shared_task

from .sla.service import sla_refresh_open


@shared_task(name="outperform.records.refresh_sla")
def refresh_sla() -> int:
    """Move open tickets' SLA statuses along with the clock (on_time → at_risk → breached), then let
    the SLA alert rules see the new statuses now rather than at their next hourly run."""
    from outperform.alerts.services import alerts_evaluate_later

    changed = sla_refresh_open()
    if changed:
        alerts_evaluate_later({"sla_breach"})
    return changed
