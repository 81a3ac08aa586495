"""Periodic work of this app for Celery beat (gathered by config.celery.beat_schedule).
Without a broker, cron runs `manage.py refresh_sla` every five minutes instead."""

from celery.schedules import crontab

BEAT = {
    "records-refresh-sla": {"task": "outperform.records.refresh_sla", "schedule": crontab(minute="*/5")},
}
