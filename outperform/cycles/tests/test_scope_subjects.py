"""Named subjects in a cycle's scope: subjects = (filtered, or all) ∪ named includes − named excludes.

The world (outperform/testing/world.py): OPS holds a_self and b_ops, OPS-CS (under OPS) holds
a_ops_cs, TECH holds a_tech and b_tech; vendor A supplies a_*, vendor B b_*."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outperform.core.models import AuditLog
from outperform.cycles.models import Appraisal, Cycle, Team
from outperform.cycles.services import cycle_open, cycle_scope_set
from outperform.testing.factories import DepartmentFactory, VendorFactory, WorkerFactory
from outperform.testing.templates import make_template
from outperform.vendors.models import VendorStatus
from outperform.workers.models import WorkerStatus

pytestmark = pytest.mark.django_db


def _subjects(cycle: Cycle) -> set[str]:
    return set(Appraisal.objects.filter(cycle=cycle).values_list("subject_name", flat=True))


def _names(world, *keys: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {world.workers[k].name for k in keys}


def test_opening_takes_the_filtered_plus_the_included_minus_the_excluded(world, cycle):
    """departments = [OPS] matches OPS and OPS-CS: a_self, b_ops, a_ops_cs.
    + include a_tech (in TECH, outside the filter) − exclude b_ops = {a_self, a_ops_cs, a_tech}."""
    hr = world.users["hr"]
    cycle.departments.set([world.ops])
    cycle_scope_set(actor=hr, cycle=cycle, values={"include_workers": [world.workers["a_tech"].pk],
                                                   "exclude_workers": [world.workers["b_ops"].pk]})
    summary = cycle_open(actor=hr, cycle=cycle)
    assert _subjects(cycle) == _names(world, "a_self", "a_ops_cs", "a_tech")
    assert summary.appraisals_created == 3
    again = cycle_open(actor=hr, cycle=cycle)
    assert (again.appraisals_created, again.appraisals_total) == (0, 3)


def test_without_filters_every_worker_counts_and_excludes_still_apply(world, cycle):
    """No filter: all five workers; − exclude b_tech = four."""
    cycle_scope_set(actor=world.users["hr"], cycle=cycle, values={"exclude_workers": [world.workers["b_tech"].pk]})
    cycle_open(actor=world.users["hr"], cycle=cycle)
    assert _subjects(cycle) == _names(world, "a_self", "a_ops_cs", "a_tech", "b_ops")


def test_only_named_subjects(world, cycle):
    """仅考核指定对象 with a_tech and b_ops named: exactly those two, whatever the filters say."""
    hr = world.users["hr"]
    cycle.subjects_named_only = True
    cycle.save()
    cycle.departments.set([world.ops])
    cycle_scope_set(actor=hr, cycle=cycle,
                    values={"include_workers": [world.workers["a_tech"].pk, world.workers["b_ops"].pk]})
    cycle_open(actor=hr, cycle=cycle)
    assert _subjects(cycle) == _names(world, "a_tech", "b_ops")


def test_a_named_worker_who_left_mid_period_is_appraised_a_filtered_one_is_not(world, cycle):
    """Two workers of OPS left on 2026-11-15, inside the quarter (10-01 … 12-31). The filter only
    takes 在岗 / 休假 people, so neither comes in by the filter; the one named does."""
    hr = world.users["hr"]
    left = {"status": WorkerStatus.LEFT, "leave_date": dt.date(2026, 11, 15), "hire_date": dt.date(2025, 1, 1)}
    named = WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position, name="离场甲", **left)
    WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position, name="离场乙", **left)
    cycle.departments.set([world.ops])
    cycle_scope_set(actor=hr, cycle=cycle, values={"include_workers": [named.pk]})
    cycle_open(actor=hr, cycle=cycle)
    assert _subjects(cycle) == _names(world, "a_self", "b_ops", "a_ops_cs") | {"离场甲"}


def test_named_vendors(world, template):
    """A vendor cycle: active vendors are A and B; + a suspended vendor C named − B excluded = {A, C}."""
    hr = world.users["hr"]
    vendor_template = make_template(code="T-V", subject_kind="vendor")
    suspended = VendorFactory(name="丙服务商", status=VendorStatus.SUSPENDED)
    cycle = Cycle.objects.create(name="服务商 Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                 default_template=vendor_template, subject_kind="vendor")
    cycle_scope_set(actor=hr, cycle=cycle, values={"include_vendors": [suspended.pk],
                                                   "exclude_vendors": [world.vendor_b.pk]})
    cycle_open(actor=hr, cycle=cycle)
    assert _subjects(cycle) == {"甲服务商", "丙服务商"}


def test_named_teams(world):
    """A team cycle filtered to OPS: team 热线一组 (OPS-CS) matches, 运维组 (TECH) does not;
    + 运维组 named − 热线一组 excluded, 热线二组 (OPS) stays = {运维组, 热线二组}."""
    hr = world.users["hr"]
    team_template = make_template(code="T-TEAM", subject_kind="team")
    hot1 = Team.objects.create(code="TM1", name="热线一组", department=world.ops_cs)
    Team.objects.create(code="TM2", name="热线二组", department=world.ops)
    ops_team = Team.objects.create(code="TM3", name="运维组", department=world.tech)
    cycle = Cycle.objects.create(name="团队 Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                 default_template=team_template, subject_kind="team")
    cycle.departments.set([world.ops])
    cycle_scope_set(actor=hr, cycle=cycle, values={"include_teams": [ops_team.pk], "exclude_teams": [hot1.pk]})
    cycle_open(actor=hr, cycle=cycle)
    assert _subjects(cycle) == {"运维组", "热线二组"}
    # no filter: every team, − 运维组 excluded = {热线一组, 热线二组}
    unfiltered = Cycle.objects.create(name="团队 Q3", start_date=dt.date(2026, 7, 1), end_date=dt.date(2026, 9, 30),
                                      default_template=team_template, subject_kind="team")
    cycle_scope_set(actor=hr, cycle=unfiltered, values={"exclude_teams": [ops_team.pk]})
    cycle_open(actor=hr, cycle=unfiltered)
    assert _subjects(unfiltered) == {"热线一组", "热线二组"}


def test_opening_with_named_subjects_is_a_constant_number_of_queries(world, template):
    def open_with(n: int) -> int:
        # Each cycle: its own department of n workers, n more named from elsewhere, one excluded.
        dept, other = DepartmentFactory(parent=world.tech), DepartmentFactory(parent=world.tech)
        WorkerFactory.create_batch(n, vendor=world.vendor_b, department=dept, position=world.position,
                                   supervisor=world.users["supervisor"])
        named = WorkerFactory.create_batch(n, vendor=world.vendor_b, department=other, position=world.position,
                                           supervisor=world.users["supervisor"])
        c = Cycle.objects.create(name=f"c{n}", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31),
                                 default_template=template)
        c.departments.set([dept])
        cycle_scope_set(actor=world.users["hr"], cycle=c, values={
            "include_workers": [w.pk for w in named[1:]], "exclude_workers": [named[0].pk]})
        with CaptureQueriesContext(connection) as ctx:
            cycle_open(actor=world.users["hr"], cycle=c)
        # n filtered + (n − 1) named (the first named one is also excluded… and so not named twice)
        assert Appraisal.objects.filter(cycle=c).count() == n + n - 1
        return len(ctx.captured_queries)

    open_with(2)  # warm-up: per-process caches such as content types
    assert open_with(3) == open_with(15)


# --- the service's refusals --------------------------------------------------------------------


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_scope_refusals_name_the_field_and_the_subjects(world, cycle):
    hr = world.users["hr"]
    a_self = world.workers["a_self"]
    with pytest.raises(ValidationError) as exc:
        cycle_scope_set(actor=hr, cycle=cycle, values={"include_vendors": [world.vendor_a.pk]})
    assert "本周期的考核对象是“外包人员”" in _errors(exc)["include_vendors"][0]
    with pytest.raises(ValidationError) as exc:
        cycle_scope_set(actor=hr, cycle=cycle, values={"include_workers": [a_self.pk], "exclude_workers": [a_self.pk]})
    assert f"{a_self.name}（{a_self.employee_no}） 同时在纳入和排除名单中" in _errors(exc)["exclude_workers"][0]
    with pytest.raises(ValidationError) as exc:
        cycle_scope_set(actor=hr, cycle=cycle, values={"include_workers": [99999999]})
    assert "ID 99999999 不存在或不在您的范围内" in _errors(exc)["include_workers"][0]
    late = WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position, name="明年入场",
                         hire_date=dt.date(2027, 2, 1))
    with pytest.raises(ValidationError) as exc:
        cycle_scope_set(actor=hr, cycle=cycle, values={"include_workers": [late.pk]})
    assert f"明年入场（{late.employee_no}） 在考核期内不在岗" in _errors(exc)["include_workers"][0]
    cycle.subjects_named_only = True
    with pytest.raises(ValidationError) as exc:
        cycle_scope_set(actor=hr, cycle=cycle, values={})
    assert "须至少指定一个" in _errors(exc)["include_workers"][0]
    assert not cycle.include_workers.exists() and not cycle.exclude_workers.exists()


def test_scope_changes_are_audited_and_need_hr_and_a_draft(world, cycle):
    from django.core.exceptions import PermissionDenied

    hr = world.users["hr"]
    ids = sorted([world.workers["a_tech"].pk, world.workers["b_tech"].pk])
    cycle_scope_set(actor=hr, cycle=cycle, values={"include_workers": ids, "departments": [world.ops.pk]})
    row = AuditLog.objects.filter(object_id=str(cycle.pk), reason="scope").get()
    assert row.changes == {"include_workers": [[], ids], "departments": [[], [world.ops.pk]]}
    with pytest.raises(PermissionDenied):
        cycle_scope_set(actor=world.users["supervisor"], cycle=cycle, values={"include_workers": []})
    cycle_open(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    with pytest.raises(ValidationError):
        cycle_scope_set(actor=hr, cycle=cycle, values={"include_workers": []})


def test_raters_follow_the_roles_of_each_subjects_own_template(world, cycle):
    """The default template rates with self 40 / supervisor 60; the 管理层 template with the
    supervisor alone. A manager with a log-in gets no self-evaluation task; a_self keeps theirs."""
    from outperform.cycles.models import RaterAssignment
    from outperform.testing.factories import PositionFactory, UserFactory

    make_template(code="T-MGMT", position_categories=["management"], role_weights={"supervisor": "100"},
                  indicators=[{"code": "Q1", "weight": 100, "rater_roles": ["supervisor"]}])
    manager = WorkerFactory(vendor=world.vendor_a, department=world.ops, user=UserFactory(), supervisor=world.users["supervisor"],
                            position=PositionFactory(code="P-MGR", name="主管", category="management"))
    cycle_open(actor=world.users["hr"], cycle=cycle)
    mine = Appraisal.objects.get(cycle=cycle, worker=manager)
    assert mine.cycle_template.template.code == "T-MGMT"
    assert set(RaterAssignment.objects.filter(appraisal=mine).values_list("role", flat=True)) == {"supervisor"}
    assert set(RaterAssignment.objects.filter(appraisal__worker=world.workers["a_self"])
               .values_list("role", flat=True)) == {"self", "supervisor"}


def test_a_stale_edit_cannot_put_an_opened_cycle_back_in_draft(world, cycle):
    """HR 2 read the draft form; HR 1 opened the cycle meanwhile; HR 2's save is refused."""
    from outperform.core.audit import snapshot
    from outperform.cycles.resources import CycleResource

    stale = Cycle.objects.get(pk=cycle.pk)
    before = snapshot(stale)
    cycle_open(actor=world.users["hr"], cycle=cycle)
    stale.name = "改名"
    with pytest.raises(ValidationError):
        CycleResource().save(actor=world.users["hr"], obj=stale, before=before)
    cycle.refresh_from_db()
    assert (cycle.state, cycle.name) == ("goal_setting", "2026年第四季度")
