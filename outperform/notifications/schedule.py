"""Periodic work of this app for Celery beat (gathered by config.celery.beat_schedule).
Without a broker, cron runs `manage.py send_reminders` daily and `manage.py retry_deliveries`
every minute instead."""

from celery.schedules import crontab

BEAT = {
    "send-reminders": {"task": "outperform.notifications.send_reminders", "schedule": crontab(hour=8, minute=0)},
    "retry-deliveries": {"task": "outperform.notifications.retry_deliveries", "schedule": crontab(minute="*/5")},
}
