"""Named subjects through the cycle form (searchable picker) and the API."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.cycles.models import Cycle, Team
from outperform.testing.factories import WorkerFactory
from outperform.testing.templates import make_template

from .helpers_web import has_inline_script

pytestmark = pytest.mark.django_db

FORM = {"name": "2026年第四季度", "period_type": "quarter", "start_date": "2026-10-01", "end_date": "2026-12-31",
        "subject_kind": "worker", "peer_count": 2, "appeal_window_days": 7, "seed": 7}


def test_the_form_names_subjects_with_a_picker_not_a_list_of_everyone(world, client_for, template):
    hr = client_for("hr")
    page = hr.get(reverse("cycles:cycles_create"))
    body = page.content.decode()
    assert page.status_code == 200 and not has_inline_script(body)
    # no <option> per worker: the picker asks the server
    assert world.workers["b_tech"].name not in body and world.workers["b_tech"].employee_no not in body
    assert 'data-picker data-name="include_workers"' in body and reverse("cycles:subject_search") in body

    a_tech, b_ops = world.workers["a_tech"], world.workers["b_ops"]
    response = hr.post(reverse("cycles:cycles_create"), {
        **FORM, "default_template": template.pk, "departments": [world.ops.pk],
        "include_workers": [a_tech.pk], "exclude_workers": [b_ops.pk]})
    assert response.status_code == 302, response.content.decode()
    cycle = Cycle.objects.get(name=FORM["name"])
    assert list(cycle.include_workers.values_list("pk", flat=True)) == [a_tech.pk]
    assert list(cycle.exclude_workers.values_list("pk", flat=True)) == [b_ops.pk]
    scope_row = AuditLog.objects.get(object_id=str(cycle.pk), reason="scope")
    assert scope_row.changes["include_workers"] == [[], [a_tech.pk]]

    # the edit page shows the chosen as chips (name and 工号), with the hidden ids
    body = hr.get(reverse("cycles:cycles_edit", args=[cycle.pk])).content.decode()
    assert f"{a_tech.name}（{a_tech.employee_no}）" in body
    assert f'name="include_workers" value="{a_tech.pk}"' in body


def test_the_form_refuses_by_field_and_keeps_the_choice(world, client_for, template):
    hr = client_for("hr")
    a_self = world.workers["a_self"]
    response = hr.post(reverse("cycles:cycles_create"), {
        **FORM, "default_template": template.pk, "include_workers": [a_self.pk], "exclude_workers": [a_self.pk],
        "include_vendors": [world.vendor_a.pk]})
    body = response.content.decode()
    assert response.status_code == 400
    assert "同时在纳入和排除名单中" in body and "本周期的考核对象是“外包人员”" in body
    assert not Cycle.objects.exists()  # nothing half-saved
    # the vendor include picker carries the error, so it is shown although the cycle appraises
    # workers; the other pickers of other kinds stay hidden
    pickers = {field: marker for marker, field in re.findall(
        r'data-for-kind="\w+"( hidden)?>\s*<label class="form-label" for="id_(\w+)"', body)}
    assert pickers == {"include_workers": "", "exclude_workers": "", "include_vendors": "",
                       "exclude_vendors": " hidden", "include_teams": " hidden", "exclude_teams": " hidden"}
    bad = hr.post(reverse("cycles:cycles_create"), {**FORM, "default_template": template.pk,
                                                     "include_workers": ["99999999"]})
    assert bad.status_code == 400 and "ID 99999999 不存在或不在您的范围内" in bad.content.decode()


def test_subject_search_is_hr_only_scoped_and_limited(world, client_for):
    url = reverse("cycles:subject_search")
    a_tech = world.workers["a_tech"]
    body = client_for("hr").get(url, {"kind": "worker", "q": a_tech.employee_no}).content.decode()
    assert f'data-value="{a_tech.pk}"' in body and a_tech.name in body
    assert world.workers["b_tech"].name not in body
    body = client_for("hr").get(url, {"kind": "vendor", "q": "乙"}).content.decode()
    assert f'data-value="{world.vendor_b.pk}"' in body and f'data-value="{world.vendor_a.pk}"' not in body
    assert client_for("supervisor").get(url, {"kind": "worker", "q": ""}).status_code == 403
    assert client_for("hr").get(url, {"kind": "nothing"}).status_code == 404
    # 5 world workers + 20 = 25 names start with the factory's pattern: only 20 shown, and a hint
    WorkerFactory.create_batch(20, vendor=world.vendor_a, department=world.ops, position=world.position)
    body = client_for("hr").get(url, {"kind": "worker", "q": ""}).content.decode()
    assert body.count("data-picker-add") == 20 and "仅显示前 20 条" in body


def test_api_names_subjects_and_refuses_wrong_kind_or_unknown_ids(world, api_for, template):
    hr = api_for("hr")
    a_tech = world.workers["a_tech"]
    payload = {**FORM, "default_template": template.pk, "include_workers": [a_tech.pk]}
    created = hr.post("/api/v1/cycles/", payload, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["include_workers"] == [a_tech.pk] and data["exclude_workers"] == [] and data["peer_selection"] == "random"
    cid = data["id"]
    team = Team.objects.create(code="TM1", name="热线一组", department=world.ops_cs)
    wrong = hr.patch(f"/api/v1/cycles/{cid}/", {"include_teams": [team.pk]}, format="json")
    assert wrong.status_code == 400 and "本周期的考核对象是“外包人员”" in wrong.json()["include_teams"][0]
    unknown = hr.patch(f"/api/v1/cycles/{cid}/", {"exclude_workers": [99999999]}, format="json")
    assert unknown.status_code == 400 and "99999999" in unknown.json()["exclude_workers"][0]
    kept = hr.patch(f"/api/v1/cycles/{cid}/", {"exclude_workers": [world.workers["b_ops"].pk]}, format="json")
    assert kept.json()["include_workers"] == [a_tech.pk]  # a list not sent is kept
    assert kept.json()["exclude_workers"] == [world.workers["b_ops"].pk]
    # a vendor cycle cannot have peers chosen by the supervisor
    vendor_template = make_template(code="T-V", subject_kind="vendor")
    refused = hr.post("/api/v1/cycles/", {**FORM, "name": "x", "default_template": vendor_template.pk,
                                          "peer_selection": "supervisor", "subject_kind": "vendor"}, format="json")
    assert refused.status_code == 400 and "只有外包人员考核可以由上级指定互评人" in refused.json()["peer_selection"][0]


def test_cockpit_shows_the_subjects_in_scope_and_which_template_applies_to_whom(world, client_for, template):
    """departments = [OPS] → a_self, b_ops, a_ops_cs; + a_tech named = 4 subjects.
    A second active template for 管理层 positions applies to those, the default to the rest."""
    from outperform.cycles.services import cycle_scope_set

    managers = make_template(code="T-MGMT", position_categories=["management"])
    cycle = Cycle.objects.create(name="Q4", start_date="2026-10-01", end_date="2026-12-31", default_template=template)
    cycle.departments.set([world.ops])
    cycle_scope_set(actor=world.users["hr"], cycle=cycle, values={"include_workers": [world.workers["a_tech"].pk]})
    body = client_for("hr").get(reverse("cycles:cycles_detail", args=[cycle.pk])).content.decode()
    assert "开启时将考核 <strong>4</strong> 个对象" in body and "指定纳入 1，指定排除 0" in body
    cards = re.search(r'data-testid="cycle-templates">(.*?)</ul>', body, re.S)
    assert cards is not None
    assert str(template) in cards.group(1) and "默认：其余对象" in cards.group(1)
    assert str(managers) in cards.group(1) and "管理层" in cards.group(1)
    # others do not see HR's set-up numbers
    assert "开启时将考核" not in client_for("supervisor").get(reverse("cycles:cycles_detail", args=[cycle.pk])
                                                           ).content.decode()


def test_team_members_are_picked_by_search(world, client_for):
    body = client_for("hr").get(reverse("cycles:teams_create")).content.decode()
    assert 'data-picker data-name="members"' in body
    assert world.workers["b_tech"].employee_no not in body  # no option per worker


def test_cycle_list_api_reads_the_scope_lists_in_constant_queries(world, api_for, template):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from outperform.cycles.services import cycle_scope_set

    hr = api_for("hr")

    def add_cycles(n: int) -> None:
        for i in range(n):
            c = Cycle.objects.create(name=f"c{Cycle.objects.count()}-{i}", start_date="2026-10-01",
                                     end_date="2026-12-31", default_template=template)
            cycle_scope_set(actor=world.users["hr"], cycle=c, values={
                "departments": [world.ops.pk], "include_workers": [world.workers["a_tech"].pk],
                "exclude_workers": [world.workers["b_ops"].pk]})

    def count() -> int:
        hr.get("/api/v1/cycles/")
        with CaptureQueriesContext(connection) as ctx:
            response = hr.get("/api/v1/cycles/", {"page_size": 100})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add_cycles(2)
    small = count()
    add_cycles(6)
    assert count() == small


def test_subjects_pasted_from_excel(world, client_for, template):
    """A column copied from Excel (header row, 工号 then 姓名 in the next column): the 工号 are
    added to the picked ones; an unknown 工号 is refused with its line number."""
    hr = client_for("hr")
    a_tech, b_tech, b_ops = world.workers["a_tech"], world.workers["b_tech"], world.workers["b_ops"]
    pasted = f"工号\t姓名\n{a_tech.employee_no}\t{a_tech.name}\n\n{b_tech.employee_no}\t{b_tech.name}\n"
    bad = hr.post(reverse("cycles:cycles_create"), {
        **FORM, "default_template": template.pk, "include_codes": pasted, "exclude_codes": "W-NOPE"})
    assert bad.status_code == 400 and "第 1 行：“W-NOPE”不存在或不在您的范围内" in bad.content.decode()
    ok = hr.post(reverse("cycles:cycles_create"), {
        **FORM, "default_template": template.pk, "include_workers": [a_tech.pk], "include_codes": pasted,
        "exclude_codes": b_ops.employee_no})
    assert ok.status_code == 302, ok.content.decode()
    cycle = Cycle.objects.get(name=FORM["name"])
    assert set(cycle.include_workers.values_list("pk", flat=True)) == {a_tech.pk, b_tech.pk}
    assert list(cycle.exclude_workers.values_list("pk", flat=True)) == [b_ops.pk]
