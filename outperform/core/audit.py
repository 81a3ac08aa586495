"""Audit trail: one AuditLog row per create, update or delete of an audited object.

Services call these explicitly (no signals), so the flow of a write stays visible where it happens.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from .masking import mask_field
from .models import AuditAction, AuditLog, User

SKIPPED_FIELDS = {"created_at", "updated_at", "password", "last_login"}


def _json_value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The audited state of obj: concrete fields by attname, JSON-safe, personal fields masked."""
    personal = set(getattr(obj, "PERSONAL_FIELDS", ()))
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        value = _json_value(getattr(obj, field.attname))
        if field.name in personal and value not in (None, ""):
            value = mask_field(field.name, value)
        data[field.attname] = value
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _row(
    actor: User | None, action: str, obj: models.Model, changes: dict[str, list[Any]], reason: str
) -> AuditLog:
    return AuditLog(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes,
        reason=reason[:500],
    )


def audit_create(actor: User | None, obj: models.Model, reason: str = "") -> AuditLog:
    changes = {k: [None, v] for k, v in snapshot(obj).items()}
    row = _row(actor, AuditAction.CREATE, obj, changes, reason)
    row.save()
    return row


def audit_update(
    actor: User | None, obj: models.Model, before: dict[str, Any], reason: str = ""
) -> AuditLog | None:
    changes = diff(before, snapshot(obj))
    if not changes:
        return None
    row = _row(actor, AuditAction.UPDATE, obj, changes, reason)
    row.save()
    return row


def audit_changes(
    actor: User | None, obj: models.Model, changes: dict[str, list[Any]], reason: str = ""
) -> AuditLog | None:
    """An update row with changes computed by the caller (e.g. a rater's scores of one form)."""
    if not changes:
        return None
    row = _row(actor, AuditAction.UPDATE, obj, changes, reason)
    row.save()
    return row


def audit_delete(actor: User | None, obj: models.Model, reason: str = "") -> AuditLog:
    changes = {k: [v, None] for k, v in snapshot(obj).items()}
    row = _row(actor, AuditAction.DELETE, obj, changes, reason)
    row.save()
    return row


def audit_bulk(
    actor: User | None,
    created: Sequence[models.Model] = (),
    updated: Iterable[tuple[models.Model, dict[str, Any]]] = (),
    reason: str = "",
) -> int:
    """Audit rows for a bulk write (imports) in one INSERT."""
    rows = [_row(actor, AuditAction.CREATE, o, {k: [None, v] for k, v in snapshot(o).items()}, reason) for o in created]
    for obj, before in updated:
        changes = diff(before, snapshot(obj))
        if changes:
            rows.append(_row(actor, AuditAction.UPDATE, obj, changes, reason))
    AuditLog.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
