"""Read-only helpers for the cycle pages and API (on top of selectors; no writes).

Who sees what of a result:

- results (composite, grade, rank, bonus, breakdown) reach a viewer who is not an
  organisation-wide viewer (admin, HR, auditor) only once published: the appraisal has
  `published_at` and the cycle has reached 结果发布;
- 360 anonymity: everyone but the organisation-wide viewers sees the per-role rows of the
  breakdown through `selectors.subject_view_of_roles` (anonymous roles below the template's
  minimum folded or hidden — and where one is hidden, the indicator's other role rows are withheld
  too, as the hidden mean could be worked back from them); raters are never named, except in HR's
  评分明细.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from outperform import scoring
from outperform.access.models import Role
from outperform.access.scoping import Scope, restrict, scope_for
from outperform.indicators.models import ANONYMOUS_ROLES, RaterRole
from outperform.org.models import Department, Position
from outperform.vendors.models import Vendor

from .models import (
    CYCLE_FLOW,
    Appraisal,
    AppraisalState,
    AssignmentState,
    Cycle,
    CycleState,
    CycleTemplate,
    RaterAssignment,
)
from .selectors import subject_view_of_roles

OPEN_STATES = (CycleState.DRAFT, CycleState.GOAL_SETTING, CycleState.IN_PROGRESS)
COMPUTE_STATES = (
    CycleState.GOAL_SETTING, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW, CycleState.REVIEW,
    CycleState.CALIBRATION,
)
GOAL_STATES = (CycleState.GOAL_SETTING, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
SELF_STATES = (CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
REVIEW_STATES = (CycleState.REVIEW,)
# Anonymous role rows with fewer raters than this are not shown to group averages either.
MIN_GROUP_FOR_AVERAGE = 3


# --- who ------------------------------------------------------------------------------------------


def is_hr(user: Any) -> bool:
    """Performance admin or system admin (the same test as services.common.ensure_hr)."""
    scope = scope_for(user)
    return scope.is_superuser or bool(scope.roles & {Role.SYSTEM_ADMIN, Role.HR_ADMIN})


def is_subject_side(user: Any, appraisal: Appraisal) -> bool:
    """The subject, or a manager of the subject's vendor: they see the subject's view."""
    scope = scope_for(user)
    return appraisal.subject_user_id == user.pk or (
        appraisal.vendor_id is not None and appraisal.vendor_id in scope.vendor_ids
    )


def is_supervisor_rater(user: Any, appraisal: Appraisal) -> bool:
    return RaterAssignment.objects.filter(appraisal=appraisal, rater_id=user.pk, role=RaterRole.SUPERVISOR).exists()


def goal_side(user: Any, appraisal: Appraisal) -> str | None:
    """Which side of the goal agreement the user speaks for (as services.goals does), or None."""
    if appraisal.subject_user_id == user.pk:
        return "subject"
    if scope_for(user).whole_write or is_supervisor_rater(user, appraisal):
        return "supervisor"
    return None


# --- stages -----------------------------------------------------------------------------------


def stage_index(state: str) -> int:
    return CYCLE_FLOW.index(state)


def reached(cycle: Cycle, state: str) -> bool:
    return stage_index(cycle.state) >= stage_index(state)


def next_state(cycle: Cycle) -> str | None:
    i = stage_index(cycle.state)
    return CYCLE_FLOW[i + 1] if i + 1 < len(CYCLE_FLOW) else None


def earlier_states(cycle: Cycle) -> list[tuple[str, str]]:
    """Stages HR may move back to (never 草稿 once opened)."""
    return [(s, str(CycleState(s).label)) for s in CYCLE_FLOW[1:stage_index(cycle.state)]]


def stepper(cycle: Cycle) -> list[dict[str, Any]]:
    now = stage_index(cycle.state)
    return [
        {"value": s, "label": CycleState(s).label, "number": i + 1, "done": i < now, "current": i == now}
        for i, s in enumerate(CYCLE_FLOW)
    ]


def assignment_open(assignment: RaterAssignment) -> bool:
    """Whether the rating form of this assignment may be changed now."""
    stages = SELF_STATES if assignment.role == RaterRole.SELF else REVIEW_STATES
    return assignment.cycle.state in stages and assignment.state != AssignmentState.SUBMITTED


def is_overdue(assignment: RaterAssignment, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(assignment.due_date and assignment.due_date < today and assignment.state != AssignmentState.SUBMITTED)


# --- results ----------------------------------------------------------------------------------


def results_public(appraisal: Appraisal) -> bool:
    return appraisal.published_at is not None and reached(appraisal.cycle, CycleState.PUBLISHED)


def results_visible(appraisal: Appraisal, user: Any) -> bool:
    return scope_for(user).whole_view or results_public(appraisal)


def cycle_results_visible(cycle: Cycle, user: Any) -> bool:
    """Whether grades/scores of this cycle may be shown in lists and charts to the user."""
    return scope_for(user).whole_view or reached(cycle, CycleState.PUBLISHED)


def bands_by_template(cycle_templates: Iterable[CycleTemplate]) -> dict[int, dict[str, dict[str, Any]]]:
    return {ct.pk: {b["code"]: b for b in ct.snapshot["bands"]} for ct in cycle_templates}


def cycle_bands(cycle: Cycle) -> tuple[dict[int, dict[str, dict[str, Any]]], list[dict[str, Any]]]:
    """Bands per cycle template, and the union of grades in scale order (best first)."""
    templates = list(CycleTemplate.objects.filter(cycle=cycle).order_by("id"))
    if not templates:
        from outperform.indicators.snapshot import template_snapshot

        snap = template_snapshot(cycle.default_template)
        return {}, list(snap["bands"])
    by_template = bands_by_template(templates)
    seen: dict[str, dict[str, Any]] = {}
    for ct in templates:
        for b in ct.snapshot["bands"]:
            seen.setdefault(b["code"], b)
    return by_template, list(seen.values())


def role_label(role: str) -> str:
    if role == "others":
        return _("其他 / others")
    try:
        return str(RaterRole(role).label)
    except ValueError:
        return role


def explain_for(appraisal: Appraisal, user: Any, explain: dict[str, Any] | None = None) -> dict[str, Any]:
    """appraisal_explain, with the per-role rows as this viewer may see them (never rater names).
    `explain`: the appraisal's breakdown already computed (appraisals_explain, for a batch)."""
    from .services.computing import appraisal_explain

    if explain is None:
        explain = appraisal_explain(appraisal)
    full = scope_for(user).whole_view
    min_raters = int(appraisal.cycle_template.snapshot.get("anonymity_min_raters", 3))
    for row in explain["indicators"]:
        roles = row["roles"] if full else subject_view_of_roles(row["roles"], min_raters)
        withheld = False
        if not full:
            small = [r for r in row["roles"] if r["role"] in ANONYMOUS_ROLES and 0 < r["count"] < min_raters]
            if small and not any(r["role"] == "others" for r in roles):
                # Hidden raters still count in the indicator score: next to the other roles' means
                # and weights their mean (one rater: their score) could be worked back. So the
                # role rows of such an indicator are withheld altogether.
                roles, withheld = [], True
        row["roles_withheld"] = withheld
        row["roles"] = [
            {"role": r["role"], "label": role_label(r["role"]), "mean": r.get("mean"), "count": r.get("count"),
             "weight": r.get("weight"), "effective_weight": r.get("effective_weight")}
            for r in roles
        ]
    explain["anonymity_min_raters"] = min_raters
    explain["full_roles"] = full
    bands = {b["code"]: b for b in appraisal.cycle_template.snapshot["bands"]}
    band = bands.get(appraisal.grade)
    explain["grade_colour"] = band["colour"] if band else ""
    return explain


