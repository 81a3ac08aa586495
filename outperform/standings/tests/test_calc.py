"""The pure arithmetic, with expected numbers worked out by hand."""

from decimal import Decimal as Dec

import pytest

from outperform.standings.calc import Band, band_for, band_rank, decayed_score, settle

BANDS = [Band("A", Dec(90)), Band("B", Dec(80)), Band("C", Dec(70)), Band("D", Dec(0))]


def test_decay_weights_latest_counts_most():
    # 90×0.5 + 80×0.3 + 70×0.2 = 45 + 24 + 14 = 83
    assert decayed_score([Dec(90), Dec(80), Dec(70)], [50, 30, 20]).score == Dec("83.00")


def test_periods_beyond_the_weights_are_ignored():
    assert decayed_score([Dec(90), Dec(80), Dec(70), Dec(0)], [50, 30, 20]).score == Dec("83.00")


def test_no_activity_period_is_excluded_and_weights_renormalised():
    # middle period excluded: (90×50 + 70×20) / 70 = 5900/70 = 84.2857… → 84.29
    w = decayed_score([Dec(90), None, Dec(70)], [50, 30, 20])
    assert w.score == Dec("84.29")
    assert w.weights[1] is None
    assert w.weights[0] == Dec(50) / Dec(70)


def test_latest_without_activity_uses_older_periods():
    # (80×30 + 60×20)/50 = (2400+1200)/50 = 72
    assert decayed_score([None, Dec(80), Dec(60)], [50, 30, 20]).score == Dec("72.00")


def test_half_up_rounding():
    # (80.005×1)/1 → 80.01 (half up), not banker's 80.00
    assert decayed_score([Dec("80.005")], [1]).score == Dec("80.01")


def test_nothing_active_gives_no_score():
    assert decayed_score([None, None], [50, 30, 20]).score is None
    assert decayed_score([], [50]).score is None


@pytest.mark.parametrize(("score", "code"), [
    (Dec("100"), "A"), (Dec("90"), "A"), (Dec("89.99"), "B"), (Dec("80"), "B"), (Dec("79.99"), "C"), (Dec("70"), "C"),
    (Dec("69.99"), "D"), (Dec("0"), "D"),
])
def test_band_mapping(score, code):
    assert band_for(score, BANDS) == code


def test_band_rank_orders_best_first():
    assert [band_rank(c, BANDS) for c in "ABCD"] == [0, 1, 2, 3]


def test_settlement_percentage_then_breaches():
    # fee 100 000.00 元; C −5 % → −5 000.00; 3 breaches × 300.00 = 900.00; final 94 100.00
    a = settle(fee_fen=10_000_000, adjustment_pct=Dec("-5"), breach_count=3, per_breach_fen=30_000,
               breach_cap_fen=500_000)
    assert (a.standing_adjustment_fen, a.breach_deduction_fen, a.final_fen) == (-500_000, 90_000, 9_410_000)
    assert a.deduction_fen == 590_000
    assert not a.breach_capped


def test_breach_deduction_is_capped():
    # 20 × 300.00 = 6 000.00 capped at 5 000.00
    a = settle(fee_fen=10_000_000, adjustment_pct=Dec(0), breach_count=20, per_breach_fen=30_000,
               breach_cap_fen=500_000)
    assert a.breach_deduction_fen == 500_000 and a.breach_capped
    assert a.final_fen == 9_500_000


def test_percentage_rounds_half_up_to_the_fen():
    # 333.33 元 × −5 % = −16.6665 元 = −1666.65 fen → −1667 fen (half away from zero)
    a = settle(fee_fen=33_333, adjustment_pct=Dec("-5"), breach_count=0, per_breach_fen=0, breach_cap_fen=None)
    assert a.standing_adjustment_fen == -1667
    assert a.final_fen == 33_333 - 1667


def test_bonus_percentage_and_floor_at_zero():
    assert settle(fee_fen=10_000, adjustment_pct=Dec("2"), breach_count=0, per_breach_fen=0,
                  breach_cap_fen=None).final_fen == 10_200
    a = settle(fee_fen=10_000, adjustment_pct=Dec("-10"), breach_count=5, per_breach_fen=5_000, breach_cap_fen=None)
    assert a.final_fen == 0 and a.deduction_fen == 10_000
