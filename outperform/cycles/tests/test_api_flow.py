"""The cycle flow through the REST API, as an OA or WeCom/DingTalk app would drive it.

Same hand-computed numbers as test_views_flow: a_self 83.20 → 良好 (×1.20, ¥2,400.00); after the accepted
appeal 优秀 ×1.50."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outperform.cycles.models import Appraisal, AppraisalState, CycleState, Goal, RaterAssignment
from outperform.workers.models import Worker

pytestmark = pytest.mark.django_db


def _ok(response, status=200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, (response.status_code, getattr(response, "data", response.content))
    return response.json()


def test_whole_cycle_through_the_api(world, api_for, template, django_capture_on_commit_callbacks):
    Worker.objects.update(supervisor=world.users["supervisor"])
    hr, sup, me = api_for("hr"), api_for("supervisor"), api_for("worker")

    # create in draft; only HR may
    payload = {"name": "2026 Q4", "period_type": "quarter", "start_date": "2026-10-01", "end_date": "2026-12-31",
               "subject_kind": "worker", "default_template": template.pk, "peer_count": 2, "seed": 7}
    assert sup.post("/api/v1/cycles/", payload, format="json").status_code == 403
    bad = hr.post("/api/v1/cycles/", {**payload, "end_date": "2026-09-01"}, format="json")
    assert bad.status_code == 400 and "end_date" in bad.json()
    cycle = _ok(hr.post("/api/v1/cycles/", payload, format="json"), 201)
    cid = cycle["id"]
    assert cycle["state"] == "draft"
    assert _ok(hr.patch(f"/api/v1/cycles/{cid}/", {"peer_count": 3}, format="json"))["peer_count"] == 3

    # open: a job
    with django_capture_on_commit_callbacks(execute=True):
        job = _ok(hr.post(f"/api/v1/cycles/{cid}/open/"), 202)
    job = _ok(hr.get(f"/api/v1/jobs/{job['id']}/"))
    assert job["state"] == "succeeded" and job["percent"] == 100 and job["result"]["appraisals_created"] == 5
    assert me.get(f"/api/v1/jobs/{job['id']}/").status_code == 404
    assert hr.patch(f"/api/v1/cycles/{cid}/", {"peer_count": 1}, format="json").status_code == 400

    # goals: the worker proposes, the supervisor agrees; the subject changes the agreed goal with a reason
    mine = Appraisal.objects.get(worker=world.workers["a_self"])
    goal = _ok(me.post("/api/v1/goals/", {"appraisal": mine.pk, "title": "接通率", "measure": "接通/来电",
                                          "target": "95%", "weight": "100"}, format="json"), 201)
    assert goal["status"] == "proposed" and goal["agreed_by_subject"]
    blocked = hr.post(f"/api/v1/cycles/{cid}/advance/", {"target": "in_progress"}, format="json")
    assert blocked.status_code == 400 and "1 个目标尚未经双方确认" in blocked.json()["non_field_errors"][0]
    assert _ok(sup.post(f"/api/v1/goals/{goal['id']}/agree/"))["status"] == "agreed"
    refused = me.patch(f"/api/v1/goals/{goal['id']}/", {"target": "96%"}, format="json")
    assert refused.status_code == 400 and "change_reason" in refused.json()
    changed = _ok(me.patch(f"/api/v1/goals/{goal['id']}/", {"target": "96%", "change_reason": "业务量上升"},
                           format="json"))
    assert changed["status"] == "changed"
    _ok(sup.post(f"/api/v1/goals/{goal['id']}/agree/"))
    assert Goal.objects.get(pk=goal["id"]).status == "agreed"

    assert me.post(f"/api/v1/cycles/{cid}/advance/", {}, format="json").status_code == 403
    assert _ok(hr.post(f"/api/v1/cycles/{cid}/advance/", {}, format="json"))["state"] == "in_progress"
    _ok(hr.post(f"/api/v1/cycles/{cid}/advance/", {"target": "self_review"}, format="json"))

    # the worker rates themself
    todo = _ok(me.get("/api/v1/my-evaluations/"))["results"]
    assert [(t["role"], t["subject_name"], t["editable"]) for t in todo] == [("self", mine.subject_name, True)]
    sid = todo[0]["id"]
    form = _ok(me.get(f"/api/v1/assignments/{sid}/scores/"))
    assert [i["code"] for i in form["indicators"]] == ["Q1", "Q2"]
    bad = me.post(f"/api/v1/assignments/{sid}/scores/", {"values": {"Q1": {"value": "50"}}, "submit": True},
                  format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"Q1", "Q2"}  # 50 needs a comment; Q2 missing
    done = _ok(me.post(f"/api/v1/assignments/{sid}/scores/",
                       {"values": {"Q1": {"value": 80}, "Q2": {"value": "70"}}, "submit": True}, format="json"))
    assert done["assignment"]["state"] == "submitted"
    locked = me.post(f"/api/v1/assignments/{sid}/scores/", {"values": {"Q1": {"value": "81"}}}, format="json")
    assert locked.status_code == 400 and "已提交" in locked.json()["non_field_errors"][0]
    # another person's scores are not the worker's business; HR may read them
    sup_assignment = RaterAssignment.objects.get(appraisal=mine, role="supervisor").pk
    assert me.get(f"/api/v1/assignments/{sup_assignment}/scores/").status_code == 404
    assert hr.get(f"/api/v1/assignments/{sid}/scores/").status_code == 200
    assert hr.post(f"/api/v1/assignments/{sid}/scores/", {"values": {}}, format="json").status_code == 403

    _ok(hr.post(f"/api/v1/cycles/{cid}/advance/", {"target": "review"}, format="json"))

    # the supervisor rates everyone
    todo = _ok(sup.get("/api/v1/my-evaluations/", {"page_size": 100}))["results"]
    assert len(todo) == 5
    values = {"a_self": (90, 85), "a_ops_cs": (95, 55)}
    for t in todo:
        a = RaterAssignment.objects.select_related("appraisal__worker").get(pk=t["id"])
        key = next(k for k, w in world.workers.items() if w.pk == a.appraisal.worker_id)
        q1, q2 = values.get(key, (75, 75))
        body = {"values": {"Q1": {"value": q1}, "Q2": {"value": q2, "comment": "质检差错偏多" if q2 < 60 else ""}},
                "submit": True}
        _ok(sup.post(f"/api/v1/assignments/{t['id']}/scores/", body, format="json"))

    progress = _ok(hr.get(f"/api/v1/cycles/{cid}/progress/"))
    assert sum(r["pending"] for r in progress["progress"]) == 0 and progress["total"] == 5

    # compute (job), then 校准 and a calibration
    with django_capture_on_commit_callbacks(execute=True):
        job = _ok(hr.post(f"/api/v1/cycles/{cid}/compute/"), 202)
    assert _ok(hr.get(f"/api/v1/jobs/{job['id']}/"))["state"] == "succeeded"
    _ok(hr.post(f"/api/v1/cycles/{cid}/advance/", {"target": "calibration"}, format="json"))
    other = Appraisal.objects.get(worker=world.workers["a_ops_cs"])
    assert hr.post(f"/api/v1/appraisals/{other.pk}/calibrate/", {"grade": "B", "reason": ""},
                   format="json").status_code == 400
    assert sup.post(f"/api/v1/appraisals/{other.pk}/calibrate/", {"grade": "B", "reason": "x"},
                    format="json").status_code == 403
    calibrated = _ok(hr.post(f"/api/v1/appraisals/{other.pk}/calibrate/",
                             {"grade": "B", "reason": "热线高峰贡献突出"}, format="json"))
    assert (calibrated["grade"], calibrated["calibrated"], calibrated["coefficient"]) == ("B", True, "1.20")

    # before publication the worker gets no numbers
    row = _ok(me.get(f"/api/v1/appraisals/{mine.pk}/"))
    assert row["composite"] is None and row["results_visible"] is False
    assert me.get(f"/api/v1/appraisals/{mine.pk}/explain/").status_code == 403
    _ok(hr.post(f"/api/v1/cycles/{cid}/advance/", {"target": "published"}, format="json"))

    row = _ok(me.get(f"/api/v1/appraisals/{mine.pk}/"))
    assert (row["composite"], row["grade_name"], row["bonus_fen"]) == ("83.20", "良好", 240000)
    explain = _ok(me.get(f"/api/v1/appraisals/{mine.pk}/explain/"))
    q1 = explain["indicators"][0]
    assert (q1["code"], q1["score"], q1["contribution"]) == ("Q1", "86.00", "51.60")
    assert {r["role"]: r["mean"] for r in q1["roles"]} == {"self": "80.00", "supervisor": "90.00"}

    # appeal, interview, decision, confirmation
    appeal = _ok(me.post(f"/api/v1/appraisals/{mine.pk}/appeal/", {"reason": "客户表扬信未计入"}, format="json"), 201)
    assert appeal["state"] == "submitted"
    assert me.post(f"/api/v1/appraisals/{mine.pk}/confirm/").status_code == 400  # appealed
    interview = _ok(sup.post("/api/v1/interviews/", {
        "appraisal": mine.pk, "held_on": "2027-01-08", "participants": "主管、本人", "strengths": "响应快",
        "gaps": "质检", "actions": [{"action": "质检培训", "owner": "本人", "due": "2027-02-28"}],
    }, format="json"), 201)
    assert interview["actions"] == [{"action": "质检培训", "owner": "本人", "due": "2027-02-28"}]
    assert me.post("/api/v1/interviews/", {"appraisal": mine.pk, "held_on": "2027-01-08",
                                           "participants": "x"}, format="json").status_code == 403
    assert _ok(me.post(f"/api/v1/interviews/{interview['id']}/acknowledge/"))["acknowledged_at"]
    _ok(hr.post(f"/api/v1/cycles/{cid}/advance/", {"target": "confirmation"}, format="json"))
    assert [a["id"] for a in _ok(hr.get("/api/v1/appeals/", {"state": "submitted"}))["results"]] == [appeal["id"]]
    assert me.post(f"/api/v1/appeals/{appeal['id']}/decide/", {"accept": True, "decision": "x"},
                   format="json").status_code == 403
    decided = _ok(hr.post(f"/api/v1/appeals/{appeal['id']}/decide/",
                          {"accept": True, "decision": "表扬信核实，上调至优秀", "grade": "A"}, format="json"))
    assert decided["state"] == "accepted"
    confirmed = _ok(me.post(f"/api/v1/appraisals/{mine.pk}/confirm/"))
    assert confirmed["state"] == AppraisalState.CONFIRMED
    mine.refresh_from_db()
    assert (mine.composite, mine.grade, mine.coefficient) == (Decimal("83.20"), "A", Decimal("1.50"))
    assert _ok(hr.post(f"/api/v1/cycles/{cid}/advance/", {}, format="json"))["state"] == CycleState.ARCHIVED
    assert hr.post(f"/api/v1/cycles/{cid}/move-back/", {"target": "confirmation", "reason": "x"},
                   format="json").status_code == 400  # archived: read-only


def test_reopen_move_back_and_teams(world, api_for, template):
    from outperform.cycles.services import cycle_open

    from .helpers_web import advance, make_cycle, submit_all

    hr = api_for("hr")
    cycle = make_cycle(world, template)
    cycle_open(actor=world.users["hr"], cycle=cycle)
    cycle = advance(cycle, world.users["hr"], CycleState.IN_PROGRESS)
    submit_all(cycle, "self", {"Q1": ("80", ""), "Q2": ("80", "")})
    own = RaterAssignment.objects.get(cycle=cycle, role="self")
    assert hr.post(f"/api/v1/assignments/{own.pk}/reopen/", {"reason": ""}, format="json").status_code == 400
    assert api_for("supervisor").post(f"/api/v1/assignments/{own.pk}/reopen/", {"reason": "x"},
                                      format="json").status_code == 404  # not theirs, not HR
    reopened = _ok(hr.post(f"/api/v1/assignments/{own.pk}/reopen/", {"reason": "分数填反"}, format="json"))
    assert reopened["state"] == "draft" and reopened["reopened_reason"] == "分数填反"
    bad = hr.post(f"/api/v1/cycles/{cycle.pk}/move-back/", {"target": "goal_setting", "reason": ""}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    moved = _ok(hr.post(f"/api/v1/cycles/{cycle.pk}/move-back/", {"target": "goal_setting", "reason": "重新确认目标"},
                        format="json"))
    assert moved["state"] == "goal_setting"
    assert hr.delete(f"/api/v1/cycles/{cycle.pk}/").status_code == 400  # opened: not deletable
    team = _ok(hr.post("/api/v1/teams/", {"code": "TM-9", "name": "热线二组", "department": world.ops.pk,
                                          "members": [world.workers["a_self"].pk]}, format="json"), 201)
    assert team["members"] == [world.workers["a_self"].pk]
    assert api_for("supervisor").post("/api/v1/teams/", {"code": "TM-8", "name": "x", "department": world.ops.pk},
                                      format="json").status_code == 403


def test_schema_documents_the_cycle_endpoints(world, client_for):
    schema = client_for("hr").get("/api/schema/").content.decode()
    for path in ("/api/v1/cycles/{id}/advance/", "/api/v1/cycles/{id}/move-back/", "/api/v1/cycles/{id}/open/",
                 "/api/v1/appraisals/{id}/explain/", "/api/v1/assignments/{id}/scores/", "/api/v1/my-evaluations/",
                 "/api/v1/appeals/{id}/decide/", "/api/v1/interviews/{id}/acknowledge/", "/api/v1/jobs/{id}/",
                 "/api/v1/goals/{id}/agree/", "/api/v1/teams/"):
        assert path in schema, path
