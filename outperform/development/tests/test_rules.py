"""The pure rules, with expected answers worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from outperform.development import rules
from outperform.development.rules import IndicatorScore, Result

Q1 = Result(1, "一季度", dt.date(2026, 3, 31), "良好")
Q2 = Result(2, "二季度", dt.date(2026, 6, 30), "优秀")
Q3 = Result(3, "三季度", dt.date(2026, 9, 30), "良好")
END = dt.date(2026, 9, 30)


def test_grade_order():
    assert rules.at_least("优秀", "良好")
    assert rules.at_least("良好", "良好")
    assert not rules.at_least("合格", "良好")
    assert not rules.at_least("未知", "合格")


def test_tenure_counts_whole_months():
    # 2025-03-15 → 2026-09-30: 18 months and some days; → 2026-09-14: 17 months.
    assert rules.tenure_months(dt.date(2025, 3, 15), dt.date(2026, 9, 30)) == 18
    assert rules.tenure_months(dt.date(2025, 3, 15), dt.date(2026, 9, 14)) == 17


def test_promotion_needs_window_all_good_one_top_and_tenure():
    args = {"window": 3, "min_grade": "良好", "top_grade": "优秀", "count": 1, "min_tenure_months": 12, "on": END}
    found = rules.promotion([Q3, Q1, Q2], hire_date=dt.date(2025, 3, 1), **args)
    assert found is not None
    assert "三季度良好、二季度优秀、一季度良好" in found.reason
    assert "1次优秀" in found.reason and "司龄18个月" in found.reason
    # Two results only: not enough history.
    assert rules.promotion([Q2, Q3], hire_date=dt.date(2025, 3, 1), **args) is None
    # One 合格 in the window spoils it.
    assert rules.promotion([Q1, Q2, Result(3, "三季度", END, "合格")], hire_date=dt.date(2025, 3, 1), **args) is None
    # No 优秀 at all.
    assert rules.promotion([Q1, Result(2, "二季度", dt.date(2026, 6, 30), "良好"), Q3],
                           hire_date=dt.date(2025, 3, 1), **args) is None
    # Tenure of 11 months (hired 2025-10-01) is short.
    assert rules.promotion([Q1, Q2, Q3], hire_date=dt.date(2025, 10, 1), **args) is None


def test_promotion_looks_only_at_the_latest_window():
    old_bad = Result(0, "四季度", dt.date(2025, 12, 31), "不合格")
    args = {"window": 3, "min_grade": "良好", "top_grade": "优秀", "count": 1, "min_tenure_months": 0, "on": END}
    assert rules.promotion([old_bad, Q1, Q2, Q3], hire_date=None, **args) is not None


def test_job_review_counts_low_grades_in_window():
    bad1 = Result(1, "一季度", dt.date(2026, 3, 31), "不合格")
    bad3 = Result(3, "三季度", END, "不合格")
    ok2 = Result(2, "二季度", dt.date(2026, 6, 30), "合格")
    found = rules.job_review([bad1, ok2, bad3], window=3, low_grade="不合格", count=2)
    assert found is not None and "最近3期考核中2次不合格（三季度不合格、一季度不合格）" in found.reason
    assert rules.job_review([bad1, ok2, bad3], window=2, low_grade="不合格", count=2) is None
    assert rules.job_review([bad3], window=3, low_grade="不合格", count=1) is not None


def test_training_need_takes_lowest_below_threshold_and_maps_topics():
    scores = [IndicatorScore("A", "服务态度", "D1", Decimal("55")), IndicatorScore("B", "问题解决", "D2", Decimal("62.5")),
              IndicatorScore("C", "出勤", "D3", Decimal("58")), IndicatorScore("E", "创新", "D3", Decimal("90"))]
    found = rules.training_need(scores, below=Decimal("70"), max_items=2, cycle_name="三季度",
                                topics_by_indicator={"A": ["沟通技巧"]}, topics_by_dimension={"D3": ["时间管理"]})
    assert found is not None
    # Lowest two below 70: A 55, C 58 (B 62.5 is third).
    assert found.topics == ("沟通技巧", "时间管理")
    assert "服务态度55.00分、出勤58.00分" in found.reason
    assert rules.training_need(scores, below=Decimal("55"), max_items=2, cycle_name="x", topics_by_indicator={},
                               topics_by_dimension={}) is None
    fallback = rules.training_need(scores[1:2], below=Decimal("70"), max_items=3, cycle_name="x",
                                   topics_by_indicator={}, topics_by_dimension={})
    assert fallback is not None and fallback.topics == ("问题解决专项提升",)
