"""Writes of the indicator library and of templates: validated, transactional, audited.

Audit: one AuditLog row per indicator or dimension write (core.services). A template and its
child rows (indicators and weights, grade bands, quotas, 加减分 and 一票否决 items) are one thing to
the people who edit them, so a template save writes **one** row, on the template, whose `changes`
hold the template's fields and, under "items"/"bands"/"quotas"/"adjustments"/"vetoes", the
child rows before and after.

Frozen templates (a cycle took a snapshot) are never edited in place: the services refuse and say
to copy the template as a new version, so what a running or closed cycle was scored with stays
readable in the library.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from outperform.access.scoping import scope_for
from outperform.core.audit import audit_changes, audit_create, audit_update, diff, snapshot
from outperform.core.models import User
from outperform.core.services import object_create, object_delete, object_update

from .models import (
    AdjustmentItem,
    GradeBand,
    Indicator,
    IndicatorType,
    Quota,
    SubjectKind,
    Template,
    TemplateIndicator,
    TemplateStatus,
    VetoItem,
)
from .snapshot import validate_template_model
from .validation import canonical_rule, check_levels, check_rater_roles, explain_all, to_decimal

M = TypeVar("M", bound=models.Model)

CHILD_KINDS: tuple[tuple[str, type[models.Model]], ...] = (
    ("items", TemplateIndicator),
    ("bands", GradeBand),
    ("quotas", Quota),
    ("adjustments", AdjustmentItem),
    ("vetoes", VetoItem),
)


def frozen_message(template: Template) -> str:
    return _(
        "方案“%(t)s”已被考核周期使用并冻结，不能直接修改；请点击“复制为新版本”，在新版本中修改 / "
        "“%(t)s” is frozen because a cycle uses it and can't be edited in place; use “Copy as new version” "
        "and edit the copy"
    ) % {"t": template}


def _ensure_writer(actor: User | None, model: type[models.Model]) -> None:
    # Views and the API check this too; the service repeats it so no other caller can skip it.
    if actor is not None and not scope_for(actor).can_write(model):
        raise PermissionDenied


# --- indicators -------------------------------------------------------------------------------


def clean_indicator(indicator: Indicator) -> None:
    """Normalise and validate what the model's own fields can't: the rule, roles and anchors."""
    errors: dict[str, list[str]] = {}
    for field, check in (
        ("rater_roles", lambda: setattr(indicator, "rater_roles", check_rater_roles(indicator.rater_roles))),
        ("levels", lambda: setattr(indicator, "levels", check_levels(indicator.levels))),
        ("rule", lambda: setattr(indicator, "rule", canonical_rule(
            indicator.rule, kind=indicator.kind, direction=indicator.direction))),
    ):
        try:
            check()
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    if indicator.kind == IndicatorType.QUANTITATIVE and indicator.rater_roles:
        errors.setdefault("rater_roles", []).append(
            _("定量指标由数据计分，不设评价角色 / A quantitative indicator is scored from data and has no raters"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicator_save(*, actor: User | None, indicator: Indicator, before: dict[str, Any] | None) -> Indicator:
    _ensure_writer(actor, Indicator)
    clean_indicator(indicator)
    if before is None:
        return object_create(actor=actor, obj=indicator)
    return object_update(actor=actor, obj=indicator, before=before)


@transaction.atomic
def indicator_delete(*, actor: User | None, indicator: Indicator) -> None:
    """Refused by the database (ProtectedError) while a template uses the indicator."""
    _ensure_writer(actor, Indicator)
    object_delete(actor=actor, obj=indicator)


# --- templates: content --------------------------------------------------------------------------


def _num(value: Any) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def template_content(template: Template) -> dict[str, list[Any]]:
    """The child rows in a compact, JSON-safe, order-independent form (for the audit row)."""
    if template.pk is None:
        return no_content()
    return {
        "items": [
            [code, _num(w), rule, rw, order]
            for code, w, rule, rw, order in template.items.order_by("order", "indicator__code").values_list(
                "indicator__code", "weight", "rule", "role_weights", "order")
        ],
        "bands": [[c, n, _num(lo), _num(hi), _num(k), col] for c, n, lo, hi, k, col in template.bands.order_by(
            "-min_score").values_list("code", "name", "min_score", "max_score", "coefficient", "colour")],
        "quotas": [[g, k, _num(s)] for g, k, s in template.quotas.order_by("grade_code").values_list(
            "grade_code", "kind", "share")],
        "adjustments": [[c, n, _num(cap)] for c, n, cap in template.adjustments.order_by("code").values_list(
            "code", "name", "cap")],
        "vetoes": [[c, n] for c, n in template.vetoes.order_by("code").values_list("code", "name")],
    }


def no_content() -> dict[str, list[Any]]:
    return {kind: [] for kind, _m in CHILD_KINDS}


def normalise_weights(weights: Any, field: str) -> dict[str, str]:
    """{role: weight} with weights as decimal strings ("60", "12.5"); zero weights dropped, since a
    role with weight 0 would only make the engine list a rater nobody counts."""
    if weights in (None, ""):
        return {}
    if not isinstance(weights, dict):
        raise ValidationError({field: _("评价角色权重应为 {角色: 权重} / Role weights must be {role: weight}")})
    from .models import RaterRole

    clean: dict[str, str] = {}
    for role, weight in weights.items():
        if role not in RaterRole.values:
            raise ValidationError({field: _("未知的评价角色 / Unknown rater role: %(r)s") % {"r": role}})
        try:
            value = to_decimal(weight, f"{role} weight")
        except ValueError:
            raise ValidationError({field: _("评价角色“%(r)s”的权重不是数字 / The weight of %(r)s is not a number")
                                   % {"r": role}}) from None
        if value != 0:
            clean[role] = format(value.normalize(), "f")
    return clean


def template_problems(template: Template) -> list[str]:
    """Everything that stops this (saved) template from being used, worded for people.

    The engine's own validation first (weights add up to 100, bands cover 0–100 with no gap or
    overlap and the top included, quotas name existing grades …), then what only the library knows.
    """
    problems = explain_all(validate_template_model(template))
    if template.subject_kind != SubjectKind.TEAM:
        for code, kind in template.items.exclude(indicator__subject_kind=template.subject_kind).values_list(
            "indicator__code", "indicator__subject_kind"
        ):
            problems.append(_(
                "指标 %(c)s 的考核对象是“%(k)s”，与方案的考核对象“%(t)s”不一致 / Indicator %(c)s is for %(k)s, "
                "but the template is for %(t)s"
            ) % {"c": code, "k": SubjectKind(kind).label, "t": template.get_subject_kind_display()})
    return problems


def _check_children(template: Template, children: dict[str, Sequence[models.Model]]) -> dict[str, list[str]]:
    """Row checks before writing: field validators, duplicates, and per-item rule overrides."""
    errors: dict[str, list[str]] = {}
    for kind, rows in children.items():
        seen: dict[Any, int] = {}
        for number, row in enumerate(rows, start=1):
            try:
                row.clean_fields(exclude=["template"])
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    label = getattr(row._meta.get_field(field), "verbose_name", field) if field != NON_FIELD_ERRORS \
                        else ""
                    for message in messages:
                        errors.setdefault(kind, []).append(
                            _("第 %(n)d 行 %(f)s：%(m)s / Row %(n)d, %(f)s: %(m)s")
                            % {"n": number, "f": label, "m": message})
                continue
            key = _natural_key(row)
            if key in seen:
                errors.setdefault(kind, []).append(
                    _("第 %(n)d 行与第 %(m)d 行重复（%(k)s） / Row %(n)d repeats row %(m)d (%(k)s)")
                    % {"n": number, "m": seen[key], "k": key})
            seen.setdefault(key, number)
            if isinstance(row, TemplateIndicator):
                try:
                    if row.rule:
                        row.rule = canonical_rule(row.rule, kind=row.indicator.kind,
                                                  direction=row.indicator.direction)
                    row.role_weights = normalise_weights(row.role_weights, "role_weights") or None
                except ValidationError as exc:
                    for message in exc.messages:
                        errors.setdefault(kind, []).append(
                            _("第 %(n)d 行（%(c)s）：%(m)s / Row %(n)d (%(c)s): %(m)s")
                            % {"n": number, "c": row.indicator.code, "m": message})
    return errors


def _natural_key(row: models.Model) -> Any:
    if isinstance(row, TemplateIndicator):
        return row.indicator.code
    if isinstance(row, GradeBand | AdjustmentItem | VetoItem):
        return row.code
    if isinstance(row, Quota):
        return row.grade_code
    return row.pk


def _replace_children(template: Template, children: dict[str, Sequence[models.Model]]) -> None:
    for kind, model in CHILD_KINDS:
        if kind not in children:
            continue
        model._default_manager.filter(template=template).delete()
        rows = list(children[kind])
        for row in rows:
            row.pk = None
            row.template = template  # type: ignore[attr-defined]
        model._default_manager.bulk_create(rows)


def _audit_template(actor: User | None, template: Template, before: dict[str, Any] | None,
                    content_before: dict[str, list[Any]], reason: str = "") -> None:
    content_after = template_content(template)
    content_changes = {k: [content_before[k], v] for k, v in content_after.items() if content_before[k] != v}
    if before is None:
        row = audit_create(actor, template, reason)
        row.changes.update(content_changes)
        row.save(update_fields=["changes"])
        return
    audit_changes(actor, template, {**diff(before, snapshot(template)), **content_changes}, reason)


def template_save(
    *,
    actor: User | None,
    template: Template,
    before: dict[str, Any] | None,
    items: Sequence[TemplateIndicator] | None = None,
    bands: Sequence[GradeBand] | None = None,
    quotas: Sequence[Quota] | None = None,
    adjustments: Sequence[AdjustmentItem] | None = None,
    vetoes: Sequence[VetoItem] | None = None,
    reason: str = "",
) -> Template:
    """Create or update a template; each child list given replaces that kind of rows wholesale
    (None leaves it as it is). Nothing is written unless the whole template is valid."""
    _ensure_writer(actor, Template)
    children: dict[str, Sequence[models.Model]] = {
        kind: rows for kind, rows in (("items", items), ("bands", bands), ("quotas", quotas),
                                      ("adjustments", adjustments), ("vetoes", vetoes)) if rows is not None
    }
    creating = template.pk is None
    try:
        with transaction.atomic():
            return _template_save(actor, template, before, children, reason)
    except Exception:
        # The rollback undid the rows; the objects must not look saved to the form that re-renders them.
        if creating:
            template.pk = None
            template._state.adding = True
        raise


def _template_save(actor: User | None, template: Template, before: dict[str, Any] | None,
                   children: dict[str, Sequence[models.Model]], reason: str) -> Template:
    if template.pk is not None:
        stored = Template.objects.select_for_update().get(pk=template.pk)
        if stored.frozen:
            raise ValidationError(frozen_message(stored), code="frozen")
        if stored.code != template.code:
            raise ValidationError({"code": _("方案编码创建后不能修改；需要新编码请使用“复制” / The code of a template "
                                             "can't change; copy the template to use another code")})
        # Version, status, freezing and lineage belong to the version services, never to an edit.
        template.version, template.status = stored.version, stored.status
        template.frozen, template.previous_id = stored.frozen, stored.previous_id
        content_before = template_content(stored)
    else:
        if Template.objects.filter(code=template.code).exists():
            raise ValidationError({"code": _("方案编码“%(c)s”已存在；修改已有方案请使用“复制为新版本” / A template coded "
                                             "“%(c)s” exists; use “Copy as new version” to change it")
                                   % {"c": template.code}})
        template.version, template.status, template.frozen, template.previous = 1, TemplateStatus.DRAFT, False, None
        content_before = template_content(template)
    template.role_weights = normalise_weights(template.role_weights, "role_weights")
    row_errors = _check_children(template, children)
    if row_errors:
        raise ValidationError(row_errors)
    # role_weights is checked above (and by the engine); full_clean would call an empty dict "blank",
    # yet a template of quantitative indicators only has no raters.
    template.full_clean(exclude=["role_weights"])
    template.save()
    _replace_children(template, children)
    problems = template_problems(template)
    if problems:
        raise ValidationError(problems, code="invalid_template")
    _audit_template(actor, template, before, content_before, reason)
    return template


# --- templates: versions and status ----------------------------------------------------------------


def _clone(template: Template, **overrides: Any) -> Template:
    copy = Template()
    for field in Template._meta.concrete_fields:
        if field.name in {"id", "created_at", "updated_at"}:
            continue
        setattr(copy, field.attname, getattr(template, field.attname))
    for key, value in overrides.items():
        setattr(copy, key, value)
    copy.save()
    for _kind, model in CHILD_KINDS:
        rows = list(model._default_manager.filter(template=template))
        for row in rows:
            row.pk = None
            row.template = copy  # type: ignore[attr-defined]
        model._default_manager.bulk_create(rows)
    return copy


@transaction.atomic
def template_new_version(actor: User | None, template: Template) -> Template:
    """Copy as a new version (复制为新版本): same code, the next version number, a draft that points
    back at the old one. The old version is left exactly as it was."""
    _ensure_writer(actor, Template)
    # Locking every version of the code makes two simultaneous copies queue for the next number.
    latest = Template.objects.select_for_update().filter(code=template.code).aggregate(v=Max("version"))["v"]
    copy = _clone(template, version=(latest or 0) + 1, status=TemplateStatus.DRAFT, frozen=False,
                  previous=template)
    _audit_template(actor, copy, None, no_content(),
                    reason=f"new version of {template.code} v{template.version}")
    return copy


@transaction.atomic
def template_copy(actor: User | None, template: Template, new_code: str, name: str = "") -> Template:
    """A new template (version 1, draft) with another code, starting from this one's content."""
    _ensure_writer(actor, Template)
    code = new_code.strip()
    if not code:
        raise ValidationError({"code": _("请填写新方案编码 / Give the new template a code")})
    if Template.objects.filter(code=code).exists():
        raise ValidationError({"code": _("方案编码“%(c)s”已存在 / A template coded “%(c)s” exists") % {"c": code}})
    copy = _clone(template, code=code, name=name.strip() or template.name, version=1,
                  status=TemplateStatus.DRAFT, frozen=False, previous=None)
    copy.full_clean(exclude=["role_weights"])
    _audit_template(actor, copy, None, no_content(),
                    reason=f"copy of {template.code} v{template.version}")
    return copy


