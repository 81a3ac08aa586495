from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outperform.scoring import (
    NOT_APPLICABLE,
    BandsRule,
    DeductionRule,
    FormulaError,
    FormulaRule,
    LinearRule,
    RuleError,
    ValueBand,
    rule_from_dict,
    rule_to_dict,
)
from outperform.scoring.tests.factories import PROPERTY

D = Decimal

# --------------------------------------------------------------------------- linear


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("60", "0.00"),  # floor
        ("50", "0.00"),  # below the floor: capped
        ("95", "100.00"),  # target
        ("120", "100.00"),  # above: capped
        ("80", "57.14"),  # (80 - 60) / (95 - 60) * 100 = 20 / 35 * 100 = 57.142857...
        ("77.5", "50.00"),  # 17.5 / 35 * 100 = 50
    ],
)
def test_linear_higher_is_better(value: str, expected: str) -> None:
    assert LinearRule(D(60), D(95)).score(D(value)) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("240", "0.00"),
        ("300", "0.00"),
        ("60", "100.00"),
        ("30", "100.00"),
        ("120", "66.67"),  # (120 - 240) / (60 - 240) * 100 = 120 / 180 * 100 = 66.666...
    ],
)
def test_linear_lower_is_better(value: str, expected: str) -> None:
    # Response time in minutes: 4 h or more scores 0, one hour or less scores 100.
    assert LinearRule(D(240), D(60), "lower_is_better").score(D(value)) == D(expected)


def test_linear_rounds_half_up_at_the_end() -> None:
    # 6.81 / 8 * 100 = 85.125 exactly -> 85.13 (half up), not 85.12 (half even).
    assert LinearRule(D(0), D(8)).score(D("6.81")) == D("85.13")


def test_linear_missing_value_is_not_applicable() -> None:
    assert LinearRule(D(60), D(95)).score(None) is NOT_APPLICABLE


@pytest.mark.parametrize(
    ("floor", "target", "direction", "message"),
    [
        (60, 60, "higher_is_better", "floor and target are both 60; they must differ"),
        (95, 60, "higher_is_better", "higher is better, so the floor (95) must be below the target (60)"),
        (60, 240, "lower_is_better", "lower is better, so the floor (60) must be above the target (240)"),
        (0, 1, "sideways", "direction must be higher_is_better or lower_is_better"),
    ],
)
def test_linear_validation(floor: int, target: int, direction: str, message: str) -> None:
    with pytest.raises(RuleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        LinearRule(D(floor), D(target), direction)  # type: ignore[arg-type]


def test_rules_refuse_floats() -> None:
    with pytest.raises(RuleError, match="not float"):
        LinearRule(0.5, D(1))  # type: ignore[arg-type]
    assert LinearRule("60", 95).floor == D(60)  # type: ignore[arg-type]


@PROPERTY
@given(st.decimals(min_value=-1000, max_value=1000, places=2), st.decimals(min_value=-1000, max_value=1000, places=2))
def test_linear_is_monotone_and_bounded(a: Decimal, b: Decimal) -> None:
    rule = LinearRule(D(-50), D(500))
    low, high = sorted((a, b))
    s_low, s_high = rule.score(low), rule.score(high)
    assert isinstance(s_low, Decimal) and isinstance(s_high, Decimal)
    assert D(0) <= s_low <= s_high <= D(100)


# --------------------------------------------------------------------------- bands

SATISFACTION = BandsRule((
    ValueBand(D(95), None, D(100)),  # given out of order on purpose
    ValueBand(None, D(60), D(0)),
    ValueBand(D(60), D(80), D(60)),
    ValueBand(D(80), D(95), D(85)),
))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("-5", "0"), ("59.99", "0"), ("60", "60"), ("79.99", "60"), ("80", "85"), ("94.99", "85"),
     ("95", "100"), ("1000", "100")],
)
def test_bands_lower_bound_inclusive_upper_exclusive(value: str, expected: str) -> None:
    assert SATISFACTION.score(D(value)) == D(expected)


def test_bands_values_outside_closed_ends_take_the_end_band() -> None:
    rule = BandsRule((ValueBand(D(0), D(50), D(40)), ValueBand(D(50), D(100), D(90))))
    assert rule.score(D(-1)) == D(40)
    assert rule.score(D(100)) == D(90)  # the top of the last band is capped like linear
    assert rule.score(None) is NOT_APPLICABLE


