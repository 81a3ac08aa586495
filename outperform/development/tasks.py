"""Background and periodic work of the development app.

- `evaluate_job`: the rules over one published cycle, started by HR (core.jobs, progress on the job page);
- `development_daily` (Celery beat, see schedule.py; cron: `manage.py development_daily`): evaluates
  published cycles not evaluated yet and sends the improvement-plan reminders.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from outperform.core.jobs import Progress, job_start
from outperform.core.models import Job, User
from outperform.cycles.models import Cycle

EVALUATE_TARGET = "outperform.development.tasks.evaluate_job"


class JobRefusedError(Exception):
    """A service refused the work; the message is what the job page shows."""


def evaluate_job(job: Job | None, *, cycle_id: int, actor_id: int) -> dict[str, Any]:
    from .services import development_evaluate

    try:
        summary = development_evaluate(actor=User.objects.get(pk=actor_id), cycle=Cycle.objects.get(pk=cycle_id),
                                       progress=Progress(job))
    except ValidationError as exc:
        raise JobRefusedError("；".join(exc.messages)) from None
    except PermissionDenied:
        raise JobRefusedError(_("没有权限 / Not allowed")) from None
    return {"cycle_id": cycle_id, **summary}


def start_evaluate(actor: User, cycle: Cycle) -> Job:
    return job_start(actor=actor, kind="development_evaluate", label=_("发展规则评估：%s") % cycle.name,
                     target=EVALUATE_TARGET, kwargs={"cycle_id": cycle.pk, "actor_id": actor.pk}, retry_safe=True)


def development_daily() -> dict[str, int]:
    from .services import evaluate_pending_cycles, plan_reminders

    return {"cycles_evaluated": evaluate_pending_cycles(), "reminders": plan_reminders()}


@shared_task(name="outperform.development.daily")
def development_daily_task() -> dict[str, int]:
    return development_daily()
