"""Metric pages and API: CRUD with audit, explorer and evaluate scoped by role, values scoped."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from outperform.metrics.models import Metric
from outperform.metrics.tests.helpers import D, metric, task
from outperform.testing.crud import CrudCase

pytestmark = pytest.mark.django_db

RATIO_FORM = {"code": "on_time_rate", "name": "交付及时率", "description": "", "source": "task", "aggregation": "ratio",
              "field": "", "percentile": "", "filters": '[{"field": "on_time", "op": "!=", "value": null}]',
              "numerator": '[{"field": "on_time", "op": "=", "value": true}]', "scale": "100", "unit": "%",
              "is_active": "on"}


class TestMetricCrud(CrudCase):
    route = "metrics:metrics"
    api = "/api/v1/metrics/"
    model = Metric
    make = staticmethod(lambda world: metric("task_count"))
    form_data = staticmethod(lambda world: dict(RATIO_FORM))
    api_data = staticmethod(lambda world: {
        "code": "on_time_rate", "name": "交付及时率", "source": "task", "aggregation": "ratio", "scale": "100",
        "filters": [{"field": "on_time", "op": "!=", "value": None}],
        "numerator": [{"field": "on_time", "op": "=", "value": True}], "levels": ["vendor", "worker"]})
    update_field = ("name", "按时交付率")


def test_form_names_bad_fields(world, client_for):
    data = {**RATIO_FORM, "filters": '[{"field": "severity", "op": ">=", "value": 2}]', "numerator": "[]"}
    r = client_for("hr").post(reverse("metrics:metrics_create"), data)
    assert r.status_code == 400
    body = r.content.decode()
    assert "severity" in body and "比率需要分子条件" in body
    r = client_for("hr").post(reverse("metrics:metrics_create"), {**RATIO_FORM, "filters": "[{"})
    assert r.status_code == 400 and not Metric.objects.exists()
    r = client_for("hr").post(reverse("metrics:metrics_create"), {**RATIO_FORM, "source": "nope"})
    assert r.status_code == 400


def test_api_validation_errors_by_field(world, api_for):
    r = api_for("hr").post("/api/v1/metrics/", {"code": "x", "name": "x", "source": "task", "aggregation": "mean",
                                                "field": "acceptance"}, format="json")
    assert r.status_code == 400 and "field" in r.json()


def test_import_definitions(world, client_for):
    from outperform.metrics.importers import MetricImporter

    importer = MetricImporter()
    from outperform.core import excel

    content = excel.write_rows(importer.sheet, [
        ["rework_p90", "返工次数P90", "task", "百分位数", "rework_count", "90", None, None, None, "次", "worker", None,
         "是", None],
        ["bad_one", "坏的", "task", "求和", "acceptance", None, "[1", None, None, None, None, None, None, None],
    ], "数据指标")
    upload = io.BytesIO(content)
    upload.name = "metrics.xlsx"
    r = client_for("hr").post(reverse("metrics:metrics_import"), {"file": upload})
    assert r.status_code == 400
    body = r.content.decode()
    assert "JSON" in body and not Metric.objects.exists()


@pytest.fixture
def data(world):
    w = world.workers
    task(w["a_ops_cs"], D(2026, 10, 5))
    task(w["a_ops_cs"], D(2026, 11, 5), on_time=False)
    task(w["a_tech"], D(2026, 11, 7))
    task(w["b_ops"], D(2026, 12, 1), on_time=False)
    task(w["b_tech"], D(2026, 12, 2), on_time=False)
    return metric("on_time_rate", aggregation="ratio", scale=Decimal(100),
                  numerator=[{"field": "on_time", "op": "=", "value": True}])


def _explore(client, m, level="", subject="", **extra):
    params = {"metric": m.pk, "level": level, "subject": subject, "start": "2026-10-01", "end": "2026-12-31", **extra}
    return client.get(reverse("metrics:explore"), params)


def test_explorer_values_and_records(world, data, client_for):
    r = _explore(client_for("hr"), data, "vendor", world.vendor_a.pk)
    assert r.status_code == 200
    body = r.content.decode()
    # vendor A: 2 of 3 on time → 66.6667 %; three records listed
    assert "66.6667" in body and body.count("<tr>") >= 3
    assert "分子" in body
    export = _explore(client_for("hr"), data, "vendor", world.vendor_a.pk, export="xlsx")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 4
    empty = client_for("hr").get(reverse("metrics:explore"), {"metric": data.pk, "level": "vendor",
                                                              "subject": world.vendor_a.pk, "start": "2027-01-01",
                                                              "end": "2027-03-31"})
    assert "不适用" in empty.content.decode()


@pytest.mark.parametrize(("role", "vendor_b_status", "overall"), [
    ("hr", 200, "40"),  # all five: 2 on time → 40 %
    ("auditor", 200, "40"),
    ("vendor_manager", 404, "66.6667"),  # vendor A's records only: 2 of 3
    ("worker", 404, None),  # a_self has no records → not applicable
])
def test_explorer_and_api_are_scoped(world, data, client_for, api_for, role, vendor_b_status, overall):
    web, api = client_for(role), api_for(role)
    assert _explore(web, data, "vendor", world.vendor_b.pk).status_code == vendor_b_status
    r = api.get(f"/api/v1/metrics/{data.pk}/evaluate/", {"level": "vendor", "subject": world.vendor_b.pk,
                                                         "start": "2026-10-01", "end": "2026-12-31"})
    assert r.status_code == vendor_b_status
    r = api.get(f"/api/v1/metrics/{data.pk}/evaluate/", {"start": "2026-10-01", "end": "2026-12-31"})
    assert r.status_code == 200
    value = r.json()["value"]
    assert (value if value is None else Decimal(value)) == (overall if overall is None else Decimal(overall))


def test_supervisor_sees_only_department_records(world, data, api_for):
    # OPS subtree: a_ops_cs (1 of 2 on time) and b_ops (0 of 1) → 1 / 3 = 33.3333
    r = api_for("supervisor").get(f"/api/v1/metrics/{data.pk}/evaluate/",
                                  {"level": "department", "subject": world.ops.pk, "cycle": "",
                                   "start": "2026-10-01", "end": "2026-12-31"})
    assert r.status_code == 200 and r.json()["value"] == "33.3333"
    assert (r.json()["numerator"], r.json()["denominator"]) == (1, 3)
    assert api_for("supervisor").get(f"/api/v1/metrics/{data.pk}/evaluate/", {
        "level": "worker", "subject": world.workers["b_tech"].pk, "start": "2026-10-01",
        "end": "2026-12-31"}).status_code == 404


def test_metric_values_api_is_scoped(world, api_for):
    import datetime as dt

    from outperform.cycles.models import Appraisal, Cycle, MetricValue
    from outperform.cycles.services import cycle_open
    from outperform.testing.templates import make_template
    from outperform.workers.models import Worker

    Worker.objects.update(supervisor=world.users["supervisor"])
    c = Cycle.objects.create(name="Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                             default_template=make_template(), peer_count=0)
    cycle_open(actor=world.users["hr"], cycle=c)
    for a in Appraisal.objects.filter(cycle=c):
        MetricValue.objects.create(appraisal=a, cycle=c, metric="m", value=1, source="metric")
    seen = {r["appraisal"] for r in api_for("vendor_manager").get("/api/v1/metric-values/?page_size=100").json()[
        "results"]}
    assert seen == set(Appraisal.objects.filter(cycle=c, vendor=world.vendor_a).values_list("id", flat=True))
    assert len(api_for("hr").get("/api/v1/metric-values/?page_size=100").json()["results"]) == 5
    mine = api_for("worker").get("/api/v1/metric-values/").json()["results"]
    assert [r["appraisal"] for r in mine] == [Appraisal.objects.get(cycle=c, worker=world.workers["a_self"]).pk]


def test_refresh_page_is_hr_only_and_runs_the_job(world, client_for):
    import datetime as dt

    from outperform.cycles.models import Cycle
    from outperform.cycles.services import cycle_open
    from outperform.testing.templates import make_template
    from outperform.workers.models import Worker

    Worker.objects.update(supervisor=world.users["supervisor"])
    metric("tasks_done")
    template = make_template(code="T-R", indicators=[
        {"code": "QN", "weight": 50, "kind": "quantitative", "metric": "tasks_done",
         "rule": {"type": "linear", "floor": "0", "target": "10"}},
        {"code": "QL", "weight": 50, "rater_roles": ["self", "supervisor"]}])
    c = Cycle.objects.create(name="Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                             default_template=template, peer_count=0)
    cycle_open(actor=world.users["hr"], cycle=c)
    task(world.workers["a_ops_cs"], D(2026, 10, 5))
    for role in ("vendor_manager", "auditor", "supervisor"):
        assert client_for(role).post(reverse("metrics:refresh"), {"cycle": c.pk}).status_code == 403
    r = client_for("hr").post(reverse("metrics:refresh"), {"cycle": c.pk})
    assert r.status_code == 302
    from django.test import TestCase  # noqa: F401 - the job runs inline after commit (eager Celery)

    assert "/cycles/jobs/" in r["Location"]


def test_list_query_count_is_constant(world, client_for, django_assert_max_num_queries):
    for i in range(3):
        metric(f"m{i}")
    hr = client_for("hr")
    hr.get(reverse("metrics:metrics_list"))
    with django_assert_max_num_queries(12):
        hr.get(reverse("metrics:metrics_list"))
    for i in range(3, 30):
        metric(f"m{i}")
    with django_assert_max_num_queries(12):
        hr.get(reverse("metrics:metrics_list"))

