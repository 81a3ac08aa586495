"""The built-in definitions fit the registered sources and serve the built-in indicators; the built-in
formula metrics give the numbers worked out by hand."""

from decimal import Decimal

import pytest

from outperform.metrics import engine
from outperform.metrics.builtin import BUILTIN, load_builtin
from outperform.metrics.models import Metric
from outperform.metrics.tests.helpers import Q4, D, complaint, record, task

pytestmark = pytest.mark.django_db


def test_every_builtin_definition_validates_against_its_source():
    assert load_builtin(Metric) == len(BUILTIN)
    for m in Metric.objects.all():
        m.full_clean()  # raises with the field named if a source changed under it
    assert load_builtin(Metric) == 0  # existing codes are kept


def test_builtin_indicators_find_their_metrics():
    from outperform.indicators.builtin import INDICATORS

    load_builtin(Metric)
    codes = set(Metric.objects.values_list("code", flat=True))
    served = {i["metric"] for i in INDICATORS if i.get("kind") == "quantitative" and i.get("metric")} & codes
    assert {"on_time_rate", "delivery_on_time_rate", "customer_satisfaction", "satisfaction_score", "error_rate",
            "resolution_rate", "sla_attainment_rate", "training_completion_rate", "avg_days_to_fill",
            "innovation_proposals", "overdue_complaints", "security_incidents", "compliance_violations",
            "tasks_done", "complaint_rate", "accuracy_rate", "cost_saving_rate", "resource_utilization",
            "avg_response_hours", "turnover_rate", "cost_per_hire"} <= served


# --- the built-in formula metrics, each against numbers worked by hand ----------------------------


def _value(code, level, subject_id, period=Q4):
    load_builtin(Metric)
    spec = Metric.objects.get(code=code).spec()
    return engine.evaluate(spec, level, [subject_id], *period)[subject_id].value


def test_every_formula_builtin_names_existing_metrics():
    from outperform.metrics.formulas import check_all

    load_builtin(Metric)
    assert Metric.objects.filter(aggregation="formula").count() == 9
    assert check_all() == []


def test_complaint_rate_per_thousand_delivered_tasks(world):
    """a_ops_cs: 3 tasks delivered (a 4th still pending), 1 complaint → 1 / 3 × 1000 = 333.333… → 333.3333 ‰."""
    a = world.workers["a_ops_cs"]
    for day in (1, 2, 3):
        task(a, D(2026, 10, day))
    task(a, D(2026, 10, 4), on_time=None)
    complaint(a, D(2026, 11, 1))
    assert _value("complaint_rate", "worker", a.pk) == Decimal("333.3333")


def test_accuracy_rate_never_below_zero(world):
    """a_ops_cs: 3 delivered, 1 defect → (3 − 1) / 3 × 100 = 66.666… → 66.6667.
    a_tech: 1 delivered, 2 defects → (1 − 2) / 1 × 100 = −100 → max(0, −100) = 0."""
    from outperform.records.models import Defect

    a, t = world.workers["a_ops_cs"], world.workers["a_tech"]
    for day in (1, 2, 3):
        task(a, D(2026, 10, day))
    task(t, D(2026, 10, 1))
    record(Defect, worker=a, title="差错", found_date=D(2026, 10, 9))
    for day in (9, 10):
        record(Defect, worker=t, title="差错", found_date=D(2026, 10, day))
    assert _value("accuracy_rate", "worker", a.pk) == Decimal("66.6667")
    assert _value("accuracy_rate", "worker", t.pk) == 0


