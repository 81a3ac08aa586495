"""Celery tasks of the inbox and the outgoing channels. Beat runs the periodic ones (see
schedule.py); without a broker (the embedded default) cron runs `manage.py send_reminders` and
`manage.py retry_deliveries` instead."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from .services import send_reminders


@shared_task(name="outperform.notifications.send_reminders")
def send_reminders_task() -> int:
    return send_reminders()


@shared_task(bind=True, name="outperform.notifications.deliver", max_retries=None)
def deliver_task(self, delivery_id: int) -> str:
    """One attempt; a failure worth retrying re-queues itself with the backoff countdown."""
    from .delivery import backoff_seconds, delivery_attempt
    from .models import Delivery, DeliveryStatus

    delivery = Delivery.objects.select_related("channel").filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    delivery = delivery_attempt(delivery)
    if delivery.status == DeliveryStatus.RETRYING and not self.app.conf.task_always_eager:
        raise self.retry(countdown=backoff_seconds(delivery.attempts))
    return str(delivery.status)


@shared_task(name="outperform.notifications.retry_deliveries")
def retry_deliveries_task() -> int:
    """With Celery the deliver task retries itself; this catches deliveries whose task was lost."""
    from .delivery import broker_configured, deliveries_retry_due

    grace = dt.timedelta(minutes=15) if broker_configured() else None
    return deliveries_retry_due(grace=grace)
