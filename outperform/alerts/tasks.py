"""Celery task run by beat (see schedule.py). Without a broker, cron runs
`manage.py evaluate_alerts` instead."""

from celery import shared_task


@shared_task(name="outperform.alerts.evaluate")
def evaluate_alerts_task() -> dict[str, object]:
    from .services import alerts_evaluate

    return alerts_evaluate(inline=True).as_dict()


@shared_task(name="outperform.alerts.evaluate_for")
def evaluate_alerts_for_task(kind: str | list[str]) -> dict[str, object]:
    """The rules of one kind or several, after data arrived (queued by services.alerts_evaluate_later)."""
    from .services import alerts_evaluate_for

    return alerts_evaluate_for(kind, inline=True).as_dict()
