"""Reads of standings: period scores, current standings, roll-up of workers' results, comparison.

Each function reads with a constant number of queries, whatever the number of vendors or people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from outperform.access.scoping import restrict
from outperform.cycles.models import Appraisal, Cycle, CycleState
from outperform.indicators.models import SubjectKind
from outperform.vendors.models import Vendor

from . import calc
from .models import StandingBand, StandingPolicy, VendorStanding

# A result counts once it is published to its subject.
RESULT_STATES = (CycleState.PUBLISHED, CycleState.CONFIRMATION, CycleState.ARCHIVED)
FAIL_GRADE_NAME = "不合格"


@dataclass(frozen=True)
class PeriodScore:
    vendor_id: int
    cycle_id: int
    label: str
    end_date: Any
    composite: Decimal | None
    active: bool


def has_activity(composite: Decimal | None, breakdown: dict[str, Any] | None) -> bool:
    """A scorecard period with no activity: the engine found no applicable indicator (no metric
    value from records and no submitted rating), so it has no weighted score and no composite."""
    if composite is None:
        return False
    return (breakdown or {}).get("weighted_score", "") is not None


def period_scores(vendor_ids: set[int] | None = None) -> dict[int, list[PeriodScore]]:
    """Every published vendor scorecard, newest period first, per vendor (one query)."""
    qs = Appraisal.objects.filter(subject_kind=SubjectKind.VENDOR, cycle__state__in=RESULT_STATES,
                                  vendor__isnull=False)
    if vendor_ids is not None:
        qs = qs.filter(vendor_id__in=vendor_ids)
    out: dict[int, list[PeriodScore]] = defaultdict(list)
    for vid, cid, name, end, composite, breakdown in qs.order_by("-cycle__end_date", "-cycle_id").values_list(
        "vendor_id", "cycle_id", "cycle__name", "cycle__end_date", "composite", "breakdown"
    ):
        out[vid].append(PeriodScore(vid, cid, name, end, composite, has_activity(composite, breakdown)))
    return out


def bands() -> list[StandingBand]:
    return list(StandingBand.objects.order_by("-lower_bound"))


def calc_bands(rows: list[StandingBand]) -> list[calc.Band]:
    return [calc.Band(b.code, b.lower_bound) for b in rows]


def decay_weights() -> list[int]:
    policy = StandingPolicy.objects.filter(pk=1).first()
    return list(policy.decay_weights) if policy else [50, 30, 20]


def current_standings(vendor_ids: set[int] | None = None) -> dict[int, VendorStanding]:
    qs = VendorStanding.objects.filter(is_current=True)
    if vendor_ids is not None:
        qs = qs.filter(vendor_id__in=vendor_ids)
    return {s.vendor_id: s for s in qs}


def standing_list(user: Any) -> QuerySet[VendorStanding]:
    return restrict(VendorStanding.objects.select_related("vendor", "cycle"), user, "view")


def termination_review_list(user: Any) -> QuerySet[VendorStanding]:
    return standing_list(user).filter(is_current=True, termination_review=True).order_by("score", "vendor__name")


def vendor_rollup(vendor: Vendor) -> dict[str, Any]:
    """Grade distribution of the vendor's workers' published results per cycle, share of 不合格,
    mean composite: one query."""
    rows = (Appraisal.objects.filter(vendor=vendor, subject_kind=SubjectKind.WORKER,
                                     cycle__state__in=RESULT_STATES, composite__isnull=False)
            .values("cycle_id", "cycle__name", "cycle__start_date", "grade_name")
            .annotate(n=Count("id"), total=Sum("composite"))
            .order_by("cycle__start_date", "cycle_id", "grade_name"))
    cycles: dict[int, dict[str, Any]] = {}
    grades: list[str] = []
    for r in rows:
        c = cycles.setdefault(r["cycle_id"], {"id": r["cycle_id"], "name": r["cycle__name"], "counts": {},
                                              "total": 0, "sum": Decimal(0)})
        name = r["grade_name"] or "-"
        c["counts"][name] = c["counts"].get(name, 0) + r["n"]
        c["total"] += r["n"]
        c["sum"] += r["total"] or Decimal(0)
        if name not in grades:
            grades.append(name)
    order = ["优秀", "良好", "合格", "不合格"]
    grades.sort(key=lambda g: (order.index(g) if g in order else len(order), g))
    out = []
    for c in cycles.values():
        fails = c["counts"].get(FAIL_GRADE_NAME, 0)
        out.append({
            "id": c["id"], "name": c["name"], "total": c["total"],
            "counts": [c["counts"].get(g, 0) for g in grades],
            "fail_count": fails,
            "fail_share": calc.q2(Decimal(fails) * 100 / c["total"]) if c["total"] else None,
            "mean": calc.q2(c["sum"] / c["total"]) if c["total"] else None,
        })
    return {"grades": grades, "cycles": out}


def vendor_cycles() -> QuerySet[Cycle]:
    return Cycle.objects.filter(subject_kind=SubjectKind.VENDOR, state__in=RESULT_STATES).order_by("-end_date")


def dimension_scores(cycle: Cycle, vendor_ids: set[int]) -> tuple[list[dict[str, str]], dict[int, dict[str, Any]]]:
    """Per vendor of the cycle: score of each dimension = Σ(score × effective weight) / Σ effective
    weight over the dimension's applicable indicators, ROUND_HALF_UP to 2 places; None if none
    applied. Recomputed by the engine from the cycle's frozen snapshot (constant queries)."""
    from outperform.cycles.services.computing import cycle_results_preview

    appraisals = dict(Appraisal.objects.filter(cycle=cycle, subject_kind=SubjectKind.VENDOR,
                                               vendor_id__in=vendor_ids).values_list("id", "vendor_id"))
    snapshots = [ct.snapshot for ct in cycle.cycle_templates.all()]
    dim_of: dict[str, str] = {}
    dims: dict[str, str] = {}
    for snap in snapshots:
        for item in snap.get("indicators", []):
            dim_of[item["code"]] = item.get("dimension", "")
            dims.setdefault(item.get("dimension", ""), item.get("dimension_name", item.get("dimension", "")))
    results = cycle_results_preview(cycle) if appraisals else {}
    out: dict[int, dict[str, Any]] = {}
    for aid, vid in appraisals.items():
        r = results.get(aid)
        if r is None:
            continue
        sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for row in r.indicators:
            if row.score is None or not row.effective_weight:
                continue
            s = sums[dim_of.get(row.code, "")]
            s[0] += row.score * row.effective_weight
            s[1] += row.effective_weight
        out[vid] = {
            "composite": r.composite,
            "dims": {d: (calc.q2(s[0] / s[1]) if s[1] else None) for d, s in sums.items()},
        }
    return [{"code": c, "name": n} for c, n in dims.items()], out


