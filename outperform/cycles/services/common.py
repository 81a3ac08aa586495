from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from outperform.access.models import Role
from outperform.access.scoping import scope_for

from ..models import Cycle, CycleState


def ensure_open(cycle: Cycle) -> None:
    if cycle.state == CycleState.ARCHIVED:
        raise ValidationError(_("周期已归档，只读 / The cycle is archived and read-only"), code="closed")


def ensure_state(cycle: Cycle, *states: str) -> None:
    ensure_open(cycle)
    if cycle.state not in states:
        names = "、".join(str(CycleState(s).label) for s in states)
        raise ValidationError(
            _("当前阶段（%(now)s）不能进行此操作，需在：%(need)s / Not possible in the current stage")
            % {"now": cycle.get_state_display(), "need": names},
            code="stage",
        )


def ensure_hr(actor: Any) -> None:
    scope = scope_for(actor)
    if not (scope.is_superuser or scope.roles & {Role.SYSTEM_ADMIN, Role.HR_ADMIN}):
        raise PermissionDenied(_("需要绩效管理员权限 / Performance admin only"))
