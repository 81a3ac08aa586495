"""Score a whole cycle: composite, rank, grade and bonus for every subject.

``compute_cycle(template, subjects)`` is a pure function of its arguments. Subjects are
processed in ``subject_id`` order whatever order they arrive in, groups in ``group_key``
order, and every tie has a documented rule, so the same input always gives the same output
to the last digit - which is what lets a closed cycle be recomputed from its snapshot.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal, localcontext
from operator import attrgetter
from types import MappingProxyType

from .bonus import allocate_ratios, base_bonus
from .composite import ScoredSubject, SubjectScorer
from .errors import ConfigError, InputError
from .grading import BandScale, grade_group, veto_reason
from .ranking import competition_ranks, rank_order
from .results import CycleResult, GroupSummary, QuotaPlaces, SubjectResult
from .rounding import SCORING_CONTEXT, ZERO
from .types import FULL_PERIOD, SubjectInput, TemplateSpec
from .validation import validate_template

__all__ = ["collector_paused", "compute_cycle", "compute_cycle_detailed"]

_NOT_GRADED = "no applicable indicator: not graded (无可计分指标)"


def compute_cycle(
    template: TemplateSpec,
    subjects: Iterable[SubjectInput],
    *,
    pools_fen: Mapping[str, int] | None = None,
) -> list[SubjectResult]:
    """Results for ``subjects`` in ``subject_id`` order. See :func:`compute_cycle_detailed`."""
    return list(compute_cycle_detailed(template, subjects, pools_fen=pools_fen).results)


def compute_cycle_detailed(
    template: TemplateSpec,
    subjects: Iterable[SubjectInput],
    *,
    pools_fen: Mapping[str, int] | None = None,
) -> CycleResult:
    """Score, rank, grade and pay every subject of a cycle.

    ``pools_fen`` (group key -> pool in fen) is required when the template's bonus is
    ``"pool"``, with exactly one entry per group. Raises :class:`ConfigError` for an
    invalid template and :class:`InputError` for inputs that do not fit it.
    """
    errors = validate_template(template)
    if errors:
        raise ConfigError(errors)
    with collector_paused(), localcontext(SCORING_CONTEXT):
        return _Cycle(template, pools_fen).run(subjects)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the call; restore it after.

    A cycle allocates millions of small acyclic objects (Decimals, tuples). With the
    collector running, each of its passes would rescan them - and the caller's inputs - for
    nothing: about a third of the run time. On the way out the new objects go straight to
    the oldest generation (``gc.freeze`` + ``gc.unfreeze`` moves every tracked object there
    without scanning it), instead of being scanned once by the first young-generation pass
    and again on promotion; a later full collection still sees them as usual. That step is
    skipped if the application keeps frozen objects of its own (``gc.get_freeze_count()``),
    which ``unfreeze`` would release. Nested uses leave the work to the outermost (a service
    may hold the collector paused around loading, scoring and saving a whole cycle).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


class _Cycle:
    def __init__(self, template: TemplateSpec, pools_fen: Mapping[str, int] | None) -> None:
        self.template = template
        self.scale = BandScale(template.bands)
        self.forced = template.grading == "forced_distribution"
        self.pools = pools_fen
        if template.bonus == "pool" and pools_fen is None:
            raise InputError("bonus is 'pool' but no pools_fen were given (未提供奖金池)")

    def run(self, subjects: Iterable[SubjectInput]) -> CycleResult:
        ordered = sorted(subjects, key=attrgetter("subject_id"))
        ids = list(map(attrgetter("subject_id"), ordered))
        if len(set(ids)) != len(ids):
            for prev, cur in zip(ids, ids[1:], strict=False):
                if prev == cur:
                    raise InputError(f"subject {cur} appears twice (考核对象重复)")
        scorer = SubjectScorer(self.template)
        scored = scorer.score_all(ordered)

        groups: dict[str, list[ScoredSubject]] = {}
        for item in scored:
            groups.setdefault(item.subject.group_key, []).append(item)
        self._check_pools(groups)

        results: dict[str, SubjectResult] = {}
        summaries: dict[str, GroupSummary] = {}
        for key in sorted(groups):
            summaries[key] = self._group(key, groups[key], results)
        return CycleResult(tuple(results[s.subject_id] for s in ordered),
                           MappingProxyType(summaries))

    def _check_pools(self, groups: Mapping[str, object]) -> None:
        if self.template.bonus != "pool" or self.pools is None:
            return
        missing = sorted(set(groups) - set(self.pools))
        extra = sorted(set(self.pools) - set(groups))
        if missing or extra:
            raise InputError(f"pools_fen must have one pool per group: missing {missing}, "
                             f"no subjects for {extra} (奖金池与分组不一致)")

    def _group(self, key: str, members: Sequence[ScoredSubject],
               results: dict[str, SubjectResult]) -> GroupSummary:
        template, scale = self.template, self.scale
        ranked_all = [m for m in members if m.composite is not None]
        unranked = [m for m in members if m.composite is None]
        composites: list[Decimal] = [m.composite for m in ranked_all]  # type: ignore[misc]
        order = rank_order(composites, [m.subject.subject_id for m in ranked_all])
        ranked = [ranked_all[i] for i in order]
        sorted_composites = [composites[i] for i in order]
        ranks = competition_ranks(sorted_composites)
        unranked_vetoed = sum(1 for m in unranked if m.vetoes)
        graded = len(ranked) + unranked_vetoed
        outcome = grade_group(
            scale, sorted_composites, ranks, [m.vetoes for m in ranked],
            quotas=template.quotas, forced=self.forced,
            min_group_size=template.min_group_size, unranked_vetoed=unranked_vetoed)

        # (subject, rank, band, grade, reason) in ranked order, then the unranked.
        rows: list[tuple[ScoredSubject, int | None, int | None, int | None, str]] = list(
            zip(ranked, ranks, outcome.bands, outcome.grades, outcome.reasons, strict=True))
        for m in unranked:
            if m.vetoes:
                reason = veto_reason(m.vetoes, scale.bands[scale.lowest])
                rows.append((m, None, None, scale.lowest, reason))
            else:
                rows.append((m, None, None, None, _NOT_GRADED))

        codes = [band.code for band in scale.bands]
        band_coefficients = [band.coefficient for band in scale.bands]
        coefficients = [ZERO if g is None else band_coefficients[g] for _, _, _, g, _ in rows]
        pool = self.pools.get(key, 0) if self.pools is not None else 0
        bonuses, unallocated = self._bonuses(rows, coefficients, pool)
        size = len(ranked)
        new = tuple.__new__
        grades = [None if g is None else codes[g] for _, _, _, g, _ in rows]
        for (m, rank, band, _, reason), grade, coefficient, bonus in zip(rows, grades, coefficients,
                                                                        bonuses, strict=True):
            subject, composite, weighted, adjustment_total, breakdown, adjustments, na, vetoes = m
            subject_id = subject.subject_id
            results[subject_id] = new(SubjectResult, (
                subject_id, key, composite, weighted, adjustment_total,
                None if band is None else codes[band], grade, reason, rank, size, coefficient,
                bonus, breakdown, adjustments, na, vetoes))
        counts = Counter(grades)
        graded_counts = {grade: n for grade, n in counts.items() if grade is not None}
        places = tuple(QuotaPlaces(q.grade_code, q.kind, q.share, k) for q, k in outcome.places)
        return GroupSummary(key, graded, outcome.forced, places,
                            MappingProxyType(dict(sorted(graded_counts.items()))),
                            pool, pool - unallocated, unallocated)

    @staticmethod
    def _base_bonuses(subjects: Sequence[SubjectInput], coefficients: Sequence[Decimal]) -> list[int]:
        """base_bonus() for each subject, the coefficients' ratios worked out once per grade and
        the usual full period without a Fraction (base, ratio ≥ 0: rounding half up is a floor)."""
        ratios: dict[Decimal, tuple[int, int]] = {}
        out: list[int] = []
        add = out.append
        full = FULL_PERIOD
        for subject, c in zip(subjects, coefficients, strict=True):
            ratio = ratios.get(c)
            if ratio is None:
                ratio = ratios[c] = c.as_integer_ratio()
            if subject.proration is full:
                add((2 * subject.base_bonus_fen * ratio[0] + ratio[1]) // (2 * ratio[1]))
            else:
                add(base_bonus(subject.base_bonus_fen, c, subject.proration))
        return out

    def _bonuses(self, rows: Sequence[tuple[ScoredSubject, int | None, int | None, int | None,
                                            str]],
                 coefficients: Sequence[Decimal], pool: int) -> tuple[list[int], int]:
        mode = self.template.bonus
        if mode == "base":
            return self._base_bonuses([row[0].subject for row in rows], coefficients), 0
        if mode != "pool":
            return [0] * len(rows), 0
        # Weights as exact integer ratios: composite × coefficient × proration.
        ratios: list[tuple[int, int]] = []
        coefficient_ratios: dict[Decimal, tuple[int, int]] = {}
        for row, c in zip(rows, coefficients, strict=True):
            m = row[0]
            composite = m.composite
            if composite is None or not c:
                ratios.append((0, 1))
                continue
            a, b = composite.as_integer_ratio()
            cr = coefficient_ratios.get(c)
            if cr is None:
                cr = coefficient_ratios[c] = c.as_integer_ratio()
            p = m.subject.proration
            if p is FULL_PERIOD:
                ratios.append((a * cr[0], b * cr[1]))
            else:
                ratios.append((a * cr[0] * p.numerator, b * cr[1] * p.denominator))
        return allocate_ratios(pool, [row[0].subject.subject_id for row in rows], ratios)
