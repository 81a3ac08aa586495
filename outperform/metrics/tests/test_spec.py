"""The pure part: finishing aggregations, percentiles, rounding, validation — numbers by hand."""

from decimal import Decimal

import pytest

from outperform.metrics import spec as ms

FIELDS = {"due_date": "date", "rework_count": "number", "on_time": "bool", "acceptance": "choice"}


def test_percentile_interpolates_like_percentile_cont():
    # sorted 1 2 3 4 10, P90: h = 4 × 0.9 = 3.6 → 4 + 0.6 × (10 − 4) = 7.6
    assert ms.percentile_of([Decimal(v) for v in (10, 1, 3, 2, 4)], Decimal(90)) == Decimal("7.6")
    # P50 of 1 2 3 4: h = 1.5 → 2 + 0.5 × 1 = 2.5;  P0 → min, P100 → max
    values = [Decimal(v) for v in (4, 3, 2, 1)]
    assert ms.percentile_of(values, Decimal(50)) == Decimal("2.5")
    assert ms.percentile_of(values, Decimal(0)) == 1 and ms.percentile_of(values, Decimal(100)) == 4
    assert ms.percentile_of([Decimal(7)], Decimal(90)) == 7
    assert ms.percentile_of([], Decimal(90)) is None


def test_quantize_is_half_up_to_four_places():
    assert ms.quantize(Decimal("0.66665")) == Decimal("0.6667")
    assert ms.quantize(Decimal("2") / Decimal("3") * 100) == Decimal("66.6667")
    assert ms.quantize(Decimal("-1.00005")) == Decimal("-1.0001")


def test_finish_each_aggregation_by_hand():
    part = ms.Partial(rows=5, count=4, total=Decimal(7), present=4, numerator=3)
    count = ms.MetricSpec("c", "task", "count")
    assert ms.finish(count, part).value == Decimal("4.0000")
    assert ms.finish(ms.MetricSpec("s", "task", "sum", field="rework_count"), part).value == Decimal(7)
    # mean 7 / 4 = 1.75
    assert ms.finish(ms.MetricSpec("a", "task", "mean", field="rework_count"), part).value == Decimal("1.75")
    # ratio 3 / 4 × 100 = 75
    ratio = ms.finish(ms.MetricSpec("r", "task", "ratio", scale=Decimal(100),
                                    numerator=(ms.Condition("on_time", "=", True),)), part)
    assert (ratio.value, ratio.numerator, ratio.denominator) == (Decimal(75), 3, 4)


def test_no_data_is_not_applicable_never_zero():
    for agg in ("count", "sum", "mean", "ratio", "percentile"):
        s = ms.MetricSpec("x", "task", agg, field="rework_count", percentile=Decimal(50))
        assert ms.finish(s, None).value is None
        assert ms.finish(s, ms.Partial()).value is None
    # records exist but none passes the filters: a ratio has a zero denominator → n/a; a count is 0
    filtered_out = ms.Partial(rows=3, count=0)
    assert ms.finish(ms.MetricSpec("r", "task", "ratio"), filtered_out).value is None
    assert ms.finish(ms.MetricSpec("c", "task", "count"), filtered_out).value == 0
    # unless told that no records means zero events (e.g. incidents)
    assert ms.finish(ms.MetricSpec("c", "task", "count", empty_as_zero=True), None).value == 0


def test_validation_names_the_field_and_the_condition():
    bad = ms.MetricSpec("x", "task", "mean", field="title",
                        filters=(ms.Condition("severity", ">=", 2), ms.Condition("on_time", ">", True),
                                 ms.Condition("rework_count", "=", "abc")))
    with pytest.raises(ms.SpecError) as exc:
        ms.validate(bad, FIELDS)
    errors = exc.value.errors
    assert "title" in errors["field"][0]
    assert len(errors["filters"]) == 3
    assert "第 1 个条件" in errors["filters"][0] and "severity" in errors["filters"][0]
    assert "第 2 个条件" in errors["filters"][1]
    assert "第 3 个条件" in errors["filters"][2] and "abc" in errors["filters"][2]
    with pytest.raises(ms.SpecError) as exc:
        ms.validate(ms.MetricSpec("r", "task", "ratio"), FIELDS)
    assert "numerator" in exc.value.errors
    with pytest.raises(ms.SpecError) as exc:
        ms.validate(ms.MetricSpec("p", "task", "percentile", field="rework_count", percentile=Decimal(120)), FIELDS)
    assert "percentile" in exc.value.errors
    with pytest.raises(ms.SpecError) as exc:
        ms.validate(ms.MetricSpec("c", "task", "count"), FIELDS, ["vendor"], ["team"])
    assert "levels" in exc.value.errors
    ms.validate(ms.MetricSpec("ok", "task", "ratio", numerator=(ms.Condition("on_time", "=", True),),
                              filters=(ms.Condition("acceptance", "in", ["accepted", "rejected"]),)), FIELDS)


def test_parse_conditions_refuses_malformed_items():
    with pytest.raises(ValueError, match="2"):
        ms.parse_conditions([{"field": "a", "op": "=", "value": 1}, {"field": "b"}])
    assert ms.parse_conditions(None) == ()
