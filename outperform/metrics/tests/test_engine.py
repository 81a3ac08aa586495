"""Aggregations in SQL against hand-computed numbers; the same tests run on PostgreSQL
(DATABASE_URL=postgres://… pytest --create-db) where percentiles use percentile_cont."""

from decimal import Decimal

import pytest

from outperform.metrics import engine
from outperform.metrics.tests.helpers import Q4, D, metric, task

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(world):
    w = world.workers
    # a_ops_cs (vendor A, OPS-CS): 4 tasks in Q4, rework 0, 1, 2, 5; 3 on time; one more in Q3
    task(w["a_ops_cs"], D(2026, 10, 5), rework=0)
    task(w["a_ops_cs"], D(2026, 11, 5), rework=1)
    task(w["a_ops_cs"], D(2026, 11, 20), rework=2, first_pass=False)
    task(w["a_ops_cs"], D(2026, 12, 31), rework=5, on_time=False, first_pass=False)
    task(w["a_ops_cs"], D(2026, 9, 30), rework=9, on_time=False)
    # a_tech (vendor A, TECH): 1 task, late
    task(w["a_tech"], D(2026, 10, 1), rework=3, on_time=False)
    # b_ops (vendor B, OPS): 2 tasks, both on time
    task(w["b_ops"], D(2026, 12, 1), rework=0)
    task(w["b_ops"], D(2026, 12, 2), rework=0)
    return w


def values(m, level, ids, period=Q4):
    out = engine.evaluate(m.spec(), level, ids, *period)
    return {k: v.value for k, v in out.items()}


def test_count_sum_mean(world, tasks):
    w = tasks
    a, t, b, s = (w[k].pk for k in ("a_ops_cs", "a_tech", "b_ops", "b_tech"))
    assert values(metric("n"), "worker", [a, t, b, s]) == {a: 4, t: 1, b: 2, s: None}
    # Σ rework: 0+1+2+5 = 8; vendor A adds a_tech's 3 → 11; vendor B 0
    assert values(metric("s", aggregation="sum", field="rework_count"), "worker", [a]) == {a: 8}
    va, vb = world.vendor_a.pk, world.vendor_b.pk
    assert values(metric("sv", aggregation="sum", field="rework_count"), "vendor", [va, vb]) == {va: 11, vb: 0}
    # mean rework a_ops_cs: 8 / 4 = 2; vendor A: 11 / 5 = 2.2
    mean = metric("a", aggregation="mean", field="rework_count")
    assert values(mean, "vendor", [va]) == {va: Decimal("2.2")}
    # mean of a bool: on_time over vendor A's Q4 tasks: 3 true of 5 → 0.6
    assert values(metric("b", aggregation="mean", field="on_time"), "vendor", [va]) == {va: Decimal("0.6")}


def test_filters(world, tasks):
    a = tasks["a_ops_cs"].pk
    # rework ≥ 2: tasks with 2 and 5 → 2
    assert values(metric("f", filters=[{"field": "rework_count", "op": ">=", "value": 2}]), "worker", [a]) == {a: 2}
    # != and in
    assert values(metric("g", filters=[{"field": "rework_count", "op": "!=", "value": 0}]), "worker", [a]) == {a: 3}
    assert values(metric("h", filters=[{"field": "rework_count", "op": "in", "value": [1, 5, 7]}]),
                  "worker", [a]) == {a: 2}
    # < and <= on dates: due before 2026-11-20 → 10-05, 11-05
    assert values(metric("i", filters=[{"field": "due_date", "op": "<", "value": "2026-11-20"}]),
                  "worker", [a]) == {a: 2}
    assert values(metric("j", filters=[{"field": "due_date", "op": "<=", "value": "2026-11-20"}]),
                  "worker", [a]) == {a: 3}
    # a subject with records but none passing the filter: count 0, a mean is n/a
    t = tasks["a_tech"].pk
    assert values(metric("k", filters=[{"field": "rework_count", "op": ">", "value": 100}]), "worker", [t]) == {t: 0}
    assert values(metric("l", aggregation="mean", field="rework_count",
                         filters=[{"field": "rework_count", "op": ">", "value": 100}]), "worker", [t]) == {t: None}


def test_ratio_numerator_denominator(world, tasks):
    on_time = metric("on_time_rate", aggregation="ratio", scale=Decimal(100),
                     numerator=[{"field": "on_time", "op": "=", "value": True}])
    a, t, s = tasks["a_ops_cs"].pk, tasks["a_tech"].pk, tasks["b_tech"].pk
    out = engine.evaluate(on_time.spec(), "worker", [a, t, s], *Q4)
    # a_ops_cs: 3 of 4 → 75; a_tech: 0 of 1 → 0; b_tech: no tasks → n/a
    assert (out[a].value, out[a].numerator, out[a].denominator) == (Decimal(75), 3, 4)
    assert out[t].value == 0
    assert out[s].value is None
    # 2 of 3 = 66.66666… → 66.6667 (half up, four places)
    first = metric("fp", aggregation="ratio", scale=Decimal(100),
                   filters=[{"field": "due_date", "op": "<", "value": "2026-12-31"}],
                   numerator=[{"field": "first_pass", "op": "=", "value": True}])
    assert values(first, "worker", [a]) == {a: Decimal("66.6667")}
    # zero denominator (filters leave nothing) → n/a
    none = metric("z", aggregation="ratio", numerator=[{"field": "on_time", "op": "=", "value": True}],
                  filters=[{"field": "rework_count", "op": ">", "value": 100}])
    assert values(none, "worker", [a]) == {a: None}


