"""Reads of the indicator library and templates (every queryset through access.scoping.restrict)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from outperform.access.scoping import restrict
from outperform.org.models import PositionCategory
from outperform.vendors.models import VendorCategory

from . import preview
from .models import Indicator, RaterRole, Template, TemplateIndicator
from .services import template_problems
from .snapshot import indicator_roles, template_snapshot
from .validation import is_weight_sum_message, rule_description


def indicator_choices(user: Any) -> dict[str, Indicator]:
    """Indicators a template may use, keyed by pk as the form posts it (one query per page)."""
    qs = restrict(Indicator.objects.select_related("dimension"), user).order_by(
        "subject_kind", "dimension__order", "code")
    return {str(i.pk): i for i in qs}


def indicator_templates(indicator: Indicator, user: Any) -> QuerySet[TemplateIndicator]:
    """Where an indicator is used: the template rows, newest versions first."""
    templates = restrict(Template.objects.all(), user)
    return (TemplateIndicator.objects.filter(indicator=indicator, template__in=templates)
            .select_related("template").order_by("template__code", "-template__version"))


def template_versions(template: Template, user: Any) -> QuerySet[Template]:
    return restrict(Template.objects.filter(code=template.code), user).order_by("-version")


def _role_label(role: str) -> str:
    return str(RaterRole(role).label) if role in RaterRole.values else role


def template_detail(template: Template, user: Any) -> dict[str, Any]:
    """Everything the template page shows: indicators grouped by dimension with weights and sums,
    role weights, grades, quotas, 加减分, 一票否决, versions, problems and the preview inputs."""
    snap = template_snapshot(template)
    items = list(template.items.select_related("indicator__dimension").order_by(
        "indicator__dimension__order", "order", "id"))
    by_item = {i["code"]: i for i in snap["indicators"]}
    groups: list[dict[str, Any]] = []
    for item in items:
        dimension = item.indicator.dimension
        if not groups or groups[-1]["dimension"] != dimension:
            groups.append({"dimension": dimension, "rows": [], "subtotal": Decimal(0)})
        data = by_item[item.indicator.code]
        roles = indicator_roles(data, snap) if item.indicator.kind == "qualitative" else {}
        groups[-1]["rows"].append({
            "item": item,
            "indicator": item.indicator,
            "rule": data["rule"],
            "rule_text": rule_description(data["rule"]),
            "rule_overridden": item.rule is not None,
            "roles": [(_role_label(r), format(w.normalize(), "f")) for r, w in roles.items()],
            "roles_overridden": bool(item.role_weights),
        })
        groups[-1]["subtotal"] += item.weight
    total = sum((i.weight for i in items), Decimal(0))
    role_weights = [(_role_label(r), Decimal(w)) for r, w in (template.role_weights or {}).items()]
    problems = template_problems(template)
    categories = [str(PositionCategory(c).label) if c in PositionCategory.values else c
                  for c in template.position_categories or []]
    categories += [str(VendorCategory(c).label) if c in VendorCategory.values else c
                   for c in template.vendor_categories or []]
    return {
        "categories": categories,
        "snapshot": snap,
        "groups": groups,
        "weight_total": total,
        "weight_ok": total == 100,
        "role_weights": role_weights,
        "role_weight_total": sum((w for _r, w in role_weights), Decimal(0)),
        "bands": list(template.bands.order_by("-min_score")),
        "quotas": list(template.quotas.order_by("grade_code")),
        "adjustments": list(template.adjustments.order_by("code")),
        "vetoes": list(template.vetoes.order_by("code")),
        "versions": list(template_versions(template, user)),
        "weight_problems": [p for p in problems if is_weight_sum_message(p)],
        "other_problems": [p for p in problems if not is_weight_sum_message(p)],
        "preview_layout": preview.layout(snap),
        "preview_adjustments": [
            {**a, "field": preview.adjustment_field(a["code"])} for a in snap["adjustments"]],
        "preview_vetoes": [{**v, "field": preview.veto_field(v["code"])} for v in snap["vetoes"]],
    }


def split_problems(messages: list[str]) -> Mapping[str, list[str]]:
    return {
        "weight_problems": [m for m in messages if is_weight_sum_message(m)],
        "other_problems": [m for m in messages if not is_weight_sum_message(m)],
    }
