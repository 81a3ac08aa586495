"""考核方案适用规则 / 例外: which template a cycle gives to whom, beyond its default and the templates'
own 适用类别 (docs/cycles.md, "Which template applies to whom").

The rules are written whole (what is not sent is removed), in 草稿 only, by HR, with one audit row
holding the rules before and after. Opening reads them through scope.template_chooser."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outperform.access.scoping import restrict
from outperform.core.audit import audit_changes
from outperform.core.models import User
from outperform.indicators.models import SubjectKind, Template, TemplateStatus
from outperform.indicators.snapshot import validate_template_model
from outperform.org.models import Department, Position, PositionCategory
from outperform.vendors.models import Vendor, VendorCategory

from ..models import Cycle, CycleState, CycleTemplateRule, RuleTarget
from ..scope import NAMED, RULE_ORDER, SUBJECT_FIELD, cycle_subjects, subject_label
from ..selectors import RULE_GROUP_FIELDS, template_rules_get
from .common import ensure_hr

MAX_NAMED_IN_MESSAGE = 10
CATEGORY_CHOICES: dict[str, dict[str, str]] = {
    "position_categories": {str(k): str(v) for k, v in PositionCategory.choices},
    "vendor_categories": {str(k): str(v) for k, v in VendorCategory.choices},
}
ROW_MODELS: dict[str, type[Model]] = {"positions": Position, "vendors": Vendor, "departments": Department}
FIELD_WORDS = {
    "position_categories": gettext_lazy("岗位类别"), "positions": gettext_lazy("岗位"),
    "vendor_categories": gettext_lazy("服务商类别"), "vendors": gettext_lazy("服务商"),
    "departments": gettext_lazy("部门"), "subjects": gettext_lazy("指定对象"),
}
DRAFT_ONLY = gettext_lazy("周期已开启，所用考核方案已冻结，适用规则不能再修改 / The cycle is open and its templates "
                          "are frozen: the rules can no longer change")


def _names(labels: Iterable[str]) -> str:
    items = list(labels)
    more = len(items) - MAX_NAMED_IN_MESSAGE
    return "、".join(items[:MAX_NAMED_IN_MESSAGE]) + (f" …（+{more}）" if more > 0 else "")


def _ids(items: Iterable[Any]) -> list[int]:
    return [int(getattr(i, "pk", i)) for i in items]


def _check_templates(cycle: Cycle, ids: list[int], errors: dict[str, list[str]]) -> dict[int, Template]:
    """The templates of the groups: each active, of the cycle's kind, usable by the engine (the check
    opening makes), and each at most once."""
    found = {t.pk: t for t in Template.objects.filter(pk__in=ids)}
    for tid in sorted(set(ids) - set(found)):
        errors.setdefault("template", []).append(_("考核方案 ID %(id)s 不存在 / Unknown template: id %(id)s") % {"id": tid})
    twice = sorted(t for t, n in Counter(ids).items() if n > 1 and t in found)
    if twice:
        errors.setdefault("template", []).append(
            _("考核方案“%(t)s”出现了两次，请合并为一组 / The template %(t)s is given twice: merge its rules")
            % {"t": _names(str(found[t]) for t in twice)})
    for template in found.values():
        if template.status != TemplateStatus.ACTIVE:
            errors.setdefault("template", []).append(
                _("考核方案“%(t)s”未启用 / The template %(t)s is not active") % {"t": template})
        elif template.subject_kind != cycle.subject_kind:
            errors.setdefault("template", []).append(
                _("考核方案“%(t)s”的考核对象与周期不一致 / The template %(t)s is for another subject kind")
                % {"t": template})
        else:
            problems = validate_template_model(template)
            if problems:
                errors.setdefault("template", []).append(
                    _("考核方案“%(t)s”不能使用：%(e)s / The template %(t)s cannot be used: %(e)s")
                    % {"t": template, "e": "；".join(problems)})
    return found


def _row_labels(cycle: Cycle, actor: User, field: str, ids: list[int],
                errors: dict[str, list[str]]) -> dict[int, str]:
    """Labels of the rows a list names, those outside the actor's scope refused as unknown."""
    model = NAMED[cycle.subject_kind][0] if field == "subjects" else ROW_MODELS[field]
    found = {o.pk: o for o in restrict(model._default_manager.filter(pk__in=ids), actor)}
    missing = sorted(set(ids) - set(found))
    if missing:
        errors.setdefault(field, []).append(
            _("ID %(ids)s 不存在或不在您的范围内 / Unknown or outside your scope: id %(ids)s")
            % {"ids": "、".join(str(i) for i in missing[:MAX_NAMED_IN_MESSAGE])})
    return {pk: subject_label(o) for pk, o in found.items()}


