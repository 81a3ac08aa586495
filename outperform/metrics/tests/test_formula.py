"""Formula metrics (公式指标): the narrowed formula language, validation on save, values over two
sources with the not-applicable rules, and a constant number of queries for any number of subjects."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from outperform.metrics import engine
from outperform.metrics import spec as ms
from outperform.metrics.models import Metric
from outperform.metrics.tests.helpers import Q4, D, complaint, formula, metric, task

# --- the language (pure) ---------------------------------------------------------------------


def test_arithmetic_and_the_four_functions_parse():
    f = ms.parse_formula("max(0, (a - b) / a * 100) + abs(round(c, 1)) - min(a, 2)")
    assert f.names == frozenset({"a", "b", "c"})


@pytest.mark.parametrize(("text", "words"), [
    ("coalesce(a, 0)", "coalesce"),  # would turn "no data" into 0
    ("if(a > 0, b, 0)", "if"),
    ("a / 0", "除数为常数 0"),
    ("a / (b", "第 7 列"),  # unclosed parenthesis, reported where the formula ends
    ("a + * b", "第 5 列"),
    ("a > b", "公式须得出数值"),
    ("", "公式为空"),
])
def test_what_a_formula_metric_refuses_is_named_in_both_languages(text, words):
    with pytest.raises(ms.SpecError) as exc:
        ms.parse_formula(text)
    [message, *_rest] = exc.value.errors["expression"]
    assert words in message and " / " in message  # Chinese, then the English after " / "


def test_combine_rounds_once_half_up_to_four_places():
    """2 / 3 × 100 = 66.666…→ 66.6667; 1 / 20000 = 0.00005 → 0.0001 (half up; half-even would give 0)."""
    assert ms.combine(ms.parse_formula("a / b * 100"), {"a": Decimal(2), "b": Decimal(3)}) == Decimal("66.6667")
    assert ms.combine(ms.parse_formula("a / b"), {"a": Decimal(1), "b": Decimal(20000)}) == Decimal("0.0001")


def test_combine_is_not_applicable_when_a_part_is_or_a_divisor_is_zero():
    f = ms.parse_formula("max(0, a / b * 100)")
    assert ms.combine(f, {"a": None, "b": Decimal(4)}) is None
    assert ms.combine(f, {"a": Decimal(3), "b": None}) is None
    assert ms.combine(f, {"a": Decimal(3)}) is None  # a part that was not computed at all
    assert ms.combine(f, {"a": Decimal(3), "b": Decimal(0)}) is None  # never 0, never 100
    assert ms.combine(f, {"a": Decimal(0), "b": Decimal(4)}) == 0  # 0 of something is a fact


def test_problems_unknown_codes_self_reference_and_cycles():
    known = {"x": None, "f": ("g",), "g": ("x",)}
    assert "nope" in ms.formula_problems("h", ["x", "nope"], known)[0]
    assert "自身" in ms.formula_problems("h", ["h"], {**known, "h": ("h",)})[0]
    # g is edited to read f, while f reads g: f → g → f seen from g
    [cycle] = ms.formula_problems("g", ["f"], {**known, "g": ("f",)})
    assert "g → f → g" in cycle
    assert ms.formula_problems("h", [], known) == ["公式须至少引用一个数据指标 / A formula metric must name at "
                                                   "least one metric"]


# --- validation on save --------------------------------------------------------------------------


@pytest.fixture
def parts(db):
    return {
        "complaints": metric("complaints", source="complaint", empty_as_zero=True),
        "delivered": metric("delivered", filters=[{"field": "delivered_date", "op": "!=", "value": None}]),
        "vendor_cost": metric("vendor_cost", source="cost", aggregation="sum", field="outsourcing_cost_fen"),
    }


def _errors(m: Metric) -> dict:
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    return exc.value.message_dict


@pytest.mark.django_db
def test_unknown_code_and_unused_fields_are_named(parts):
    errors = _errors(Metric(code="rate", name="率", aggregation="formula", expression="complaints / tasks * 100",
                            source="task", scale=Decimal(100), filters=[{"field": "x", "op": "=", "value": 1}]))
    assert "tasks" in errors["expression"][0] and "Unknown metric codes" in errors["expression"][0]
    assert "公式指标不使用此项" in errors["source"][0] and "公式指标不使用此项" in errors["filters"][0]
    assert "倍数请写进公式" in errors["scale"][0]


@pytest.mark.django_db
def test_cycles_between_formulas_are_refused(parts):
    formula("per_task", "complaints / delivered")
    formula("per_hundred", "per_task * 100")
    first = Metric.objects.get(code="per_task")
    first.expression = "per_hundred / 100"
    errors = _errors(first)
    assert "per_task → per_hundred → per_task" in errors["expression"][0]
    first.expression = "per_task + 1"
    assert "自身" in _errors(first)["expression"][0]


@pytest.mark.django_db
def test_levels_are_those_every_part_allows(parts):
    """complaints and delivered tasks have every level; cost records have no worker link, so a
    formula reading cost is not computed per worker."""
    mixed = formula("cost_per_complaint", "vendor_cost / complaints")
    assert mixed.allowed_levels() == ["vendor", "project", "department"]
    errors = _errors(Metric(code="c2", name="c2", aggregation="formula", expression="vendor_cost / complaints",
                            levels=["worker"]))
    assert "worker" in errors["levels"][0]


@pytest.mark.django_db
def test_a_part_cannot_be_renamed_or_deleted_while_a_formula_reads_it(parts):
    from django.db.models import ProtectedError

    from outperform.metrics.services import metric_delete

    formula("rate", "complaints / delivered * 100")
    part = parts["complaints"]
    part.code = "complaints_all"
    assert "rate" in _errors(part)["code"][0]
    with pytest.raises(ProtectedError):
        metric_delete(actor=None, metric=Metric.objects.get(code="complaints"))
    assert Metric.objects.filter(code="complaints").exists()
    metric_delete(actor=None, metric=Metric.objects.get(code="rate"))
    metric_delete(actor=None, metric=Metric.objects.get(code="complaints"))  # nothing reads it any more


# --- values --------------------------------------------------------------------------------------


@pytest.fixture
def data(world, parts):
    """Q4 2026, complaints per 100 delivered tasks (tasks: due in Q4; delivered unless on_time=None).

    a_ops_cs: 4 delivered + 1 pending, 3 complaints → 3 / 4 × 100 = 75
    a_tech:   3 delivered, no complaint              → 0 / 3 × 100 = 0 (complaints count 0 when none)
    b_ops:    2 tasks, none delivered, 1 complaint   → 1 / 0: not applicable
    b_tech:   no task, 2 complaints                  → delivered is n/a: not applicable
    a_self:   nothing                                → not applicable
    vendor A: 3 / (4 + 3) × 100 = 42.857142… → 42.8571;  vendor B: 3 / 0 → not applicable
    """
    w = world.workers
    for day in (5, 6, 7, 8):
        task(w["a_ops_cs"], D(2026, 10, day))
    task(w["a_ops_cs"], D(2026, 10, 9), on_time=None)
    for day in (1, 2, 3):
        task(w["a_tech"], D(2026, 11, day))
    task(w["b_ops"], D(2026, 12, 1), on_time=None)
    task(w["b_ops"], D(2026, 12, 2), on_time=None)
    for day in (1, 2, 3):
        complaint(w["a_ops_cs"], D(2026, 11, day))
    complaint(w["a_ops_cs"], D(2027, 1, 4))  # outside the period
    complaint(w["b_ops"], D(2026, 10, 20))
    complaint(w["b_tech"], D(2026, 10, 21))
    complaint(w["b_tech"], D(2026, 10, 22))
    return formula("complaint_rate", "complaints / delivered * 100")


@pytest.mark.django_db
def test_complaints_per_hundred_delivered_tasks(world, data):
    w = world.workers
    ids = [w[k].pk for k in ("a_ops_cs", "a_tech", "b_ops", "b_tech", "a_self")]
    out = engine.evaluate(data.spec(), "worker", ids, *Q4)
    assert [out[i].value for i in ids] == [Decimal(75), Decimal(0), None, None, None]
    va, vb = world.vendor_a.pk, world.vendor_b.pk
    vendors = engine.evaluate(data.spec(), "vendor", [va, vb], *Q4)
    assert (vendors[va].value, vendors[vb].value) == (Decimal("42.8571"), None)


@pytest.mark.django_db
def test_a_formula_over_a_formula_takes_the_part_as_shown(world, data):
    """The part is rounded to four places before it is combined: vendor A 42.8571 × 2 = 85.7142,
    not 600 / 7 = 85.714285… → 85.7143 (docs/metrics.md §Formula metrics, rounding)."""
    double = formula("double_rate", "complaint_rate * 2")
    va = world.vendor_a.pk
    assert engine.evaluate(double.spec(), "vendor", [va], *Q4)[va].value == Decimal("85.7142")


@pytest.mark.django_db
def test_everything_visible_groups_and_departments(world, data):
    """All records: complaints 3 + 1 + 2 = 6, delivered 4 + 3 = 7 → 600 / 7 = 85.714285… → 85.7143.
    Team {a_ops_cs, b_ops}: 4 / 4 × 100 = 100.  Department OPS (with OPS-CS): a_ops_cs, a_self, b_ops
    → complaints 3 + 1 = 4, delivered 4 → 100."""
    assert engine.evaluate_all(data.spec(), *Q4).value == Decimal("85.7143")
    w = world.workers
    team = engine.evaluate_groups(data.spec(), "worker", {"t": [w["a_ops_cs"].pk, w["b_ops"].pk]}, *Q4)
    assert team["t"].value == Decimal(100)
    ops = world.ops.pk
    assert engine.evaluate(data.spec(), "department", [ops], *Q4)[ops].value == Decimal(100)


@pytest.mark.django_db
def test_trend_combines_month_by_month(world, data):
    """a_ops_cs: October 4 delivered, 0 complaints → 0; November 3 complaints, no task → n/a;
    December nothing → n/a."""
    a = world.workers["a_ops_cs"].pk
    months = engine.trend(data.spec(), "worker", a, *Q4)
    assert [(m, o.value) for m, o in months] == [(D(2026, 10, 1), Decimal(0)), (D(2026, 11, 1), None),
                                                 (D(2026, 12, 1), None)]


@pytest.mark.django_db
def test_queries_do_not_grow_with_subjects(world, data, django_assert_num_queries):
    """One read of the definitions and one GROUP BY per part (complaints, delivered): 3 queries for
    5 workers and for 45."""
    from outperform.testing.factories import WorkerFactory

    ids = [w.pk for w in world.workers.values()]
    with django_assert_num_queries(3):
        engine.evaluate(data.spec(), "worker", ids, *Q4)
    extra = [WorkerFactory(vendor=world.vendor_a, department=world.ops) for _ in range(40)]
    for w in extra:
        task(w, D(2026, 10, 15))
        complaint(w, D(2026, 10, 16))
    ids += [w.pk for w in extra]
    with django_assert_num_queries(3):
        out = engine.evaluate(data.spec(), "worker", ids, *Q4)
    assert out[extra[0].pk].value == Decimal(100)  # 1 complaint / 1 delivered task × 100


# --- refresh ---------------------------------------------------------------------------------------


@pytest.fixture
def cycle(world, data):
    from outperform.cycles.models import Cycle
    from outperform.cycles.services import cycle_open
    from outperform.testing.templates import make_template
    from outperform.workers.models import Worker

    Worker.objects.update(supervisor=world.users["supervisor"])
    template = make_template(code="T-FORMULA", indicators=[
        {"code": "QN-CR", "weight": 40, "kind": "quantitative", "metric": "complaint_rate",
         "rule": {"type": "linear", "floor": "0", "target": "100"}},
        {"code": "QL", "weight": 60, "rater_roles": ["self", "supervisor"]},
    ])
    c = Cycle.objects.create(name="2026Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                             default_template=template, seed=3, peer_count=0)
    cycle_open(actor=world.users["hr"], cycle=c)
    c.refresh_from_db()
    return c


def _values(cycle):
    from outperform.cycles.models import MetricValue

    return {mv.appraisal.worker_id: mv.value for mv in
            MetricValue.objects.filter(cycle=cycle, metric="complaint_rate").select_related("appraisal")}


@pytest.mark.django_db
def test_refresh_writes_formula_values_only(world, cycle):
    """The template reads complaint_rate only: its parts are computed but not stored."""
    from outperform.cycles.models import MetricValue
    from outperform.metrics.services import metrics_refresh

    summary = metrics_refresh(cycle=cycle)
    assert summary.metrics == ["complaint_rate"]
    w = world.workers
    assert _values(cycle) == {w["a_ops_cs"].pk: Decimal(75), w["a_tech"].pk: Decimal(0), w["b_ops"].pk: None,
                              w["b_tech"].pk: None, w["a_self"].pk: None}
    assert set(MetricValue.objects.filter(cycle=cycle).values_list("metric", flat=True)) == {"complaint_rate"}


@pytest.mark.django_db
def test_refresh_query_count_is_constant(world, cycle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from outperform.cycles.models import Appraisal, MetricValue
    from outperform.cycles.services import cycle_open
    from outperform.metrics.services import metrics_refresh
    from outperform.testing.factories import WorkerFactory

    def queries() -> int:
        MetricValue.objects.filter(cycle=cycle).delete()
        with CaptureQueriesContext(connection) as ctx:
            metrics_refresh(cycle=cycle)
        return len(ctx)

    small = queries()
    extra = [WorkerFactory(vendor=world.vendor_b, department=world.tech, supervisor=world.users["supervisor"])
             for _ in range(15)]
    cycle_open(actor=world.users["hr"], cycle=cycle)
    for w in extra:
        complaint(w, D(2026, 11, 11))
    assert Appraisal.objects.filter(cycle=cycle).count() == 20
    assert queries() == small
    assert _values(cycle)[extra[0].pk] is None  # a complaint and no task: not applicable


@pytest.mark.django_db
def test_new_records_of_a_part_refresh_the_formula(world, cycle):
    """A new complaint for a_tech (3 delivered tasks): 1 / 3 × 100 = 33.333… → 33.3333."""
    from outperform.metrics.services import metrics_refresh, metrics_refresh_for_source

    metrics_refresh(cycle=cycle)
    a_tech = world.workers["a_tech"]
    complaint(a_tech, D(2026, 12, 12))
    [summary] = metrics_refresh_for_source("complaint", dates=[D(2026, 12, 12)], worker_ids=[a_tech.pk])
    assert summary.metrics == ["complaint_rate"] and summary.updated == 1
    assert _values(cycle)[a_tech.pk] == Decimal("33.3333")
