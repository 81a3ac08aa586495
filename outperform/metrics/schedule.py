"""Celery beat entries of the metrics app (gathered by config/celery.py). Cron equivalent:
`manage.py refresh_metrics` every 30 minutes."""

from celery.schedules import crontab

BEAT = {
    "metrics-refresh-open-cycles": {
        "task": "outperform.metrics.refresh_open_cycles",
        "schedule": crontab(minute="*/30"),
    },
}
