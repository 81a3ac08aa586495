"""Periodic work of this app for Celery beat (gathered by config.celery). Without a broker, cron runs
`manage.py development_daily` instead."""

from celery.schedules import crontab

BEAT = {
    "development-daily": {"task": "outperform.development.daily", "schedule": crontab(hour=7, minute=30)},
}
