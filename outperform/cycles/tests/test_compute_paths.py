"""The bulk compute's fast paths (dense ratings, COPY text) store what the general path stores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from outperform.cycles.models import Appraisal, CycleState, RaterAssignment
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

from .helpers_web import make_cycle, submit_all

pytestmark = pytest.mark.django_db

RESULT = ("composite", "grade", "grade_name", "rank", "group_size", "coefficient", "bonus_fen", "breakdown", "state")


def _results(cycle):  # type: ignore[no-untyped-def]
    return list(Appraisal.objects.filter(cycle=cycle).order_by("id").values_list("id", *RESULT))


def test_dense_and_general_ratings_store_the_same_results(world, monkeypatch):
    # given: a 360 cycle where some appraisals have one rater per role (dense) and one has two peers
    roles = ["self", "supervisor", "peer"]
    template = make_template(code="T-DENSE", role_weights={"self": "20", "supervisor": "50", "peer": "30"},
                             indicators=[{"code": "D1", "weight": "33.33", "rater_roles": roles},
                                         {"code": "D2", "weight": "66.67", "rater_roles": roles}])
    for _ in range(3):
        WorkerFactory(vendor=world.vendor_a, department=world.ops, position=world.position, user=UserFactory())
    cycle = make_cycle(world, template, departments=[world.ops], peer_count=2)
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
    cycle = cycle_advance(actor=hr, cycle=cycle, target=CycleState.CALIBRATION)
    cycle_compute(actor=hr, cycle=cycle)
    some = Appraisal.objects.filter(cycle=cycle, composite__isnull=False).order_by("id").first()
    assert some is not None
    appraisal_calibrate(actor=hr, appraisal=some, composite=Decimal("91.00"), grade="A", reason="校准会决议")
    cycle_compute(actor=hr, cycle=cycle)
    fast = _results(cycle)
    decoded = []
    original = computing._DenseDecoder.decode

    def spy(self, numbers):  # type: ignore[no-untyped-def]
        result = original(self, numbers)
        decoded.append(result is not None)
        return result

    monkeypatch.setattr(computing._DenseDecoder, "decode", spy)
    cycle_compute(actor=hr, cycle=cycle)
    assert set(decoded) == {True, False}, "the dense path and the general path were both taken"
    # when: the same cycle is computed with the dense path switched off
    monkeypatch.setattr(computing._DenseDecoder, "decode", lambda self, numbers: None)
    cycle_compute(actor=hr, cycle=cycle)
    # then: every stored result is the same, the calibrated one included
    assert _results(cycle) == fast
    calibrated = Appraisal.objects.get(pk=some.pk)
    assert (calibrated.composite, calibrated.grade, calibrated.coefficient) == (Decimal("91.00"), "A", Decimal("1.50"))


def test_copy_lines_escape_text_and_write_nulls() -> None:
    at = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)
    line = computing._copy_line((7, Decimal("83.20"), "B", "良好\t(b)\\x", None, None, Decimal("1.20"), 240000,
                                 '{"a": "x\\ny"}', at, "computed"))
    assert line == ("7\t83.20\tB\t良好\\t(b)\\\\x\t\\N\t\\N\t1.20\t240000\t"
                    '{"a": "x\\\\ny"}\t2026-11-21T08:00:00+00:00\tcomputed\n')
