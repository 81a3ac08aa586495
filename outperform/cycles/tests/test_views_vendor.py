"""A vendor scorecard cycle: the vendor's manager sees their own scorecard (subject's view), appeals
it, and finds it in the vendor's performance archive; another vendor's scorecard does not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outperform.cycles.models import Appeal, Appraisal, CycleState
from outperform.cycles.services import cycle_open
from outperform.testing.templates import make_template

from .helpers_web import advance, make_cycle, submit_all

pytestmark = pytest.mark.django_db


def test_vendor_manager_and_the_vendor_scorecard(world, client_for, api_for):
    template = make_template(code="T-V", subject_kind="vendor", role_weights={"supervisor": "100"},
                             indicators=[{"code": "V1", "weight": 100, "rater_roles": ["supervisor"]}])
    cycle = make_cycle(world, template, subject_kind="vendor")
    hr = world.users["hr"]
    cycle_open(actor=hr, cycle=cycle)
    cycle = advance(cycle, hr, CycleState.IN_PROGRESS, CycleState.SELF_REVIEW, CycleState.REVIEW)
    assert submit_all(cycle, "supervisor", {"V1": ("88", "")}) == 2  # HR rates both vendors
    cycle = advance(cycle, hr, CycleState.CALIBRATION, CycleState.PUBLISHED)
    ours = Appraisal.objects.get(cycle=cycle, vendor=world.vendor_a)
    theirs = Appraisal.objects.get(cycle=cycle, vendor=world.vendor_b)

    vm = client_for("vendor_manager")
    page = vm.get(reverse("cycles:my_appraisals")).content.decode()
    assert world.vendor_a.name in page and world.vendor_b.name not in page
    page = vm.get(reverse("cycles:appraisal_detail", args=[ours.pk])).content.decode()
    assert "88.00" in page and "提交申诉" in page and "确认结果" not in page  # only the subject confirms
    assert vm.get(reverse("cycles:appraisal_detail", args=[theirs.pk])).status_code == 404
    response = vm.post(reverse("cycles:appeal_submit", args=[ours.pk]), {"reason": "SLA 数据口径有误"})
    assert response.status_code == 302
    assert Appeal.objects.get(appraisal=ours).submitted_by == world.users["vendor_manager"]
    assert api_for("vendor_manager").post(f"/api/v1/appraisals/{theirs.pk}/appeal/", {"reason": "x"},
                                          format="json").status_code == 404
    archive = vm.get(reverse("cycles:archive_vendor", args=[world.vendor_a.pk]))
    assert archive.status_code == 200 and "88.00" in archive.content.decode()
    assert vm.get(reverse("cycles:archive_vendor", args=[world.vendor_b.pk])).status_code == 404