def test_percentile_same_answer_on_both_databases(world, tasks):
    a = tasks["a_ops_cs"].pk
    # rework 0 1 2 5: P90 h = 3 × 0.9 = 2.7 → 2 + 0.7 × 3 = 4.1;  P50 h = 1.5 → 1.5
    p90 = metric("p90", aggregation="percentile", field="rework_count", percentile=Decimal(90))
    p50 = metric("p50", aggregation="percentile", field="rework_count", percentile=Decimal(50))
    assert values(p90, "worker", [a]) == {a: Decimal("4.1")}
    assert values(p50, "worker", [a]) == {a: Decimal("1.5")}
    # vendor A adds a_tech's 3: 0 1 2 3 5, P90 h = 3.6 → 3 + 0.6 × 2 = 4.2
    va = world.vendor_a.pk
    assert values(p90, "vendor", [va]) == {va: Decimal("4.2")}
    # rolled up (departments) it goes through the Python path; OPS subtree = a_ops_cs + b_ops:
    # 0 0 0 1 2 5 → P90 h = 4.5 → 2 + 0.5 × 3 = 3.5
    ops = world.ops.pk
    assert values(p90, "department", [ops]) == {ops: Decimal("3.5")}


def test_department_includes_sub_departments(world, tasks):
    n = metric("n")
    # OPS holds OPS-CS: a_ops_cs 4 + b_ops 2 = 6; TECH: a_tech 1; HQ: all 7
    out = values(n, "department", [world.ops.pk, world.tech.pk, world.hq.pk, world.ops_cs.pk])
    assert out == {world.ops.pk: 6, world.tech.pk: 1, world.hq.pk: 7, world.ops_cs.pk: 4}


def test_period_bounds_are_inclusive(world, tasks):
    a = tasks["a_ops_cs"].pk
    assert values(metric("n"), "worker", [a], (D(2026, 10, 5), D(2026, 12, 31))) == {a: 4}
    assert values(metric("m"), "worker", [a], (D(2026, 10, 6), D(2026, 12, 30))) == {a: 2}
    assert values(metric("o"), "worker", [a], (D(2027, 1, 1), D(2027, 3, 31))) == {a: None}


def test_query_count_does_not_grow_with_subjects(world, tasks, django_assert_num_queries):
    from outperform.testing.factories import WorkerFactory

    many = [WorkerFactory(vendor=world.vendor_a, department=world.ops) for _ in range(30)]
    for w in many:
        task(w, D(2026, 11, 1))
    ratio = metric("r", aggregation="ratio", numerator=[{"field": "on_time", "op": "=", "value": True}]).spec()
    p = metric("p", aggregation="percentile", field="rework_count", percentile=Decimal(50)).spec()
    ids = [w.pk for w in many]
    with django_assert_num_queries(1):
        engine.evaluate(ratio, "worker", ids[:2], *Q4)
    with django_assert_num_queries(1):
        engine.evaluate(ratio, "worker", ids, *Q4)
    from django.db import connection

    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        engine.evaluate(p, "worker", ids, *Q4)


def test_trend_and_records(world, tasks):
    on_time = metric("on_time_rate", aggregation="ratio", scale=Decimal(100),
                     numerator=[{"field": "on_time", "op": "=", "value": True}])
    a = tasks["a_ops_cs"].pk
    months = engine.trend(on_time.spec(), "worker", a, *Q4)
    # Oct 1/1 → 100, Nov 2/2 → 100, Dec 0/1 → 0
    assert [(m.month, o.value) for m, o in months] == [(10, 100), (11, 100), (12, 0)]
    rows = list(engine.records(on_time.spec(), "worker", a, *Q4))
    assert len(rows) == 4
    assert sorted(r.in_numerator for r in rows) == [False, True, True, True]


def test_survey_responses_are_a_source(world):
    from outperform.surveys.tests.helpers import answered_survey

    survey = answered_survey(world, scores=[Decimal("80"), Decimal("90"), Decimal("95")])
    csat = metric("csat", source="survey_response", aggregation="mean", field="score")
    va = world.vendor_a.pk
    # (80 + 90 + 95) / 3 = 88.3333…
    assert values(csat, "vendor", [va], (survey.period_start, survey.period_end)) == {va: Decimal("88.3333")}
