"""Ranks within a group: standard competition ranking ("1224") by composite, descending.

Equal composites share a rank and the next rank skips (1, 2, 2, 4). Ties are listed in
``subject_id`` order so the output order is deterministic; the rank itself never depends on
that order. Subjects without a composite are not ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

__all__ = ["competition_ranks", "rank_order"]


def rank_order(composites: Sequence[Decimal], ids: Sequence[str]) -> list[int]:
    """Indices sorted by composite descending, then id ascending."""
    order = sorted(range(len(ids)), key=ids.__getitem__)
    # Python's sort is stable even with reverse=True, so id order survives among ties.
    order.sort(key=composites.__getitem__, reverse=True)
    return order


def competition_ranks(sorted_scores: Sequence[Decimal]) -> list[int]:
    """Ranks of scores already sorted in descending order."""
    ranks: list[int] = []
    previous: Decimal | None = None
    rank = 0
    for position, score in enumerate(sorted_scores, start=1):
        if score != previous:
            rank = position
            previous = score
        ranks.append(rank)
    return ranks
