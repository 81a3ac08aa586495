"""Periodic work of this app for Celery beat (gathered by config.celery.beat_schedule).
Without a broker, cron runs `manage.py evaluate_alerts` (e.g. hourly) instead."""

from celery.schedules import crontab

BEAT = {
    "evaluate-alerts": {"task": "outperform.alerts.evaluate", "schedule": crontab(minute=15)},
}
