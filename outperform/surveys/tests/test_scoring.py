"""Survey scoring by hand (docs/surveys.md §Scoring)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from outperform.surveys import scoring


def test_rating_and_choice_scores():
    assert [scoring.rating_score("rating5", v) for v in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]
    assert scoring.rating_score("rating10", 7) == 70
    with pytest.raises(ValueError):
        scoring.rating_score("rating5", 0)
    with pytest.raises(ValueError):
        scoring.rating_score("rating10", 11)
    options = ["100", "60", "0"]
    assert scoring.choice_score("single", options, [1]) == 60
    with pytest.raises(ValueError):
        scoring.choice_score("single", options, [0, 1])
    # multiple: the sum, capped at 100: 40 + 30 = 70; 40 + 40 + 30 = 110 → 100
    assert scoring.choice_score("multiple", ["40", "40", "30"], [0, 2]) == 70
    assert scoring.choice_score("multiple", ["40", "40", "30"], [0, 1, 2]) == 100
    assert scoring.choice_score("multiple", ["40"], []) is None
    with pytest.raises(ValueError):
        scoring.choice_score("multiple", ["40"], [3])


def test_response_score_is_a_weighted_mean_rounded_half_up_once():
    S = scoring.ScoredAnswer  # noqa: N806 - short for the rows below
    # (75 × 2 + 90 + 60 + 80) / 5 = 380 / 5 = 76
    assert scoring.response_score([S(Fraction(75), Fraction(2)), S(Fraction(90), Fraction(1)),
                                   S(Fraction(60), Fraction(1)), S(Fraction(80), Fraction(1))]) == Decimal("76.00")
    # 50 / 3 = 16.666… → 16.67
    assert scoring.response_score([S(Fraction(25), Fraction(1)), S(Fraction(25), Fraction(1)),
                                   S(Fraction(0), Fraction(1))]) == Decimal("16.67")
    # half up, not banker's: 84.985 → 84.99, 84.995 → 85.00
    assert scoring.response_score([S(Fraction("84.985"), Fraction(1))]) == Decimal("84.99")
    assert scoring.response_score([S(Fraction("84.995"), Fraction(1))]) == Decimal("85.00")
    # text answers only (no score) → not applicable, never 0
    assert scoring.response_score([S(None, Fraction(1))]) is None
    assert scoring.response_score([]) is None


def test_survey_mean_and_response_rate():
    assert scoring.mean_score([Decimal("76.00"), Decimal("94.00"), None]) == Decimal("85.00")
    assert scoring.mean_score([None]) is None
    assert scoring.response_rate(2, 3) == Decimal("66.67")
    assert scoring.response_rate(0, 5) == Decimal("0.00")
    assert scoring.response_rate(0, 0) is None
