"""加减分, 一票否决 and 数据指标: entered by HR (services, pages, API), applied by the next compute.

Ratings as in test_flow_end_to_end: a_self has self Q1 80 / Q2 70 and supervisor Q1 90 / Q2 85, so
Q1 = 80×0.4 + 90×0.6 = 86, Q2 = 70×0.4 + 85×0.6 = 79 and composite = 86×0.6 + 79×0.4 = 83.20 (良好 B)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.cycles.models import (
    AdjustmentEntry,
    Appraisal,
    Cycle,
    CycleState,
    MetricValue,
    RaterAssignment,
)
from outperform.cycles.services import (
    adjustment_add,
    adjustment_remove,
    assignment_save,
    cycle_advance,
    cycle_compute,
    cycle_open,
    metric_value_set,
    veto_add,
)
from outperform.testing.templates import make_template

from .helpers_web import make_cycle, submit_all

pytestmark = pytest.mark.django_db


def _assignment(world, key, role):
    return RaterAssignment.objects.get(appraisal__worker=world.workers[key], role=role)


def _rated(world, cycle, q1=("80", "90"), q2=("70", "85")):
    """Open the cycle and rate a_self (self, then supervisor); the cycle ends in 评价 (review)."""
    hr = world.users["hr"]
    cycle_open(actor=hr, cycle=cycle)
    for state in (CycleState.IN_PROGRESS, CycleState.SELF_REVIEW):
        cycle = cycle_advance(actor=hr, cycle=cycle, target=state)
    assignment_save(actor=world.users["worker"], assignment=_assignment(world, "a_self", "self"),
                    values={"Q1": (q1[0], ""), "Q2": (q2[0], "")}, submit=True)
    cycle = cycle_advance(actor=hr, cycle=cycle, target=CycleState.REVIEW)
    assignment_save(actor=world.users["supervisor"], assignment=_assignment(world, "a_self", "supervisor"),
                    values={"Q1": (q1[1], ""), "Q2": (q2[1], "")}, submit=True)
    return cycle


def _mine(world):
    return Appraisal.objects.select_related("cycle", "cycle_template").get(worker=world.workers["a_self"])


def _recompute(world, cycle):
    cycle_compute(actor=world.users["hr"], cycle=Cycle.objects.get(pk=cycle.pk))
    return _mine(world)


def _audits() -> int:
    return AuditLog.objects.count()


# --- services and the engine ------------------------------------------------------------------------


def test_adjustment_adds_to_the_composite_and_is_capped(world, cycle):
    hr = world.users["hr"]
    cycle = _rated(world, cycle)
    assert _recompute(world, cycle).composite == Decimal("83.20")
    before = _audits()
    entry = adjustment_add(actor=hr, appraisal=_mine(world), code="BONUS", value=Decimal("3"), reason="客户表扬")
    assert _audits() == before + 1
    # 83.20 + 3 (within the cap of 5) = 86.20, still 良好 (80–90)
    mine = _recompute(world, cycle)
    assert (mine.composite, mine.grade) == (Decimal("86.20"), "B")
    before = _audits()
    adjustment_remove(actor=hr, entry=entry, reason="录错")
    assert _audits() == before + 1 and not AdjustmentEntry.objects.exists()
    adjustment_add(actor=hr, appraisal=_mine(world), code="BONUS", value="8", reason="重大贡献")
    # +8 is stored as entered but the engine caps BONUS at 5: 83.20 + 5 = 88.20
    mine = _recompute(world, cycle)
    assert mine.composite == Decimal("88.20") and AdjustmentEntry.objects.get().value == Decimal("8.00")


def test_veto_gives_the_lowest_grade_and_keeps_the_composite(world, cycle):
    cycle = _rated(world, cycle)
    before = _audits()
    veto_add(actor=world.users["hr"], appraisal=_mine(world), code="SEC", reason="生产安全事故")
    assert _audits() == before + 1
    mine = _recompute(world, cycle)
    # composite stays 83.20 (would be B), the veto forces D (不合格, coefficient 0 → bonus 0)
    assert (mine.composite, mine.grade, mine.grade_name) == (Decimal("83.20"), "D", "不合格")
    assert mine.bonus_fen == 0
    with pytest.raises(ValidationError):  # the same veto twice
        veto_add(actor=world.users["hr"], appraisal=mine, code="SEC", reason="again")


def test_service_validation(world, cycle):
    hr = world.users["hr"]
    cycle = _rated(world, cycle)
    mine = _mine(world)
    bad = [
        lambda: adjustment_add(actor=hr, appraisal=mine, code="NOPE", value=1, reason="x"),
        lambda: adjustment_add(actor=hr, appraisal=mine, code="BONUS", value=Decimal("100.01"), reason="x"),
        lambda: adjustment_add(actor=hr, appraisal=mine, code="BONUS", value=-101, reason="x"),
        lambda: adjustment_add(actor=hr, appraisal=mine, code="BONUS", value=1, reason="  "),
        lambda: adjustment_add(actor=hr, appraisal=mine, code="BONUS", value="abc", reason="x"),
        lambda: veto_add(actor=hr, appraisal=mine, code="BONUS", reason="x"),
        lambda: metric_value_set(actor=hr, appraisal=mine, metric="Q1", value=1),  # qualitative
    ]
    for call in bad:
        with pytest.raises(ValidationError):
            call()
    # −100 is absurd-but-allowed at the edge
    adjustment_add(actor=hr, appraisal=mine, code="BONUS", value=-100, reason="边界")
    assert AdjustmentEntry.objects.count() == 1


def test_non_hr_is_refused(world, cycle):
    cycle = _rated(world, cycle)
    mine = _mine(world)
    entry = adjustment_add(actor=world.users["hr"], appraisal=mine, code="BONUS", value=1, reason="x")
    for user in (world.users["supervisor"], world.users["worker"]):
        for call in (
            lambda u=user: adjustment_add(actor=u, appraisal=mine, code="BONUS", value=1, reason="x"),
            lambda u=user: veto_add(actor=u, appraisal=mine, code="SEC", reason="x"),
            lambda u=user: adjustment_remove(actor=u, entry=entry, reason="x"),
        ):
            with pytest.raises(PermissionDenied):
                call()


@pytest.mark.parametrize("state", [CycleState.PUBLISHED, CycleState.CONFIRMATION, CycleState.ARCHIVED])
def test_refused_after_calibration_and_when_closed(world, cycle, state):
    hr = world.users["hr"]
    cycle = _rated(world, cycle)
    entry = adjustment_add(actor=hr, appraisal=_mine(world), code="BONUS", value=1, reason="x")
    Cycle.objects.filter(pk=cycle.pk).update(state=state)  # set-up shortcut: the guard is what's tested
    mine = _mine(world)
    before = _audits()
    for call in (
        lambda: adjustment_add(actor=hr, appraisal=mine, code="BONUS", value=1, reason="x"),
        lambda: veto_add(actor=hr, appraisal=mine, code="SEC", reason="x"),
        lambda: adjustment_remove(actor=hr, entry=entry, reason="x"),
        lambda: metric_value_set(actor=hr, appraisal=mine, metric="Q1", value=1),
    ):
        with pytest.raises(ValidationError) as err:
            call()
        assert err.value.code in ("stage", "closed")
    assert _audits() == before and AdjustmentEntry.objects.count() == 1


def test_allowed_in_calibration(world, cycle):
    hr = world.users["hr"]
    cycle = _rated(world, cycle)
    submit_all(cycle, "supervisor", {"Q1": ("75", ""), "Q2": ("75", "")})
    cycle_advance(actor=hr, cycle=cycle, target=CycleState.CALIBRATION)
    adjustment_add(actor=hr, appraisal=_mine(world), code="BONUS", value=2, reason="校准会决定")
    # 83.20 + 2 = 85.20
    assert _recompute(world, cycle).composite == Decimal("85.20")


# --- 数据指标 -------------------------------------------------------------------------------------


@pytest.fixture
def metric_cycle(world):
    template = make_template(code="T-MET", role_weights={"self": "40", "supervisor": "60"}, indicators=[
        {"code": "M1", "weight": 40, "kind": "quantitative", "metric": "tickets_closed",
         "rule": {"type": "linear", "floor": "0", "target": "100"}},
        {"code": "Q9", "weight": 60, "rater_roles": ["self", "supervisor"]},
    ])
    cycle = make_cycle(world, template)
    hr = world.users["hr"]
    cycle_open(actor=hr, cycle=cycle)
    for state in (CycleState.IN_PROGRESS, CycleState.SELF_REVIEW):
        cycle = cycle_advance(actor=hr, cycle=cycle, target=state)
    assignment_save(actor=world.users["worker"], assignment=_assignment(world, "a_self", "self"),
                    values={"Q9": ("80", "")}, submit=True)
    cycle = cycle_advance(actor=hr, cycle=cycle, target=CycleState.REVIEW)
    assignment_save(actor=world.users["supervisor"], assignment=_assignment(world, "a_self", "supervisor"),
                    values={"Q9": ("90", "")}, submit=True)
    return cycle


def test_metric_value_feeds_the_quantitative_indicator(world, metric_cycle):
    hr = world.users["hr"]
    before = _audits()
    mv = metric_value_set(actor=hr, appraisal=_mine(world), metric="tickets_closed", value=Decimal("75"))
    assert _audits() == before + 1 and (mv.value, mv.source) == (Decimal("75"), "manual")
    # M1: linear 0 → 100, so 75 scores 75. Q9 = 80×0.4 + 90×0.6 = 32 + 54 = 86.
    # composite = 75×40/100 + 86×60/100 = 30 + 51.60 = 81.60 → 良好 (B)
    mine = _recompute(world, metric_cycle)
    assert (mine.composite, mine.grade) == (Decimal("81.60"), "B")
    # upsert: 50 → M1 50; composite = 50×0.4 + 86×0.6 = 20 + 51.60 = 71.60 → 合格 (C)
    before = _audits()
    metric_value_set(actor=hr, appraisal=_mine(world), metric="tickets_closed", value=Decimal("50"))
    assert _audits() == before + 1 and MetricValue.objects.count() == 1
    assert _recompute(world, metric_cycle).composite == Decimal("71.60")
    # cleared: M1 has no value and does not apply; Q9 alone (renormalised) = 86.00
    metric_value_set(actor=hr, appraisal=_mine(world), metric="tickets_closed", value=None)
    assert MetricValue.objects.get().value is None
    assert _recompute(world, metric_cycle).composite == Decimal("86.00")
    with pytest.raises(PermissionDenied):
        metric_value_set(actor=world.users["supervisor"], appraisal=_mine(world), metric="tickets_closed", value=1)
    with pytest.raises(ValidationError):
        metric_value_set(actor=hr, appraisal=_mine(world), metric="nope", value=1)


# --- pages --------------------------------------------------------------------------------------


def test_page_hr_enters_and_removes(world, cycle, client_for):
    cycle = _rated(world, cycle)
    mine = _mine(world)
    hr = client_for("hr")
    page = hr.get(reverse("cycles:appraisal_detail", args=[mine.pk])).content.decode()
    assert "加减分与一票否决" in page and 'data-testid="adjustment-form"' in page and "上限" in page
    assert 'data-testid="veto-form"' in page
    r = hr.post(reverse("cycles:adjustment_add", args=[mine.pk]), {"code": "BONUS", "value": "3", "reason": "表扬信"})
    assert r.status_code == 302 and r["Location"].endswith("#adjustments")
    entry = AdjustmentEntry.objects.get()
    assert (entry.value, entry.created_by) == (Decimal("3.00"), world.users["hr"])
    r = hr.post(reverse("cycles:veto_add", args=[mine.pk]), {"code": "SEC", "reason": "违规操作"}, follow=True)
    assert AdjustmentEntry.objects.filter(is_veto=True).count() == 1
    html = r.content.decode()
    assert "表扬信" in html and "违规操作" in html and "data-confirm" in html
    # errors are shown in Chinese and English
    r = hr.post(reverse("cycles:adjustment_add", args=[mine.pk]), {"code": "BONUS", "value": "500", "reason": "x"},
                follow=True)
    assert "分值须在 -100 到 100 之间 / Between -100 and 100" in r.content.decode()
    r = hr.post(reverse("cycles:adjustment_remove", args=[mine.pk, entry.pk]), {"reason": ""}, follow=True)
    assert "必填 / Required" in r.content.decode() and AdjustmentEntry.objects.count() == 2
    before = _audits()
    hr.post(reverse("cycles:adjustment_remove", args=[mine.pk, entry.pk]), {"reason": "重复录入"})
    assert AdjustmentEntry.objects.count() == 1 and _audits() == before + 1


def test_page_metric_values(world, metric_cycle, client_for):
    mine = _mine(world)
    hr = client_for("hr")
    page = hr.get(reverse("cycles:appraisal_detail", args=[mine.pk])).content.decode()
    assert "数据指标" in page and 'data-metric="tickets_closed"' in page
    url = reverse("cycles:metric_value_set", args=[mine.pk])
    r = hr.post(url, {"metric": "tickets_closed", "value": "75"}, follow=True)
    assert MetricValue.objects.get().value == Decimal("75") and "75.0000" in r.content.decode()
    r = hr.post(url, {"metric": "tickets_closed", "value": "abc"}, follow=True)
    assert "请输入数字 / Enter a number" in r.content.decode()
    hr.post(url, {"metric": "tickets_closed", "value": "", "clear": "1"})
    assert MetricValue.objects.get().value is None


def test_page_non_hr(world, cycle, client_for):
    cycle = _rated(world, cycle)
    mine = _mine(world)
    adjustment_add(actor=world.users["hr"], appraisal=mine, code="BONUS", value=2, reason="客户表扬信")
    sup, me = client_for("supervisor"), client_for("worker")
    for url, data in (
        (reverse("cycles:adjustment_add", args=[mine.pk]), {"code": "BONUS", "value": "1", "reason": "x"}),
        (reverse("cycles:veto_add", args=[mine.pk]), {"code": "SEC", "reason": "x"}),
        (reverse("cycles:adjustment_remove", args=[mine.pk, AdjustmentEntry.objects.get().pk]), {"reason": "x"}),
        (reverse("cycles:metric_value_set", args=[mine.pk]), {"metric": "Q1", "value": "1"}),
    ):
        assert sup.post(url, data).status_code == 403
        assert me.post(url, data).status_code == 403
    assert AdjustmentEntry.objects.count() == 1
    # before publication the subject sees nothing of it
    page = me.get(reverse("cycles:appraisal_detail", args=[mine.pk])).content.decode()
    assert "客户表扬信" not in page and "adjustment-form" not in page
    # once published: read-only
    submit_all(cycle, "supervisor", {"Q1": ("75", ""), "Q2": ("75", "")})
    for state in (CycleState.CALIBRATION, CycleState.PUBLISHED):
        cycle = cycle_advance(actor=world.users["hr"], cycle=cycle, target=state)
    page = me.get(reverse("cycles:appraisal_detail", args=[mine.pk])).content.decode()
    assert "加减分与一票否决" in page and "客户表扬信" in page
    assert "adjustment-form" not in page and "adjustment_remove" not in page and "删除原因" not in page


# --- API ------------------------------------------------------------------------------------------


def test_api(world, cycle, api_for):
    cycle = _rated(world, cycle)
    mine = _mine(world)
    hr, sup = api_for("hr"), api_for("supervisor")
    base = f"/api/v1/appraisals/{mine.pk}"
    assert sup.post(f"{base}/adjustments/", {"code": "BONUS", "value": "3", "reason": "x"},
                    format="json").status_code == 403
    assert sup.post(f"{base}/vetoes/", {"code": "SEC", "reason": "x"}, format="json").status_code == 403
    bad = hr.post(f"{base}/adjustments/", {"code": "NOPE", "value": "3", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "code" in bad.json()
    r = hr.post(f"{base}/adjustments/", {"code": "BONUS", "value": "3", "reason": "表扬"}, format="json")
    assert r.status_code == 201, r.content
    entry = r.json()
    assert (entry["code"], entry["value"], entry["is_veto"]) == ("BONUS", "3.00", False)
    r = hr.post(f"{base}/vetoes/", {"code": "SEC", "reason": "事故"}, format="json")
    assert r.status_code == 201 and r.json()["is_veto"] is True
    # 83.20 + 3 = 86.20, vetoed → D
    m = _recompute(world, cycle)
    assert (m.composite, m.grade) == (Decimal("86.20"), "D")
    assert sup.delete(f"{base}/adjustments/{entry['id']}/", {"reason": "x"}, format="json").status_code == 403
    assert hr.delete(f"{base}/adjustments/{entry['id']}/", {}, format="json").status_code == 400
    assert hr.delete(f"{base}/adjustments/999999/", {"reason": "x"}, format="json").status_code == 404
    before = _audits()
    assert hr.delete(f"{base}/adjustments/{entry['id']}/", {"reason": "录错"}, format="json").status_code == 204
    assert _audits() == before + 1 and AdjustmentEntry.objects.filter(is_veto=False).count() == 0
    assert hr.put(f"{base}/metrics/Q1/", {"value": "1"}, format="json").status_code == 400  # qualitative
    assert sup.put(f"{base}/metrics/Q1/", {"value": "1"}, format="json").status_code == 403
    Cycle.objects.filter(pk=cycle.pk).update(state=CycleState.ARCHIVED)
    closed = hr.post(f"{base}/adjustments/", {"code": "BONUS", "value": "1", "reason": "x"}, format="json")
    assert closed.status_code == 400 and "归档" in closed.json()["non_field_errors"][0]


def test_api_metric(world, metric_cycle, api_for):
    mine = _mine(world)
    hr = api_for("hr")
    r = hr.put(f"/api/v1/appraisals/{mine.pk}/metrics/tickets_closed/", {"value": "75"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {"appraisal": mine.pk, "metric": "tickets_closed", "value": "75.0000", "source": "manual"}
    # 75×0.4 + 86×0.6 = 81.60 (as in the service test)
    assert _recompute(world, metric_cycle).composite == Decimal("81.60")
    r = hr.put(f"/api/v1/appraisals/{mine.pk}/metrics/tickets_closed/", {"value": None}, format="json")
    assert r.status_code == 200 and r.json()["value"] is None
