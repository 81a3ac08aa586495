"""A cycle from opening to archive through the services, with results worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outperform.core.models import AuditLog
from outperform.cycles.models import (
    Appraisal,
    AppraisalState,
    AssignmentState,
    Calibration,
    CycleState,
    RaterAssignment,
    Score,
)
from outperform.cycles.services import (
    appeal_decide,
    appeal_submit,
    appraisal_calibrate,
    appraisal_confirm,
    assignment_reopen,
    assignment_save,
    cycle_advance,
    cycle_blockers,
    cycle_compute,
    cycle_move_back,
    cycle_open,
    cycle_results_preview,
)
from outperform.cycles.services.computing import appraisal_explain
from outperform.testing.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _assignment(world, key, role):  # type: ignore[no-untyped-def]
    return RaterAssignment.objects.get(appraisal__worker=world.workers[key], role=role)


def _to(cycle, hr, *states):  # type: ignore[no-untyped-def]
    for state in states:
        cycle = cycle_advance(actor=hr, cycle=cycle, target=state)
    return cycle


def _rate(world, cycle):  # type: ignore[no-untyped-def]
    hr, sup, me = world.users["hr"], world.users["supervisor"], world.users["worker"]
    cycle = _to(cycle, hr, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
    assignment_save(actor=me, assignment=_assignment(world, "a_self", "self"),
                    values={"Q1": ("80", ""), "Q2": ("70", "")}, submit=True)
    cycle = _to(cycle, hr, CycleState.REVIEW)
    assignment_save(actor=sup, assignment=_assignment(world, "a_self", "supervisor"),
                    values={"Q1": ("90", ""), "Q2": ("85", "")}, submit=True)
    assignment_save(actor=sup, assignment=_assignment(world, "a_ops_cs", "supervisor"),
                    values={"Q1": ("95", "主动承担热线高峰"), "Q2": ("55", "质检差错偏多")}, submit=True)
    return cycle


def test_open_creates_one_appraisal_per_worker_and_is_idempotent(world, cycle):
    summary = cycle_open(actor=world.users["hr"], cycle=cycle)
    assert summary.appraisals_created == len(world.workers) == summary.appraisals_total
    # self only for the worker with a log-in; a supervisor rating for everyone
    assert RaterAssignment.objects.filter(role="self").count() == 1
    assert RaterAssignment.objects.filter(role="supervisor").count() == len(world.workers)
    again = cycle_open(actor=world.users["hr"], cycle=cycle)
    assert (again.appraisals_created, again.assignments_created) == (0, 0)
    assert Appraisal.objects.filter(cycle=cycle).count() == len(world.workers)
    cycle.refresh_from_db()
    assert cycle.state == CycleState.GOAL_SETTING
    assert cycle.cycle_templates.get().snapshot["indicators"][0]["code"] == "Q1"


def test_opening_query_count_does_not_grow_with_workers(world, template):
    import datetime as dt

    from outperform.cycles.models import Cycle
    from outperform.testing.factories import DepartmentFactory

    def open_new(n):  # type: ignore[no-untyped-def]
        # Each cycle covers its own department, so it holds exactly these n people. (SQLite splits a
        # bulk insert every ~40 rows for its parameter limit; both sizes stay within one batch.)
        dept = DepartmentFactory(parent=world.tech)
        WorkerFactory.create_batch(n, vendor=world.vendor_b, department=dept, position=world.position,
                                   supervisor=world.users["supervisor"])
        c = Cycle.objects.create(name=f"c{n}", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31),
                                 default_template=template)
        c.departments.set([dept])
        with CaptureQueriesContext(connection) as ctx:
            cycle_open(actor=world.users["hr"], cycle=c)
        assert Appraisal.objects.filter(cycle=c).count() == n
        return len(ctx.captured_queries)

    open_new(1)  # warm-up: per-process caches such as content types
    assert open_new(3) == open_new(30)


def test_hand_computed_results(world, cycle):
    hr = world.users["hr"]
    cycle_open(actor=hr, cycle=cycle)
    cycle = _rate(world, cycle)
    cycle_compute(actor=hr, cycle=cycle)
    mine = Appraisal.objects.get(worker=world.workers["a_self"])
    # Q1 = (80×40 + 90×60)/100 = 86; Q2 = (70×40 + 85×60)/100 = 79
    # composite = 86×60/100 + 79×40/100 = 51.6 + 31.6 = 83.20 → 良好 (80–90), ×1.2
    # bonus = base 2,000.00 yuan × 1.2 = 2,400.00 yuan = 240000 fen (hired 2025, full quarter)
    assert mine.composite == Decimal("83.20")
    assert (mine.grade, mine.grade_name, mine.coefficient) == ("B", "良好", Decimal("1.20"))
    assert mine.bonus_fen == 240000
    other = Appraisal.objects.get(worker=world.workers["a_ops_cs"])
    # no self rater: supervisor alone counts (renormalised), 95×0.6 + 55×0.4 = 57 + 22 = 79.00 → 合格
    assert other.composite == Decimal("79.00") and other.grade == "C" and other.bonus_fen == 200000
    unrated = Appraisal.objects.get(worker=world.workers["b_tech"])
    assert unrated.composite is None and unrated.grade == ""
    explain = appraisal_explain(mine)
    q1 = explain["indicators"][0]
    assert q1["score"] == "86.00" and q1["contribution"] == "51.60"
    assert {r["role"]: r["mean"] for r in q1["roles"]} == {"self": "80.00", "supervisor": "90.00"}


def test_compute_query_count_does_not_grow_with_subjects(world, template):
    import datetime as dt

    from outperform.cycles.models import Cycle
    from outperform.testing.factories import DepartmentFactory

    def compute_new(n):  # type: ignore[no-untyped-def]
        dept = DepartmentFactory(parent=world.tech)
        WorkerFactory.create_batch(n, vendor=world.vendor_b, department=dept, position=world.position,
                                   supervisor=world.users["supervisor"])
        c = Cycle.objects.create(name=f"c{n}", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31),
                                 default_template=template)
        c.departments.set([dept])
        cycle_open(actor=world.users["hr"], cycle=c)
        with CaptureQueriesContext(connection) as ctx:
            cycle_compute(actor=world.users["hr"], cycle=c)
        return len(ctx.captured_queries)

    compute_new(1)  # warm-up: per-process caches such as content types
    assert compute_new(3) == compute_new(120)


def test_submit_locks_comment_rules_and_reopen(world, cycle):
    hr, me = world.users["hr"], world.users["worker"]
    cycle_open(actor=hr, cycle=cycle)
    _to(cycle, hr, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
    mine = _assignment(world, "a_self", "self")
    with pytest.raises(ValidationError) as err:
        assignment_save(actor=me, assignment=mine, values={"Q1": ("50", ""), "Q2": ("70", "")}, submit=True)
    assert "Q1" in err.value.message_dict  # below 60 needs a comment
    with pytest.raises(ValidationError):
        assignment_save(actor=me, assignment=mine, values={"Q1": ("101", "x")}, submit=False)
    assignment_save(actor=me, assignment=mine, values={"Q1": ("88", "")}, submit=False)
    mine.refresh_from_db()
    assert mine.state == AssignmentState.DRAFT and Score.objects.filter(assignment=mine).count() == 1
    with pytest.raises(ValidationError):  # Q2 still empty
        assignment_save(actor=me, assignment=mine, values={}, submit=True)
    assignment_save(actor=me, assignment=mine, values={"Q2": ("96", "带教新人")}, submit=True)
    with pytest.raises(ValidationError):
        assignment_save(actor=me, assignment=mine, values={"Q1": ("70", "")}, submit=False)
    with pytest.raises(PermissionDenied):
        assignment_save(actor=world.users["supervisor"], assignment=mine, values={}, submit=False)
    with pytest.raises(ValidationError):
        assignment_reopen(actor=hr, assignment=mine, reason=" ")
    assignment_reopen(actor=hr, assignment=mine, reason="自评分数填反")
    mine.refresh_from_db()
    assert mine.state == AssignmentState.DRAFT and mine.reopened_reason == "自评分数填反"


def test_illegal_transitions_name_the_blockers(world, cycle):
    hr = world.users["hr"]
    with pytest.raises(ValidationError):
        cycle_advance(actor=hr, cycle=cycle, target=CycleState.REVIEW)  # not the next stage
    cycle_open(actor=hr, cycle=cycle)
    cycle = _to(cycle, hr, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW)
    assert cycle_blockers(cycle, CycleState.REVIEW) == [
        "1 份考核单仍缺少自评评价 / 1 appraisals still lack a self rating"
    ]
    assignment_save(actor=world.users["worker"], assignment=_assignment(world, "a_self", "self"),
                    values={"Q1": ("80", ""), "Q2": ("70", "")}, submit=True)
    cycle = _to(cycle, hr, CycleState.REVIEW)
    with pytest.raises(ValidationError) as err:
        cycle_advance(actor=hr, cycle=cycle, target=CycleState.CALIBRATION)
    assert "5 份考核单仍缺少上级评价" in err.value.messages[0]
    with pytest.raises(PermissionDenied):
        cycle_advance(actor=world.users["supervisor"], cycle=cycle, target=CycleState.CALIBRATION)


def test_calibrate_publish_confirm_appeal_archive_and_read_only(world, cycle):
    hr, me = world.users["hr"], world.users["worker"]
    cycle_open(actor=hr, cycle=cycle)
    cycle = _rate(world, cycle)
    for key in ("a_tech", "b_ops", "b_tech"):
        assignment_save(actor=world.users["supervisor"], assignment=_assignment(world, key, "supervisor"),
                        values={"Q1": ("75", ""), "Q2": ("75", "")}, submit=True)
    cycle = _to(cycle, hr, CycleState.CALIBRATION)  # computes on entry
    other = Appraisal.objects.get(worker=world.workers["a_ops_cs"])
    assert other.grade == "C"
    with pytest.raises(ValidationError):
        appraisal_calibrate(actor=hr, appraisal=other, grade="B", reason="")
    appraisal_calibrate(actor=hr, appraisal=other, grade="B", reason="热线高峰贡献突出，委员会一致同意上调")
    other.refresh_from_db()
    assert (other.grade, other.calibrated, other.coefficient) == ("B", True, Decimal("1.20"))
    # the bonus follows the calibrated grade: 2,000.00 yuan × 1.2 = 2,400.00 yuan
    assert other.bonus_fen == 240000
    assert Calibration.objects.get(appraisal=other).grade_before == "C"
    cycle_compute(actor=hr, cycle=cycle)  # a recompute keeps the calibrated grade
    other.refresh_from_db()
    assert other.grade == "B"
    cycle = _to(cycle, hr, CycleState.PUBLISHED)
    mine = Appraisal.objects.get(worker=world.workers["a_self"])
    assert mine.state == AppraisalState.PUBLISHED
    appeal = appeal_submit(actor=me, appraisal=mine, reason="客户表扬信未计入")
    with pytest.raises(PermissionDenied):
        appraisal_confirm(actor=world.users["hr"], appraisal=mine)
    cycle = _to(cycle, hr, CycleState.CONFIRMATION)
    with pytest.raises(ValidationError) as err:
        cycle_advance(actor=hr, cycle=cycle, target=CycleState.ARCHIVED)
    assert "1 个申诉尚未处理" in err.value.messages[0]
    appeal_decide(actor=hr, appeal=appeal, accept=True, decision="表扬信核实，上调至优秀", grade="A")
    mine.refresh_from_db()
    assert (mine.grade, mine.state) == ("A", AppraisalState.PUBLISHED)
    assert mine.bonus_fen == 300000  # 2,000.00 yuan × 1.5
    appraisal_confirm(actor=me, appraisal=mine)
    cycle = _to(cycle, hr, CycleState.ARCHIVED)
    # A closed cycle is read-only for everyone.
    for call in (
        lambda: cycle_compute(actor=hr, cycle=cycle),
        lambda: cycle_open(actor=hr, cycle=cycle),
        lambda: cycle_move_back(actor=hr, cycle=cycle, target=CycleState.CONFIRMATION, reason="x"),
        lambda: appraisal_calibrate(actor=hr, appraisal=other, grade="A", reason="x"),
        lambda: assignment_reopen(actor=hr, assignment=_assignment(world, "a_self", "self"), reason="x"),
    ):
        with pytest.raises(ValidationError):
            call()
    # Recomputing the closed cycle from its snapshot reproduces every stored, uncalibrated result.
    preview = cycle_results_preview(cycle)
    for a in Appraisal.objects.filter(cycle=cycle, calibrated=False):
        r = preview[a.pk]
        assert (r.composite, r.grade or "", r.rank, r.bonus_fen) == (a.composite, a.grade, a.rank, a.bonus_fen)
    assert AuditLog.objects.filter(object_repr=str(other), reason__startswith="热线").exists()


def test_move_back_needs_a_reason_and_withdraws_results(world, cycle):
    hr = world.users["hr"]
    cycle_open(actor=hr, cycle=cycle)
    cycle = _to(cycle, hr, CycleState.IN_PROGRESS)
    with pytest.raises(ValidationError):
        cycle_move_back(actor=hr, cycle=cycle, target=CycleState.GOAL_SETTING, reason="")
    cycle = cycle_move_back(actor=hr, cycle=cycle, target=CycleState.GOAL_SETTING, reason="目标需要重新确认")
    assert cycle.state == CycleState.GOAL_SETTING
