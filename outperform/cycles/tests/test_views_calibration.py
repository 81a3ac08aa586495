"""The calibration board shows the group's grades against the template's quotas, with violations."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from outperform.cycles.models import Appraisal, CycleState, RaterAssignment
from outperform.cycles.services import assignment_save
from outperform.testing.templates import make_template

from .helpers_web import advance, has_inline_script, make_cycle, to_review

pytestmark = pytest.mark.django_db


def _board(client, cycle):  # type: ignore[no-untyped-def]
    response = client.get(reverse("cycles:calibration_board", args=[cycle.pk]), {"group": "ALL"})
    assert response.status_code == 200
    return response.content.decode()


def test_too_many_excellent_is_a_quota_violation(world, client_for):
    # Forced distribution over the whole cycle, 优秀 at most 20 %: of 5 graded, floor(5 × 0.2) = 1 place.
    template = make_template(code="T-Q", grading="forced_distribution", distribution_group="cycle",
                             quotas=[("A", "max", 20)])
    cycle = make_cycle(world, template)
    cycle = to_review(world, cycle, {"Q1": ("95", "自评"), "Q2": ("95", "自评")})
    # supervisor scores 95, 94, 93, 92, 91: all in the 优秀 band, the quota lets one keep it
    for value, a in zip((95, 94, 93, 92, 91), RaterAssignment.objects.filter(cycle=cycle, role="supervisor")
                        .select_related("rater").order_by("id"), strict=True):
        assignment_save(actor=a.rater, assignment=a, values={"Q1": (str(value), ""), "Q2": (str(value), "")},
                        submit=True)
    cycle = advance(cycle, world.users["hr"], CycleState.CALIBRATION)
    assert Appraisal.objects.filter(cycle=cycle, grade="A").count() == 1
    hr = client_for("hr")
    page = _board(hr, cycle)
    assert "符合强制分布比例" in page and not has_inline_script(page)
    assert "不超过 20%（1 人）" in page
    data = json.loads(re.search(r'<script id="quota-data" type="application/json">(.*?)</script>', page).group(1))
    assert data["quotas"] == [{"code": "A", "kind": "max", "share": "20"}]
    assert sorted(data["grades"].values()) == ["A", "B", "B", "B", "B"]

    # HR moves a second person up to 优秀: the board now shows the violation
    second = Appraisal.objects.filter(cycle=cycle, grade="B").order_by("-composite").first()
    response = hr.post(reverse("cycles:calibration_board", args=[cycle.pk]), {
        "group": "ALL", "appraisal": second.pk, f"a{second.pk}-grade": "A", f"a{second.pk}-reason": "客户书面表扬",
    })
    assert response.status_code == 302
    page = _board(hr, cycle)
    assert "优秀 超出上限：2 人 &gt; 1 人（20%）" in page
    assert 'data-testid="violations"' in page and "cycles_calibration.js" in page


def test_calibration_refused_outside_the_calibration_stage(world, client_for, template):
    cycle = make_cycle(world, template)
    cycle = to_review(world, cycle, {"Q1": ("80", ""), "Q2": ("80", "")})
    a = Appraisal.objects.get(worker=world.workers["a_self"])
    response = client_for("hr").post(reverse("cycles:calibration_board", args=[cycle.pk]), {
        "group": a.group_key, "appraisal": a.pk, f"a{a.pk}-grade": "A", f"a{a.pk}-reason": "x"})
    assert response.status_code == 400
    assert "当前阶段（评价）不能进行此操作" in response.content.decode()
