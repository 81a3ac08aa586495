"""Live preview (试算): what a template would give one made-up subject.

The page and the API both build a `PreviewRequest`, and `run_preview` scores it with the very
engine call a cycle makes — `compute_cycle(spec_from_snapshot(template_snapshot(t)), [subject])` —
so the preview can't disagree with a real cycle. Nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from outperform import scoring

from .models import RaterRole
from .snapshot import indicator_roles, spec_from_snapshot
from .validation import explain_all, row_rule_text

SUBJECT_ID = "preview"
_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass
class PreviewRequest:
    ratings: dict[str, dict[str, list[Decimal]]] = field(default_factory=dict)
    metrics: dict[str, Decimal | None] = field(default_factory=dict)
    adjustments: dict[str, Decimal] = field(default_factory=dict)
    vetoes: list[str] = field(default_factory=list)
    base_bonus_fen: int = 0


def _role_label(role: str) -> str:
    return str(RaterRole(role).label) if role in RaterRole.values else role


def metric_inputs(item: Mapping[str, Any]) -> list[str]:
    """The metric names a quantitative indicator reads: its own metric, and for a formula rule the
    other metrics the formula names (``value`` is the indicator's own metric)."""
    metric = item.get("metric") or item["code"]
    rule = item.get("rule") or {}
    if rule.get("type") != "formula":
        return [metric]
    try:
        names = scoring.parse(rule["expression"]).names
    except scoring.ScoringError:
        return [metric]
    others = sorted(n for n in names if n != "value" and n != metric)
    return ([metric] if "value" in names or metric in names else []) + others


def layout(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per indicator, with the inputs the preview form offers for it."""
    rows = []
    for item in snapshot["indicators"]:
        row = {
            "code": item["code"], "name": item["name"], "dimension": item.get("dimension_name", ""),
            "kind": item["kind"], "weight": item["weight"], "unit": item.get("unit", ""),
            "levels": item.get("levels") or [],
        }
        if item["kind"] == "qualitative":
            row["roles"] = [
                {"role": role, "label": _role_label(role), "weight": format(w.normalize(), "f"),
                 "field": rating_field(item["code"], role)}
                for role, w in indicator_roles(item, dict(snapshot)).items()
            ]
        else:
            row["metrics"] = [{"name": m, "field": metric_field(m)} for m in metric_inputs(item)]
        rows.append(row)
    return rows


def rating_field(code: str, role: str) -> str:
    return f"r:{code}:{role}"


def metric_field(metric: str) -> str:
    return f"m:{metric}"


def adjustment_field(code: str) -> str:
    return f"a:{code}"


def veto_field(code: str) -> str:
    return f"v:{code}"


def _number(raw: str) -> Decimal:
    value = Decimal(raw.replace("％", "").replace("%", "").strip())
    if not value.is_finite():
        raise InvalidOperation
    return value


def request_from_form(snapshot: Mapping[str, Any], data: Mapping[str, str]) -> tuple[PreviewRequest, dict[str, str]]:
    """Read the page's preview form. Several scores for one role ("80, 90") are several raters.
    Returns the request and {field name: error} for what could not be read."""
    request = PreviewRequest()
    errors: dict[str, str] = {}
    for row in layout(snapshot):
        for role in row.get("roles", ()):
            raw = (data.get(role["field"]) or "").strip()
            if not raw:
                continue
            try:
                scores = [_number(part) for part in _SPLIT.split(raw) if part]
            except (InvalidOperation, ValueError):
                errors[role["field"]] = _("请输入 0–100 的分数 / Enter scores from 0 to 100")
                continue
            if any(not 0 <= s <= 100 for s in scores):
                errors[role["field"]] = _("分数须在 0–100 之间 / Scores must be from 0 to 100")
                continue
            request.ratings.setdefault(row["code"], {})[role["role"]] = scores
        for metric in row.get("metrics", ()):
            raw = (data.get(metric["field"]) or "").strip()
            if not raw:
                continue
            try:
                request.metrics[metric["name"]] = _number(raw)
            except (InvalidOperation, ValueError):
                errors[metric["field"]] = _("请输入数字 / Enter a number")
    for adjustment in snapshot.get("adjustments", ()):
        name = adjustment_field(adjustment["code"])
        raw = (data.get(name) or "").strip()
        if raw:
            try:
                request.adjustments[adjustment["code"]] = _number(raw)
            except (InvalidOperation, ValueError):
                errors[name] = _("请输入数字 / Enter a number")
    request.vetoes = [v["code"] for v in snapshot.get("vetoes", ()) if data.get(veto_field(v["code"]))]
    raw_bonus = (data.get("base_bonus") or "").strip().replace(",", "").lstrip("¥￥")
    if raw_bonus:
        try:
            yuan = _number(raw_bonus)
            if yuan < 0 or yuan != yuan.quantize(Decimal("0.01")):
                raise ValueError
            request.base_bonus_fen = int(yuan * 100)
        except (InvalidOperation, ValueError):
            errors["base_bonus"] = _("请输入金额（元，最多两位小数） / Enter an amount in yuan (at most 2 decimals)")
    return request, errors


def _s(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _s2(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.01")), "f")


def _exact(value: Decimal) -> str:
    # Contributions are exact products (60.003); rounding them for display would make the rows
    # visibly fail to add up to the composite.
    return format(value.normalize(), "f") if value else "0"


def run_preview(snapshot: Mapping[str, Any], request: PreviewRequest) -> dict[str, Any]:
    """Score one subject; a plain, JSON-safe dict ({"errors": [...]} if the engine refuses)."""
    caps = {a["code"]: a for a in snapshot.get("adjustments", ())}
    unknown = sorted(set(request.adjustments) - set(caps)) + sorted(
        set(request.vetoes) - {v["code"] for v in snapshot.get("vetoes", ())})
    if unknown:
        return {"errors": [_("方案中没有这些加减分项或否决项 / Not items of this template: %(c)s")
                           % {"c": ", ".join(unknown)}]}
    try:
        spec = spec_from_snapshot(dict(snapshot))
        subject = scoring.SubjectInput(
            subject_id=SUBJECT_ID,
            ratings={code: {role: tuple(v) for role, v in by_role.items()} for code, by_role in request.ratings.items()},
            metrics=dict(request.metrics),
            adjustments=tuple(scoring.Adjustment(code, value, Decimal(caps[code]["cap"]))
                              for code, value in request.adjustments.items()),
            vetoes=tuple(scoring.Veto(code) for code in request.vetoes),
            base_bonus_fen=request.base_bonus_fen,
        )
        # A pool shared by one subject is that subject's: the preview shows the whole amount.
        pools = {"": request.base_bonus_fen} if snapshot.get("bonus_mode") == "pool" else None
        (result,) = scoring.compute_cycle(spec, [subject], pools_fen=pools)
    except scoring.ConfigError as exc:
        return {"errors": explain_all(exc.errors)}
    except scoring.ScoringError as exc:
        return {"errors": [str(exc)]}
    return result_dict(snapshot, result)


def result_dict(snapshot: Mapping[str, Any], result: scoring.SubjectResult) -> dict[str, Any]:
    items = {i["code"]: i for i in snapshot["indicators"]}
    bands = {b["code"]: b for b in snapshot["bands"]}
    adjustments = {a["code"]: a for a in snapshot.get("adjustments", ())}
    grade = bands.get(result.grade or "")
    band = bands.get(result.band_grade or "")
    return {
        "composite": _s(result.composite),
        "weighted_score": _s2(result.weighted_score),
        "adjustment_total": _s(result.adjustment_total),
        "grade": result.grade,
        "grade_name": grade["name"] if grade else None,
        "grade_colour": grade["colour"] if grade else None,
        "band_grade": result.band_grade,
        "band_grade_name": band["name"] if band else None,
        "grade_reason": result.grade_reason,
        "coefficient": _s(result.coefficient),
        "bonus_mode": snapshot.get("bonus_mode", "none"),
        "bonus_fen": result.bonus_fen,
        "bonus_yuan": format(Decimal(result.bonus_fen) / 100, ".2f"),
        "not_applicable": list(result.not_applicable),
        "vetoes": list(result.vetoes),
        "indicators": [
            {
                "code": row.code,
                "name": items[row.code]["name"],
                "dimension": items[row.code].get("dimension_name", ""),
                "kind": row.kind,
                "unit": items[row.code].get("unit", ""),
                "raw_value": _s(row.raw_value),
                "rule": row_rule_text(items[row.code]),
                "score": _s(row.score),
                "weight": _s(row.weight),
                "effective_weight": _s(row.effective_weight),
                "contribution": _exact(row.contribution),
                "roles": [
                    {"role": r.role, "label": _role_label(r.role), "mean": _s2(r.mean), "count": r.count,
                     "weight": _s(r.weight), "effective_weight": _s(r.effective_weight),
                     "scores": [_s(v) for v in r.scores]}
                    for r in row.roles
                ],
            }
            for row in result.indicators
        ],
        "adjustments": [
            {"code": a.code, "name": adjustments.get(a.code, {}).get("name", a.code), "value": _s(a.value),
             "cap": _s(a.cap), "applied": _s(a.applied)}
            for a in result.adjustments
        ],
    }
