"""Test data: published vendor scorecards and worker results, written directly (the cycle flow
itself is tested by the cycles app; test_scorecards runs it end to end once)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from outperform.cycles.models import Appraisal, Cycle, CycleState, CycleTemplate
from outperform.indicators.models import SubjectKind, Template
from outperform.indicators.snapshot import template_snapshot
from outperform.vendors.models import Vendor


def _template(code: str) -> Template:
    t = Template.objects.filter(code=code).order_by("-version").first()
    assert t is not None
    return t


def vendor_cycle(name: str, start: dt.date, end: dt.date, scores: dict[Vendor, Any],
                 state: str = CycleState.ARCHIVED) -> Cycle:
    """scores[vendor] = composite (Decimal/str), or None for a period with no activity."""
    t = _template("TPL-VENDOR-Q")
    cycle = Cycle.objects.create(name=name, start_date=start, end_date=end, subject_kind=SubjectKind.VENDOR,
                                 default_template=t, state=state)
    ct = CycleTemplate.objects.create(cycle=cycle, template=t, snapshot=template_snapshot(t))
    Appraisal.objects.bulk_create([
        Appraisal(cycle=cycle, cycle_template=ct, subject_kind=SubjectKind.VENDOR, vendor=v, subject_name=v.name,
                  composite=None if s is None else Decimal(str(s)),
                  breakdown={"weighted_score": None if s is None else str(s)})
        for v, s in scores.items()
    ])
    return cycle


def worker_cycle(name: str, start: dt.date, results: list[tuple[Any, str, str]],
                 state: str = CycleState.ARCHIVED) -> Cycle:
    """results: (worker, composite, grade name)."""
    t = _template("TPL-WORKER")
    cycle = Cycle.objects.create(name=name, start_date=start, end_date=start + dt.timedelta(days=89),
                                 default_template=t, state=state)
    ct = CycleTemplate.objects.create(cycle=cycle, template=t, snapshot=template_snapshot(t))
    Appraisal.objects.bulk_create([
        Appraisal(cycle=cycle, cycle_template=ct, subject_kind=SubjectKind.WORKER, worker=w, vendor_id=w.vendor_id,
                  department_id=w.department_id, subject_name=w.name, composite=Decimal(c), grade_name=g)
        for w, c, g in results
    ])
    return cycle


Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
