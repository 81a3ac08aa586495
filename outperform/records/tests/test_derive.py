"""Derived facts, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from outperform.records import derive

D = dt.date


@pytest.mark.parametrize(("due", "delivered", "acceptance", "rework", "expected"), [
    (D(2026, 10, 15), D(2026, 10, 15), "accepted", 0, (True, True)),     # on the day counts as on time
    (D(2026, 10, 15), D(2026, 10, 16), "accepted", 0, (False, True)),    # late but right first time
    (D(2026, 10, 15), D(2026, 10, 1), "accepted", 2, (True, False)),     # reworked twice
    (D(2026, 10, 15), D(2026, 10, 14), "rejected", 0, (True, False)),    # rejected is not a first pass
    (D(2026, 10, 15), None, "pending", 0, (None, None)),                  # not delivered, not judged
    (D(2026, 10, 15), D(2026, 10, 14), "pending", 0, (True, None)),
])
def test_task_facts(due, delivered, acceptance, rework, expected):
    assert derive.task_facts(due, delivered, acceptance, rework) == expected


def test_complaint_facts():
    received = D(2026, 10, 12)
    at = dt.datetime(2026, 10, 15, 9, 0)
    assert derive.complaint_facts(received, at, "resolved") == (True, 3)
    assert derive.complaint_facts(received, dt.datetime(2026, 10, 12, 17, 0), "closed") == (True, 0)
    assert derive.complaint_facts(received, None, "processing") == (False, None)


def test_inspection_score_rounds_half_up():
    assert derive.inspection_score(3, 2) == Decimal("66.67")   # 66.666…
    assert derive.inspection_score(8, 7) == Decimal("87.50")
    assert derive.inspection_score(200, 1) == Decimal("0.50")  # 0.5 exactly
    assert derive.inspection_score(16, 1) == Decimal("6.25")   # 6.25 exactly, no rounding
    assert derive.inspection_score(2000, 1) == Decimal("0.05")  # 0.05 exactly
    assert derive.inspection_score(6000, 1) == Decimal("0.02")  # 0.01666… → 0.02
    assert derive.inspection_score(0, 0) is None


def test_cost_saving():
    assert derive.cost_saving_fen(100_000_00, 120_000_00) == 20_000_00
    assert derive.cost_saving_fen(130_000_00, 120_000_00) == -10_000_00


def test_recruitment_facts():
    assert derive.recruitment_facts(D(2026, 9, 1), D(2026, 9, 21), 3, 3) == (True, 20)
    assert derive.recruitment_facts(D(2026, 9, 1), None, 3, 2) == (False, None)


def test_training_facts():
    assert derive.training_facts(D(2026, 10, 10), 30, 28) == (True, Decimal("93.33"))
    assert derive.training_facts(None, 0, 0) == (False, None)


def test_incident_veto():
    assert derive.incident_veto("critical", False) is True
    assert derive.incident_veto("major", False) is True
    assert derive.incident_veto("minor", False) is False
    assert derive.incident_veto("minor", True) is True


def test_derive_imports_no_django():
    import ast
    import pathlib

    for module in ("derive.py", "sla/worktime.py", "sla/clock.py", "sla/holidays.py"):
        tree = ast.parse((pathlib.Path(derive.__file__).parent / module).read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(n.startswith("django") for n in names), module
