"""The frozen form of a template, and its translation into the scoring engine's TemplateSpec.

A cycle stores `template_snapshot(template)` (plain JSON: Decimals as strings) and computes from it
forever after, so later template edits never change a running or closed cycle.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from outperform import scoring

from .models import Template

SNAPSHOT_VERSION = 1


def _d(value: Any) -> str | None:
    return None if value is None else str(value)


def template_snapshot(template: Template) -> dict[str, Any]:
    items = template.items.select_related("indicator__dimension").order_by("order", "id")
    return {
        "snapshot_version": SNAPSHOT_VERSION,
        "template": {
            "id": template.pk, "code": template.code, "version": template.version, "name": template.name,
            "subject_kind": template.subject_kind,
        },
        "role_weights": {role: _d(w) for role, w in (template.role_weights or {}).items()},
        "grading": template.grading,
        "distribution_group": template.distribution_group,
        "min_group_size": template.min_group_size,
        "adjustment_cap": _d(template.adjustment_cap),
        "bonus_mode": template.bonus_mode,
        "team_mode": template.team_mode,
        "comment_below": _d(template.comment_below),
        "comment_above": _d(template.comment_above),
        "anonymity_min_raters": template.anonymity_min_raters,
        "indicators": [
            {
                "code": it.indicator.code,
                "name": it.indicator.name,
                "name_en": it.indicator.name_en,
                "dimension": it.indicator.dimension.code,
                "dimension_name": it.indicator.dimension.name,
                "kind": it.indicator.kind,
                "unit": it.indicator.unit,
                "direction": it.indicator.direction,
                "weight": _d(it.weight),
                "rule": it.rule if it.rule is not None else it.indicator.rule,
                "role_weights": it.role_weights,
                "rater_roles": list(it.indicator.rater_roles or []),
                "metric": it.indicator.metric or it.indicator.code,
                "levels": it.indicator.levels or [],
                "description": it.indicator.description,
            }
            for it in items
        ],
        "bands": [
            {"code": b.code, "name": b.name, "name_en": b.name_en, "min": _d(b.min_score), "max": _d(b.max_score),
             "colour": b.colour, "coefficient": _d(b.coefficient)}
            for b in template.bands.order_by("-min_score")
        ],
        "quotas": [{"grade_code": q.grade_code, "kind": q.kind, "share": _d(q.share)} for q in template.quotas.all()],
        "adjustments": [{"code": a.code, "name": a.name, "cap": _d(a.cap)} for a in template.adjustments.all()],
        "vetoes": [{"code": v.code, "name": v.name} for v in template.vetoes.all()],
    }


def indicator_roles(item: dict[str, Any], snapshot: dict[str, Any]) -> dict[str, Decimal]:
    """Rater roles (and weights) that rate a qualitative indicator: the override if any, else the
    template's, limited to the roles the indicator allows."""
    weights = item.get("role_weights") or snapshot["role_weights"]
    allowed = set(item.get("rater_roles") or weights)
    return {r: Decimal(w) for r, w in weights.items() if r in allowed and Decimal(w) > 0}


def spec_from_snapshot(snapshot: dict[str, Any]) -> scoring.TemplateSpec:
    indicators = []
    for item in snapshot["indicators"]:
        if item["kind"] == "quantitative":
            rule = scoring.rule_from_dict(item["rule"]) if item.get("rule") else None
            indicators.append(scoring.IndicatorSpec(
                code=item["code"], weight=Decimal(item["weight"]), kind="quantitative", rule=rule,
                metric=item.get("metric") or item["code"], name=item["name"],
            ))
        else:
            indicators.append(scoring.IndicatorSpec(
                code=item["code"], weight=Decimal(item["weight"]), kind="qualitative",
                # Roles the indicator does not allow never rate it, and the engine renormalises over
                # the roles that did rate, so only an explicit override is passed on.
                role_weights={r: Decimal(w) for r, w in item["role_weights"].items()}
                if item.get("role_weights") else None,
                name=item["name"],
            ))
    cap = snapshot.get("adjustment_cap")
    return scoring.TemplateSpec(
        indicators=tuple(indicators),
        role_weights={r: Decimal(w) for r, w in snapshot["role_weights"].items()},
        bands=tuple(
            scoring.GradeBand(code=b["code"], name=b["name"], min=Decimal(b["min"]), max=Decimal(b["max"]),
                              coefficient=Decimal(b["coefficient"]))
            for b in snapshot["bands"]
        ),
        grading=snapshot["grading"],
        quotas=tuple(
            scoring.Quota(grade_code=q["grade_code"], kind=q["kind"], share=Decimal(q["share"]) / 100)
            for q in snapshot["quotas"]
        ),
        min_group_size=snapshot.get("min_group_size", 1),
        adjustment_cap=Decimal(cap) if cap is not None else None,
        bonus="pool" if snapshot.get("bonus_mode") == "pool" else ("base" if snapshot.get("bonus_mode") == "base"
                                                                   else "none"),
    )


def validate_template_model(template: Template) -> list[str]:
    """Every problem that would stop the engine from using this template, in words."""
    try:
        spec = spec_from_snapshot(template_snapshot(template))
    except (scoring.ScoringError, ValueError, KeyError, TypeError) as exc:
        return [str(exc)]
    return list(scoring.validate_template(spec))
