"""One cycle from creation to archive, every step through the pages a person would use.

Numbers, worked out by hand (make_template: Q1 weight 60, Q2 weight 40; raters self 40, supervisor 60;
bands 优秀 90–100 ×1.5, 良好 80–90 ×1.2, 合格 60–80 ×1.0, 不合格 <60 ×0; bonus base 2,000.00 yuan):

- a_self (the worker log-in): self Q1 80, Q2 70; supervisor Q1 90, Q2 85
    Q1 = (80×40 + 90×60)/100 = 86.00;  Q2 = (70×40 + 85×60)/100 = 79.00
    composite = 86×60/100 + 79×40/100 = 51.60 + 31.60 = 83.20 → 良好 (B), ×1.20, bonus ¥2,400.00
    after the appeal is accepted with grade 优秀: 83.20, A, ×1.50
- a_ops_cs (no log-in, no self rating): supervisor Q1 95, Q2 55 → 95×0.6 + 55×0.4 = 57 + 22 = 79.00 → 合格,
    calibrated to 良好 with a reason
- a_tech, b_ops, b_tech: supervisor 75 / 75 → 75.00 → 合格
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outperform.core.models import AuditLog, Job, JobState
from outperform.cycles.models import (
    Appeal,
    AppealState,
    Appraisal,
    AppraisalState,
    AssignmentState,
    Calibration,
    Cycle,
    CycleState,
    Goal,
    GoalStatus,
    Interview,
    RaterAssignment,
)
from outperform.workers.models import Worker

from .helpers_web import has_inline_script

pytestmark = pytest.mark.django_db


def _body(response):  # type: ignore[no-untyped-def]
    return response.content.decode()


def _advance(hr_client, cycle, expected):  # type: ignore[no-untyped-def]
    response = hr_client.post(reverse("cycles:cycle_advance", args=[cycle.pk]), {"target": expected})
    assert response.status_code == 302, _body(response)
    cycle.refresh_from_db()
    assert cycle.state == expected


def test_whole_cycle_through_the_pages(world, client_for, template, settings, tmp_path,
                                       django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    Worker.objects.update(supervisor=world.users["supervisor"])
    hr, sup, me = client_for("hr"), client_for("supervisor"), client_for("worker")

    # --- HR sets the cycle up in 草稿 -------------------------------------------------------
    response = hr.get(reverse("cycles:cycles_create"))
    assert response.status_code == 200 and template.name in _body(response)
    response = hr.post(reverse("cycles:cycles_create"), {
        "name": "2026年第四季度", "period_type": "quarter", "start_date": "2026-10-01", "end_date": "2026-12-31",
        "subject_kind": "worker", "default_template": template.pk, "peer_count": 2, "appeal_window_days": 7,
        "self_review_due": "2026-12-20", "review_due": "2026-12-31", "seed": 7,
    })
    assert response.status_code == 302, _body(response)
    cycle = Cycle.objects.get(name="2026年第四季度")
    assert cycle.state == CycleState.DRAFT
    detail = reverse("cycles:cycles_detail", args=[cycle.pk])
    body = _body(hr.get(detail))
    assert "开启周期" in body and "草稿" in body and not has_inline_script(body)
    # a supervisor cannot edit, open or advance
    assert sup.get(reverse("cycles:cycles_edit", args=[cycle.pk])).status_code == 403
    assert sup.post(reverse("cycles:cycle_open", args=[cycle.pk])).status_code == 403

    # --- 开启周期: a background job with a progress page -----------------------------------------
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(reverse("cycles:cycle_open", args=[cycle.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind="cycle_open")
    assert response["Location"] == reverse("cycles:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.result["appraisals_created"] == 5
    page = _body(hr.get(response["Location"]))
    assert 'data-state="succeeded"' in page and "hx-trigger" not in page and detail in page
    fragment = _body(hr.get(reverse("cycles:job_progress", args=[job.pk])))
    assert "100%" in fragment and "hx-trigger" not in fragment
    assert client_for("worker").get(reverse("cycles:job_detail", args=[job.pk])).status_code == 404
    cycle.refresh_from_db()
    assert cycle.state == CycleState.GOAL_SETTING
    # editing is refused once opened
    response = hr.get(reverse("cycles:cycles_edit", args=[cycle.pk]))
    assert response.status_code == 302 and response["Location"] == detail

    # --- goals: the worker proposes, the supervisor agrees ---------------------------------------
    mine = Appraisal.objects.get(worker=world.workers["a_self"])
    mine_url = reverse("cycles:appraisal_detail", args=[mine.pk])
    response = me.post(reverse("cycles:goal_propose", args=[mine.pk]), {
        "title": "热线接通率", "measure": "接通电话 / 来电", "target": "≥ 95%", "weight": "100", "due_date": "2026-12-31",
    })
    assert response.status_code == 302
    goal = Goal.objects.get(appraisal=mine)
    assert goal.agreed_by_subject and goal.status == GoalStatus.PROPOSED
    response = hr.post(reverse("cycles:cycle_advance", args=[cycle.pk]), {"target": "in_progress"})
    assert response.status_code == 400 and "1 个目标尚未经双方确认" in _body(response)
    assert reverse("cycles:goal_agree", args=[goal.pk]) in _body(sup.get(mine_url))
    assert sup.post(reverse("cycles:goal_agree", args=[goal.pk])).status_code == 302
    goal.refresh_from_db()
    assert goal.status == GoalStatus.AGREED

    _advance(hr, cycle, CycleState.IN_PROGRESS)
    assert me.post(reverse("cycles:goal_completion", args=[goal.pk]), {"completion": "96"}).status_code == 302
    goal.refresh_from_db()
    assert goal.completion == Decimal("96") and goal.status == GoalStatus.AGREED
    _advance(hr, cycle, CycleState.SELF_REVIEW)

    # the stage cannot be left while the self rating is missing: the blockers are listed
    response = hr.post(reverse("cycles:cycle_advance", args=[cycle.pk]), {"target": "review"})
    assert response.status_code == 400
    assert "1 份考核单仍缺少自评评价" in _body(response) and 'data-testid="blockers"' in _body(response)

    # --- the worker rates themself through the form ---------------------------------------------
    todo = _body(me.get(reverse("cycles:my_evaluations")))
    own = RaterAssignment.objects.get(appraisal=mine, role="self")
    form_url = reverse("cycles:evaluation_form", args=[own.pk])
    assert form_url in todo
    page = _body(me.get(form_url))
    assert "指标Q1" in page and 'name="v_Q1"' in page and "data-confirm" in page
    response = me.post(form_url, {"v_Q1": "50", "c_Q1": "", "v_Q2": "70", "c_Q2": "", "submit": "1"})
    assert response.status_code == 400
    assert 'data-error-for="Q1"' in _body(response) and "须填写评语" in _body(response)
    response = me.post(form_url, {"v_Q1": "80", "v_Q2": "", "save": "1"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.state == AssignmentState.DRAFT
    response = me.post(form_url, {"v_Q1": "80", "v_Q2": "70", "submit": "1"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.state == AssignmentState.SUBMITTED
    page = _body(me.get(form_url))
    assert 'data-testid="read-only"' in page and "保存草稿" not in page
    # someone else's evaluation does not exist for the worker
    other = RaterAssignment.objects.filter(role="supervisor").first()
    assert me.get(reverse("cycles:evaluation_form", args=[other.pk])).status_code == 404

    _advance(hr, cycle, CycleState.REVIEW)

    # --- the supervisor rates everyone in the grid --------------------------------------------
    grid_url = reverse("cycles:rating_grid", args=[cycle.pk, "supervisor"])
    assert grid_url in _body(sup.get(reverse("cycles:my_evaluations")))
    page = _body(sup.get(grid_url))
    assert "data-grid-cell" in page and "cycles_grid.js" in page and not has_inline_script(page)
    rows = {a.appraisal.worker_id: a for a in RaterAssignment.objects.filter(cycle=cycle, role="supervisor")
            .select_related("appraisal")}
    scores = {"a_self": ("90", "85", ""), "a_ops_cs": ("95", "55", "质检差错偏多"), "a_tech": ("75", "75", ""),
              "b_ops": ("75", "75", ""), "b_tech": ("75", "75", "")}

    def grid_data(overrides=None, submit=()):  # type: ignore[no-untyped-def]
        data = {}
        for key, (q1, q2, comment) in {**scores, **(overrides or {})}.items():
            a = rows[world.workers[key].pk]
            data[f"v_{a.pk}_Q1"], data[f"v_{a.pk}_Q2"], data[f"c_{a.pk}_Q2"] = q1, q2, comment
        if submit:
            data["submit"] = "1"
            data["submit_row"] = [str(rows[world.workers[k].pk].pk) for k in submit]
        else:
            data["save"] = "1"
        return data

    # one row is wrong (55 without a comment): it is shown on its row, the others are saved
    response = sup.post(grid_url, grid_data({"a_ops_cs": ("95", "55", "")}))
    assert response.status_code == 400
    page = _body(response)
    assert "cell-error" in page and "须填写评语" in page
    assert RaterAssignment.objects.filter(cycle=cycle, role="supervisor", state="draft").count() == 4
    response = sup.post(grid_url, grid_data(submit=list(scores)))
    assert response.status_code == 302
    assert RaterAssignment.objects.filter(cycle=cycle, role="supervisor", state="submitted").count() == 5

    # --- HR computes (a job), moves to 校准 and calibrates with a reason --------------------------
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(reverse("cycles:cycle_compute", args=[cycle.pk]))
    assert Job.objects.get(kind="cycle_compute").state == JobState.SUCCEEDED
    _advance(hr, cycle, CycleState.CALIBRATION)
    body = _body(hr.get(detail))
    assert 'data-chart="bar"' in body and "grade-chart" in body and "echarts.min.js" in body
    other = Appraisal.objects.get(worker=world.workers["a_ops_cs"])
    assert (other.composite, other.grade) == (Decimal("79.00"), "C")
    board = reverse("cycles:calibration_board", args=[cycle.pk])
    page = _body(hr.get(board, {"group": other.group_key}))
    assert other.subject_name in page and 'data-testid="quota-table"' in page
    assert sup.get(board).status_code == 403
    prefix = f"a{other.pk}"
    response = hr.post(board, {"group": other.group_key, "appraisal": other.pk, f"{prefix}-grade": "B",
                               f"{prefix}-reason": ""})
    assert response.status_code == 400 and 'data-testid="row-errors"' in _body(response)
    response = hr.post(board, {"group": other.group_key, "appraisal": other.pk, f"{prefix}-grade": "B",
                               f"{prefix}-reason": "热线高峰贡献突出，委员会一致同意上调"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.grade, other.grade_name, other.calibrated) == ("B", "良好", True)
    assert Calibration.objects.get(appraisal=other).reason.startswith("热线高峰")

    # before publication the worker sees no result
    page = _body(me.get(mine_url))
    assert 'data-testid="not-published"' in page and "83.20" not in page
    _advance(hr, cycle, CycleState.PUBLISHED)

    # --- the worker sees the result and why ----------------------------------------------------
    page = _body(me.get(mine_url))
    assert 'data-testid="composite">83.20<' in page and "良好" in page and "¥2,400.00" in page
    assert "86.00" in page and "51.60" in page and "79.00" in page and "31.60" in page
    assert "申诉截止" in page and "确认结果" in page and 'data-testid="score-rows"' not in page
    hr_page = _body(hr.get(mine_url))
    assert 'data-testid="score-rows"' in hr_page and str(world.users["supervisor"]) in hr_page

    # --- the worker appeals, with an attachment -------------------------------------------------
    letter = SimpleUploadedFile("表扬信.pdf", b"%PDF-1.4 thanks", content_type="application/pdf")
    response = me.post(reverse("cycles:appeal_submit", args=[mine.pk]),
                       {"reason": "客户表扬信未计入", "attachment": letter})
    assert response.status_code == 302
    appeal = Appeal.objects.get(appraisal=mine)
    assert appeal.attachment and appeal.state == AppealState.SUBMITTED
    download = hr.get(reverse("cycles:appeal_attachment", args=[appeal.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 thanks"
    assert client_for("vendor_manager").get(reverse("cycles:appeal_attachment", args=[appeal.pk])).status_code == 200
    _advance(hr, cycle, CycleState.CONFIRMATION)

    # --- the supervisor records the interview, the worker acknowledges ----------------------------
    response = sup.post(reverse("cycles:interview_new", args=[mine.pk]), {
        "held_on": "2027-01-08", "participants": "主管、本人", "strengths": "响应快", "gaps": "质检规范",
        "action_action": ["参加质检培训", ""], "action_owner": ["本人", ""], "action_due": ["2027-02-28", ""],
    })
    assert response.status_code == 302, _body(response)
    interview = Interview.objects.get(appraisal=mine)
    assert interview.actions == [{"action": "参加质检培训", "owner": "本人", "due": "2027-02-28"}]
    assert me.post(reverse("cycles:interview_acknowledge", args=[interview.pk])).status_code == 302
    interview.refresh_from_db()
    assert interview.acknowledged_at is not None
    # changed notes need a new acknowledgement, and the change is audited
    response = sup.post(reverse("cycles:interview_edit", args=[interview.pk]), {
        "held_on": "2027-01-08", "participants": "主管、本人", "strengths": "响应快，带教新人", "gaps": "质检规范",
        "action_action": ["参加质检培训"], "action_owner": ["本人"], "action_due": ["2027-02-28"],
    })
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.acknowledged_at is None and interview.strengths == "响应快，带教新人"
    audit = AuditLog.objects.filter(action="update", object_id=str(interview.pk), changes__has_key="strengths").get()
    assert audit.changes["strengths"] == ["响应快", "响应快，带教新人"]
    assert me.post(reverse("cycles:interview_acknowledge", args=[interview.pk])).status_code == 302

    # --- HR decides the appeal ----------------------------------------------------------------
    assert "绩效申诉" in _body(hr.get(reverse("cycles:appeals_list"), {"state": "submitted"}))
    appeal_url = reverse("cycles:appeals_detail", args=[appeal.pk])
    assert me.post(appeal_url, {"accept": "1", "decision": "x"}).status_code == 403
    response = hr.post(appeal_url, {"accept": "1", "decision": "", "grade": "A"})
    assert response.status_code == 400
    response = hr.post(appeal_url, {"accept": "1", "decision": "表扬信核实，上调至优秀", "grade": "A"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ACCEPTED

    # --- the worker confirms; HR archives -------------------------------------------------------
    assert me.post(reverse("cycles:appraisal_confirm", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.state == AppraisalState.CONFIRMED
    assert (mine.composite, mine.grade, mine.grade_name, mine.coefficient) == (
        Decimal("83.20"), "A", "优秀", Decimal("1.50"))
    _advance(hr, cycle, CycleState.ARCHIVED)

    # --- the performance archive (绩效档案) ------------------------------------------------------
    archive = reverse("cycles:archive_worker", args=[world.workers["a_self"].pk])
    page = _body(me.get(archive))
    assert "2026年第四季度" in page and "83.20" in page and 'data-chart="line"' in page
    assert client_for("worker").get(
        reverse("cycles:archive_worker", args=[world.workers["b_tech"].pk])).status_code == 404
    assert "我的考核" in _body(me.get(reverse("cycles:my_appraisals")))


def test_cycle_delete_only_in_draft_and_move_back_needs_reason(world, client_for, template):
    from outperform.cycles.services import cycle_open

    from .helpers_web import make_cycle

    hr = client_for("hr")
    draft = make_cycle(world, template, name="草稿周期")
    assert hr.post(reverse("cycles:cycles_delete", args=[draft.pk])).status_code == 302
    assert not Cycle.objects.filter(pk=draft.pk).exists()
    cycle = make_cycle(world, template)
    cycle_open(actor=world.users["hr"], cycle=cycle)
    response = hr.post(reverse("cycles:cycles_delete", args=[cycle.pk]))
    assert response.status_code == 302 and Cycle.objects.filter(pk=cycle.pk).exists()
    _advance(hr, cycle, CycleState.IN_PROGRESS)
    url = reverse("cycles:cycle_move_back", args=[cycle.pk])
    response = hr.post(url, {"target": "goal_setting", "reason": ""})
    assert response.status_code == 400 and "退回" in _body(response)
    assert client_for("supervisor").post(url, {"target": "goal_setting", "reason": "x"}).status_code == 403
    response = hr.post(url, {"target": "goal_setting", "reason": "目标需要重新确认"})
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.state == CycleState.GOAL_SETTING


def test_cycle_list_filters_and_teams(world, client_for, template):
    from .helpers_web import make_cycle

    make_cycle(world, template, name="月度A", period_type="month")
    make_cycle(world, template, name="季度B")
    hr = client_for("hr")
    body = _body(hr.get(reverse("cycles:cycles_list"), {"period_type": "month"}))
    assert "月度A" in body and "季度B" not in body
    assert "季度B" in _body(hr.get(reverse("cycles:cycles_list"), {"q": "季度"}))
    assert "季度B" in _body(client_for("supervisor").get(reverse("cycles:cycles_list")))
    assert "季度B" not in _body(client_for("nobody").get(reverse("cycles:cycles_list")))
    # teams: members are chosen among workers the user may see
    response = hr.post(reverse("cycles:teams_create"), {
        "code": "TM-1", "name": "热线一组", "department": world.ops.pk,
        "members": [world.workers["a_self"].pk, world.workers["b_ops"].pk],
    })
    assert response.status_code == 302
    from outperform.cycles.models import Team

    team = Team.objects.get(code="TM-1")
    assert set(team.members.values_list("pk", flat=True)) == {world.workers["a_self"].pk, world.workers["b_ops"].pk}
    assert world.workers["a_self"].name in _body(hr.get(reverse("cycles:teams_detail", args=[team.pk])))
    assert client_for("supervisor").get(reverse("cycles:teams_create")).status_code == 403


def test_a_failed_opening_shows_why_on_the_job_page(world, client_for, django_capture_on_commit_callbacks):
    from outperform.testing.templates import make_template

    from .helpers_web import make_cycle

    # weights 50 + 40: the template cannot be used
    broken = make_template(code="T-BAD", indicators=[{"code": "Q1", "weight": 50}, {"code": "Q2", "weight": 40}])
    cycle = make_cycle(world, broken)
    hr = client_for("hr")
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(reverse("cycles:cycle_open", args=[cycle.pk]))
    page = _body(hr.get(response["Location"]))
    assert 'data-state="failed"' in page and 'data-testid="job-error"' in page and "T-BAD" in page
    assert "Traceback" not in page
    cycle.refresh_from_db()
    assert cycle.state == CycleState.DRAFT
