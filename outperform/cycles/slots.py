"""Score slots (评分位): every (indicator code, rater role) pair that a cycle's templates rate has a
number in that cycle, and every score stores the number of its pair (`Score.slot`).

The compute's read places millions of scores into per-appraisal bit fields by that number
(services/computing.py, `_packed_ratings`); finding the pair by joining the scores' text columns
to a list of pairs cost a third of the read. The numbers are data, not a function of today's code:
a cycle's list (`Cycle.score_slots`) only grows — a template snapshotted later appends its new
pairs — so a stored number never changes meaning. A score whose pair has no number (a code no
template rates; a score written before numbers existed) keeps `slot` NULL, and the compute reads
its appraisal by the general path: the same results, more slowly."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from .models import Score


def template_pairs(snapshot: dict[str, Any]) -> list[tuple[str, str]]:
    """The (indicator code, role) pairs a template snapshot has raters score: its rating grid."""
    from outperform import scoring
    from outperform.indicators.snapshot import spec_from_snapshot

    return list(scoring.rating_grid(spec_from_snapshot(snapshot)).slots)


def cycle_slots_extend(cycle_id: int, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The cycle's numbered pairs, after appending those of `pairs` it lacks; returns the whole list.
    Only an append takes the cycle's row lock (so that two writers never give one number twice,
    the list is read again under it): a compute or a preview that finds every pair numbered, the
    usual case, reads the list and waits for nobody."""
    from .models import Cycle

    wanted = list(dict.fromkeys((code, role) for code, role in pairs))
    current = Cycle.objects.filter(pk=cycle_id).values_list("score_slots", flat=True).first()
    numbered: list[tuple[str, str]] = [(code, role) for code, role in current or []]
    if set(wanted) <= set(numbered):
        return numbered
    with transaction.atomic():
        current = Cycle.objects.select_for_update().filter(pk=cycle_id).values_list("score_slots", flat=True).first()
        numbered = [(code, role) for code, role in current or []]
        have = set(numbered)
        new = [p for p in wanted if p not in have]
        if new:
            numbered += new
            Cycle.objects.filter(pk=cycle_id).update(score_slots=[list(p) for p in numbered])
    return numbered


def slot_numbers(cycle_ids: Iterable[int]) -> dict[int, dict[tuple[str, str], int]]:
    """Cycle id → {(code, role): number}, in one query."""
    from .models import Cycle

    return {cid: {(code, role): u for u, (code, role) in enumerate(pairs or [])}
            for cid, pairs in Cycle.objects.filter(pk__in=set(cycle_ids)).values_list("id", "score_slots")}


def fill_slots(scores: Sequence[Score]) -> None:
    """Give each score without a slot the number of its pair in its cycle (one query for all)."""
    missing = [s for s in scores if s.slot is None]
    if not missing:
        return
    numbers = slot_numbers(s.cycle_id for s in missing)
    for s in missing:
        s.slot = numbers.get(s.cycle_id, {}).get((s.indicator_code, s.role))
