"""考核方案适用规则 / 例外: per-cycle template rules — precedence, validation, draft only, audit, opening.

The world (outperform/testing/world.py), with one change: a_tech holds position P-DEV (技术人员).

    worker     department          vendor (category)   position (category)
    a_self     OPS                 A (劳务外包)         P-CS (服务人员)
    a_ops_cs   OPS-CS (under OPS)  A                   P-CS
    b_ops      OPS                 B (劳务外包)         P-CS
    a_tech     TECH                A                   P-DEV (技术人员)
    b_tech     TECH                B                   P-CS

Precedence: named subject > position > position category > vendor > vendor category > department
(nearest up the tree) > the templates' own 适用类别 > the cycle's default.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from outperform.core.models import AuditLog
from outperform.cycles.models import Appraisal, Cycle, CycleState, CycleTemplate, CycleTemplateRule, Team
from outperform.cycles.scope import template_counts
from outperform.cycles.selectors import template_rules_get
from outperform.cycles.services import cycle_open, cycle_scope_set
from outperform.cycles.services.overrides import cycle_template_rules_set
from outperform.org.models import PositionCategory
from outperform.testing.factories import DepartmentFactory, PositionFactory, VendorFactory, WorkerFactory
from outperform.testing.templates import make_template
from outperform.vendors.models import VendorCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dev(world):
    position = PositionFactory(code="P-DEV", name="开发工程师", category=PositionCategory.TECHNICAL)
    world.workers["a_tech"].position = position
    world.workers["a_tech"].save()
    return position


@pytest.fixture
def t(db):
    """The templates of the tests, by short name; OWN names 技术人员 as its own 适用类别."""
    return {
        "OWN": make_template(code="T-OWN", position_categories=[PositionCategory.TECHNICAL]),
        "NAMED": make_template(code="T-NAMED"),
        "POS": make_template(code="T-POS"),
        "PCAT": make_template(code="T-PCAT"),
        "VEND": make_template(code="T-VEND"),
        "VCAT": make_template(code="T-VCAT"),
        "DEPT": make_template(code="T-DEPT"),
    }


def _given(world, cycle: Cycle) -> dict[str, str]:
    """worker key -> code of the template their appraisal got."""
    names = {w.name: k for k, w in world.workers.items()}
    return {names[name]: code for name, code in Appraisal.objects.filter(cycle=cycle).values_list(
        "subject_name", "cycle_template__template__code")}


def _counts(cycle: Cycle) -> dict[str, int]:
    from outperform.indicators.models import Template

    codes = dict(Template.objects.values_list("pk", "code"))
    return {codes[pk]: n for pk, n in template_counts(cycle).items()}


def test_precedence_named_then_vendor_then_department_then_own_categories(world, cycle, dev, t):
    """Rules: a_self named → NAMED; vendor B → VEND; department OPS → DEPT.
    a_self: named (beats its department OPS) → NAMED
    a_ops_cs: OPS-CS is under OPS → DEPT
    b_ops: vendor B beats department OPS → VEND;  b_tech: vendor B → VEND
    a_tech: no rule; T-OWN's own 适用类别 技术人员 → OWN."""
    hr = world.users["hr"]
    w = world.workers
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=[
        {"template": t["NAMED"].pk, "subjects": [w["a_self"].pk]},
        {"template": t["VEND"].pk, "vendors": [world.vendor_b.pk]},
        {"template": t["DEPT"].pk, "departments": [world.ops.pk]},
    ])
    expected = {"a_self": "T-NAMED", "a_ops_cs": "T-DEPT", "b_ops": "T-VEND", "b_tech": "T-VEND", "a_tech": "T-OWN"}
    # The cockpit's preview in 草稿 says the same as opening does.
    assert _counts(cycle) == {"T-NAMED": 1, "T-DEPT": 1, "T-VEND": 2, "T-OWN": 1}
    cycle_open(actor=hr, cycle=cycle)
    assert _given(world, cycle) == expected
    # Each template used is frozen once (the default T-TEST is snapshotted even though nobody got it).
    codes = sorted(CycleTemplate.objects.filter(cycle=cycle).values_list("template__code", flat=True))
    assert codes == ["T-DEPT", "T-NAMED", "T-OWN", "T-TEST", "T-VEND"]


