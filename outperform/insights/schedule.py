"""Celery beat entries of the insights app (gathered by config/celery.py). Cron without beat:
`manage.py send_scheduled_reports` daily and `manage.py build_dashboard_summaries` nightly."""

from celery.schedules import crontab

BEAT = {
    "insights-send-scheduled-reports": {"task": "outperform.insights.send_scheduled_reports",
                                        "schedule": crontab(hour=7, minute=0)},
    "insights-build-summaries": {"task": "outperform.insights.build_summaries",
                                 "schedule": crontab(hour=2, minute=30)},
}
