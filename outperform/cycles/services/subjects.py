"""A cycle's scope (范围): the filters and the named subjects, set in 草稿 with one audit row.

The many-to-many lists are not part of a row's audit snapshot, so they are written here, where
their change is recorded (ids before and after) and checked against the caller's scope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from outperform.access.scoping import restrict
from outperform.core.audit import audit_changes
from outperform.core.models import User
from outperform.indicators.models import SubjectKind
from outperform.workers.models import Worker

from ..models import Cycle, CycleState
from ..scope import FILTER_FIELDS, NAMED, NAMED_FIELDS, employed_during, subject_label
from .common import ensure_hr

SCOPE_FIELDS = FILTER_FIELDS + NAMED_FIELDS
MAX_NAMED_IN_MESSAGE = 10


def _names(objs: Iterable[Any]) -> str:
    labels = [subject_label(o) for o in objs]
    more = len(labels) - MAX_NAMED_IN_MESSAGE
    return "、".join(labels[:MAX_NAMED_IN_MESSAGE]) + (f" …（+{more}）" if more > 0 else "")


def _model(field: str) -> type[Model]:
    return getattr(Cycle, field).field.related_model


@transaction.atomic
def cycle_scope_set(*, actor: User, cycle: Cycle, values: Mapping[str, Iterable[Any]]) -> Cycle:
    """Set the given scope lists (ids or rows) of a draft cycle; the lists not given are kept.

    Refused, by field: an id that does not exist or is outside the actor's scope; a named subject of
    another kind than the cycle's; a subject both included and excluded; a named worker who did not
    work during the period; 仅考核指定对象 with nobody named."""
    ensure_hr(actor)
    if cycle.state != CycleState.DRAFT:
        raise ValidationError(_("只有草稿状态的周期可以修改 / Only a draft cycle can be edited"), code="stage")
    unknown = set(values) - set(SCOPE_FIELDS)
    if unknown:
        raise ValueError(f"not scope fields: {sorted(unknown)}")
    wanted: dict[str, list[int]] = {}
    for field, items in values.items():
        wanted[field] = sorted({int(getattr(i, "pk", i)) for i in items})
    current = {f: sorted(getattr(cycle, f).values_list("id", flat=True)) for f in SCOPE_FIELDS
               if f in wanted or f in NAMED_FIELDS}
    final = {**current, **wanted}
    errors: dict[str, list[str]] = {}
    rows: dict[str, dict[int, Any]] = {}
    for field, ids in wanted.items():
        if not ids:
            continue
        found = {o.pk: o for o in restrict(_model(field)._default_manager.filter(pk__in=ids), actor)}
        rows[field] = found
        missing = [i for i in ids if i not in found]
        if missing:
            shown = "、".join(str(i) for i in missing[:MAX_NAMED_IN_MESSAGE])
            errors.setdefault(field, []).append(
                _("ID %(ids)s 不存在或不在您的范围内 / Unknown or outside your scope: id %(ids)s") % {"ids": shown})
    _kind_model, include, exclude = NAMED.get(cycle.subject_kind, NAMED[SubjectKind.WORKER])
    for kind, (_m, inc, exc) in NAMED.items():
        if kind == cycle.subject_kind:
            continue
        for field in (inc, exc):
            if final.get(field):
                errors.setdefault(field, []).append(
                    _("本周期的考核对象是“%(kind)s”，此处须留空 / The cycle appraises %(kind_en)s: leave this empty")
                    % {"kind": SubjectKind(cycle.subject_kind).label, "kind_en": cycle.subject_kind})
    both = set(final.get(include, [])) & set(final.get(exclude, []))
    if both:
        objs = _model(include)._default_manager.filter(pk__in=both).order_by("pk")
        errors.setdefault(exclude, []).append(
            _("%(names)s 同时在纳入和排除名单中 / Both included and excluded: %(names)s") % {"names": _names(objs)})
    if cycle.subjects_named_only and not final.get(include):
        errors.setdefault(include, []).append(
            _("勾选“仅考核指定对象”时须至少指定一个 / Name at least one subject when only named subjects count"))
    if include == "include_workers" and rows.get(include):
        outside = Worker.objects.filter(pk__in=list(rows[include])).exclude(employed_during(cycle)).order_by("pk")
        if outside.exists():
            errors.setdefault(include, []).append(
                _("%(names)s 在考核期内不在岗（入场晚于结束日期或离场早于开始日期）/ Not employed during the "
                  "cycle's period: %(names)s") % {"names": _names(outside)})
    if errors:
        raise ValidationError(errors)
    changes: dict[str, list[Any]] = {}
    for field, ids in wanted.items():
        if ids != current[field]:
            getattr(cycle, field).set(ids)
            changes[field] = [current[field], ids]
    audit_changes(actor, cycle, changes, reason="scope")
    return cycle
