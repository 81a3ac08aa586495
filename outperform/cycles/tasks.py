"""Background jobs of the cycle flow, run by core.jobs (`job_start(target="outperform.cycles.tasks.…")`).

Each takes `(job, **kwargs)` with JSON kwargs and returns a JSON summary; the Job row keeps it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from outperform.core.jobs import Progress, job_start
from outperform.core.models import Job, User

from .models import Cycle

OPEN_TARGET = "outperform.cycles.tasks.open_cycle_job"
COMPUTE_TARGET = "outperform.cycles.tasks.compute_cycle_job"


class JobRefusedError(Exception):
    """A service refused the work; the message is what the job page shows."""


def _run(service: Any, job: Job | None, cycle_id: int, actor_id: int) -> dict[str, Any]:
    try:
        summary = service(actor=User.objects.get(pk=actor_id), cycle=Cycle.objects.get(pk=cycle_id),
                          progress=Progress(job))
    except ValidationError as exc:
        raise JobRefusedError("；".join(exc.messages)) from None
    except PermissionDenied:
        raise JobRefusedError(_("没有权限 / Not allowed")) from None
    return {"cycle_id": cycle_id, **dataclasses.asdict(summary)}


def open_cycle_job(job: Job | None, *, cycle_id: int, actor_id: int) -> dict[str, Any]:
    from .services import cycle_open

    return _run(cycle_open, job, cycle_id, actor_id)


def compute_cycle_job(job: Job | None, *, cycle_id: int, actor_id: int) -> dict[str, Any]:
    from .services import cycle_compute

    return _run(cycle_compute, job, cycle_id, actor_id)


def start_open(actor: User, cycle: Cycle) -> Job:
    return job_start(actor=actor, kind="cycle_open", label=_("开启考核周期：%s") % cycle.name, target=OPEN_TARGET,
                     kwargs={"cycle_id": cycle.pk, "actor_id": actor.pk}, retry_safe=True)


def start_compute(actor: User, cycle: Cycle) -> Job:
    return job_start(actor=actor, kind="cycle_compute", label=_("计算考核结果：%s") % cycle.name,
                     target=COMPUTE_TARGET, kwargs={"cycle_id": cycle.pk, "actor_id": actor.pk}, retry_safe=True)
