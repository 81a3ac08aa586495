"""Periodic work of this app for Celery beat (gathered by config.celery.beat_schedule).
Without a broker, cron runs `manage.py send_reminders` instead."""

from celery.schedules import crontab

BEAT = {
    "send-reminders": {"task": "outperform.notifications.send_reminders", "schedule": crontab(hour=8, minute=0)},
}