def test_precedence_position_then_position_category_then_vendor_category(world, cycle, dev, t):
    """Rules: position P-DEV → POS; position category 服务人员 → PCAT; vendor category 劳务外包 (A and B)
    → VCAT; vendor B → VEND.
    a_tech (P-DEV): position beats T-OWN's own category and the vendor category → POS
    a_self, a_ops_cs, b_ops, b_tech (P-CS, 服务人员): position category beats vendor B and 劳务外包 → PCAT
    Then without the position-category rule: b_ops, b_tech → VEND (vendor beats vendor category);
    a_self, a_ops_cs → VCAT."""
    hr = world.users["hr"]
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=[
        {"template": t["POS"].pk, "positions": [dev.pk]},
        {"template": t["PCAT"].pk, "position_categories": [PositionCategory.SERVICE]},
        {"template": t["VCAT"].pk, "vendor_categories": [VendorCategory.LABOUR]},
        {"template": t["VEND"].pk, "vendors": [world.vendor_b.pk]},
    ])
    assert _counts(cycle) == {"T-POS": 1, "T-PCAT": 4}
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=[
        {"template": t["POS"].pk, "positions": [dev.pk]},
        {"template": t["VCAT"].pk, "vendor_categories": [VendorCategory.LABOUR]},
        {"template": t["VEND"].pk, "vendors": [world.vendor_b.pk]},
    ])
    assert _counts(cycle) == {"T-POS": 1, "T-VEND": 2, "T-VCAT": 2}
    cycle_open(actor=hr, cycle=cycle)
    assert _given(world, cycle) == {"a_tech": "T-POS", "b_ops": "T-VEND", "b_tech": "T-VEND", "a_self": "T-VCAT",
                                    "a_ops_cs": "T-VCAT"}


def test_the_nearest_department_wins_and_the_rest_keep_the_default(world, cycle, t):
    """Rules: OPS → DEPT, OPS-CS → NAMED (used here as a second department template).
    a_ops_cs (OPS-CS): its own department is nearer than OPS → NAMED; a_self, b_ops (OPS) → DEPT;
    a_tech, b_tech (TECH, no rule, no own category) → the default T-TEST."""
    cycle_template_rules_set(actor=world.users["hr"], cycle=cycle, rules=[
        {"template": t["DEPT"].pk, "departments": [world.ops.pk]},
        {"template": t["NAMED"].pk, "departments": [world.ops_cs.pk]},
    ])
    assert _counts(cycle) == {"T-NAMED": 1, "T-DEPT": 2, "T-TEST": 2}
    cycle_open(actor=world.users["hr"], cycle=cycle)
    assert _given(world, cycle) == {"a_ops_cs": "T-NAMED", "a_self": "T-DEPT", "b_ops": "T-DEPT",
                                    "a_tech": "T-TEST", "b_tech": "T-TEST"}


def test_vendor_cycle_rules(world):
    """A vendor cycle: A and B are 劳务外包, C is IT外包. Rules: 劳务外包 → V-CAT; B named → V-NAMED.
    A → V-CAT, B → V-NAMED (named beats its category), C → the default V-DEF."""
    hr = world.users["hr"]
    default = make_template(code="V-DEF", subject_kind="vendor")
    by_cat = make_template(code="V-CAT", subject_kind="vendor")
    named = make_template(code="V-NAMED", subject_kind="vendor")
    VendorFactory(name="丙服务商", category=VendorCategory.IT)
    cycle = Cycle.objects.create(name="服务商 Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                 default_template=default, subject_kind="vendor")
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=[
        {"template": by_cat.pk, "vendor_categories": [VendorCategory.LABOUR]},
        {"template": named.pk, "subjects": [world.vendor_b.pk]},
    ])
    cycle_open(actor=hr, cycle=cycle)
    got = dict(Appraisal.objects.filter(cycle=cycle).values_list("subject_name", "cycle_template__template__code"))
    assert got == {"甲服务商": "V-CAT", "乙服务商": "V-NAMED", "丙服务商": "V-DEF"}


