"""Generic audited writes. App services wrap these with their own rules."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from .audit import audit_create, audit_delete, audit_update, snapshot
from .models import User

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def object_create(*, actor: User | None, obj: M, reason: str = "") -> M:
    obj.full_clean()
    obj.save()
    audit_create(actor, obj, reason)
    return obj


@transaction.atomic
def object_update(*, actor: User | None, obj: M, before: dict[str, Any], reason: str = "") -> M:
    """Save obj, whose state before the edit was `before` (from audit.snapshot)."""
    obj.full_clean()
    if snapshot(obj) == before:
        return obj  # nothing changed: no write, no audit row
    obj.save()
    audit_update(actor, obj, before, reason)
    return obj


@transaction.atomic
def object_delete(*, actor: User | None, obj: models.Model, reason: str = "") -> None:
    audit_delete(actor, obj, reason)
    obj.delete()
