"""The NOT_APPLICABLE marker.

A quantitative indicator whose data is missing, or whose formula divides by zero, is neither
0 nor 100: it is left out of the composite and the other weights are renormalised. An enum
member is used rather than ``None`` so that mypy can tell "no value yet" (``None`` input)
from "cannot be scored" (this output) and narrow on ``is NOT_APPLICABLE``.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Final, Literal, TypeAlias

__all__ = ["NOT_APPLICABLE", "NotApplicable", "ScoreOrNA"]


class NotApplicable(enum.Enum):
    NOT_APPLICABLE = "not_applicable"

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"

    __str__ = __repr__


NOT_APPLICABLE: Final = NotApplicable.NOT_APPLICABLE

ScoreOrNA: TypeAlias = Decimal | Literal[NotApplicable.NOT_APPLICABLE]