@transaction.atomic
def cycle_template_rules_set(*, actor: User, cycle: Cycle, rules: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Replace the template rules of a draft cycle. `rules`: one group per template,
    {"template": id, "position_categories": [...], "positions": [ids], "vendor_categories": [...],
    "vendors": [ids], "departments": [ids], "subjects": [ids of the cycle's kind]} (lists optional).

    Refused, by field: a template unknown, not active, of another kind, failing the engine's check,
    or given twice; a list the cycle's kind cannot use; an unknown category; an id unknown or outside
    the actor's scope; anything named twice (in one template or two); a named subject outside the
    cycle's scope. Returns the rules as template_rules_get reads them."""
    ensure_hr(actor)
    # The state is re-read under the row lock: a form left open while the cycle was opened is refused.
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.state != CycleState.DRAFT:
        raise ValidationError(str(DRAFT_ONLY), code="stage")
    kind = cycle.subject_kind
    allowed = {f for f, target in RULE_GROUP_FIELDS.items() if target in RULE_ORDER[kind]}
    errors: dict[str, list[str]] = {}
    groups: list[tuple[int, dict[str, list[Any]]]] = []
    for group in rules:
        unknown = set(group) - {"template", *RULE_GROUP_FIELDS}
        if unknown:
            raise ValueError(f"not rule fields: {sorted(unknown)}")
        try:
            given: Any = group.get("template")
            template_id = int(getattr(given, "pk", given))
        except (TypeError, ValueError):
            errors.setdefault("template", []).append(_("请选择考核方案 / Choose a template"))
            continue
        values: dict[str, list[Any]] = {}
        for field in RULE_GROUP_FIELDS:
            items = list(group.get(field) or [])
            if not items:
                continue
            if field not in allowed:
                errors.setdefault(field, []).append(
                    _("本周期的考核对象是“%(kind)s”，不能按%(what)s指定考核方案 / A cycle of %(kind)s has no rules by "
                      "%(what)s") % {"kind": SubjectKind(kind).label, "what": FIELD_WORDS[field]})
                continue
            values[field] = [str(i) for i in items] if field in CATEGORY_CHOICES else _ids(items)
        groups.append((template_id, values))
    templates = _check_templates(cycle, [t for t, _v in groups], errors)
    labels: dict[str, dict[Any, str]] = {}
    for field in RULE_GROUP_FIELDS:
        every = [v for _t, values in groups for v in values.get(field, [])]
        if not every:
            continue
        if field in CATEGORY_CHOICES:
            choices = CATEGORY_CHOICES[field]
            bad = sorted(set(every) - set(choices))
            if bad:
                errors.setdefault(field, []).append(
                    _("未知的类别：%(c)s / Unknown category: %(c)s") % {"c": "、".join(bad)})
            labels[field] = dict(choices)
        else:
            labels[field] = _row_labels(cycle, actor, field, sorted(set(every)), errors)
        twice = [v for v, n in Counter(every).items() if n > 1]
        if twice:
            errors.setdefault(field, []).append(
                _("%(names)s 被指定了两次（每项只能适用一个考核方案）/ Named twice (one template each): %(names)s")
                % {"names": _names(sorted(labels[field].get(v, str(v)) for v in twice))})
    subjects = [v for _t, values in groups for v in values.get("subjects", [])]
    if subjects:
        inside = set(cycle_subjects(cycle).filter(pk__in=subjects).values_list("pk", flat=True))
        outside = sorted(set(subjects) - inside)
        known_outside = [labels["subjects"][i] for i in outside if i in labels["subjects"]]
        if known_outside:
            errors.setdefault("subjects", []).append(
                _("%(names)s 不在本周期的考核范围内 / Not in the cycle's scope: %(names)s")
                % {"names": _names(known_outside)})
    if errors:
        raise ValidationError(errors)
    before = template_rules_get(cycle)
    subject_field = SUBJECT_FIELD[kind].removesuffix("_id")
    rows = []
    for template_id, values in groups:
        template = templates[template_id]
        for field, items in values.items():
            target = RULE_GROUP_FIELDS[field]
            for item in items:
                row = CycleTemplateRule(cycle=cycle, template=template, target=target)
                if field in CATEGORY_CHOICES:
                    row.category = item
                else:
                    name = subject_field if target == RuleTarget.SUBJECT else field.removesuffix("s")
                    setattr(row, f"{name}_id", item)
                rows.append(row)
    CycleTemplateRule.objects.filter(cycle=cycle).delete()
    CycleTemplateRule.objects.bulk_create(rows)
    after = template_rules_get(cycle)
    if after != before:
        audit_changes(actor, cycle, {"template_rules": [before, after]}, reason="template rules")
    return after
