"""Scope and 360 anonymity through the API."""

from __future__ import annotations

import pytest

from outperform.cycles.models import Appraisal, CycleState, RaterAssignment

from .helpers_web import advance, make_cycle, published_360, submit_all, to_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(world, template):  # type: ignore[no-untyped-def]
    cycle = make_cycle(world, template)
    cycle = to_review(world, cycle, {"Q1": ("80", ""), "Q2": ("70", "")})
    submit_all(cycle, "supervisor", {"Q1": ("90", ""), "Q2": ("85", "")})
    return advance(cycle, world.users["hr"], CycleState.CALIBRATION)


@pytest.mark.parametrize(("role", "expected"), [
    ("hr", {"a_ops_cs", "a_tech", "a_self", "b_ops", "b_tech"}),
    ("auditor", {"a_ops_cs", "a_tech", "a_self", "b_ops", "b_tech"}),
    ("supervisor", {"a_ops_cs", "b_ops", "a_self"}),
    ("vendor_manager", {"a_ops_cs", "a_tech", "a_self"}),
    ("worker", {"a_self"}),
    ("nobody", set()),
])
def test_appraisals_are_scoped(world, api_for, computed, role, expected):
    client = api_for(role)
    rows = client.get("/api/v1/appraisals/", {"cycle": computed.pk, "page_size": 100}).json()["results"]
    names = {r["subject_name"] for r in rows}
    assert names == {world.workers[k].name for k in expected}
    for key, worker in world.workers.items():
        a = Appraisal.objects.get(worker=worker)
        assert client.get(f"/api/v1/appraisals/{a.pk}/").status_code == (200 if key in expected else 404)


def test_results_reach_the_worker_only_after_publication(world, api_for, computed):
    me, hr = api_for("worker"), api_for("hr")
    mine = Appraisal.objects.get(worker=world.workers["a_self"])
    assert hr.get(f"/api/v1/appraisals/{mine.pk}/").json()["composite"] == "83.20"
    row = me.get(f"/api/v1/appraisals/{mine.pk}/").json()
    assert row["composite"] is None and row["grade"] == "" and row["bonus_fen"] is None
    assert me.get(f"/api/v1/appraisals/{mine.pk}/explain/").status_code == 403
    # filtering or ordering by results shows nothing unpublished
    assert me.get("/api/v1/appraisals/", {"grade": "B"}).json()["results"] == []
    assert me.get("/api/v1/appraisals/", {"ordering": "-composite"}).json()["results"] == []
    advance(computed, world.users["hr"], CycleState.PUBLISHED)
    assert me.get(f"/api/v1/appraisals/{mine.pk}/").json()["composite"] == "83.20"
    assert [r["id"] for r in me.get("/api/v1/appraisals/", {"grade": "B"}).json()["results"]] == [mine.pk]
    assert me.get(f"/api/v1/appraisals/{mine.pk}/explain/").status_code == 200


def test_assignments_and_scores_stay_with_the_rater_and_hr(world, api_for, computed):
    sup_assignment = RaterAssignment.objects.filter(cycle=computed, role="supervisor").first()
    for role in ("vendor_manager", "worker"):
        assert api_for(role).get(f"/api/v1/assignments/{sup_assignment.pk}/scores/").status_code == 404
    assert api_for("auditor").get(f"/api/v1/assignments/{sup_assignment.pk}/scores/").status_code == 403
    assert api_for("supervisor").get(f"/api/v1/assignments/{sup_assignment.pk}/scores/").status_code == 200
    assert api_for("hr").get(f"/api/v1/assignments/{sup_assignment.pk}/scores/").status_code == 200
    ids = {r["id"] for r in api_for("worker").get("/api/v1/assignments/").json()["results"]}
    assert ids == set(RaterAssignment.objects.filter(rater=world.users["worker"]).values_list("id", flat=True))


def _peer_rows(client, world):  # type: ignore[no-untyped-def]
    mine = Appraisal.objects.get(worker=world.workers["a_self"])
    response = client.get(f"/api/v1/appraisals/{mine.pk}/explain/")
    assert response.status_code == 200
    return response, [r for row in response.json()["indicators"] for r in row["roles"]]


def test_explain_hides_two_peers_and_shows_three_as_a_mean(world, api_for):
    _cycle, peers = published_360(world, peers_rating=2)
    response, roles = _peer_rows(api_for("worker"), world)
    assert roles == [] and all(row["roles_withheld"] for row in response.json()["indicators"])
    assert not any(str(u) in response.content.decode() or u.username in response.content.decode() for u in peers)
    _response, roles = _peer_rows(api_for("vendor_manager"), world)
    assert "peer" not in {r["role"] for r in roles}
    _response, roles = _peer_rows(api_for("hr"), world)
    assert [r["mean"] for r in roles if r["role"] == "peer"] == ["77.00", "80.00"]  # P1 (71+83)/2, P2 80


def test_explain_with_three_peers_shows_the_role_mean_only(world, api_for):
    _cycle, peers = published_360(world, peers_rating=3)
    response, roles = _peer_rows(api_for("worker"), world)
    peer_rows = [r for r in roles if r["role"] == "peer"]
    assert peer_rows[0]["mean"] == "83.00" and peer_rows[0]["count"] == 3
    assert set(peer_rows[0]) == {"role", "label", "mean", "count", "weight", "effective_weight"}
    body = response.content.decode()
    assert not any(str(u) in body or u.username in body for u in peers)
