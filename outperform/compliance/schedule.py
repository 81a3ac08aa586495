"""Periodic jobs of this app, gathered by config/celery.py (cron: `manage.py escalate_rectifications`)."""

from celery.schedules import crontab

BEAT = {
    "compliance-escalate-rectifications": {
        "task": "outperform.compliance.tasks.escalate_rectifications",
        "schedule": crontab(hour=7, minute=40),
    },
}
