"""Periodic work of this app for Celery beat (gathered by config.celery.beat_schedule).
Without a broker, cron runs `manage.py refresh_standings` nightly instead."""

from celery.schedules import crontab

BEAT = {
    "standings-refresh": {"task": "outperform.standings.refresh_standings", "schedule": crontab(hour=2, minute=30)},
}
