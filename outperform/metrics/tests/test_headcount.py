"""The `headcount` source: workers as records that last (hire → leave), the start-and-end average,
and turnover as leavers over it (docs/metrics.md §Headcount)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from outperform.metrics import engine
from outperform.metrics.models import Metric
from outperform.metrics.tests.helpers import Q4, D, formula, metric, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(world):
    """Vendor A in Q4 2026 (1 Oct – 31 Dec). The world's a_ops_cs, a_tech, a_self were hired in 2025
    and stay. A worker counts on a day when hired on or before it and not left on or before it.

                      hired        left         on 1 Oct   on 31 Dec   during Q4
    a_ops_cs/a_tech/a_self 2025-03-01  —             3          3          3
    x_new          2026-11-15   —               no         yes         yes
    x_left_nov     2025-01-01   2026-11-30      yes        no          yes
    x_first_day    2026-10-01   —               yes        yes         yes
    x_last_day     2025-01-01   2026-12-31      yes        no          yes
    x_later        2027-01-05   —               no         no          no
    x_before       2024-01-01   2026-09-30      no         no          no
    x_left_day_one 2025-01-01   2026-10-01      no         no          no

    vendor A: 6 on 1 Oct, 5 on 31 Dec → average (6 + 5) / 2 = 5.5; 7 during the quarter.
    vendor B: b_ops, b_tech throughout → 2.
    Leavers (leaver records) of vendor A in Q4: x_left_nov, x_last_day → 2.
    """
    from outperform.records.models import LeaverRecord
    from outperform.testing.factories import WorkerFactory

    people = {
        "x_new": (D(2026, 11, 15), None), "x_left_nov": (D(2025, 1, 1), D(2026, 11, 30)),
        "x_first_day": (D(2026, 10, 1), None), "x_last_day": (D(2025, 1, 1), D(2026, 12, 31)),
        "x_later": (D(2027, 1, 5), None), "x_before": (D(2024, 1, 1), D(2026, 9, 30)),
        "x_left_day_one": (D(2025, 1, 1), D(2026, 10, 1)),
    }
    made = {name: WorkerFactory(vendor=world.vendor_a, department=world.tech, hire_date=hired, leave_date=left,
                                status="left" if left else "active")
            for name, (hired, left) in people.items()}
    for name in ("x_left_nov", "x_last_day"):
        record(LeaverRecord, worker=made[name], leave_date=made[name].leave_date, reason="voluntary")
    record(LeaverRecord, worker=made["x_before"], leave_date=D(2026, 9, 30), reason="voluntary")  # Q3
    return made


@pytest.fixture
def avg(db):
    return metric("avg_headcount", source="headcount", aggregation="active_avg")


def test_average_of_first_and_last_day(world, roster, avg):
    va, vb = world.vendor_a.pk, world.vendor_b.pk
    out = engine.evaluate(avg.spec(), "vendor", [va, vb], *Q4)
    assert (out[va].value, out[vb].value) == (Decimal("5.5"), Decimal(2))
    during = metric("on_roster", source="headcount")
    assert engine.evaluate(during.spec(), "vendor", [va], *Q4)[va].value == 7


def test_turnover_is_leavers_over_average_headcount(world, roster, avg):
    """vendor A: 2 / 5.5 × 100 = 36.3636…→ 36.3636; vendor B: no leaver → 0 / 2 = 0. Per worker
    there is no headcount: not applicable, and the formula does not allow the level."""
    metric("leavers", source="leaver", empty_as_zero=True)
    rate = formula("turnover", "leavers / avg_headcount * 100")
    va, vb = world.vendor_a.pk, world.vendor_b.pk
    out = engine.evaluate(rate.spec(), "vendor", [va, vb], *Q4)
    assert (out[va].value, out[vb].value) == (Decimal("36.3636"), Decimal(0))
    assert rate.allowed_levels() == ["vendor", "project", "department"]
    w = world.workers["a_ops_cs"].pk
    assert engine.evaluate(rate.spec(), "worker", [w], *Q4)[w].value is None


def test_a_period_before_anyone_was_hired_is_not_applicable(world, roster, avg):
    va = world.vendor_a.pk
    assert engine.evaluate(avg.spec(), "vendor", [va], D(2020, 1, 1), D(2020, 3, 31))[va].value is None


def test_department_includes_sub_departments(world, roster, avg):
    """TECH: a_tech, b_tech, and the x workers → 1 Oct: 2 + x_left_nov, x_first_day, x_last_day = 5;
    31 Dec: 2 + x_new, x_first_day = 4 → 4.5.  HQ (everyone): 1 Oct 5 + 3 (a_ops_cs, a_self, b_ops)
    = 8; 31 Dec 4 + 3 = 7 → 7.5."""
    tech, hq = world.tech.pk, world.hq.pk
    out = engine.evaluate(avg.spec(), "department", [tech, hq], *Q4)
    assert (out[tech].value, out[hq].value) == (Decimal("4.5"), Decimal("7.5"))


def test_trend_month_by_month_in_one_query(world, roster, avg, django_assert_num_queries):
    """Vendor A. October: 1 Oct 6, 31 Oct 6 → 6. November: 1 Nov 6; 30 Nov x_left_nov gone, x_new
    in → 6. December: 1 Dec 6; 31 Dec x_last_day gone → 5 → 5.5."""
    va = world.vendor_a.pk
    with django_assert_num_queries(1):
        months = engine.trend(avg.spec(), "vendor", va, *Q4)
    assert [(m, o.value) for m, o in months] == [
        (D(2026, 10, 1), Decimal(6)), (D(2026, 11, 1), Decimal(6)), (D(2026, 12, 1), Decimal("5.5"))]


def test_records_are_the_people_on_the_roster_during_the_period(world, roster, avg):
    va = world.vendor_a.pk
    rows = set(engine.records(avg.spec(), "vendor", va, *Q4).values_list("pk", flat=True))
    expected = {world.workers[k].pk for k in ("a_ops_cs", "a_tech", "a_self")} | {
        roster[k].pk for k in ("x_new", "x_left_nov", "x_first_day", "x_last_day")}
    assert rows == expected


def test_the_average_needs_a_lasting_source_and_refuses_percentiles(db):
    with pytest.raises(ValidationError) as exc:
        Metric(code="bad", name="bad", source="task", aggregation="active_avg").full_clean()
    assert "headcount" in exc.value.message_dict["aggregation"][0]
    with pytest.raises(ValidationError) as exc:
        Metric(code="bad2", name="bad2", source="headcount", aggregation="percentile", field="hire_date",
               percentile=Decimal(50)).full_clean()
    assert "百分位" in exc.value.message_dict["aggregation"][0]


def test_explorer_lists_the_people_and_counts_only_what_the_viewer_sees(world, roster, avg, client_for):
    """HR, everything: vendor A 5.5 + vendor B 2 = 7.5. Vendor A's manager sees vendor A only: 5.5."""
    params = {"metric": avg.pk, "start": "2026-10-01", "end": "2026-12-31"}
    hr = client_for("hr").get(reverse("metrics:explore"), params).content.decode()
    assert "7.5" in hr and roster["x_new"].employee_no in hr and roster["x_later"].employee_no not in hr
    vm = client_for("vendor_manager").get(reverse("metrics:explore"), params).content.decode()
    assert "5.5" in vm and world.workers["b_ops"].employee_no not in vm
