"""Background jobs of rewards, run by core.jobs: computing the lines of a big plan."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from outperform.core.jobs import Progress, job_start
from outperform.core.models import Job, User

from .models import BonusPlan

PREPARE_TARGET = "outperform.rewards.tasks.prepare_plan_job"


class JobRefusedError(Exception):
    """A service refused the work; the message is what the job page shows."""


def prepare_plan_job(job: Job | None, *, plan_id: int, actor_id: int) -> dict[str, Any]:
    from .services import plan_prepare

    try:
        summary = plan_prepare(actor=User.objects.get(pk=actor_id), plan=BonusPlan.objects.get(pk=plan_id),
                               progress=Progress(job))
    except ValidationError as exc:
        raise JobRefusedError("；".join(exc.messages)) from None
    except PermissionDenied:
        raise JobRefusedError(_("没有权限 / Not allowed")) from None
    return {"plan_id": plan_id, "lines": summary.lines, "total_fen": summary.total_fen}


def start_prepare(actor: User, plan: BonusPlan) -> Job:
    return job_start(actor=actor, kind="bonus_prepare", label=_("计算奖金：%s") % plan.name, target=PREPARE_TARGET,
                     kwargs={"plan_id": plan.pk, "actor_id": actor.pk}, retry_safe=True)
