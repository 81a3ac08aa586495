"""Derived facts of records: pure functions, no Django.

Every writer (form, Excel import, REST push, the ingest pipeline) calls these, so a fact such as
"delivered on time" means the same wherever a record came from, and metrics can aggregate the
stored columns in SQL. Rounding: ROUND_HALF_UP (docs/scoring.md), stated per function.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

ACCEPTED = "accepted"
PENDING = "pending"

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def task_facts(
    due_date: dt.date, delivered_date: dt.date | None, acceptance: str, rework_count: int
) -> tuple[bool | None, bool | None]:
    """(on_time, first_pass) of a task.

    on_time: delivered on or before the due date; None while not delivered.
    first_pass: accepted with no rework; None while acceptance is pending.
    """
    on_time = None if delivered_date is None else delivered_date <= due_date
    first_pass = None if acceptance == PENDING else (acceptance == ACCEPTED and rework_count == 0)
    return on_time, first_pass


def complaint_facts(
    received_date: dt.date, resolved_at: dt.datetime | None, status: str
) -> tuple[bool, int | None]:
    """(resolved, handling_days): resolved once the status is resolved or closed; handling days are
    calendar days from receipt to resolution (same day = 0), None while unresolved."""
    resolved = status in ("resolved", "closed")
    if not resolved or resolved_at is None:
        return resolved, None
    return resolved, max((resolved_at.date() - received_date).days, 0)


def inspection_score(checked: int, passed: int) -> Decimal | None:
    """passed / checked × 100, two decimals, ROUND_HALF_UP; None when nothing was checked."""
    if checked <= 0:
        return None
    return (Decimal(passed) * HUNDRED / Decimal(checked)).quantize(CENT, rounding=ROUND_HALF_UP)


def cost_saving_fen(outsourcing_cost_fen: int, benchmark_cost_fen: int) -> int:
    """What outsourcing saved against the internal-team benchmark (negative: it cost more)."""
    return benchmark_cost_fen - outsourcing_cost_fen


def recruitment_facts(
    requested_date: dt.date, filled_date: dt.date | None, headcount: int, filled_count: int
) -> tuple[bool, int | None]:
    """(filled, days_to_fill): filled when every requested position is taken; days to fill are
    calendar days from request to the date the last position was filled."""
    filled = headcount > 0 and filled_count >= headcount
    if filled_date is None:
        return filled, None
    return filled, max((filled_date - requested_date).days, 0)


def training_facts(
    completed_date: dt.date | None, planned_participants: int, completed_participants: int
) -> tuple[bool, Decimal | None]:
    """(completed, completion_rate %): the rate is completed / planned participants × 100, two
    decimals, ROUND_HALF_UP; None when nobody was planned."""
    completed = completed_date is not None
    if planned_participants <= 0:
        return completed, None
    rate = Decimal(completed_participants) * HUNDRED / Decimal(planned_participants)
    return completed, rate.quantize(CENT, rounding=ROUND_HALF_UP)


def defect_facts(status: str) -> bool:
    """Whether a defect is fixed (fixed or closed)."""
    return status in ("fixed", "closed")


def innovation_adopted(status: str) -> bool:
    return status == "adopted"


def incident_veto(severity: str, veto_override: bool) -> bool:
    """一票否决: a major or critical incident always vetoes; a lesser one only when marked so."""
    return severity in ("major", "critical") or veto_override