def test_team_cycle_rules(world):
    """Teams: 热线一组 (OPS-CS, vendor A), 运维组 (TECH). Rules: department OPS → TM-DEPT; 运维组 named →
    TM-NAMED. 热线一组 → TM-DEPT, 运维组 → TM-NAMED, 综合组 (HQ) → the default TM-DEF."""
    hr = world.users["hr"]
    default = make_template(code="TM-DEF", subject_kind="team")
    dept = make_template(code="TM-DEPT", subject_kind="team")
    named = make_template(code="TM-NAMED", subject_kind="team")
    Team.objects.create(code="TM1", name="热线一组", department=world.ops_cs, vendor=world.vendor_a)
    ops = Team.objects.create(code="TM2", name="运维组", department=world.tech)
    Team.objects.create(code="TM3", name="综合组", department=world.hq)
    cycle = Cycle.objects.create(name="团队 Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                 default_template=default, subject_kind="team")
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=[
        {"template": dept.pk, "departments": [world.ops.pk]}, {"template": named.pk, "subjects": [ops.pk]}])
    cycle_open(actor=hr, cycle=cycle)
    got = dict(Appraisal.objects.filter(cycle=cycle).values_list("subject_name", "cycle_template__template__code"))
    assert got == {"热线一组": "TM-DEPT", "运维组": "TM-NAMED", "综合组": "TM-DEF"}


# --- validation -------------------------------------------------------------------------------------


def _refused(world, cycle, rules) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        cycle_template_rules_set(actor=world.users["hr"], cycle=cycle, rules=rules)
    return exc.value.message_dict


def test_template_must_be_active_of_the_kind_and_usable(world, cycle):
    draft = make_template(code="T-DRAFT", status="draft")
    vendor = make_template(code="T-VENDOR", subject_kind="vendor")
    broken = make_template(code="T-BROKEN", indicators=[{"code": "Q1", "weight": 50, "rater_roles": ["supervisor"]}])
    errors = _refused(world, cycle, [{"template": draft.pk, "departments": [world.ops.pk]},
                                     {"template": vendor.pk, "departments": [world.tech.pk]},
                                     {"template": broken.pk, "departments": [world.hq.pk]}])
    text = " ".join(errors["template"])
    assert f"考核方案“{draft}”未启用" in text
    assert f"考核方案“{vendor}”的考核对象与周期不一致" in text
    assert f"考核方案“{broken}”不能使用" in text
    assert not CycleTemplateRule.objects.exists()


def test_a_subject_named_twice_or_outside_the_scope_is_refused_by_name(world, cycle, t):
    hr = world.users["hr"]
    w = world.workers
    cycle.departments.set([world.ops])  # a_tech (TECH) is outside the scope
    errors = _refused(world, cycle, [{"template": t["NAMED"].pk, "subjects": [w["a_self"].pk, w["a_tech"].pk]},
                                     {"template": t["DEPT"].pk, "subjects": [w["a_self"].pk]}])
    (twice, outside) = errors["subjects"]
    assert w["a_self"].name in twice and "被指定了两次" in twice and "Named twice" in twice
    assert w["a_tech"].name in outside and "不在本周期的考核范围内" in outside
    # the same position in two templates, a category the product does not know, a list a worker cycle has
    # not, and the same template twice
    errors = _refused(world, cycle, [
        {"template": t["POS"].pk, "positions": [world.position.pk], "position_categories": ["astronaut"]},
        {"template": t["PCAT"].pk, "positions": [world.position.pk]},
        {"template": t["PCAT"].pk, "departments": [world.ops.pk]},
    ])
    assert world.position.name in errors["positions"][0]
    assert "astronaut" in errors["position_categories"][0]
    assert "出现了两次" in errors["template"][0]
    vendor_cycle = Cycle.objects.create(name="服务商", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                        default_template=make_template(code="V", subject_kind="vendor"),
                                        subject_kind="vendor")
    errors = _refused(world, vendor_cycle, [{"template": vendor_cycle.default_template_id,
                                             "departments": [world.ops.pk]}])
    assert "不能按部门指定考核方案" in errors["departments"][0]
    del hr


