"""Celery tasks: fetch, call the service."""

from __future__ import annotations

from celery import shared_task

from .sla.service import sla_refresh_open


@shared_task(name="outperform.records.refresh_sla")
def refresh_sla() -> int:
    """Move open tickets' SLA statuses along with the clock (on_time → at_risk → breached)."""
    return sla_refresh_open()
