"""Celery task for beat, e.g. in the beat schedule:

    "send-reminders": {"task": "outperform.notifications.send_reminders", "schedule": crontab(hour=8, minute=0)}

Without a broker (the embedded default) run `manage.py send_reminders` from cron instead.
"""

from celery import shared_task

from .services import send_reminders


@shared_task(name="outperform.notifications.send_reminders")
def send_reminders_task() -> int:
    return send_reminders()
