"""考核方案适用规则 through the page, the cockpit and the API; role × scope.

The world: OPS holds a_self, b_ops; OPS-CS (under OPS) a_ops_cs; TECH a_tech, b_tech; all P-CS (服务人员)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.cycles.models import CycleTemplateRule
from outperform.cycles.services import cycle_open
from outperform.cycles.services.overrides import cycle_template_rules_set
from outperform.testing.templates import make_template

from .helpers_web import has_inline_script

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_t(db):
    return make_template(code="T-OPS")


def _url(cycle) -> str:
    return reverse("cycles:cycle_template_rules", args=[cycle.pk])


def test_page_saves_the_rules_and_the_cockpit_counts_them(world, client_for, cycle, ops_t):
    """Department OPS → T-OPS (a_self, b_ops, a_ops_cs), b_tech named → T-OPS too: 4 of 5.
    The default T-TEST keeps a_tech: 1."""
    hr = client_for("hr")
    page = hr.get(_url(cycle))
    body = page.content.decode()
    assert page.status_code == 200 and not has_inline_script(body)
    assert f'data-picker data-name="t{ops_t.pk}-subjects"' in body
    assert world.workers["b_tech"].employee_no not in body  # named subjects by search, no list of everyone
    before = AuditLog.objects.count()
    saved = hr.post(_url(cycle), {f"t{ops_t.pk}-departments": [world.ops.pk],
                                  f"t{ops_t.pk}-subjects": [world.workers["b_tech"].pk]})
    assert saved.status_code == 302 and saved["Location"] == reverse("cycles:cycles_detail", args=[cycle.pk])
    assert AuditLog.objects.count() == before + 1
    assert CycleTemplateRule.objects.filter(cycle=cycle).count() == 2
    cockpit = hr.get(reverse("cycles:cycles_detail", args=[cycle.pk])).content.decode()
    card = re.search(r'data-testid="cycle-templates">(.*?)</ul>', cockpit, re.S)
    assert card is not None
    items = dict(re.findall(r"测试方案 (T-\w+) v1</a>.*?预计 (\d+) 人", card.group(1), re.S))
    assert items == {"T-TEST": "1", "T-OPS": "4"}
    assert "本周期规则" in card.group(1) and "指定对象 1" in card.group(1)
    assert _url(cycle) in cockpit
    # the page shows what is saved
    again = hr.get(_url(cycle)).content.decode()
    assert world.workers["b_tech"].name in again


def test_page_refusals_name_what_is_wrong(world, client_for, cycle, ops_t):
    other = make_template(code="T-OTHER")
    cycle.departments.set([world.ops])  # a_tech is outside the scope
    refused = client_for("hr").post(_url(cycle), {
        f"t{ops_t.pk}-subjects": [world.workers["a_self"].pk, world.workers["a_tech"].pk],
        f"t{other.pk}-subjects": [world.workers["a_self"].pk]})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert f"{world.workers['a_self'].name}（{world.workers['a_self'].employee_no}） 被指定了两次" in body
    assert "不在本周期的考核范围内" in body and world.workers["a_tech"].name in body
    assert not CycleTemplateRule.objects.exists()


def test_page_is_draft_only_and_hr_only(world, client_for, cycle, ops_t):
    for role in ("supervisor", "vendor_manager", "worker", "auditor"):
        assert client_for(role).get(_url(cycle)).status_code == 403, role
        assert client_for(role).post(_url(cycle), {}).status_code == 403, role
    assert client_for("system_admin").get(_url(cycle)).status_code == 200
    cycle_open(actor=world.users["hr"], cycle=cycle)
    hr = client_for("hr")
    moved = hr.get(_url(cycle), follow=True)
    assert "适用规则不能再修改" in moved.content.decode()
    assert hr.post(_url(cycle), {f"t{ops_t.pk}-departments": [world.ops.pk]}).status_code == 302
    assert not CycleTemplateRule.objects.exists()


def test_api_get_and_put(world, api_for, cycle, ops_t):
    url = f"/api/v1/cycles/{cycle.pk}/template-rules/"
    hr = api_for("hr")
    empty = hr.get(url)
    assert empty.status_code == 200
    assert empty.json() == {"rules": [], "editable": True, "counts": [{"template": cycle.default_template_id,
                                                                         "count": 5}]}
    put = hr.put(url, {"rules": [{"template": ops_t.pk, "departments": [world.ops.pk],
                                  "subjects": [world.workers["b_tech"].pk]}]}, format="json")
    assert put.status_code == 200
    body = put.json()
    assert body["rules"] == [{"template": ops_t.pk, "subjects": [world.workers["b_tech"].pk], "positions": [],
                              "position_categories": [], "vendors": [], "vendor_categories": [],
                              "departments": [world.ops.pk]}]
    assert sorted((c["template"], c["count"]) for c in body["counts"]) == sorted(
        [(cycle.default_template_id, 1), (ops_t.pk, 4)])
    # field-named refusals
    bad = hr.put(url, {"rules": [{"template": ops_t.pk, "positions": [world.position.pk]},
                                 {"template": cycle.default_template_id, "positions": [world.position.pk]}]},
                 format="json")
    assert bad.status_code == 400 and "被指定了两次" in bad.json()["positions"][0]
    # once opened: the counts are the appraisals, and the rules are frozen
    cycle_open(actor=world.users["hr"], cycle=cycle)
    opened = hr.get(url).json()
    assert opened["editable"] is False
    assert sorted((c["template"], c["count"]) for c in opened["counts"]) == sorted(
        [(cycle.default_template_id, 1), (ops_t.pk, 4)])
    frozen = hr.put(url, {"rules": []}, format="json")
    assert frozen.status_code == 400 and "适用规则不能再修改" in frozen.json()["non_field_errors"][0]


def test_api_role_by_scope(world, api_for, cycle, ops_t):
    """Admin and HR read and write, the auditor reads; the supervisor, the vendor manager and the
    worker get 403; a user with no role does not see the cycle (404)."""
    url = f"/api/v1/cycles/{cycle.pk}/template-rules/"
    body = {"rules": [{"template": ops_t.pk, "departments": [world.tech.pk]}]}
    assert api_for("system_admin").put(url, body, format="json").status_code == 200
    assert api_for("hr").get(url).status_code == 200
    assert api_for("auditor").get(url).status_code == 200
    assert api_for("auditor").put(url, {"rules": []}, format="json").status_code == 403
    for role in ("supervisor", "vendor_manager", "worker"):
        assert api_for(role).get(url).status_code == 403, role
        assert api_for(role).put(url, {"rules": []}, format="json").status_code == 403, role
    assert api_for("nobody").get(url).status_code == 404
    assert CycleTemplateRule.objects.filter(cycle=cycle).count() == 1


def test_openapi_documents_the_endpoint(world, api_for):
    schema = api_for("hr").get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert set(paths["/api/v1/cycles/{id}/template-rules/"]) >= {"get", "put"}


def test_service_rules_reach_the_page_for_other_kinds(world, client_for):
    """A vendor cycle's page offers only what a vendor cycle can use: named vendors and vendor categories."""
    import datetime as dt

    from outperform.cycles.models import Cycle

    default = make_template(code="V-DEF", subject_kind="vendor")
    cycle = Cycle.objects.create(name="服务商 Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                 default_template=default, subject_kind="vendor")
    cycle_template_rules_set(actor=world.users["hr"], cycle=cycle,
                             rules=[{"template": default.pk, "subjects": [world.vendor_a.pk]}])
    body = client_for("hr").get(_url(cycle)).content.decode()
    assert f'name="t{default.pk}-vendor_categories"' in body
    assert f"t{default.pk}-departments" not in body and f"t{default.pk}-positions" not in body
    assert world.vendor_a.name in body  # the named vendor's chip
