"""Periodic work of this app for Celery beat (gathered by config.celery.beat_schedule). Without a
broker, cron runs `manage.py ingest_cleanup` (e.g. daily) instead."""

from celery.schedules import crontab

BEAT = {
    "ingest-cleanup": {"task": "outperform.ingest.cleanup", "schedule": crontab(hour=3, minute=20)},
}
