"""Writes for the org chart. Department paths are derived state, rebuilt after every tree write."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outperform.core.models import User
from outperform.core.services import object_create, object_delete, object_update

from .models import Department


def department_rebuild_paths() -> int:
    """Recompute every department's materialised path in memory (the tree is small: hundreds of
    rows) and save the changed ones in bulk. A cycle is a validation error."""
    rows = list(Department.objects.only("id", "parent_id", "path"))
    by_id = {d.id: d for d in rows}
    paths: dict[int, str] = {}

    def path_of(dep: Department, trail: tuple[int, ...] = ()) -> str:
        if dep.id in paths:
            return paths[dep.id]
        if dep.id in trail:
            raise ValidationError({"parent": _("上级部门形成了循环 / The parent departments form a cycle")})
        parent = by_id.get(dep.parent_id) if dep.parent_id else None
        prefix = path_of(parent, (*trail, dep.id)) if parent is not None else "/"
        paths[dep.id] = f"{prefix}{dep.id}/"
        return paths[dep.id]

    changed = []
    for dep in rows:
        new = path_of(dep)
        if dep.path != new:
            dep.path = new
            changed.append(dep)
    Department.objects.bulk_update(changed, ["path"], batch_size=500)
    return len(changed)


@transaction.atomic
def department_save(*, actor: User | None, department: Department, before: dict[str, Any] | None) -> Department:
    if before is None:
        object_create(actor=actor, obj=department)
    else:
        object_update(actor=actor, obj=department, before=before)
    department_rebuild_paths()
    department.refresh_from_db(fields=["path"])
    return department


@transaction.atomic
def department_delete(*, actor: User | None, department: Department) -> None:
    object_delete(actor=actor, obj=department)