def test_ids_outside_the_actors_scope_and_non_hr_are_refused(world, cycle, t):
    other: Any = DepartmentFactory(code="X", name="外部门")
    errors = _refused(world, cycle, [{"template": t["DEPT"].pk, "departments": [other.pk, 999_999]}])
    assert "999999" in errors["departments"][0]
    for role in ("supervisor", "vendor_manager", "worker", "auditor"):
        with pytest.raises(PermissionDenied):
            cycle_template_rules_set(actor=world.users[role], cycle=cycle, rules=[])


def test_only_in_draft_and_audited_once(world, cycle, t):
    hr = world.users["hr"]
    w = world.workers
    before = AuditLog.objects.count()
    rules = [{"template": t["NAMED"].pk, "subjects": [w["b_ops"].pk, w["a_self"].pk]},
             {"template": t["DEPT"].pk, "departments": [world.tech.pk]}]
    got = cycle_template_rules_set(actor=hr, cycle=cycle, rules=rules)
    assert [g["template"] for g in got] == sorted([t["NAMED"].pk, t["DEPT"].pk])
    assert AuditLog.objects.count() == before + 1
    row = AuditLog.objects.latest("pk")
    assert row.reason == "template rules" and row.object_id == str(cycle.pk)
    old, new = row.changes["template_rules"]
    assert old == [] and new == got
    # the same rules again: nothing changed, no row
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=rules)
    assert AuditLog.objects.count() == before + 1
    # removing them is one more row, with the old rules as "before"
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=[])
    assert AuditLog.objects.latest("pk").changes["template_rules"] == [got, []]
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=rules)
    cycle_open(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.state == CycleState.GOAL_SETTING
    with pytest.raises(ValidationError) as exc:
        cycle_template_rules_set(actor=hr, cycle=cycle, rules=[])
    assert "适用规则不能再修改" in exc.value.messages[0]
    assert len(template_rules_get(cycle)) == 2


def test_opening_with_rules_is_a_constant_number_of_queries(world, template):
    """Rules of every kind; more subjects, the same number of queries."""
    hr = world.users["hr"]
    by_dept = make_template(code="T-D")
    by_pos = make_template(code="T-P")
    named_t = make_template(code="T-N")

    def open_with(n: int) -> int:
        dept: Any = DepartmentFactory(parent=world.tech)
        sub: Any = DepartmentFactory(parent=dept)
        position: Any = PositionFactory()
        WorkerFactory.create_batch(n, vendor=world.vendor_b, department=dept, position=world.position,
                                   supervisor=world.users["supervisor"])
        WorkerFactory.create_batch(n, vendor=world.vendor_b, department=sub, position=position,
                                   supervisor=world.users["supervisor"])
        named = WorkerFactory.create_batch(n, vendor=world.vendor_a, department=sub, position=world.position,
                                           supervisor=world.users["supervisor"])
        c = Cycle.objects.create(name=f"c{n}", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31),
                                 default_template=template)
        c.departments.set([dept])
        cycle_template_rules_set(actor=hr, cycle=c, rules=[
            {"template": by_dept.pk, "departments": [sub.pk]},
            {"template": by_pos.pk, "positions": [position.pk], "vendors": [world.vendor_a.pk]},
            {"template": named_t.pk, "subjects": [x.pk for x in named]},
        ])
        with CaptureQueriesContext(connection) as ctx:
            cycle_open(actor=hr, cycle=c)
        got = dict(Appraisal.objects.filter(cycle=c).values_list("cycle_template__template__code").annotate(
            n=Count("pk")))
        assert got == {"T-TEST": n, "T-P": n, "T-N": n}
        return len(ctx.captured_queries)

    open_with(2)  # warm-up: per-process caches such as content types
    assert open_with(3) == open_with(12)


