"""Background work of the metrics app: Celery tasks and the job behind the "refresh" button."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.utils.translation import gettext as _

from outperform.core.jobs import Progress, job_start
from outperform.core.models import Job, User
from outperform.cycles.models import Cycle

REFRESH_TARGET = "outperform.metrics.tasks.refresh_cycle_job"


@shared_task(name="outperform.metrics.refresh_open_cycles")
def refresh_open_cycles() -> list[dict[str, Any]]:
    """Periodic (schedule.py): every running cycle's data-fed values."""
    from .services import metrics_refresh_open

    return [s.as_dict() for s in metrics_refresh_open()]


@shared_task(name="outperform.metrics.refresh_for_source")
def refresh_for_source(*, source_key: str, dates: list[str] | None = None, vendor_ids: list[int] | None = None,
                       worker_ids: list[int] | None = None, spans: list[list[str | None]] | None = None
                       ) -> list[dict[str, Any]]:
    from .services import metrics_refresh_for_source

    days = None if dates is None else [dt.date.fromisoformat(d) for d in dates]
    periods = None if spans is None else [
        (dt.date.fromisoformat(str(a)), dt.date.fromisoformat(b) if b else None) for a, b in spans]
    return [s.as_dict() for s in metrics_refresh_for_source(source_key, dates=days, spans=periods,
                                                            vendor_ids=vendor_ids, worker_ids=worker_ids)]


def refresh_cycle_job(job: Job | None, *, cycle_id: int, actor_id: int | None = None) -> dict[str, Any]:
    from .services import metrics_refresh

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return metrics_refresh(cycle=Cycle.objects.get(pk=cycle_id), actor=actor, progress=Progress(job)).as_dict()


def start_refresh(actor: User, cycle: Cycle) -> Job:
    return job_start(actor=actor, kind="metrics_refresh", label=_("刷新数据指标：%s") % cycle.name,
                     target=REFRESH_TARGET, kwargs={"cycle_id": cycle.pk, "actor_id": actor.pk}, retry_safe=True)
