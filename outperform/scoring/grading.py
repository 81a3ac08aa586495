"""Grades: by score bands, or by forced distribution (强制分布) within a group.

Bands
    Each :class:`~.types.GradeBand` covers ``[min, max)``; the band reaching the top of the
    scale also includes the top. Bands must cover ``[scale_min, scale_max]`` with no gap
    and no overlap (:func:`validate_bands`). A triggered veto (一票否决) gives the lowest
    grade whatever the composite; a subject with no composite gets no grade.

Forced distribution, for one group of ``n`` graded subjects
    (``n`` counts the subjects with a composite plus vetoed subjects without one; subjects
    with neither are not graded and not counted).

    1. *Places.* A quota ``share`` becomes places (:func:`quota_places`):
       max quota -> ``floor(n × share)``, but at least 1 when ``share > 0`` (so a small
       group is not denied the grade altogether: 20 % of 4 -> 1 place);
       min quota -> ``ceil(n × share)`` (5 % of 10 -> 1 place).
       A grade has at most one quota. A max quota on the lowest grade is not allowed: there
       is nowhere below to send the excess.
    2. *Vetoed* subjects take the lowest grade first; they count towards its minimum.
    3. The other subjects, ranked by composite (descending, ties in subject-id order), are
       cut into consecutive runs, best grade first. With ``p`` subjects already placed,
       the run of grade ``g`` ends at ``e``:

       a. ``e`` = the number of subjects whose *band* grade is ``g`` or better (at least
          ``p``): everyone keeps their band grade unless a quota says otherwise;
       b. min quota on ``g``: ``e = max(e, p + places)`` - the next subjects are promoted;
       c. max quota on ``g``: ``e = min(e, p + places)`` - the rest are moved down one
          grade, where the same steps apply again (so they may move further down);
       d. the places needed by the min quotas of the worse grades are kept free:
          ``e = min(e, k - Σ needed below)`` (``k`` = subjects being distributed); this is
          how "at least 5 % 不合格" takes the lowest-ranked subjects;
       e. **ties share the better grade**: if the cut falls between two equal composites,
          ``e`` moves down past all of them. A max quota can therefore be exceeded, and a
          min quota below may fall short, by the size of the tie - never otherwise;
       f. the lowest grade takes everyone left.

       Steps are applied in that order: a grade's max quota limits its own promotions, and
       when rounding makes the minimums add up to more than the group, the worse grades'
       minimums win.
    4. Groups smaller than the template's ``min_group_size`` are graded by bands.

Every subject gets a ``grade_reason`` saying which of these decided its grade.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from .rounding import HUNDRED, ZERO
from .types import GradeBand, Quota

__all__ = [
    "BandScale",
    "GroupGrades",
    "Segment",
    "distribute",
    "grade_group",
    "quota_places",
    "validate_bands",
    "veto_reason",
]


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def validate_bands(
    bands: Sequence[GradeBand], scale_min: Decimal = ZERO, scale_max: Decimal = HUNDRED
) -> list[str]:
    """Problems with ``bands`` as a grade scale over ``[scale_min, scale_max]`` (empty = ok)."""
    if not bands:
        return ["at least one grade band is needed (至少需要一个绩效等级)"]
    errors: list[str] = []
    seen: set[str] = set()
    for band in bands:
        if band.code in seen:
            errors.append(f"grade code {band.code!r} is used twice (等级代码重复)")
        seen.add(band.code)
        if band.min >= band.max:
            errors.append(f"grade {band.label()}: min must be below max (等级下限必须小于上限)")
        if band.coefficient < 0:
            errors.append(f"grade {band.code}: coefficient must not be negative (系数不能为负)")
    ordered = sorted(bands, key=lambda b: (b.min, b.max))
    if ordered[0].min != scale_min:
        errors.append(f"the lowest grade starts at {_num(ordered[0].min)} but the scale starts "
                      f"at {_num(scale_min)} (等级未覆盖整个分数范围)")
    for prev, band in zip(ordered, ordered[1:], strict=False):
        if prev.max < band.min:
            errors.append(f"gap between grades {prev.label()} and {band.label()}: scores from "
                          f"{_num(prev.max)} to {_num(band.min)} get no grade (等级区间不连续)")
        elif prev.max > band.min:
            errors.append(f"grades {prev.label()} and {band.label()} overlap (等级区间重叠)")
    if ordered[-1].max != scale_max:
        errors.append(f"the highest grade ends at {_num(ordered[-1].max)} but the scale ends "
                      f"at {_num(scale_max)} (等级未覆盖整个分数范围)")
    return errors


class BandScale:
    """Band lookup for a validated scale; grade index 0 is the best grade."""

    __slots__ = ("bands", "bounds", "lowest", "reasons")

    def __init__(self, bands: Sequence[GradeBand]) -> None:
        self.bands: tuple[GradeBand, ...] = tuple(sorted(bands, key=lambda b: b.min,
                                                         reverse=True))
        self.lowest = len(self.bands) - 1
        # Ascending lower bounds of all bands but the lowest: bisect counts the bands a score
        # has reached, and the top of the scale falls in the top band with no special case.
        self.bounds = [b.min for b in reversed(self.bands[:-1])]
        self.reasons = tuple(f"band {b.label()}" for b in self.bands)

    def index(self, score: Decimal) -> int:
        return self.lowest - bisect.bisect_right(self.bounds, score)

    def indices(self, scores: Sequence[Decimal]) -> list[int]:
        lowest, bounds, find = self.lowest, self.bounds, bisect.bisect_right
        return [lowest - find(bounds, s) for s in scores]

    def position(self, code: str) -> int:
        for i, band in enumerate(self.bands):
            if band.code == code:
                return i
        raise KeyError(code)


def quota_places(n: int, kind: str, share: Decimal) -> int:
    """Places a quota gives in a group of ``n`` graded subjects (see the module docstring).

    >>> quota_places(10, "max", Decimal("0.2")), quota_places(4, "max", Decimal("0.2"))
    (2, 1)
    >>> quota_places(10, "min", Decimal("0.05")), quota_places(20, "min", Decimal("0.05"))
    (1, 1)
    """
    exact = n * share
    if kind == "min":
        return math.ceil(exact)
    places = math.floor(exact)
    return 1 if places == 0 and share > 0 and n > 0 else places


class Segment(NamedTuple):
    """The run ``[start, end)`` of ranked, non-vetoed subjects that got grade ``grade``.

    ``limit`` is what ended the run: ``"band"`` (the band grades), ``"min"``/``"max"`` (the
    grade's own quota), ``"reserve"`` (places kept for worse grades' minimums) or
    ``"rest"`` (the lowest grade). ``tie`` is true if the run was extended past a quota
    boundary because of equal composites.
    """

    grade: int
    start: int
    end: int
    limit: str
    tie: bool


def distribute(
    composites: Sequence[Decimal],
    band_grades: Sequence[int],
    max_places: Sequence[int | None],
    min_places: Sequence[int],
    vetoed: int = 0,
) -> list[Segment]:
    """Forced distribution of non-vetoed subjects ranked by composite (steps 3a-3f).

    ``composites`` are sorted descending and ``band_grades`` (0 = best) follow them;
    ``max_places``/``min_places`` are per grade, already in places; ``vetoed`` subjects
    already hold the lowest grade. Returns one segment per grade, best first.
    """
    k = len(composites)
    grades = len(max_places)
    lowest = grades - 1
    need = list(min_places)
    need[lowest] = max(0, need[lowest] - vetoed)
    reserved_below = [sum(need[g + 1:]) for g in range(grades)]
    segments: list[Segment] = []
    p = 0
    for g in range(grades):
        if g == lowest:
            segments.append(Segment(g, p, k, "rest", False))
            break
        e = p
        while e < k and band_grades[e] <= g:
            e += 1
        limit = "band"
        if need[g] and p + need[g] > e:
            e, limit = min(k, p + need[g]), "min"
        cap = max_places[g]
        if cap is not None and e > p + cap:
            e, limit = p + cap, "max"
        if e > k - reserved_below[g]:
            e, limit = max(p, k - reserved_below[g]), "reserve"
        tie = False
        if p < e < k and composites[e] == composites[e - 1]:
            tie = True
            while e < k and composites[e] == composites[e - 1]:
                e += 1
        segments.append(Segment(g, p, e, limit, tie))
        p = e
    return segments


class GroupGrades(NamedTuple):
    """Grades of one group, aligned with the ranked subjects passed to :func:`grade_group`.

    ``bands`` are the grades by bands alone, ``grades`` the final ones (indices into
    ``BandScale.bands``, 0 = best).
    """

    bands: list[int]
    grades: list[int]
    reasons: list[str]
    forced: bool
    places: tuple[tuple[Quota, int], ...]


def grade_group(
    scale: BandScale,
    composites: Sequence[Decimal],
    ranks: Sequence[int],
    vetoes: Sequence[tuple[str, ...]],
    *,
    quotas: Sequence[Quota] = (),
    forced: bool = False,
    min_group_size: int = 1,
    unranked_vetoed: int = 0,
) -> GroupGrades:
    """Grade the ranked subjects of one group (composites descending).

    ``vetoes[i]`` are the triggered veto codes of subject ``i``; ``unranked_vetoed`` counts
    vetoed subjects of the group that have no composite (they take the lowest grade and
    count in the group size).
    """
    lowest_band = scale.bands[scale.lowest]
    band_grades = scale.indices(composites)
    n = len(composites) + unranked_vetoed
    band_reasons = scale.reasons
    reasons = [band_reasons[b] for b in band_grades]
    grades = list(band_grades)
    if any(vetoes):
        for i, codes in enumerate(vetoes):
            if codes:
                grades[i] = scale.lowest
                reasons[i] = veto_reason(codes, lowest_band)
    if not forced:
        return GroupGrades(band_grades, grades, reasons, False, ())
    places = tuple((q, quota_places(n, q.kind, q.share)) for q in quotas)
    if n < min_group_size:
        note = (f" (group of {n} is below the forced-distribution minimum of "
                f"{min_group_size})")
        return GroupGrades(band_grades, grades,
                           [r if vetoes[i] else r + note for i, r in enumerate(reasons)],
                           False, places)

    count = len(scale.bands)
    max_places: list[int | None] = [None] * count
    min_places = [0] * count
    for quota, k in places:
        g = scale.position(quota.grade_code)
        if quota.kind == "max":
            max_places[g] = k
        else:
            min_places[g] = k
    free = [i for i, codes in enumerate(vetoes) if not codes]
    vetoed = n - len(free)
    segments = distribute([composites[i] for i in free], [band_grades[i] for i in free],
                          max_places, min_places, vetoed)
    texts = _quota_texts(scale, places)
    tails: dict[tuple[int, int], str] = {}  # (grade, band) -> explanation; few per group
    for seg in segments:
        for j in range(seg.start, seg.end):
            i = free[j]
            band = band_grades[i]
            grades[i] = seg.grade
            tail = tails.get((seg.grade, band))
            if tail is None:
                tail = tails[seg.grade, band] = _forced_tail(scale, segments, seg, band, texts,
                                                             min_places)
            reasons[i] = f"forced distribution: rank {ranks[i]} of {n}; {tail}"
    return GroupGrades(band_grades, grades, reasons, True, places)


def veto_reason(codes: tuple[str, ...], lowest: GradeBand) -> str:
    return f"veto: {', '.join(codes)} → lowest grade {lowest.name or lowest.code}"


def _quota_texts(scale: BandScale, places: Sequence[tuple[Quota, int]]) -> Mapping[int, str]:
    texts: dict[int, str] = {}
    for quota, k in places:
        band = scale.bands[scale.position(quota.grade_code)]
        percent = _num(quota.share * HUNDRED)
        noun = "place" if k == 1 else "places"
        texts[scale.position(quota.grade_code)] = (
            f"quota {band.name or band.code} {quota.kind} {percent}% → {k} {noun}")
    return texts


def _forced_tail(
    scale: BandScale,
    segments: Sequence[Segment],
    seg: Segment,
    band: int,
    texts: Mapping[int, str],
    min_places: Sequence[int],
) -> str:
    band_text = scale.reasons[band]
    grade = seg.grade
    name = scale.bands[grade].name or scale.bands[grade].code
    if grade == band:
        because = ""
        if seg.tie:
            because = f"; tied at the boundary of {texts.get(grade, 'a quota')}, shares the " \
                      "better grade"
        return f"{band_text} kept{because}"
    if grade < band:  # promoted by this grade's minimum
        return f"{texts.get(grade, 'quota')}; promoted from {band_text} to {name}"
    causes: list[str] = []
    for passed in segments[band:grade]:
        if passed.limit == "max":
            causes.append(texts[passed.grade])
        elif passed.limit == "reserve":
            causes.extend(texts[h] for h in range(passed.grade + 1, len(min_places))
                          if min_places[h] and texts[h] not in causes)
    text = "; ".join(dict.fromkeys(causes)) or "quota"
    tie = "; tied at a quota boundary, shares the better grade" if seg.tie else ""
    return f"{text}; moved down from {band_text} to {name}{tie}"
