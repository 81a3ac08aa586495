from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from outperform.cycles.models import Appraisal, Cycle, CycleState, CycleTemplate
from outperform.indicators.snapshot import template_snapshot
from outperform.testing.templates import make_template

pytestmark = pytest.mark.django_db
PORTAL = "/compliance/portal/"


@pytest.fixture
def results(world):
    return make_results(world)


def make_results(world):
    """A published worker cycle: vendor A's 优秀 and 合格, vendor B's 良好, one unpublished result,
    and vendor A's published scorecard."""
    template = make_template()
    cycle = Cycle.objects.create(name="2026年第三季度", start_date=dt.date(2026, 7, 1), end_date=dt.date(2026, 9, 30),
                                 default_template=template, state=CycleState.PUBLISHED)
    ct = CycleTemplate.objects.create(cycle=cycle, template=template, snapshot=template_snapshot(template))
    now = timezone.now()
    rows = {}
    for key, grade in (("a_ops_cs", "优秀"), ("a_tech", "合格"), ("b_ops", "良好")):
        w = world.workers[key]
        rows[key] = Appraisal.objects.create(
            cycle=cycle, cycle_template=ct, subject_kind="worker", worker=w, vendor=w.vendor,
            department=w.department, subject_name=w.name, state="published", composite=Decimal("80.00"),
            grade_name=grade, published_at=now)
    unpublished = world.workers["a_self"]
    Appraisal.objects.create(cycle=cycle, cycle_template=ct, subject_kind="worker", worker=unpublished,
                             vendor=unpublished.vendor, department=unpublished.department,
                             subject_name=unpublished.name, state="computed", grade_name="不合格")
    rows["vendor_a"] = Appraisal.objects.create(
        cycle=cycle, cycle_template=ct, subject_kind="vendor", vendor=world.vendor_a, subject_name=world.vendor_a.name,
        state="published", composite=Decimal("78.50"), grade_name="B 良好", published_at=now)
    return rows


def test_vendor_manager_sees_only_own_vendor(world, cw, results, client_for):
    page = client_for("vendor_manager").get(PORTAL)
    assert page.status_code == 200
    html = page.content.decode()
    assert world.vendor_a.name in html and world.vendor_b.name not in html
    assert "A 整改" in html and "B 整改" not in html
    assert "78.50" in html
    assert reverse("cycles:appeal_submit", args=[results["vendor_a"].pk]) in html  # can appeal the scorecard


def test_the_portal_appeal_is_a_form_that_files_the_appeal(world, results, client_for):
    """The appeal endpoint takes POST only: the portal offers its form, not a link (a GET is 405)."""
    from outperform.cycles.models import Appeal

    vm = client_for("vendor_manager")
    url = reverse("cycles:appeal_submit", args=[results["vendor_a"].pk])
    html = vm.get(PORTAL).content.decode()
    assert f'<form method="post" action="{url}"' in html and 'name="reason"' in html
    assert f'href="{url}"' not in html
    response = vm.post(url, {"reason": "交付及时率数据有误，请复核"})
    assert response.status_code == 302
    appeal = Appeal.objects.get(appraisal=results["vendor_a"])
    assert appeal.reason == "交付及时率数据有误，请复核"
    assert "对考核结果申诉" not in vm.get(PORTAL).content.decode()  # under appeal now: no second one


def test_vendor_manager_gets_404_for_other_vendor_ids(world, cw, client_for):
    vm = client_for("vendor_manager")
    assert vm.get(f"{PORTAL}?vendor={world.vendor_b.pk}").status_code == 404
    assert vm.get(f"{PORTAL}results/?vendor={world.vendor_b.pk}").status_code == 404
    assert vm.get(f"{PORTAL}?vendor=999999").status_code == 404
    assert vm.get(f"{PORTAL}?vendor=abc").status_code == 404
    assert vm.get(f"{PORTAL}?vendor={world.vendor_a.pk}").status_code == 200


def test_hr_sees_any_vendor(world, cw, client_for):
    html = client_for("hr").get(f"{PORTAL}?vendor={world.vendor_b.pk}").content.decode()
    assert "B 整改" in html and "A 整改" not in html


@pytest.mark.parametrize("role", ["supervisor", "worker", "nobody"])
def test_roles_without_a_vendor_get_404(world, role, client_for):
    assert client_for(role).get(PORTAL).status_code == 404


def test_published_results_only_own_published(world, results, client_for):
    html = client_for("vendor_manager").get(f"{PORTAL}results/").content.decode()
    names = {k: world.workers[k].name for k in ("a_ops_cs", "a_tech", "b_ops", "a_self")}
    assert names["a_ops_cs"] in html and names["a_tech"] in html
    assert names["b_ops"] not in html  # another vendor's worker
    assert names["a_self"] not in html  # not published


def test_published_results_filter_and_export(world, results, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    vm = client_for("vendor_manager")
    html = vm.get(f"{PORTAL}results/?grade=优秀").content.decode()
    assert world.workers["a_ops_cs"].name in html and world.workers["a_tech"].name not in html
    response = vm.get(f"{PORTAL}results/?grade=合格&export=xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("考核周期", "外包人员", "综合得分", "绩效等级")
    assert [r[1] for r in rows[1:]] == [world.workers["a_tech"].name]


def test_portal_query_count_is_constant(world, cw, results, client_for, django_assert_max_num_queries):
    from .conftest import issue

    vm = client_for("vendor_manager")
    vm.get(PORTAL)
    with django_assert_max_num_queries(30) as ctx:
        vm.get(PORTAL)
    few = len(ctx.captured_queries)
    for i in range(10):
        issue(world, world.vendor_a, f"多{i}")
    with django_assert_max_num_queries(few):
        vm.get(PORTAL)


def test_standing_and_its_consequences(world, client_for):
    from django.apps import apps

    band_model = apps.get_model("standings", "StandingBand")
    standing_model = apps.get_model("standings", "VendorStanding")
    band_model.objects.update_or_create(code="C", defaults={
        "name": "C 待改进", "lower_bound": Decimal("60"), "block_new_contract": True, "require_rectification": True,
        "warn_new_contract": False, "warn_new_project_assignment": False, "block_new_project_assignment": False,
        "warn_new_worker": False, "block_new_worker": False, "termination_review": False})
    standing_model.objects.create(vendor=world.vendor_a, score=Decimal("65.20"), code="C", period_label="2026Q3")
    standing_model.objects.create(vendor=world.vendor_b, score=Decimal("99.00"), code="Z", period_label="2026Q3")
    html = client_for("vendor_manager").get(PORTAL).content.decode()
    assert "C 待改进" in html and "65.20" in html
    assert "禁止新签合同" in html and "要求整改" in html
    assert "99.00" not in html