def test_bands_description_lists_bands_in_order() -> None:
    assert SATISFACTION.description == "bands: < 60 → 0, [60, 80) → 60, [80, 95) → 85, ≥ 95 → 100"


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ((), "bands rule needs at least one band"),
        ((ValueBand(D(0), D(60), D(0)), ValueBand(D(50), D(100), D(80))), "bands [0, 60) and [50, 100) overlap"),
        ((ValueBand(None, D(60), D(0)), ValueBand(None, D(80), D(80))), "bands < 60 and < 80 overlap"),
        ((ValueBand(D(0), D(60), D(0)), ValueBand(D(70), D(100), D(80))),
         "gap between bands [0, 60) and [70, 100): values from 60 to 70 have no score"),
        ((ValueBand(D(10), D(5), D(0)),), "band [10, 5) is empty"),
        ((ValueBand(D(0), None, D(120)),), "band ≥ 0 scores 120, outside 0–100"),
    ],
)
def test_bands_validation(bands: tuple[ValueBand, ...], message: str) -> None:
    with pytest.raises(RuleError) as info:
        BandsRule(bands)
    assert any(message in error for error in info.value.errors), info.value.errors


# --------------------------------------------------------------------------- deduction


@pytest.mark.parametrize(
    ("events", "expected"),
    [("0", "100.00"), ("1", "95.00"), ("3", "85.00"), ("20", "0.00"), ("25", "0.00"), ("-2", "100.00"),
     ("1.5", "92.50")],
)
def test_deduction(events: str, expected: str) -> None:
    assert DeductionRule(D(5)).score(D(events)) == D(expected)


def test_deduction_with_start_and_minimum() -> None:
    rule = DeductionRule(D(10), start=D(90), minimum=D(40))
    assert rule.score(D(2)) == D(70)  # 90 - 2 * 10
    assert rule.score(D(9)) == D(40)  # 90 - 90 = 0, held at the minimum 40
    assert rule.score(None) is NOT_APPLICABLE
    assert rule.description == "deduction: 90 − 10 per event, not below 40"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"per_event": D(0)}, "points per event must be positive"),
     ({"per_event": D(5), "start": D(110)}, "need 0 ≤ minimum"),
     ({"per_event": D(5), "minimum": D(-1)}, "need 0 ≤ minimum"),
     ({"per_event": D(5), "start": D(50), "minimum": D(60)}, "need 0 ≤ minimum")],
)
def test_deduction_validation(kwargs: dict[str, Decimal], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        DeductionRule(**kwargs)


# --------------------------------------------------------------------------- formula


def test_formula_rule_scores_and_caps() -> None:
    rule = FormulaRule("100 - 10 * complaints + coalesce(bonus_points, 0)")
    assert rule.score(None, {"complaints": D(2)}) == D(80)
    assert rule.score(None, {"complaints": D(2), "bonus_points": D(5)}) == D(85)
    assert rule.score(None, {"complaints": D(20)}) == D(0)  # -100 capped at 0
    assert rule.score(None, {"complaints": D(0), "bonus_points": D(9)}) == D(100)  # 109 capped
    assert rule.score(None, {}) is NOT_APPLICABLE  # complaints missing
    assert rule.metric_names == {"complaints", "bonus_points"}


def test_formula_rule_reads_the_actual_value_as_value() -> None:
    rule = FormulaRule("value / target * 100", names=frozenset({"target"}))
    assert rule.score(D(45), {"target": D(60)}) == D(75)  # 45 / 60 * 100
    assert rule.score(D(45), {"target": D(0)}) is NOT_APPLICABLE  # division by zero
    assert rule.score(None, {"target": D(60)}) is NOT_APPLICABLE


def test_formula_rule_validation_points_at_the_column() -> None:
    with pytest.raises(FormulaError) as info:
        FormulaRule("100 - 10 * complaints)", names=frozenset({"complaints"}))
    assert info.value.position == 22
    with pytest.raises(FormulaError, match="unknown metric 'complains' at column 12"):
        FormulaRule("100 - 10 * complains", names=frozenset({"complaints"}))
    with pytest.raises(FormulaError, match="must produce a number"):
        FormulaRule("complaints > 3")


# --------------------------------------------------------------------------- snapshots


@pytest.mark.parametrize(
    "rule",
    [LinearRule(D(60), D(95)), LinearRule(D(240), D(60), "lower_is_better"), SATISFACTION,
     DeductionRule(D("2.5"), D(90), D(10)), FormulaRule("min(100, a / b * 100)"),
     FormulaRule("value * 2", names=frozenset({"x"}))],
)
def test_rule_dict_round_trip(rule: LinearRule) -> None:
    assert rule_from_dict(rule_to_dict(rule)) == rule


def test_rule_from_dict_errors() -> None:
    with pytest.raises(RuleError, match="unknown rule type 'cubic'"):
        rule_from_dict({"type": "cubic"})
    with pytest.raises(RuleError, match="missing or malformed field"):
        rule_from_dict({"type": "linear", "floor": "1"})
    with pytest.raises(FormulaError):
        rule_from_dict({"type": "formula", "expression": "1 +"})
