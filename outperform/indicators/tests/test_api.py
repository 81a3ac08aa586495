"""REST API: nested templates written through the services, versions, snapshot, indicators."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from outperform.core.models import AuditLog
from outperform.indicators.models import Indicator, Template

from .helpers import WORKER_BANDS, dimension, qualitative, two_indicator_template

pytestmark = pytest.mark.django_db


def _payload(items: list[tuple[Indicator, int]], **extra):  # type: ignore[no-untyped-def]
    return {
        "code": "API-1", "name": "接口方案", "subject_kind": "worker",
        "role_weights": {"supervisor": 60, "self": 40},
        "items": [{"indicator": ind.pk, "weight": w, "order": i} for i, (ind, w) in enumerate(items)],
        "bands": [{"code": c, "name": n, "min_score": lo, "max_score": hi, "coefficient": k, "colour": col}
                  for c, n, lo, hi, k, col in WORKER_BANDS],
        "adjustments": [{"code": "ADJ", "name": "加减分", "cap": 5}],
        "vetoes": [{"code": "SAFETY", "name": "安全事故"}],
        **extra,
    }


def test_nested_read(world, api_for):
    template = Template.objects.get(code="TPL-WORKER")
    data = api_for("supervisor").get(f"/api/v1/templates/{template.pk}/").json()
    assert data["weight_total"] == "100.00"
    assert len(data["items"]) == 7 and data["items"][0]["indicator_code"] == "w_goal_achievement"
    assert {b["code"] for b in data["bands"]} == {"EXCELLENT", "GOOD", "PASS", "FAIL"}
    assert data["adjustments"][0]["cap"] == "5.00" and data["vetoes"][0]["code"] == "SAFETY"


def test_create_with_children_is_one_audited_write(world, api_for):
    a, b = qualitative("QA"), qualitative("QB")
    response = api_for("hr").post("/api/v1/templates/", _payload([(a, 70), (b, 30)]), format="json")
    assert response.status_code == 201, response.content
    template = Template.objects.get(code="API-1")
    assert response.json()["status"] == "draft" and template.items.count() == 2
    ct = ContentType.objects.get_for_model(Template)
    assert AuditLog.objects.filter(content_type=ct, object_id=str(template.pk)).count() == 1


def test_weight_sum_error_states_the_sum(world, api_for):
    a, b = qualitative("QA"), qualitative("QB")
    response = api_for("hr").post("/api/v1/templates/", _payload([(a, 50), (b, 40)]), format="json")
    assert response.status_code == 400
    assert any("指标权重合计为 90" in m for m in response.json())
    assert not Template.objects.filter(code="API-1").exists()


def test_patch_keeps_children_unless_sent(world, api_for):
    template = two_indicator_template()
    api = api_for("hr")
    response = api.patch(f"/api/v1/templates/{template.pk}/", {"name": "新名"}, format="json")
    assert response.status_code == 200 and template.items.count() == 2
    a = Indicator.objects.get(code="QA")
    response = api.patch(f"/api/v1/templates/{template.pk}/",
                         {"items": [{"indicator": a.pk, "weight": 100}]}, format="json")
    assert response.status_code == 200, response.content
    assert list(template.items.values_list("indicator__code", "weight")) == [("QA", 100)]


def test_frozen_template_refuses_updates_but_copies_as_new_version(world, api_for):
    template = two_indicator_template()
    Template.objects.filter(pk=template.pk).update(frozen=True)
    api = api_for("hr")
    response = api.patch(f"/api/v1/templates/{template.pk}/", {"name": "新名"}, format="json")
    assert response.status_code == 400 and "复制为新版本" in response.json()[0]
    response = api.post(f"/api/v1/templates/{template.pk}/new-version/")
    assert response.status_code == 201
    data = response.json()
    assert (data["code"], data["version"], data["status"], data["previous"]) == (template.code, 2, "draft",
                                                                                  template.pk)
    assert len(data["items"]) == 2 and len(data["bands"]) == 4


def test_snapshot_is_what_a_cycle_would_store(world, api_for):
    template = Template.objects.get(code="TPL-VENDOR-Q")
    data = api_for("auditor").get(f"/api/v1/templates/{template.pk}/snapshot/").json()
    assert data["template"]["code"] == "TPL-VENDOR-Q"
    assert sum(float(i["weight"]) for i in data["indicators"]) == 100
    assert data["bands"][0]["code"] == "A"


def test_copy_and_status_actions(world, api_for):
    template = two_indicator_template()
    api = api_for("hr")
    copy = api.post(f"/api/v1/templates/{template.pk}/copy/", {"code": "API-COPY"}, format="json")
    assert copy.status_code == 201 and copy.json()["version"] == 1
    assert api.post(f"/api/v1/templates/{template.pk}/copy/", {"code": "API-COPY"}, format="json").status_code == 400
    assert api.post(f"/api/v1/templates/{copy.json()['id']}/activate/").json()["status"] == "active"
    assert api.post(f"/api/v1/templates/{template.pk}/archive/").json()["status"] == "archived"


def test_filters(world, api_for):
    api = api_for("hr")
    vendor = api.get("/api/v1/templates/", {"subject_kind": "vendor"}).json()
    assert [t["code"] for t in vendor["results"]] == ["TPL-VENDOR-Q"]
    qualitative_only = api.get("/api/v1/indicators/", {"kind": "qualitative", "page_size": 500}).json()
    assert qualitative_only["count"] > 0 and all(i["kind"] == "qualitative" for i in qualitative_only["results"])


def test_indicator_create_through_the_service(world, api_for):
    api = api_for("hr")
    payload = {"code": "api_q", "name": "接口定性", "dimension": dimension().pk, "kind": "qualitative",
               "rater_roles": ["supervisor", "peer"],
               "levels": [{"score": 60, "label": "合格", "description": "达标"},
                          {"score": 100, "label": "卓越", "description": "超出"}]}
    response = api.post("/api/v1/indicators/", payload, format="json")
    assert response.status_code == 201, response.content
    indicator = Indicator.objects.get(code="api_q")
    assert indicator.rater_roles == ["supervisor", "peer"]
    assert [lv["score"] for lv in indicator.levels] == [100, 60]  # best first


def test_indicator_formula_error_names_the_column(world, api_for):
    response = api_for("hr").post("/api/v1/indicators/", {
        "code": "api_f", "name": "公式", "dimension": dimension().pk, "kind": "quantitative",
        "rule": {"type": "formula", "expression": "min(value, 100"},
    }, format="json")
    assert response.status_code == 400
    assert "公式第 15 列" in response.json()["rule"][0]


def test_categories_are_checked(world, api_for):
    template = two_indicator_template()
    api = api_for("hr")
    response = api.patch(f"/api/v1/templates/{template.pk}/", {"position_categories": ["nope"]}, format="json")
    assert response.status_code == 400 and "nope" in str(response.json())
    response = api.patch(f"/api/v1/templates/{template.pk}/", {"position_categories": ["service"]}, format="json")
    assert response.status_code == 200 and response.json()["position_categories"] == ["service"]
