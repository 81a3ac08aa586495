"""Formula metrics through the pages, the API and Excel: defined without code, explored with their
parts, scoped to what the viewer may see."""

import io

import pytest
from django.urls import reverse

from outperform.metrics.models import Metric
from outperform.metrics.tests.helpers import D, complaint, formula, metric, task

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-10-01", "end": "2026-12-31"}


@pytest.fixture
def rate(world):
    """Q4 2026. Vendor A: a_ops_cs 4 delivered tasks, 1 complaint. Vendor B: b_ops 1 delivered task,
    3 complaints.  complaints / delivered × 100:
    vendor A 1 / 4 → 25;  everything (HR) 4 / 5 → 80;  a_self (no records) → not applicable."""
    w = world.workers
    for day in (1, 2, 3, 4):
        task(w["a_ops_cs"], D(2026, 10, day))
    task(w["b_ops"], D(2026, 10, 5))
    complaint(w["a_ops_cs"], D(2026, 11, 1))
    for day in (2, 3, 4):
        complaint(w["b_ops"], D(2026, 11, day))
    metric("complaints", source="complaint", empty_as_zero=True)
    metric("delivered", filters=[{"field": "delivered_date", "op": "!=", "value": None}])
    return formula("rate", "complaints / delivered * 100", unit="%")


FORM = {"code": "per_hundred", "name": "每百任务投诉", "description": "", "source": "", "aggregation": "formula",
        "expression": "complaints / delivered * 100", "field": "", "percentile": "", "filters": "", "numerator": "",
        "scale": "1", "unit": "件/百任务", "is_active": "on"}


def test_defined_in_the_form_and_refused_with_the_field_named(world, rate, client_for):
    hr = client_for("hr")
    r = hr.post(reverse("metrics:metrics_create"), FORM)
    assert r.status_code == 302
    saved = Metric.objects.get(code="per_hundred")
    assert (saved.aggregation, saved.expression, saved.source) == ("formula", "complaints / delivered * 100", "")
    assert "complaints / delivered * 100" in hr.get(reverse("metrics:metrics_detail", args=[saved.pk])).content.decode()
    bad = hr.post(reverse("metrics:metrics_create"), {**FORM, "code": "bad", "expression": "complaints / nope"})
    body = bad.content.decode()
    assert bad.status_code == 400 and "没有这些数据指标：nope" in body and "Unknown metric codes: nope" in body
    assert not Metric.objects.filter(code="bad").exists()


def test_defined_through_the_api(world, rate, api_for):
    api = api_for("hr")
    r = api.post("/api/v1/metrics/", {"code": "per_task", "name": "每任务投诉", "aggregation": "formula",
                                      "expression": "complaints / delivered"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["expression"] == "complaints / delivered" and r.json()["source"] == ""
    r = api.post("/api/v1/metrics/", {"code": "loop", "name": "x", "aggregation": "formula",
                                      "expression": "rate / 0"}, format="json")
    assert r.status_code == 400 and "除数为常数 0" in r.json()["expression"][0]
    assert api_for("vendor_manager").post("/api/v1/metrics/", {"code": "vm", "name": "x", "aggregation": "formula",
                                                               "expression": "rate"}, format="json").status_code == 403


def test_a_part_in_use_cannot_be_deleted(world, rate, client_for, api_for):
    part = Metric.objects.get(code="complaints")
    assert api_for("hr").delete(f"/api/v1/metrics/{part.pk}/").status_code == 409
    r = client_for("hr").post(reverse("metrics:metrics_delete", args=[part.pk]))
    assert r.status_code == 302 and Metric.objects.filter(pk=part.pk).exists()


def test_explorer_shows_each_part_with_a_link_to_its_records(world, rate, client_for):
    va = world.vendor_a.pk
    r = client_for("hr").get(reverse("metrics:explore"), {"metric": rate.pk, "level": "vendor", "subject": va,
                                                          **PERIOD})
    assert r.status_code == 200
    parts = {p["code"]: p for p in r.context["parts"]}
    assert (parts["complaints"]["value_text"], parts["delivered"]["value_text"]) == ("1", "4")
    assert r.context["value_text"] == "25"
    link = parts["delivered"]["url"]
    delivered = Metric.objects.get(code="delivered")
    assert f"metric={delivered.pk}" in link and f"subject={va}" in link and "start=2026-10-01" in link
    records = client_for("hr").get(link)
    assert records.status_code == 200 and records.context["page"].paginator.count == 4
    export = client_for("hr").get(reverse("metrics:explore"), {"metric": rate.pk, "level": "vendor", "subject": va,
                                                               "export": "xlsx", **PERIOD})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows] == ["指标编码", "rate", "complaints", "delivered"]


@pytest.mark.parametrize(("role", "value"), [
    ("hr", "80.0000"),  # 4 complaints / 5 delivered
    ("vendor_manager", "25.0000"),  # vendor A's records only: 1 / 4
    ("worker", None),  # a_self: no delivered task → not applicable
])
def test_parts_count_only_the_records_the_viewer_may_see(world, rate, api_for, role, value):
    r = api_for(role).get(f"/api/v1/metrics/{rate.pk}/evaluate/", PERIOD)
    assert r.status_code == 200
    assert r.json()["value"] == value


def test_api_evaluate_lists_the_parts(world, rate, api_for):
    r = api_for("hr").get(f"/api/v1/metrics/{rate.pk}/evaluate/",
                          {"level": "vendor", "subject": world.vendor_b.pk, **PERIOD})
    # vendor B: 3 complaints / 1 delivered × 100 = 300
    assert r.json()["value"] == "300.0000"
    assert [(p["metric"], p["value"]) for p in r.json()["parts"]] == [("complaints", "3.0000"),
                                                                      ("delivered", "1.0000")]
    assert api_for("vendor_manager").get(f"/api/v1/metrics/{rate.pk}/evaluate/", {
        "level": "vendor", "subject": world.vendor_b.pk, **PERIOD}).status_code == 404


def _import(world, rows):
    from outperform.core import excel
    from outperform.metrics.importers import MetricImporter

    importer = MetricImporter()
    upload = io.BytesIO(excel.write_rows(importer.sheet, rows, "数据指标"))
    return importer.run(upload, "metrics.xlsx", actor=world.users["hr"], dry_run=False)


def _row(code, source, aggregation, expression=None):
    return [code, code, source, aggregation, None, None, None, None, None, None, None, None, "是", None, expression]


def test_import_a_formula_naming_a_metric_further_down_the_file(world):
    result = _import(world, [_row("per_task", None, "公式（基于其他数据指标）", "complaints_x / tasks_x"),
                             _row("complaints_x", "complaint", "计数"), _row("tasks_x", "task", "计数")])
    assert result.committed, (result.errors, result.header_errors)
    assert Metric.objects.get(code="per_task").expression == "complaints_x / tasks_x"


def test_import_refuses_a_formula_naming_nothing_known(world):
    result = _import(world, [_row("per_task", None, "公式（基于其他数据指标）", "complaints_x / nope"),
                             _row("complaints_x", "complaint", "计数")])
    assert not result.committed and not Metric.objects.exists()
    assert any("per_task" in e and "nope" in e for e in result.header_errors)
    bad_syntax = _import(world, [_row("broken", None, "公式（基于其他数据指标）", "complaints_x /")])
    assert [e.column_key for e in bad_syntax.errors] == ["expression"]
