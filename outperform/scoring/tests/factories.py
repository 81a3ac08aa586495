"""Small builders shared by the scoring tests (plain data, no Django)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings

from outperform.scoring import (
    GradeBand,
    IndicatorSpec,
    Quota,
    SubjectInput,
    TemplateSpec,
)
from outperform.scoring.types import BonusMode, GradingMethod

D = Decimal

#: Property tests: no example database in the repository, no deadline on a slow shared box.
PROPERTY = settings(database=None, deadline=None, max_examples=200,
                    suppress_health_check=[HealthCheck.too_slow])

ROLE_WEIGHTS = {"self": D(10), "supervisor": D(50), "peer": D(20), "client": D(20)}


def bands() -> tuple[GradeBand, ...]:
    """优秀 [90, 100], 良好 [80, 90), 合格 [60, 80), 不合格 [0, 60)."""
    return (
        GradeBand("A", "优秀", D(90), D(100), D("1.5")),
        GradeBand("B", "良好", D(80), D(90), D("1.2")),
        GradeBand("C", "合格", D(60), D(80), D("1.0")),
        GradeBand("D", "不合格", D(0), D(60), D(0)),
    )


def single_indicator_template(
    *,
    grading: GradingMethod = "bands",
    quotas: Sequence[Quota] = (),
    bonus: BonusMode = "none",
    min_group_size: int = 1,
    adjustment_cap: Decimal | None = None,
) -> TemplateSpec:
    """One qualitative indicator Q (weight 100) rated by the supervisor: composite = score."""
    return TemplateSpec(
        indicators=(IndicatorSpec("Q", D(100)),),
        role_weights={"supervisor": D(100)},
        bands=bands(),
        grading=grading,
        quotas=tuple(quotas),
        bonus=bonus,
        min_group_size=min_group_size,
        adjustment_cap=adjustment_cap,
    )


def subject_scoring(
    subject_id: str, score: Decimal | str | int, group_key: str = "G", **fields: object
) -> SubjectInput:
    """A subject whose supervisor gave ``score`` on Q (so its composite is ``score``)."""
    return SubjectInput(subject_id, group_key, ratings={"Q": {"supervisor": (D(score),)}},
                        **fields)  # type: ignore[arg-type]


def by_id(results: Sequence[object]) -> Mapping[str, object]:
    return {r.subject_id: r for r in results}  # type: ignore[attr-defined]


def _same(a: object, b: object) -> bool:
    """Equal, and printed alike (a Decimal's exponent is part of the stored result)."""
    return a == b and str(a) == str(b)


def assert_same_results(fast: Sequence[Any], reference: Sequence[Any]) -> None:
    """A faster path's results equal the general path's to the last digit, subject by subject."""
    assert len(fast) == len(reference)
    for f, r in zip(fast, reference, strict=True):
        assert f._replace(breakdown=None) == r._replace(breakdown=None)
        for field in ("composite", "weighted_score", "adjustment_total", "coefficient"):
            assert _same(getattr(f, field), getattr(r, field)), field
        assert f.breakdown.effective_weights == r.breakdown.effective_weights
        assert f.indicators == r.indicators
        assert all(_same(x.score, y.score) for x, y in zip(f.indicators, r.indicators, strict=True))
