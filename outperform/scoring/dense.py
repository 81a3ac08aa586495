"""Ratings as one row of integers: the fast input for the common shape of a 360 cycle.

In most appraisals every rater role of a qualitative indicator is one person who rated every
indicator: one score per (indicator, role) *slot*. A service that reads millions of scores can
then hand the engine one list of integers per subject - the scores in hundredths, in the
template's slot order (:class:`RatingGrid`) - instead of a dict of dicts of lists of Decimals.
:class:`DenseRatings` is still a full ``Ratings`` mapping (indicator -> role -> scores), built
on demand, so everything that reads ratings keeps working; the engine recognises it and scores
the subject with exact integer arithmetic (see :mod:`.composite`), giving the same Decimals to
the last digit as the general path (pinned by a property test).

Anything else - a role with several raters, a missing score, a role the template does not
know - is simply not dense: the caller builds the usual mapping for that subject.

:class:`DenseBlock` holds the dense ratings of many subjects as one integer matrix (numpy), one
row per subject: the engine then scores all of them with a few array operations instead of
a Python loop per subject (see :mod:`.vector`). numpy is optional: without it there are no
blocks, and everything else works as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from .errors import InputError
from .types import TemplateSpec

__all__ = ["SCORE_DECIMALS", "DenseBlock", "DenseRatings", "RatingGrid", "rating_grid"]

#: Every score from 0.00 to 100.00 in steps of 0.01, shared: index = hundredths.
SCORE_DECIMALS: Final = tuple(Decimal(i).scaleb(-2) for i in range(10001))


class RatingGrid:
    """The slots of a template's qualitative indicators: indicator by indicator (template
    order), the indicator's rater roles in role-weight order. One per template."""

    __slots__ = ("codes", "index", "roles", "slots", "starts")

    def __init__(self, indicators: Sequence[tuple[str, Sequence[str]]]) -> None:
        self.codes: tuple[str, ...] = tuple(code for code, _ in indicators)
        self.roles: tuple[tuple[str, ...], ...] = tuple(tuple(roles) for _, roles in indicators)
        self.slots: tuple[tuple[str, str], ...] = tuple(
            (code, role) for code, roles in zip(self.codes, self.roles, strict=True) for role in roles)
        starts, at = [], 0
        for roles in self.roles:
            starts.append(at)
            at += len(roles)
        self.starts: tuple[int, ...] = tuple(starts)
        self.index: dict[str, int] = {code: i for i, code in enumerate(self.codes)}

    def __len__(self) -> int:
        return len(self.slots)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RatingGrid) and (self.codes, self.roles) == (other.codes, other.roles)

    def __hash__(self) -> int:
        return hash((self.codes, self.roles))

    def __repr__(self) -> str:
        return f"RatingGrid({list(zip(self.codes, self.roles, strict=True))!r})"


def rating_grid(template: TemplateSpec) -> RatingGrid:
    """The grid of ``template``: its qualitative indicators and each one's rater roles (the
    indicator's own role weights, else the template's), as the engine scores them."""
    return RatingGrid([
        (ind.code, tuple(ind.role_weights or template.role_weights))
        for ind in template.indicators
        if not (ind.kind == "quantitative" and ind.rule is not None)
    ])


class DenseRatings(Mapping[str, Mapping[str, Sequence[Decimal]]]):
    """One score per slot of ``grid``, in hundredths (0-10000), in slot order: ``cents``.

    ``cents`` is not copied. :meth:`checked` validates; :meth:`unchecked` trusts the caller
    (values read from a column constrained to 0.00-100.00). A subject's row of a
    :class:`DenseBlock` also knows its ``block`` and ``row`` (``cents`` is then that row)."""

    __slots__ = ("_cents", "block", "grid", "row")

    def __init__(self, grid: RatingGrid, cents: Sequence[int] | None, block: DenseBlock | None = None,
                 row: int = -1) -> None:
        self.grid = grid
        self._cents = cents
        self.block = block
        self.row = row

    @property
    def cents(self) -> Sequence[int]:
        """The scores in hundredths, in slot order (a block's row is read when asked for)."""
        if self._cents is None:
            assert self.block is not None
            self._cents = self.block.cents[self.row].tolist()
        return self._cents

    @classmethod
    def checked(cls, grid: RatingGrid, values: Sequence[int]) -> DenseRatings:
        if len(values) != len(grid):
            raise InputError(f"dense ratings need {len(grid)} scores, not {len(values)} (评分个数不符)")
        for v in values:
            if type(v) is not int or not 0 <= v <= 10000:
                raise InputError(f"dense score {v!r} must be an int of hundredths from 0 to 10000 "
                                 "(评分必须在 0–100 之间)")
        return cls(grid, values)

    @classmethod
    def unchecked(cls, grid: RatingGrid, values: Sequence[int]) -> DenseRatings:
        return cls(grid, values)

    def _view(self, i: int) -> dict[str, tuple[Decimal]]:
        start = self.grid.starts[i]
        cents = self.cents
        return {role: (SCORE_DECIMALS[cents[start + k]],) for k, role in enumerate(self.grid.roles[i])}

    def __getitem__(self, code: str) -> dict[str, tuple[Decimal]]:
        return self._view(self.grid.index[code])

    def __iter__(self) -> Iterator[str]:
        return iter(self.grid.codes)

    def __len__(self) -> int:
        return len(self.grid.codes)

    def __contains__(self, code: object) -> bool:
        return code in self.grid.index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DenseRatings):
            return self.grid == other.grid and list(self.cents) == list(other.cents)
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]  # mutable-equality mapping, like dict

    def __repr__(self) -> str:
        return f"DenseRatings({dict(self)!r})"


class DenseBlock:
    """The dense ratings of many subjects as one matrix: ``cents[i]`` holds subject ``i``'s
    scores in hundredths (0-10000), in the slot order of ``grid``.

    ``cents`` is a 2-D numpy integer array, not copied and not checked: the caller vouches
    for the range (:meth:`checked` validates). ``ratings(i)`` is subject ``i``'s
    :class:`DenseRatings`; the engine scores every subject of a block in one pass."""

    __slots__ = ("cents", "grid")

    def __init__(self, grid: RatingGrid, cents: Any) -> None:
        if cents.ndim != 2 or cents.shape[1] != len(grid):
            raise InputError(f"a dense block needs {len(grid)} scores per row, "
                             f"not shape {tuple(cents.shape)} (评分个数不符)")
        self.grid = grid
        self.cents = cents

    @classmethod
    def checked(cls, grid: RatingGrid, cents: Any) -> DenseBlock:
        if cents.dtype.kind not in "iu":
            raise InputError("dense block scores must be integers of hundredths (评分必须为整数)")
        if cents.size and (int(cents.min()) < 0 or int(cents.max()) > 10000):
            raise InputError("dense block scores must be from 0 to 10000 hundredths "
                             "(评分必须在 0–100 之间)")
        return cls(grid, cents)

    def __len__(self) -> int:
        return int(self.cents.shape[0])

    def ratings(self, row: int) -> DenseRatings:
        return DenseRatings(self.grid, None, self, row)
