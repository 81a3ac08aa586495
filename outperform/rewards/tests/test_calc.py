"""The pure arithmetic: hand-computed examples, then properties over many generated inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outperform.rewards.calc import (
    PoolEntry,
    SalaryRuleSpec,
    base_bonus_fen,
    days_employed,
    new_salary_fen,
    share_pool,
    suggest_raise,
    yuan_to_fen,
)

Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


# --- proration ----------------------------------------------------------------------------------


def test_days_employed_counts_both_ends():
    assert days_employed(dt.date(2025, 1, 1), None, *Q3) == (92, 92)
    assert days_employed(dt.date(2026, 8, 1), None, *Q3) == (61, 92)  # 31 Aug days + 30 Sep days
    assert days_employed(None, dt.date(2026, 8, 15), *Q3) == (46, 92)  # 31 Jul days + 15 Aug days
    assert days_employed(dt.date(2026, 9, 30), None, *Q3) == (1, 92)  # hired on the last day
    assert days_employed(dt.date(2026, 7, 1), dt.date(2026, 7, 1), *Q3) == (1, 92)
    assert days_employed(None, dt.date(2026, 6, 30), *Q3) == (0, 92)  # left before the period
    assert days_employed(dt.date(2026, 10, 1), None, *Q3) == (0, 92)  # joined after it


# --- base × coefficient ---------------------------------------------------------------------------


def test_base_bonus_examples():
    assert base_bonus_fen(2000_00, Decimal("1.5")) == 3000_00
    # 2000.00 × 1.2 × 61/92 = 1591.3043… → 1591.30
    assert base_bonus_fen(2000_00, Decimal("1.2"), 61, 92) == 159130
    # 0.05 fen exactly half: 1 fen × 0.5 → 0.5 → rounds up to 1
    assert base_bonus_fen(1, Decimal("0.5")) == 1
    # 3 fen × 1.5 = 4.5 → 5 (half up, not to even)
    assert base_bonus_fen(3, Decimal("1.5")) == 5
    assert base_bonus_fen(2000_00, Decimal("0")) == 0
    with pytest.raises(ValueError, match="within the period"):
        base_bonus_fen(100, Decimal(1), 93, 92)


# --- pools ----------------------------------------------------------------------------------------


def E(key: int, score: str | None, coef: str = "1", days: int = 1, period: int = 1, no: str = "") -> PoolEntry:  # noqa: N802
    return PoolEntry(key, no or f"W{key:03d}", Decimal(score) if score is not None else None, Decimal(coef), days,
                     period)


def test_pool_three_equal_weights_gives_the_odd_fen_to_the_smaller_employee_no():
    assert share_pool(1000, [E(1, "80", no="W3"), E(2, "80", no="W1"), E(3, "80", no="W2")]) == [333, 334, 333]


def test_pool_equal_remainders_go_to_the_higher_score_first():
    # weights 90×1.0 = 90 and 60×1.5 = 90: equal remainders, the higher score wins the odd fen
    assert share_pool(101, [E(1, "60", "1.5"), E(2, "90", "1.0")]) == [50, 51]


def test_pool_hand_computed_with_proration():
    # 80×1.2×½ = 48 and 80×1.2 = 96 share 1000.00: 33333.33… and 66666.66… → 33333 + 66667
    assert share_pool(100000, [E(1, "80", "1.2", 46, 92), E(2, "80", "1.2")]) == [33333, 66667]
    # 135, 48, 70 share 2000.00: floors 106719, 37944, 55335 (2 fen left) to remainders .968 and .664
    assert share_pool(200000, [E(1, "90", "1.5"), E(2, "80", "1.2", 46, 92), E(3, "70", "1.0")]) == [
        106719, 37945, 55336]


def test_pool_with_no_weight_pays_nothing():
    assert share_pool(5000, [E(1, None), E(2, "70", "0")]) == [0, 0]
    assert share_pool(5000, []) == []


entries = st.lists(
    st.builds(
        lambda score, coef, days, key: PoolEntry(key, f"W{key:05d}", score, coef, days, 92),
        st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
        st.sampled_from([Decimal("0"), Decimal("0.5"), Decimal("1.0"), Decimal("1.2"), Decimal("1.5")]),
        st.integers(min_value=0, max_value=92),
        st.integers(min_value=0, max_value=99999),
    ),
    min_size=1, max_size=40, unique_by=lambda e: e.key,
)


@given(pool=st.integers(min_value=0, max_value=10**12), people=entries)
def test_pool_is_paid_out_exactly(pool, people):
    shares = share_pool(pool, people)
    positive = any(e.score and e.coefficient and e.days for e in people)
    assert sum(shares) == (pool if positive else 0)
    assert all(s >= 0 for s in shares)


@given(pool=st.integers(min_value=0, max_value=10**9), people=entries)
def test_pool_is_monotone_in_weight(pool, people):
    from outperform.rewards.calc import pool_weight

    shares = share_pool(pool, people)
    weights = [pool_weight(e) for e in people]
    for i in range(len(people)):
        for j in range(len(people)):
            if weights[i] > weights[j]:
                assert shares[i] >= shares[j]
            if weights[i] == 0:
                assert shares[i] == 0


@given(pool=st.integers(min_value=0, max_value=10**9), people=entries)
def test_each_share_is_its_exact_part_rounded_down_or_up_by_one_fen(pool, people):
    from outperform.rewards.calc import pool_weight

    shares = share_pool(pool, people)
    total = sum(pool_weight(e) for e in people)
    if total:
        for e, s in zip(people, shares, strict=True):
            exact = pool * pool_weight(e) / total
            assert exact - 1 < s < exact + 1


@given(hire=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
       leave=st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))),
       base=st.integers(min_value=0, max_value=10**9),
       coef=st.decimals(min_value=0, max_value=3, places=2))
def test_proration_bounds(hire, leave, base, coef):
    days, period = days_employed(hire, leave, *Q3)
    assert 0 <= days <= period == 92
    prorated = base_bonus_fen(base, coef, days, period)
    assert 0 <= prorated <= base_bonus_fen(base, coef)


# --- money ------------------------------------------------------------------------------------------


def test_yuan_to_fen_is_exact_and_refuses_fractions_of_a_fen():
    assert yuan_to_fen("1234.56") == 123456
    assert yuan_to_fen(Decimal("0.1")) == 10
    assert yuan_to_fen("100") == 10000
    with pytest.raises(ValueError, match="two decimals"):
        yuan_to_fen("1.005")
    with pytest.raises(ValueError, match="not an amount"):
        yuan_to_fen("abc")


# --- salary suggestions -------------------------------------------------------------------------


RULES = [
    SalaryRuleSpec(1, "不合格不调薪", "不合格", "any", 1, Decimal(0), Decimal(0), priority=1),
    SalaryRuleSpec(2, "连续两期优秀", "优秀", "all", 2, Decimal(8), Decimal(12), priority=5),
    SalaryRuleSpec(3, "本期优秀", "优秀", "all", 1, Decimal(3), Decimal(6), priority=9),
]


def test_two_consecutive_excellent_suggest_the_band_midpoint():
    result = suggest_raise([("Q3", "优秀"), ("Q2", "优秀"), ("Q1", "合格")], RULES)
    assert result is not None
    assert (result.rule_key, result.pct, result.cycles_used) == (2, Decimal("10.00"), ("Q3", "Q2"))


def test_one_excellent_after_a_good_one_falls_to_the_next_rule():
    result = suggest_raise([("Q3", "优秀"), ("Q2", "良好")], RULES)
    assert result is not None and (result.rule_key, result.pct) == (3, Decimal("4.50"))


def test_fail_means_no_raise_and_first_matching_priority_wins():
    result = suggest_raise([("Q3", "不合格"), ("Q2", "优秀")], RULES)
    assert result is not None and (result.rule_key, result.pct) == (1, Decimal("0.00"))


def test_all_rule_needs_enough_history():
    assert suggest_raise([("Q3", "良好")], RULES) is None
    only_two = [SalaryRuleSpec(2, "连续两期优秀", "优秀", "all", 2, Decimal(8), Decimal(12))]
    assert suggest_raise([("Q3", "优秀")], only_two) is None


def test_new_salary_rounds_half_up_to_the_fen():
    assert new_salary_fen(8000_00, Decimal("10.00")) == 8800_00
    assert new_salary_fen(333, Decimal("4.50")) == 348  # 333 × 1.045 = 347.985 → 348
    assert new_salary_fen(1, Decimal("50")) == 2  # 1.5 → 2