def test_rules_follow_the_scope_in_the_preview(world, cycle, t):
    """A named subject later excluded from the scope stops counting (its rule stays, harmless)."""
    hr = world.users["hr"]
    w = world.workers
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=[{"template": t["NAMED"].pk, "subjects": [w["b_ops"].pk]}])
    assert _counts(cycle) == {"T-NAMED": 1, "T-TEST": 4}
    cycle_scope_set(actor=hr, cycle=cycle, values={"exclude_workers": [w["b_ops"].pk]})
    assert _counts(cycle) == {"T-TEST": 4}


def test_rules_of_another_kind_left_after_a_kind_change_give_nothing(world, cycle, t):
    """A worker cycle's department rule (a worker template), then the cycle is turned into a team
    cycle: the team in OPS keeps the team default, never the worker template."""
    hr = world.users["hr"]
    cycle_template_rules_set(actor=hr, cycle=cycle, rules=[{"template": t["DEPT"].pk, "departments": [world.ops.pk]}])
    team_default = make_template(code="TM-DEF", subject_kind="team")
    Team.objects.create(code="TM1", name="热线一组", department=world.ops)
    Cycle.objects.filter(pk=cycle.pk).update(subject_kind="team", default_template=team_default)
    cycle.refresh_from_db()
    assert _counts(cycle) == {"TM-DEF": 1}
    cycle_open(actor=hr, cycle=cycle)
    got = dict(Appraisal.objects.filter(cycle=cycle).values_list("subject_name", "cycle_template__template__code"))
    assert got == {"热线一组": "TM-DEF"}


def test_the_preview_is_a_fixed_number_of_queries(world, template, django_assert_num_queries):
    """The cockpit's preview (template_counts) with rules of every kind: the subjects grouped by the
    values the rules read, the named ones apart — the same queries for 3 or 30 subjects each way."""
    hr = world.users["hr"]
    by_dept, named_t = make_template(code="T-D"), make_template(code="T-N")

    def preview(n: int) -> int:
        dept: Any = DepartmentFactory(parent=world.tech)
        sub: Any = DepartmentFactory(parent=dept)
        WorkerFactory.create_batch(n, vendor=world.vendor_b, department=sub, position=world.position)
        named = WorkerFactory.create_batch(n, vendor=world.vendor_a, department=dept, position=world.position)
        c = Cycle.objects.create(name=f"p{n}", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31),
                                 default_template=template)
        c.departments.set([dept])
        cycle_template_rules_set(actor=hr, cycle=c, rules=[
            {"template": by_dept.pk, "departments": [sub.pk], "vendors": [world.vendor_a.pk]},
            {"template": named_t.pk, "subjects": [x.pk for x in named[:2]]},
        ])
        with CaptureQueriesContext(connection) as ctx:
            counts = template_counts(c)
        # sub: n by department; dept: n of vendor A, 2 of them named
        assert counts == {by_dept.pk: n + n - 2, named_t.pk: 2}
        return len(ctx.captured_queries)

    preview(2)
    queries = preview(3)
    assert preview(30) == queries
    c = Cycle.objects.select_related("default_template").get(name="p30")
    with django_assert_num_queries(queries):
        template_counts(c)