def cost_comparison(vendor_ids: set[int], start: Any = None, end: Any = None) -> dict[int, dict[str, int]]:
    """Outsourcing cost against the internal-team benchmark, per vendor, from cost records."""
    from outperform.records.models import CostEntry

    qs = CostEntry.objects.filter(vendor_id__in=vendor_ids)
    if start is not None and end is not None:
        qs = qs.filter(period_start__lte=end, period_end__gte=start)
    out: dict[int, dict[str, int]] = {}
    for r in qs.values("vendor_id").annotate(cost=Sum("outsourcing_cost_fen"), benchmark=Sum("benchmark_cost_fen")):
        out[r["vendor_id"]] = {"cost": int(r["cost"] or 0), "benchmark": int(r["benchmark"] or 0)}
    return out


def composite_trend(vendor_ids: set[int]) -> dict[str, Any]:
    """Composite of every vendor in every published vendor cycle, oldest first (one query)."""
    rows = (Appraisal.objects.filter(subject_kind=SubjectKind.VENDOR, cycle__state__in=RESULT_STATES,
                                     vendor_id__in=vendor_ids)
            .values_list("cycle_id", "cycle__name", "cycle__end_date", "vendor_id", "composite")
            .order_by("cycle__end_date", "cycle_id"))
    labels: list[str] = []
    seen: dict[int, int] = {}
    values: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for cid, name, _end, vid, composite in rows:
        if cid not in seen:
            seen[cid] = len(labels)
            labels.append(name)
        values[vid][seen[cid]] = composite
    return {"labels": labels, "series": {vid: [v.get(i) for i in range(len(labels))] for vid, v in values.items()}}


def scorecards(vendor: Vendor) -> QuerySet[Appraisal]:
    return (Appraisal.objects.filter(vendor=vendor, subject_kind=SubjectKind.VENDOR)
            .select_related("cycle").order_by("-cycle__end_date"))

