"""Every way the bulk compute can read and score a cycle stores the same results: the packed read
(PostgreSQL) with DenseBlocks, the text fold with DenseRatings, the general mappings, and half of the
groups scored in a forked process."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from outperform.cycles.models import Appraisal, CycleState, RaterAssignment, Score
from outperform.cycles.services import (
    appraisal_calibrate,
    assignment_save,
    computing,
    cycle_advance,
    cycle_compute,
    cycle_open,
)
from outperform.testing.factories import UserFactory, WorkerFactory
from outperform.testing.templates import make_template

from .helpers_compute import read_spy, stored_results
from .helpers_web import make_cycle, submit_all

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def rated(world):  # type: ignore[no-untyped-def]
    """A 360 cycle over two departments (several groups): most appraisals have one rater per role (dense),
    one has two peers, one a stray score for an indicator no template has; one result is calibrated."""
    roles = ["self", "supervisor", "peer"]
    template = make_template(code="T-DENSE", role_weights={"self": "20", "supervisor": "50", "peer": "30"},
                             indicators=[{"code": "D1", "weight": "33.33", "rater_roles": roles},
                                         {"code": "D2", "weight": "66.67", "rater_roles": roles}])
    for department in (world.ops, world.ops, world.ops, world.tech, world.tech):
        WorkerFactory(vendor=world.vendor_a, department=department, position=world.position, user=UserFactory())
    cycle = make_cycle(world, template, departments=[world.ops, world.tech], peer_count=2)
    hr = world.users["hr"]
    cycle_open(actor=hr, cycle=cycle)
    cycle = cycle_advance(actor=hr, cycle=cycle, target=CycleState.IN_PROGRESS)
    cycle = cycle_advance(actor=hr, cycle=cycle, target=CycleState.SELF_REVIEW)
    submit_all(cycle, "self", {"D1": ("81.5", ""), "D2": ("77.25", "")})
    cycle = cycle_advance(actor=hr, cycle=cycle, target=CycleState.REVIEW)
    submit_all(cycle, "supervisor", {"D1": ("90", ""), "D2": ("64.75", "")})
    peers = list(RaterAssignment.objects.filter(cycle=cycle, role="peer").select_related("rater").order_by("id"))
    seen: set[int] = set()
    for i, a in enumerate(peers):
        # the first peer of every appraisal rates; the second only for one appraisal (two peers)
        if a.appraisal_id in seen and a.appraisal_id != peers[0].appraisal_id:
            continue
        seen.add(a.appraisal_id)
        assignment_save(actor=a.rater, assignment=a, values={"D1": (str(70 + i), ""), "D2": ("88.88", "")},
                        submit=True)
    stray = peers[-1]
    Score.objects.create(cycle=cycle, appraisal_id=stray.appraisal_id, assignment=stray, role="peer",
                         indicator_code="GONE", value=Decimal("12.00"))
    cycle = cycle_advance(actor=hr, cycle=cycle, target=CycleState.CALIBRATION)
    cycle_compute(actor=hr, cycle=cycle)
    some = Appraisal.objects.filter(cycle=cycle, composite__isnull=False).order_by("id").first()
    assert some is not None
    appraisal_calibrate(actor=hr, appraisal=some, composite=Decimal("91.00"), grade="A", reason="校准会决议")
    assert len(set(Appraisal.objects.filter(cycle=cycle).values_list("group_key", flat=True))) >= 2
    return cycle, some


def test_every_path_stores_the_same_results(world, rated, monkeypatch):
    cycle, calibrated = rated
    hr = world.users["hr"]
    # given: the default path (PostgreSQL: packed read and DenseBlocks; SQLite: the text fold)
    kinds = read_spy(monkeypatch)
    cycle_compute(actor=hr, cycle=cycle)
    default = stored_results(cycle)
    fast = "block" if POSTGRES else "dense"
    assert set(kinds) == {fast, "general"}, "dense and general appraisals were both read"
    # two peers, a stray score, and the world's workers without a log-in (no self rater)
    general = kinds.count("general")
    assert general >= 2
    # when: the text fold is forced (PostgreSQL takes it without numpy, or with too many slots)
    kinds.clear()
    monkeypatch.setattr(computing, "PACKED_SLOTS_MAX", 0)
    cycle_compute(actor=hr, cycle=cycle)
    assert set(kinds) == {"dense", "general"}
    assert kinds.count("general") == general, "both reads tell dense appraisals apart alike"
    assert stored_results(cycle) == default
    # when: no appraisal is read as dense at all
    kinds.clear()
    monkeypatch.setattr(computing._DenseDecoder, "decode", lambda self, numbers: None)
    cycle_compute(actor=hr, cycle=cycle)
    assert set(kinds) == {"general"}
    # then: every stored result is the same, the calibrated one included
    assert stored_results(cycle) == default
    again = Appraisal.objects.get(pk=calibrated.pk)
    assert (again.composite, again.grade, again.coefficient) == (Decimal("91.00"), "A", Decimal("1.50"))


@pytest.mark.skipif(not POSTGRES, reason="the pipeline is used on PostgreSQL only")
def test_the_pipeline_stores_the_same_results(world, rated, monkeypatch):
    cycle, _ = rated
    hr = world.users["hr"]
    cycle_compute(actor=hr, cycle=cycle)
    alone = stored_results(cycle)
    children: list[int] = []
    original = computing._ForkedChunks.ready

    def spy(self, **kwargs):  # type: ignore[no-untyped-def]
        children.append(self.pid)
        return original(self, **kwargs)

    monkeypatch.setattr(computing._ForkedChunks, "ready", spy)
    monkeypatch.setattr(computing, "FORK_FROM", 1)
    summary = cycle_compute(actor=hr, cycle=cycle)
    assert children and all(pid > 0 for pid in children), "a child process scored chunks"
    assert stored_results(cycle) == alone
    assert summary.graded == sum(1 for row in alone if row[2])
    # the chunked save switched the planner to index probes for its own statements only
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')")
        assert cur.fetchone() == ("on", "on")


def test_chunks_the_child_did_not_deliver_are_done_in_process():
    parent = computing.os.getpid()

    def work(i: int) -> tuple[str, int]:
        if computing.os.getpid() != parent and i == 2:
            raise RuntimeError("the child breaks on its second chunk")
        return f"{i} by {'parent' if computing.os.getpid() == parent else 'child'}", i

    # when: the child delivers chunk 1, then fails on chunk 2 (so chunk 3 never comes either)
    forked = computing._ForkedChunks(work, [1, 2, 3])
    assert forked.pid > 0, "a child was forked"
    done: list[tuple[str, int]] = []
    while not forked.finished:
        done += forked.ready(wait=True)
    # then: chunk 1 comes from the child, 2 and 3 are done by the parent, and nothing is left behind
    assert sorted(done, key=lambda d: d[1]) == [("1 by child", 1), ("2 by parent", 2), ("3 by parent", 3)]
    forked.discard()
    assert not computing.os.path.exists(forked.folder)


def test_the_background_save_keeps_order_and_raises_in_the_caller(db):
    saved: list[Any] = []

    def save(rows):  # type: ignore[no-untyped-def]
        if rows == ["bad"]:
            raise ValueError("the database refused")
        saved.append(list(rows))

    with computing._Background(save) as saving:
        for i in range(5):
            saving.put([i])
    assert saved == [[0], [1], [2], [3], [4]]
    failing = computing._Background(save).__enter__()
    failing.put(["bad"])
    failing.put(["after"])
    with pytest.raises(ValueError, match="refused"):
        failing.__exit__(None, None, None)
    assert saved[-1] == [4], "nothing is saved after a failed batch"


def test_shares_keep_groups_whole_and_near_their_weights():
    from outperform.scoring import SubjectInput

    def subjects(key, n):  # type: ignore[no-untyped-def]
        return [SubjectInput(f"{key}{i:03d}", key) for i in range(n)]

    # groups of 50, 40, 30, 20 and 10 subjects = 150, weights 0.42 / 0.58; largest first, each to the
    # share with the lower (size after / weight): A 50 → large (50/0.58 = 86 < 50/0.42 = 119),
    # B 40 → small (95 < 155), C 30 → large (138 < 167), D 20 → small (143 < 172), E 10 → large (155 < 167)
    by_template = {1: subjects("A", 50) + subjects("B", 40) + subjects("C", 30), 2: subjects("D", 20) + subjects("E", 10)}
    small, large = computing._shares(by_template, (0.42, 0.58))
    keys = [{s.group_key for _, members in share for s in members} for share in (small, large)]
    sizes = [sum(len(members) for _, members in share) for share in (small, large)]
    assert keys == [{"B", "D"}, {"A", "C", "E"}]
    assert sizes == [60, 90]
    assert all(len({s.group_key for s in members}) == 1 for share in (small, large) for _, members in share)


def test_copy_lines_escape_text_and_write_nulls() -> None:
    at = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)
    line = computing._copy_line((7, Decimal("83.20"), "B", "良好\t(b)\\x", None, None, Decimal("1.20"), 240000,
                                 '{"a": "x\\ny"}', at, "computed"))
    # the computed time and the state are not in the line: the UPDATE sets them for every row
    assert line == ("7\t83.20\tB\t良好\\t(b)\\\\x\t\\N\t\\N\t1.20\t240000\t"
                    '{"a": "x\\\\ny"}\n')


@given(reason=st.text(), weighted=st.none() | st.decimals(min_value=0, max_value=100, places=6),
       vetoes=st.lists(st.text(max_size=5), max_size=2).map(tuple))
def test_the_stored_summary_is_the_json_of_the_result_summary(reason, weighted, vetoes):  # type: ignore[no-untyped-def]
    # The summary is assembled from cached pieces and the reason encoded alone; it must be the
    # very text json.dumps gives (and, as a COPY field, that text escaped), whatever the reason holds.
    result = SimpleNamespace(weighted_score=weighted, adjustment_total=Decimal("1.5"), band_grade="B",
                             grade_reason=reason, not_applicable=("N1",), vetoes=vetoes)
    expected = json.dumps(computing.result_summary(result), ensure_ascii=False)  # type: ignore[arg-type]
    cache: dict[Any, Any] = {}
    for _ in range(2):  # built, then from the cache
        assert computing._summary_json(result, cache) == expected  # type: ignore[arg-type]
        assert computing._summary_json(result, cache, escaped=True) == computing._copy_text(expected)  # type: ignore[arg-type]
