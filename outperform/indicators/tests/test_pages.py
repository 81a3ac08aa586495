"""The pages: who may do what, the template editor and its messages, versions, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.indicators.models import Dimension, Indicator, Template

from .helpers import WORKER_BANDS, dimension, qualitative, two_indicator_template

pytestmark = pytest.mark.django_db

READERS = ["system_admin", "hr", "supervisor", "vendor_manager", "worker", "auditor"]
WRITERS = {"system_admin", "hr"}


def template_post(template: Template | None, items: list[tuple[Indicator, str]], **overrides: Any) -> dict[str, Any]:
    """The editor's POST: settings, role weights and every formset (rows replace what was there)."""
    data: dict[str, Any] = {
        "code": template.code if template else "WEB-1", "name": "网页方案", "subject_kind": "worker",
        "description": "", "grading": "bands", "distribution_group": "department", "min_group_size": "5",
        "adjustment_cap": "", "bonus_mode": "base", "team_mode": "own", "comment_below": "60",
        "comment_above": "95", "anonymity_min_raters": "3", "rw_supervisor": "60", "rw_self": "40",
    }
    rows = {
        "items": [{"indicator": str(ind.pk), "weight": w, "order": str(i)} for i, (ind, w) in enumerate(items)],
        "bands": [{"code": c, "name": n, "name_en": "", "min_score": lo, "max_score": hi, "coefficient": k,
                   "colour": col} for c, n, lo, hi, k, col in WORKER_BANDS],
        "quotas": [], "adjustments": [{"code": "ADJ", "name": "加减分", "cap": "5", "description": ""}],
        "vetoes": [{"code": "SAFETY", "name": "安全事故", "description": ""}],
    }
    for prefix, forms in rows.items():
        data.update({f"{prefix}-TOTAL_FORMS": str(len(forms)), f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
        for i, form in enumerate(forms):
            data.update({f"{prefix}-{i}-{k}": v for k, v in form.items()})
    data.update(overrides)
    return data


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_every_signed_in_role_reads_the_library_and_templates(world, client_for, api_for, role):
    web, api = client_for(role), api_for(role)
    template = Template.objects.get(code="TPL-WORKER")
    indicator = Indicator.objects.get(code="w_teamwork")
    for url in (reverse("indicators:indicators_list"), reverse("indicators:templates_list"),
                reverse("indicators:dimensions_list"), reverse("indicators:templates_detail", args=[template.pk]),
                reverse("indicators:indicators_detail", args=[indicator.pk])):
        assert web.get(url).status_code == 200, url
    for url in ("/api/v1/indicators/", "/api/v1/templates/", "/api/v1/dimensions/"):
        response = api.get(url)
        assert response.status_code == 200 and response.json()["count"] > 0, url
    assert api.get(f"/api/v1/templates/{template.pk}/snapshot/").status_code == 200
    body = web.get(reverse("indicators:templates_list")).content.decode()
    assert "外包人员通用考核方案" in body
    # The nav offers the section to everyone.
    assert reverse("indicators:indicators_list") in body and reverse("indicators:dimensions_list") in body


def test_a_user_without_roles_sees_nothing(world, client_for):
    template = Template.objects.get(code="TPL-WORKER")
    web = client_for("nobody")
    assert web.get(reverse("indicators:templates_detail", args=[template.pk])).status_code == 404
    assert "外包人员通用考核方案" not in web.get(reverse("indicators:templates_list")).content.decode()


# --- writing: role × write matrix ---------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_only_hr_and_admin_write_on_the_web(world, client_for, role):
    web = client_for(role)
    template = two_indicator_template()
    indicator = Indicator.objects.get(code="QA")
    allowed = role in WRITERS
    pages = [reverse("indicators:templates_create"), reverse("indicators:templates_edit", args=[template.pk]),
             reverse("indicators:indicators_create"), reverse("indicators:indicators_edit", args=[indicator.pk]),
             reverse("indicators:dimensions_create"), reverse("indicators:indicators_import"),
             reverse("indicators:templates_copy", args=[template.pk])]
    for url in pages:
        assert web.get(url).status_code == (200 if allowed else 403), url
    for name in ("templates_new_version", "templates_archive"):
        response = web.post(reverse(f"indicators:{name}", args=[template.pk]))
        assert response.status_code == (302 if allowed else 403), name
    response = web.post(reverse("indicators:templates_create"), template_post(None, [(indicator, "100")]))
    assert response.status_code == (302 if allowed else 403)
    assert Template.objects.filter(code="WEB-1").exists() == allowed
    detail = web.get(reverse("indicators:templates_detail", args=[template.pk])).content.decode()
    assert ('data-testid="new-version"' in detail) == allowed


@pytest.mark.parametrize("role", READERS)
def test_only_hr_and_admin_write_through_the_api(world, api_for, role):
    api = api_for(role)
    template = two_indicator_template()
    allowed = role in WRITERS
    indicator = Indicator.objects.get(code="QA")
    expected = {True: (201, 200, 201), False: (403, 403, 403)}[allowed]
    created = api.post("/api/v1/dimensions/", {"code": f"D-{role}", "name": "新维度"}, format="json")
    patched = api.patch(f"/api/v1/indicators/{indicator.pk}/", {"name": "改名"}, format="json")
    versioned = api.post(f"/api/v1/templates/{template.pk}/new-version/")
    assert (created.status_code, patched.status_code, versioned.status_code) == expected
    assert api.post(f"/api/v1/templates/{template.pk}/activate/").status_code == (200 if allowed else 403)
    assert api.delete(f"/api/v1/templates/{template.pk}/").status_code in ({409, 204} if allowed else {403})


# --- the template editor ------------------------------------------------------------------------------


def test_create_a_template_on_the_web(world, client_for):
    a, b = qualitative("QA"), qualitative("QB")
    response = client_for("hr").post(reverse("indicators:templates_create"),
                                     template_post(None, [(a, "70"), (b, "30")]))
    assert response.status_code == 302, response.content.decode()[:3000]
    template = Template.objects.get(code="WEB-1")
    assert template.status == "draft" and template.role_weights == {"supervisor": "60", "self": "40"}
    assert sorted(template.items.values_list("weight", flat=True)) == [30, 70]
    assert template.bands.count() == 4 and template.adjustments.count() == 1 and template.vetoes.count() == 1


def test_the_weight_sum_message_is_shown_prominently_with_the_sum(world, client_for):
    template = two_indicator_template()
    a, b = Indicator.objects.get(code="QA"), Indicator.objects.get(code="QB")
    response = client_for("hr").post(reverse("indicators:templates_edit", args=[template.pk]),
                                     template_post(template, [(a, "50"), (b, "40")]))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="weight-problem"' in body
    assert "指标权重合计为 90，必须正好等于 100" in body
    assert 'data-testid="form-weight-total">90<' in body
    assert sorted(template.items.values_list("weight", flat=True)) == [40, 60]  # unchanged


def test_row_errors_are_shown_on_their_row(world, client_for):
    template = two_indicator_template()
    a = Indicator.objects.get(code="QA")
    data = template_post(template, [(a, "100")])
    data["bands-0-max_score"] = "80"  # 优秀 from 90 to 80
    response = client_for("hr").post(reverse("indicators:templates_edit", args=[template.pk]), data)
    assert response.status_code == 400
    assert "最高分须大于最低分" in response.content.decode()


def test_the_detail_page_groups_indicators_by_dimension_with_the_sum(world, client_for):
    template = Template.objects.get(code="TPL-VENDOR-Q")
    body = client_for("hr").get(reverse("indicators:templates_detail", args=[template.pk])).content.decode()
    for name in ("交付时间", "工作质量", "成本效益", "沟通协作", "创新能力", "合规与风险", "服务水平(SLA)"):
        assert name in body
    assert 'data-testid="weight-total">权重合计 100 / 100<' in body
    assert "#198754" in body  # band colour
    assert 'data-testid="versions"' in body


def test_a_frozen_template_sends_editors_to_copy_as_new_version(world, client_for):
    template = two_indicator_template()
    Template.objects.filter(pk=template.pk).update(frozen=True)
    web = client_for("hr")
    response = web.get(reverse("indicators:templates_edit", args=[template.pk]), follow=True)
    assert "复制为新版本" in response.content.decode()
    a, b = Indicator.objects.get(code="QA"), Indicator.objects.get(code="QB")
    response = web.post(reverse("indicators:templates_edit", args=[template.pk]),
                        template_post(template, [(a, "70"), (b, "30")]))
    assert response.status_code == 400 and "复制为新版本" in response.content.decode()
    response = web.post(reverse("indicators:templates_new_version", args=[template.pk]))
    copy = Template.objects.get(code=template.code, version=2)
    assert response.status_code == 302 and response["Location"] == reverse("indicators:templates_edit",
                                                                           args=[copy.pk])
    assert web.get(response["Location"]).status_code == 200


def test_activate_and_archive_buttons(world, client_for):
    template = two_indicator_template()
    Template.objects.filter(pk=template.pk).update(status="draft")
    web = client_for("hr")
    web.post(reverse("indicators:templates_activate", args=[template.pk]))
    template.refresh_from_db()
    assert template.status == "active"
    web.post(reverse("indicators:templates_archive", args=[template.pk]))
    template.refresh_from_db()
    assert template.status == "archived"


def test_copy_page(world, client_for):
    template = two_indicator_template()
    response = client_for("hr").post(reverse("indicators:templates_copy", args=[template.pk]),
                                     {"code": "T-OTHER", "name": ""})
    assert response.status_code == 302
    assert Template.objects.get(code="T-OTHER").items.count() == 2
    response = client_for("hr").post(reverse("indicators:templates_copy", args=[template.pk]), {"code": "T-OTHER"})
    assert response.status_code == 400 and "已存在" in response.content.decode()


# --- the indicator editor ----------------------------------------------------------------------------


def _indicator_post(**overrides: Any) -> dict[str, Any]:
    data = {"code": "web_ind", "name": "网页指标", "name_en": "", "dimension": str(dimension().pk),
            "kind": "quantitative", "subject_kind": "worker", "unit": "%", "direction": "higher", "metric": "",
            "description": "", "is_active": "on", "rule_type": "linear", "linear_floor": "80",
            "linear_target": "100"}
    data.update(overrides)
    return data


def test_create_indicators_with_each_rule_type(world, client_for):
    web = client_for("hr")
    cases = {
        "linear": {}, "bands": {"bands_text": ", 90, 40\n90, 98, 80\n98, , 100"},
        "deduction": {"deduction_per_event": "10", "deduction_start": "100", "deduction_minimum": "0"},
        "formula": {"formula_expression": "value / tasks_assigned * 100"},
    }
    for kind, fields in cases.items():
        response = web.post(reverse("indicators:indicators_create"),
                            _indicator_post(code=f"web_{kind}", rule_type=kind, **fields))
        assert response.status_code == 302, (kind, response.content.decode()[:2000])
        assert Indicator.objects.get(code=f"web_{kind}").rule["type"] == kind
    bands = Indicator.objects.get(code="web_bands").rule["bands"]
    assert bands[0] == {"lower": None, "upper": "90", "score": "40"}


def test_a_qualitative_indicator_with_roles_and_anchors(world, client_for):
    data = _indicator_post(kind="qualitative", rule_type="", rater_roles=["self", "supervisor", "peer"],
                           level_0_score="100", level_0_label="卓越", level_0_description="总是超出预期",
                           level_1_score="60", level_1_label="合格", level_1_description="达到要求")
    response = client_for("hr").post(reverse("indicators:indicators_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator = Indicator.objects.get(code="web_ind")
    assert indicator.rule is None and indicator.rater_roles == ["self", "supervisor", "peer"]
    assert [lv["label"] for lv in indicator.levels] == ["卓越", "合格"]
    body = client_for("worker").get(reverse("indicators:indicators_detail", args=[indicator.pk])).content.decode()
    assert "总是超出预期" in body


def test_the_formula_error_points_at_the_column(world, client_for):
    response = client_for("hr").post(reverse("indicators:indicators_create"),
                                     _indicator_post(rule_type="formula", formula_expression="value +* 3"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "公式第 8 列" in body
    assert 'data-testid="formula-pointer">value +* 3\n       ^</pre>' in body


def test_a_linear_rule_against_the_direction_is_refused(world, client_for):
    response = client_for("hr").post(reverse("indicators:indicators_create"), _indicator_post(direction="lower"))
    assert response.status_code == 400
    assert "方向" in response.content.decode()


# --- query counts ---------------------------------------------------------------------------------------


def _count(client: Any, url: str, params: dict[str, Any]) -> int:
    client.get(url, params)  # warm-up: content types, the forced API user's scope
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(n: int) -> None:
    dim = Dimension.objects.create(code=f"G{Dimension.objects.count()}", name="增长维度")
    base = Indicator.objects.count()
    for i in range(n):
        indicator = Indicator.objects.create(code=f"grow_{base + i}", name=f"指标{i}", dimension=dim,
                                             kind="qualitative", rater_roles=["supervisor"])
        template = two_indicator_template(code=f"G-{base + i}")
        template.items.create(indicator=indicator, weight=0, order=3)


@pytest.mark.parametrize(("page", "api"), [
    ("indicators:indicators_list", "/api/v1/indicators/"),
    ("indicators:templates_list", "/api/v1/templates/"),
    ("indicators:dimensions_list", "/api/v1/dimensions/"),
])
def test_list_query_count_is_the_same_for_10_and_50_rows(world, client_for, api_for, page, api):
    web, rest = client_for("hr"), api_for("hr")
    _grow(10)
    small = (_count(web, reverse(page), {"per_page": 200}), _count(rest, api, {"page_size": 200}))
    _grow(40)
    assert (_count(web, reverse(page), {"per_page": 200}), _count(rest, api, {"page_size": 200})) == small


def test_indicator_export_query_count_is_constant(world, client_for):
    web = client_for("hr")
    _grow(10)
    small = _count(web, reverse("indicators:indicators_list"), {"export": "xlsx"})
    _grow(40)
    assert _count(web, reverse("indicators:indicators_list"), {"export": "xlsx"}) == small


def test_the_api_schema_is_generated(world, client_for):
    response = client_for("hr").get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/v1/templates/{id}/preview/", "/api/v1/templates/{id}/new-version/",
                 "/api/v1/templates/{id}/snapshot/", "/api/v1/indicators/", "/api/v1/dimensions/"):
        assert path in body


def test_dimension_page_lists_its_indicators(world, client_for):
    dim = Dimension.objects.get(code="SLA")
    body = client_for("auditor").get(reverse("indicators:dimensions_detail", args=[dim.pk])).content.decode()
    assert "v_sla_rate" in body and "v_resolution_rate" in body
