"""Reads of the cycle flow (always through access.scoping.restrict where a user is involved)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from outperform.access.scoping import restrict
from outperform.indicators.models import ANONYMOUS_ROLES, RaterRole

from .models import Appraisal, AssignmentState, Cycle, CycleTemplateRule, RaterAssignment, RuleTarget

# The lists of one rule group (one template) and the target each list's rows carry.
RULE_GROUP_FIELDS: dict[str, str] = {
    "subjects": RuleTarget.SUBJECT, "positions": RuleTarget.POSITION,
    "position_categories": RuleTarget.POSITION_CATEGORY, "vendors": RuleTarget.VENDOR,
    "vendor_categories": RuleTarget.VENDOR_CATEGORY, "departments": RuleTarget.DEPARTMENT,
}
_TARGET_FIELD = {target: field for field, target in RULE_GROUP_FIELDS.items()}


def rated_indicators(snapshot: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """The qualitative indicators a rater role rates under a template snapshot."""
    items = []
    for item in snapshot["indicators"]:
        if item["kind"] != "qualitative":
            continue
        weights = item.get("role_weights") or snapshot["role_weights"]
        allowed = item.get("rater_roles") or list(weights)
        if role in allowed and Decimal(str(weights.get(role, 0))) > 0:
            items.append(item)
    return items


def my_assignments(user: Any) -> QuerySet[RaterAssignment]:
    """My evaluations (我的评价): the to-do list of a rater, open cycles only — drafts, then pending,
    then submitted; by due date; then in the order the cycle assigned them. Not by the subject's
    name: a supervisor with 10,000 evaluations would sort them all, joined to their appraisals, for
    each page; this order is an index's (`assignment_todo_order`). The rating grid orders by name."""
    return (
        RaterAssignment.objects.filter(rater_id=user.pk)
        .exclude(cycle__state="archived")
        .select_related("appraisal", "cycle")
        .order_by("state", "due_date", "pk")
    )


def my_assignment_groups(user: Any) -> list[dict[str, Any]]:
    """My evaluations per cycle and rater role, with how many are not submitted yet: one GROUP BY
    read from the `assignment_rater_groups` index, however many evaluations there are."""
    rows = (
        RaterAssignment.objects.filter(rater_id=user.pk)
        .exclude(cycle__state="archived")
        .values("cycle_id", "cycle__name", "cycle__start_date", "role")
        .annotate(total=Count("*"), pending=Count("state", filter=~Q(state=AssignmentState.SUBMITTED)))
        .order_by("-cycle__start_date", "cycle_id", "role")
    )
    return [{"cycle_id": r["cycle_id"], "cycle_name": r["cycle__name"], "role": r["role"],
             "role_label": RaterRole(r["role"]).label, "total": r["total"], "pending": r["pending"]} for r in rows]


def cycle_progress(cycle: Cycle, user: Any) -> list[dict[str, Any]]:
    """Per department and role: how many evaluations are submitted, of how many."""
    qs = restrict(RaterAssignment.objects.filter(cycle=cycle), user)
    rows = (
        qs.values("appraisal__department__name", "role")
        .annotate(total=Count("id"), done=Count("id", filter=Q(state=AssignmentState.SUBMITTED)))
        .order_by("appraisal__department__name", "role")
    )
    return [
        {"department": r["appraisal__department__name"] or "—", "role": RaterRole(r["role"]).label,
         "total": r["total"], "done": r["done"], "pending": r["total"] - r["done"]}
        for r in rows
    ]


def appraisals_for(user: Any, cycle: Cycle | None = None) -> QuerySet[Appraisal]:
    qs = restrict(Appraisal.objects.select_related("cycle", "department", "vendor", "position", "worker"), user)
    return qs.filter(cycle=cycle) if cycle is not None else qs


def subject_view_of_roles(roles: list[dict[str, Any]], min_raters: int) -> list[dict[str, Any]]:
    """360 anonymity: anonymous roles (peer, client, subordinate) reach the subject only as a role
    average, and only where at least `min_raters` raters of that role answered; the others are
    folded into one "其他 / others" row when together they reach the minimum, else hidden."""
    shown: list[dict[str, Any]] = []
    folded: list[dict[str, Any]] = []
    for r in roles:
        if r["role"] in ANONYMOUS_ROLES and r["count"] < min_raters:
            folded.append(r)
        else:
            shown.append({k: v for k, v in r.items() if k != "scores"})
    if folded:
        count = sum(r["count"] for r in folded)
        if count >= min_raters:
            total = sum(Decimal(r["total"]) for r in folded)
            shown.append({"role": "others", "mean": str((total / count).quantize(Decimal("0.01"))), "count": count})
    return shown


def grade_distribution(appraisals: QuerySet[Appraisal]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for grade, n in appraisals.values_list("grade").annotate(n=Count("id")).values_list("grade", "n"):
        counts[grade or "—"] += n
    return dict(counts)


def template_rules_get(cycle: Cycle) -> list[dict[str, Any]]:
    """A cycle's template rules, one group per template (by template id), every list sorted: the
    shape the API and the form read and write, and the audit row's before / after (one query)."""
    groups: dict[int, dict[str, Any]] = {}
    for rule in CycleTemplateRule.objects.filter(cycle_id=cycle.pk).order_by("template_id", "pk"):
        group = groups.setdefault(rule.template_id, {"template": rule.template_id,
                                                     **{f: [] for f in RULE_GROUP_FIELDS}})
        field = _TARGET_FIELD[rule.target]
        if rule.target in (RuleTarget.POSITION_CATEGORY, RuleTarget.VENDOR_CATEGORY):
            value: Any = rule.category
        elif rule.target == RuleTarget.SUBJECT:
            value = rule.worker_id or rule.vendor_id or rule.team_id
        else:
            value = getattr(rule, f"{field.removesuffix('s')}_id")
        group[field].append(value)
    for group in groups.values():
        for f in RULE_GROUP_FIELDS:
            group[f].sort()
    return list(groups.values())