@pytest.fixture
def costs(world):
    """Vendor A, Q4 (amounts in fen):
        outsourcing   benchmark    available h  used h
    e1  8,000,000     10,000,000   160          144
    e2  3,000,000     — (0)         80           40     no benchmark: left out of the comparison
    e3  4,500,000      5,000,000     0            0
    e4 (Q3, left out) 1,000,000   9,000,000    100          100
    benchmark Σ 15,000,000; outsourcing of benchmarked records Σ 12,500,000; hours 184 of 240."""
    from outperform.records.models import CostEntry

    va = world.vendor_a
    rows = [(D(2026, 10, 1), 8_000_000, 10_000_000, 160, 144), (D(2026, 11, 1), 3_000_000, 0, 80, 40),
            (D(2026, 12, 1), 4_500_000, 5_000_000, 0, 0), (D(2026, 9, 1), 1_000_000, 9_000_000, 100, 100)]
    for start, cost, benchmark, available, used in rows:
        record(CostEntry, vendor=va, period_start=start, period_end=start.replace(day=28),
               outsourcing_cost_fen=cost, benchmark_cost_fen=benchmark, available_hours=Decimal(available),
               used_hours=Decimal(used))
    return va.pk


def test_cost_benefit_ratio(world, costs):
    """15,000,000 / 12,500,000 = 1.2."""
    assert _value("cost_benefit_ratio", "vendor", costs) == Decimal("1.2")


def test_cost_saving_rate_and_total_saving(world, costs):
    """(15,000,000 − 12,500,000) / 15,000,000 × 100 = 16.666… → 16.6667 %;
    (15,000,000 − 12,500,000) fen / 100 = 25,000 元."""
    assert _value("cost_saving_rate", "vendor", costs) == Decimal("16.6667")
    assert _value("total_cost_saving", "vendor", costs) == Decimal(25000)


def test_resource_utilization(world, costs):
    """(144 + 40 + 0) / (160 + 80 + 0) × 100 = 184 / 240 × 100 = 76.666… → 76.6667 %; vendor B has no
    cost record → not applicable."""
    assert _value("resource_utilization", "vendor", costs) == Decimal("76.6667")
    assert _value("resource_utilization", "vendor", world.vendor_b.pk) is None


def test_turnover_rate(world):
    """Vendor B: b_ops, b_tech stay; w3 (hired 2025) leaves on 10 Nov with a leaver record.
    On 1 Oct 3, on 31 Dec 2 → average 2.5; 1 leaver → 1 / 2.5 × 100 = 40 %."""
    from outperform.records.models import LeaverRecord
    from outperform.testing.factories import WorkerFactory

    w3 = WorkerFactory(vendor=world.vendor_b, department=world.ops, hire_date=D(2025, 6, 1),
                       leave_date=D(2026, 11, 10), status="left")
    record(LeaverRecord, worker=w3, leave_date=D(2026, 11, 10), reason="dismissed")
    assert _value("avg_headcount", "vendor", world.vendor_b.pk) == Decimal("2.5")
    assert _value("turnover_rate", "vendor", world.vendor_b.pk) == Decimal(40)


def test_cost_per_hire(world):
    """Vendor A, requests of Q4: 600,000 fen for 3 hires + 300,000 fen for 1 (of 2 asked) = 900,000 fen
    for 4 → 900,000 / 4 / 100 = 2,250 元. Vendor B: a request with nobody hired yet → 0 hires → n/a."""
    from outperform.records.models import RecruitmentRequest

    for vendor, cost, asked, filled in ((world.vendor_a, 600_000, 3, 3), (world.vendor_a, 300_000, 2, 1),
                                        (world.vendor_b, 200_000, 1, 0)):
        record(RecruitmentRequest, vendor=vendor, position_name="客服", requested_date=D(2026, 10, 8),
               headcount=asked, filled_count=filled, cost_fen=cost,
               filled_date=D(2026, 10, 20) if filled else None)
    assert _value("cost_per_hire", "vendor", world.vendor_a.pk) == Decimal(2250)
    assert _value("cost_per_hire", "vendor", world.vendor_b.pk) is None


def test_avg_response_hours(world):
    """Tickets of a_ops_cs answered in 90, 100 and 95 working minutes: mean 95 → 95 / 60 = 1.58333…
    → 1.5833 hours."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from outperform.records.models import Ticket

    a = world.workers["a_ops_cs"]
    for day, minutes in ((5, 90), (6, 100), (7, 95)):
        record(Ticket, worker=a, title="工单", response_minutes=minutes,
               opened_at=dt.datetime(2026, 10, day, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert _value("avg_response_hours", "worker", a.pk) == Decimal("1.5833")
