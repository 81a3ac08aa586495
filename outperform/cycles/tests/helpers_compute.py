"""What the compute tests compare: every stored result field, and the kind of ratings a read gives."""

from __future__ import annotations

from typing import Any

from outperform.cycles.models import Appraisal, Cycle
from outperform.cycles.services import computing
from outperform.scoring import DenseRatings

RESULT = ("composite", "grade", "grade_name", "rank", "group_size", "coefficient", "bonus_fen", "breakdown", "state")


def stored_results(cycle: Cycle) -> list[tuple[Any, ...]]:
    """(id, *RESULT) of every appraisal of the cycle, in id order."""
    return list(Appraisal.objects.filter(cycle=cycle).order_by("id").values_list("id", *RESULT))


def read_spy(monkeypatch: Any) -> list[str]:
    """Records the kind of ratings each read hands the engine: "block" (a DenseBlock row),
    "dense" (DenseRatings alone) or "general" (the mapping)."""
    kinds: list[str] = []
    original = computing._submitted_ratings

    def spy(*args: Any) -> Any:
        ratings = original(*args)
        kinds.extend("block" if isinstance(r, DenseRatings) and r.block is not None
                     else "dense" if isinstance(r, DenseRatings) else "general" for r in ratings.values())
        return ratings

    monkeypatch.setattr(computing, "_submitted_ratings", spy)
    return kinds