def hidden_result() -> dict[str, Any]:
    return {"composite": None, "grade": "", "grade_name": "", "rank": None, "group_size": None,
            "coefficient": None, "bonus_fen": None}


# --- cycle cockpit ---------------------------------------------------------------------------


def state_counts(qs: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return [{"state": s, "label": AppraisalState(s).label, "count": counts.get(s, 0)} for s in AppraisalState.values]


def pending_raters(cycle: Cycle, user: Any, limit: int = 100) -> list[dict[str, Any]]:
    """Who has not yet submitted (for HR: named; raters are not anonymous to HR)."""
    qs = restrict(RaterAssignment.objects.filter(cycle=cycle), user).exclude(state=AssignmentState.SUBMITTED)
    rows = qs.select_related("rater", "appraisal").order_by("rater__username", "appraisal__subject_name")[:limit]
    return [{"rater": str(a.rater), "subject": a.appraisal.subject_name, "role": a.get_role_display(),
             "state": a.get_state_display(), "due_date": a.due_date} for a in rows]


def distribution_chart(counts: dict[str, int], bands: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """ECharts data for a grade distribution: one bar per grade, in scale order."""
    labels, values, colours = [], [], []
    for b in bands:
        labels.append(b["name"])
        values.append(counts.get(b["code"], 0))
        colours.append(b.get("colour") or "#1f5fbf")
    if counts.get("—"):
        labels.append(_("未定级"))
        values.append(counts["—"])
        colours.append("#9aa3b5")
    return {"labels": labels, "values": values, "colours": colours}


# --- calibration ------------------------------------------------------------------------------


def group_label(key: str, names: dict[str, str]) -> str:
    if key == "ALL" or not key:
        return _("整个周期")
    return names.get(key, key)


def group_names(keys: Iterable[str]) -> dict[str, str]:
    ids: dict[str, set[int]] = defaultdict(set)
    for k in keys:
        if k and k[0] in "DVP" and k[1:].isdigit():
            ids[k[0]].add(int(k[1:]))
    names: dict[str, str] = {}
    for prefix, model in (("D", Department), ("V", Vendor), ("P", Position)):
        if ids[prefix]:
            for pk, name in model.objects.filter(pk__in=ids[prefix]).values_list("pk", "name"):
                names[f"{prefix}{pk}"] = name
    return names


def cycle_groups(qs: QuerySet[Appraisal]) -> list[dict[str, Any]]:
    rows = list(qs.order_by().values_list("group_key").annotate(n=Count("id")).values_list("group_key", "n"))
    names = group_names(k for k, _n in rows)
    groups = [{"key": k, "label": group_label(k, names), "count": n} for k, n in rows]
    return sorted(groups, key=lambda g: (g["label"], g["key"]))


def quota_board(grades: Sequence[str], snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Per grade of the scale: the count now, the quota places (the engine's rounding rule:
    max → floor, at least 1; min → ceil) and whether the current grades break them."""
    graded = [g for g in grades if g]
    n = len(graded)
    counts: dict[str, int] = defaultdict(int)
    for g in graded:
        counts[g] += 1
    quotas = {q["grade_code"]: q for q in snapshot.get("quotas", [])}
    rows = []
    for b in snapshot["bands"]:
        q = quotas.get(b["code"])
        row: dict[str, Any] = {"code": b["code"], "name": b["name"], "colour": b.get("colour") or "#1f5fbf",
                               "count": counts.get(b["code"], 0), "max": None, "min": None, "share": None,
                               "kind": None, "violation": ""}
        if q is not None:
            share = Decimal(str(q["share"]))
            places = scoring.quota_places(n, q["kind"], share / 100)
            row["kind"], row["share"] = q["kind"], format(share.normalize(), "f")
            row[q["kind"]] = places
            if q["kind"] == "max" and row["count"] > places:
                row["violation"] = _("%(name)s 超出上限：%(count)d 人 > %(places)d 人（%(share)s%%）") % {
                    "name": b["name"], "count": row["count"], "places": places, "share": row["share"]}
            if q["kind"] == "min" and row["count"] < places:
                row["violation"] = _("%(name)s 低于下限：%(count)d 人 < %(places)d 人（%(share)s%%）") % {
                    "name": b["name"], "count": row["count"], "places": places, "share": row["share"]}
        rows.append(row)
    return rows


# --- archive ----------------------------------------------------------------------------------


def archive_rows(appraisals: Sequence[Appraisal], user: Any) -> list[dict[str, Any]]:
    """One row per cycle, oldest first: the result, the change against the subject's previous
    visible result, and the mean composite of the subject's group in that cycle."""
    pairs = {(a.cycle_id, a.group_key) for a in appraisals}
    averages: dict[tuple[int, str], tuple[Decimal | None, int]] = {}
    if pairs:
        rows = (Appraisal.objects.filter(cycle_id__in={c for c, _g in pairs}, composite__isnull=False)
                .order_by().values("cycle_id", "group_key").annotate(avg=Avg("composite"), n=Count("id")))
        for r in rows:
            if (r["cycle_id"], r["group_key"]) in pairs:
                averages[(r["cycle_id"], r["group_key"])] = (r["avg"], r["n"])
    whole = scope_for(user).whole_view
    out: list[dict[str, Any]] = []
    previous: Decimal | None = None
    for a in appraisals:
        visible = whole or results_public(a)
        composite = a.composite if visible else None
        avg, n = averages.get((a.cycle_id, a.group_key), (None, 0))
        if not whole and n < MIN_GROUP_FOR_AVERAGE:
            avg = None  # a tiny group's average would give away the others' scores
        if not visible:
            avg = None
        avg_q = Decimal(avg).quantize(Decimal("0.01")) if avg is not None else None
        out.append({
            "appraisal": a, "cycle": a.cycle, "visible": visible, "composite": composite,
            "grade_name": a.grade_name if visible else "", "rank": a.rank if visible else None,
            "group_size": a.group_size if visible else None,
            "delta": (composite - previous) if composite is not None and previous is not None else None,
            "group_avg": avg_q,
            "vs_group": (composite - avg_q) if composite is not None and avg_q is not None else None,
        })
        if composite is not None:
            previous = composite
    return out


def archive_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "labels": [r["cycle"].name for r in rows],
        "series": [
            {"name": _("综合得分"), "data": [None if r["composite"] is None else float(r["composite"]) for r in rows]},
            {"name": _("组内平均"), "data": [None if r["group_avg"] is None else float(r["group_avg"]) for r in rows]},
        ],
    }


def scoped_appraisals(user: Any) -> QuerySet[Appraisal]:
    return restrict(Appraisal.objects.select_related("cycle", "department", "vendor", "position", "worker"), user)


def scope_of(user: Any) -> Scope:
    return scope_for(user)