@transaction.atomic
def template_activate(*, actor: User | None, template: Template) -> Template:
    """Put a valid template in use. Other active versions of the same code are archived, so cycles
    never find two versions of one template to choose from."""
    _ensure_writer(actor, Template)
    problems = template_problems(template)
    if problems:
        raise ValidationError(problems, code="invalid_template")
    for other in Template.objects.select_for_update().filter(
        code=template.code, status=TemplateStatus.ACTIVE
    ).exclude(pk=template.pk):
        _set_status(actor, other, TemplateStatus.ARCHIVED, reason=f"superseded by v{template.version}")
    return _set_status(actor, template, TemplateStatus.ACTIVE)


@transaction.atomic
def template_archive(*, actor: User | None, template: Template) -> Template:
    _ensure_writer(actor, Template)
    return _set_status(actor, template, TemplateStatus.ARCHIVED)


def _set_status(actor: User | None, template: Template, status: str, reason: str = "") -> Template:
    # Status is not part of a cycle's snapshot, so a frozen template may still be activated/archived.
    if template.status == status:
        return template
    before = snapshot(template)
    template.status = status
    template.save(update_fields=["status", "updated_at"])
    audit_update(actor, template, before, reason)
    return template


@transaction.atomic
def template_delete(*, actor: User | None, template: Template) -> None:
    """Refused by the database (ProtectedError) while a cycle uses the template."""
    _ensure_writer(actor, Template)
    object_delete(actor=actor, obj=template)


def dimension_save(*, actor: User | None, dimension: models.Model, before: dict[str, Any] | None) -> models.Model:
    from .models import Dimension

    _ensure_writer(actor, Dimension)
    if before is None:
        return object_create(actor=actor, obj=dimension)
    return object_update(actor=actor, obj=dimension, before=before)
