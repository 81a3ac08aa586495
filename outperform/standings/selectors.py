"""Reads of standings: period scores, current standings, roll-up of workers' results, comparison.

Each function reads with a constant number of queries, whatever the number of vendors or people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

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
    """Every published vendor scorecard, newest period first, per vendor (one query). The
    breakdown is not read: the database answers `has_activity`'s question (is the weighted score
    JSON null?), so a refresh does not carry every scorecard's breakdown over the wire."""
    qs = Appraisal.objects.filter(subject_kind=SubjectKind.VENDOR, cycle__state__in=RESULT_STATES,
                                  vendor__isnull=False)
    if vendor_ids is not None:
        qs = qs.filter(vendor_id__in=vendor_ids)
    # NULL when the key is missing (counts as active, as in has_activity), true when it is JSON null.
    idle = ExpressionWrapper(Q(breakdown__weighted_score=None), output_field=BooleanField())
    out: dict[int, list[PeriodScore]] = defaultdict(list)
    for vid, cid, name, end, composite, no_weighted in qs.annotate(idle=idle).order_by(
        "-cycle__end_date", "-cycle_id").values_list(
        "vendor_id", "cycle_id", "cycle__name", "cycle__end_date", "composite", "idle"
    ):
        out[vid].append(PeriodScore(vid, cid, name, end, composite, composite is not None and no_weighted is not True))
    return out


def bands() -> list[StandingBand]:
    return list(StandingBand.objects.order_by("-lower_bound"))


def calc_bands(rows: list[StandingBand]) -> list[calc.Band]:
    return [calc.Band(b.code, b.lower_bound) for b in rows]


def decay_weights() -> list[int]:
    policy = StandingPolicy.objects.filter(pk=1).first()
    return list(policy.decay_weights) if policy else [50, 30, 20]


def current_keys() -> dict[int, VendorStanding]:
    """Every vendor's current standing, only what a refresh compares (code, score, period)."""
    return {s.vendor_id: s for s in VendorStanding.objects.filter(is_current=True).only(
        "pk", "vendor_id", "cycle_id", "code", "score")}


def current_standings(vendor_ids: set[int] | None = None) -> dict[int, VendorStanding]:
    qs = VendorStanding.objects.filter(is_current=True)
    if vendor_ids is not None:
        qs = qs.filter(vendor_id__in=vendor_ids)
    return {s.vendor_id: s for s in qs}


def standing_overview(user: Any, bands: list[StandingBand], *, search: str = "", code: str = "",
                      rectification: bool | None = None, termination: bool | None = None) -> QuerySet[Vendor]:
    """Vendors in the caller's scope with their current standing (score, code) annotated, worst
    first, vendors without a standing last. `code="-"` keeps the vendors without a standing. The
    consequence filters follow the bands as configured now (a band edited since the standing was
    computed counts with its new actions). One query, whatever the number of vendors; the page
    then reads its own rows' standings."""
    current = VendorStanding.objects.filter(vendor=OuterRef("pk"), is_current=True).order_by("-created_at", "-id")
    qs = restrict(Vendor.objects.all(), user, "view").annotate(
        standing_score=Subquery(current.values("score")[:1]),
        standing_code=Subquery(current.values("code")[:1]),
    )
    if search:
        qs = qs.filter(name__icontains=search)
    if code == "-":
        qs = qs.filter(standing_code__isnull=True)
    elif code:
        qs = qs.filter(standing_code=code)
    for flag, value in (("require_rectification", rectification), ("termination_review", termination)):
        if value is not None:
            codes = [b.code for b in bands if getattr(b, flag)]
            qs = qs.filter(standing_code__in=codes) if value else qs.exclude(standing_code__in=codes)
    return qs.order_by(F("standing_score").asc(nulls_last=True), "name", "pk")


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



def comparison(user: Any, cycle: Cycle | None, search: str = "") -> dict[str, Any]:
    """Vendors in scope side by side for one vendor cycle: standing, composite, each dimension,
    outsourcing cost against the internal benchmark (ratio in %, 1 place, half up). Vendors with
    neither a scorecard, a cost nor a standing are left out. Constant queries."""
    vendors = restrict(Vendor.objects.all(), user, "view").order_by("name")
    if search:
        vendors = vendors.filter(name__icontains=search)
    vendor_list = list(vendors)
    ids = {v.pk for v in vendor_list}
    dims: list[dict[str, str]] = []
    scores: dict[int, dict[str, Any]] = {}
    if cycle is not None:
        dims, scores = dimension_scores(cycle, ids)
    costs = cost_comparison(ids, cycle.start_date if cycle else None, cycle.end_date if cycle else None)
    current = current_standings(ids)
    rows: list[dict[str, Any]] = []
    for v in vendor_list:
        s = scores.get(v.pk)
        cost = costs.get(v.pk)
        if s is None and cost is None and v.pk not in current:
            continue
        ratio = None
        if cost and cost["benchmark"]:
            ratio = calc.q1(Decimal(cost["cost"]) * 100 / Decimal(cost["benchmark"]))
        rows.append({"vendor": v, "composite": s["composite"] if s else None,
                     "dims": [s["dims"].get(d["code"]) if s else None for d in dims],
                     "cost": cost, "ratio": ratio, "standing": current.get(v.pk)})
    return {"dims": dims, "rows": rows}


def vendor_notices(user: Any, vendor: Vendor, limit: int = 5) -> list[Any]:
    """The vendor's latest rectification notices (compliance app) the caller may see; one query."""
    from outperform.compliance.models import RectificationNotice

    return list(restrict(RectificationNotice.objects.filter(vendor=vendor), user, "view")
                .select_related("plan").order_by("-created_at", "-id")[:limit])
