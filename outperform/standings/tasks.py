"""Celery tasks: fetch, call the service."""

from __future__ import annotations

from celery import shared_task

from .services import standings_refresh


@shared_task(name="outperform.standings.refresh_standings")
def refresh_standings() -> int:
    """Recompute every vendor's standing; returns the number of new history rows."""
    return standings_refresh(actor=None).created
