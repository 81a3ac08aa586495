"""Celery task run daily by beat (see schedule.py). Without a broker (the embedded default) run
`manage.py send_reminders` from cron instead."""

from celery import shared_task

from .services import send_reminders


@shared_task(name="outperform.notifications.send_reminders")
def send_reminders_task() -> int:
    return send_reminders()
