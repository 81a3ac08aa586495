"""Vendor scorecards of a period through the ordinary cycle flow (used by the demo and tests):
open a vendor cycle on the built-in vendor template, feed metric values and stakeholder ratings,
compute, publish, archive. Vendors given no values and no ratings are "no activity" periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from outperform.cycles.models import (
    Appraisal,
    AppraisalState,
    AssignmentState,
    Cycle,
    CycleState,
    MetricValue,
    PeriodType,
    RaterAssignment,
    Score,
)
from outperform.cycles.selectors import rated_indicators
from outperform.cycles.services import cycle_advance, cycle_open
from outperform.indicators.models import SubjectKind, Template

VENDOR_TEMPLATE = "TPL-VENDOR-Q"


def metrics_for_quality(q: float) -> dict[str, Decimal]:
    """Plausible metric values of a vendor whose overall quality is q (0 poor … 1 excellent)."""
    def d(x: float, places: int = 2) -> Decimal:
        return Decimal(str(round(x, places)))
    return {
        "delivery_on_time_rate": d(80 + 20 * q), "error_rate": d(5 - 4.5 * q), "complaint_rate": d(10 * (1 - q)),
        "satisfaction_score": d(60 + 30 * q), "cost_saving_rate": d(15 * q), "avg_response_hours": d(24 - 22 * q),
        "innovation_proposals": d(round(5 * q), 0), "innovation_quality": d(100 * q),
        "compliance_violations": d(round(3 * (1 - q)), 0), "sla_attainment_rate": d(88 + 12 * q),
        "resolution_rate": d(80 + 20 * q),
    }


def run_vendor_period(*, actor: Any, name: str, start: dt.date, end: dt.date,
                      quality: Mapping[int, float | None]) -> Cycle:
    """A whole archived vendor cycle. `quality[vendor_id]` None (or absent) = no activity."""
    template = Template.objects.filter(code=VENDOR_TEMPLATE).order_by("-version").first()
    if template is None:
        raise LookupError(VENDOR_TEMPLATE)
    cycle = Cycle.objects.create(name=name, period_type=PeriodType.QUARTER, start_date=start, end_date=end,
                                 subject_kind=SubjectKind.VENDOR, default_template=template)
    cycle.vendors.set([v for v in quality])
    cycle_open(actor=actor, cycle=cycle)
    for state in (CycleState.IN_PROGRESS, CycleState.SELF_REVIEW, CycleState.REVIEW):
        cycle = cycle_advance(actor=actor, cycle=cycle, target=state)
    appraisals = dict(Appraisal.objects.filter(cycle=cycle).values_list("vendor_id", "id"))
    values = []
    for vendor_id, q in quality.items():
        if q is None or vendor_id not in appraisals:
            continue
        values += [MetricValue(appraisal_id=appraisals[vendor_id], cycle=cycle, metric=m, value=v, source="records")
                   for m, v in metrics_for_quality(q).items()]
    MetricValue.objects.bulk_create(values, batch_size=2000)
    snapshots = {ct.pk: ct.snapshot for ct in cycle.cycle_templates.all()}
    level = {appraisals[v]: q for v, q in quality.items() if q is not None and v in appraisals}
    scores, submitted = [], []
    now = timezone.now()
    for a in RaterAssignment.objects.filter(cycle=cycle).select_related("appraisal").order_by("id"):
        q = level.get(a.appraisal_id)
        # A stakeholder with no dealings in the period submits nothing to rate: no scores.
        for item in [] if q is None else rated_indicators(snapshots[a.appraisal.cycle_template_id], a.role):
            assert q is not None
            scores.append(Score(cycle=cycle, appraisal_id=a.appraisal_id, assignment=a, role=a.role,
                                indicator_code=item["code"], value=Decimal(round(55 + 43 * q))))
        a.state, a.submitted_at = AssignmentState.SUBMITTED, now
        submitted.append(a)
    Score.objects.bulk_create(scores, batch_size=5000)
    RaterAssignment.objects.bulk_update(submitted, ["state", "submitted_at"], batch_size=2000)
    for state in (CycleState.CALIBRATION, CycleState.PUBLISHED, CycleState.CONFIRMATION):
        cycle = cycle_advance(actor=actor, cycle=cycle, target=state)
    Appraisal.objects.filter(cycle=cycle).update(state=AppraisalState.CONFIRMED, confirmed_at=now)
    return cycle_advance(actor=actor, cycle=cycle, target=CycleState.ARCHIVED)
