from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outperform.scoring import allocate_pool, base_bonus, pool_weight
from outperform.scoring.tests.factories import PROPERTY

D = Decimal


@pytest.mark.parametrize(
    ("base", "coefficient", "proration", "expected"),
    [
        (100_000, "1.5", Fraction(1), 150_000),
        (33_333, "1.2", Fraction(1), 40_000),  # 39,999.6 -> 40,000
        (1, "0.5", Fraction(1), 1),  # 0.5 fen rounds half up
        (3, "0.5", Fraction(1), 2),  # 1.5 -> 2
        (90_000, "1.2", Fraction(20, 30), 72_000),  # 90,000 * 1.2 * 2/3
        (10_000, "1.0", Fraction(1, 3), 3_333),  # 3,333.33...
        (20_000, "1.0", Fraction(1, 3), 6_667),  # 6,666.66...
        (50_000, "0", Fraction(1), 0),
    ],
)
def test_base_bonus(base: int, coefficient: str, proration: Fraction, expected: int) -> None:
    assert base_bonus(base, D(coefficient), proration) == expected


def test_pool_remainder_goes_to_the_lowest_subject_id_on_equal_remainders() -> None:
    # 1000 / 3 = 333.33 each: floors 333 * 3 = 999, one fen left, all remainders equal -> "a".
    shares = allocate_pool(1000, [("c", D(1)), ("a", D(1)), ("b", D(1))])
    assert dict(shares.shares) == {"a": 334, "b": 333, "c": 333}
    assert shares.shares[0] == ("c", 333)  # in the order given
    assert (shares.paid_fen, shares.unallocated_fen) == (1000, 0)


def test_pool_remainder_goes_to_the_largest_fraction_first() -> None:
    # 100 by weights 1 : 2 -> 33.33 and 66.67 -> floors 33 + 66 = 99; the fen goes to .67.
    assert dict(allocate_pool(100, [("a", D(1)), ("b", D(2))]).shares) == {"a": 33, "b": 67}
    # 10 by 1 : 1 : 1 : 4 -> 1.43, 1.43, 1.43, 5.71 -> floors 1+1+1+5 = 8; two fen to .71 (d), then a.
    shares = allocate_pool(10, [("a", D(1)), ("b", D(1)), ("c", D(1)), ("d", D(4))])
    assert dict(shares.shares) == {"a": 2, "b": 1, "c": 1, "d": 6}


def test_pool_with_only_zero_weights_pays_nothing() -> None:
    shares = allocate_pool(500, [("a", D(0)), ("b", D(0))])
    assert dict(shares.shares) == {"a": 0, "b": 0}
    assert (shares.paid_fen, shares.unallocated_fen) == (0, 500)
    assert allocate_pool(500, []).unallocated_fen == 500


def test_pool_rejects_negative_input() -> None:
    with pytest.raises(ValueError, match="negative"):
        allocate_pool(-1, [("a", D(1))])
    with pytest.raises(ValueError, match="negative"):
        allocate_pool(10, [("a", D(-1))])


def test_pool_weight_is_exact() -> None:
    assert pool_weight(D("92.50"), D("1.2"), Fraction(2, 3)) == Fraction(74)  # 92.5 * 1.2 * 2/3


@PROPERTY
@given(
    pool=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(st.one_of(st.decimals(min_value=0, max_value=150, places=2),
                               st.fractions(min_value=0, max_value=100, max_denominator=366)),
                     min_size=1, max_size=60),
)
def test_pool_is_paid_out_exactly(pool: int, weights: list[Decimal | Fraction]) -> None:
    entries = [(f"s{i:03d}", w) for i, w in enumerate(weights)]
    result = allocate_pool(pool, entries)
    total = sum(Fraction(w) for w in weights)
    paid = sum(fen for _, fen in result.shares)
    if total == 0:
        assert (paid, result.unallocated_fen) == (0, pool)
        return
    assert paid == pool == result.paid_fen
    for (_, fen), w in zip(result.shares, weights, strict=True):
        exact = pool * Fraction(w) / total
        assert exact - 1 < fen < exact + 1  # floor or floor + 1
