"""Working-time arithmetic, by hand, over the 2026 Chinese calendar (pure: no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outperform.records.sla.holidays import CN_2026, HOLIDAY, WORKDAY
from outperform.records.sla.worktime import (
    Calendar,
    add_working_minutes,
    format_windows,
    parse_windows,
    working_minutes_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = Calendar(
    holidays=frozenset(d for d, kind, _ in CN_2026 if kind == HOLIDAY),
    workdays=frozenset(d for d, kind, _ in CN_2026 if kind == WORKDAY),
)
PLAIN = Calendar()  # Monday–Friday 9:00–12:00, 13:30–18:00, no holidays


def at(day: str, time: str = "00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}")


class TestParseWindows:
    def test_two_windows(self):
        assert parse_windows("09:00-12:00,13:30-18:00") == ((540, 720), (810, 1080))

    def test_empty_is_a_day_off(self):
        assert parse_windows("") == ()
        assert parse_windows("   ") == ()

    def test_full_width_comma_and_tilde_and_midnight_end(self):
        assert parse_windows("9:00~12:00，22:00-24:00") == ((540, 720), (1320, 1440))

    @pytest.mark.parametrize("text", ["12:00-09:00", "09:00-12:00,11:00-13:00", "9-", "25:00-26:00", "09:60-10:00"])
    def test_refused(self, text):
        with pytest.raises(ValueError):
            parse_windows(text)

    def test_round_trip(self):
        assert format_windows(parse_windows("09:00-12:00,13:30-18:00")) == "09:00-12:00,13:30-18:00"


class TestBetween:
    def test_within_one_morning(self):
        # 2026-10-12 is a Monday: 9:30 → 11:00 is 90 minutes.
        assert working_minutes_between(PLAIN, at("2026-10-12", "09:30"), at("2026-10-12", "11:00")) == 90

    def test_lunch_break_does_not_count(self):
        # 11:00 → 14:00: 60 minutes before noon, 30 after 13:30.
        assert working_minutes_between(PLAIN, at("2026-10-12", "11:00"), at("2026-10-12", "14:00")) == 90

    def test_across_the_night(self):
        # Monday 17:00 → Tuesday 10:00: 60 + 60.
        assert working_minutes_between(PLAIN, at("2026-10-12", "17:00"), at("2026-10-13", "10:00")) == 120

    def test_across_the_weekend(self):
        # Friday 2026-10-16 17:00 → Monday 10:00: 60 + 60; Saturday and Sunday count nothing.
        assert working_minutes_between(PLAIN, at("2026-10-16", "17:00"), at("2026-10-19", "10:00")) == 120

    def test_a_whole_working_day_is_seven_and_a_half_hours(self):
        assert working_minutes_between(PLAIN, at("2026-10-12"), at("2026-10-13")) == 450

    def test_reversed_or_equal_is_zero(self):
        assert working_minutes_between(PLAIN, at("2026-10-13"), at("2026-10-12")) == 0
        assert working_minutes_between(PLAIN, at("2026-10-13", "10:00"), at("2026-10-13", "10:00")) == 0

    def test_seconds_are_floored_to_whole_minutes(self):
        assert working_minutes_between(PLAIN, at("2026-10-12", "09:00"), at("2026-10-12", "09:01:59")) == 1

    def test_pauses_are_not_counted_and_may_overlap(self):
        pauses = [
            (at("2026-10-12", "10:00"), at("2026-10-12", "10:30")),
            (at("2026-10-12", "10:15"), at("2026-10-12", "11:00")),  # overlaps the first: 10:00–11:00 in all
            (at("2026-10-12", "12:10"), at("2026-10-12", "13:40")),  # only 13:30–13:40 is working time
        ]
        # 9:00 → 14:00 is 180 + 30 = 210 working minutes; minus 60 and 10.
        assert working_minutes_between(PLAIN, at("2026-10-12", "09:00"), at("2026-10-12", "14:00"), pauses) == 140

    def test_national_day_2026_week(self):
        # Wednesday 2026-09-30 17:00 → Thursday 2026-10-08 10:00. 1–7 October are holidays;
        # 8 October (Thursday) is an ordinary working day: 60 (30 Sep) + 60 (8 Oct).
        assert working_minutes_between(CAL, at("2026-09-30", "17:00"), at("2026-10-08", "10:00")) == 120

    def test_make_up_saturday_counts(self):
        # Saturday 2026-10-10 is a 调休 working day: Friday 9 Oct 17:00 → Monday 12 Oct 10:00 is
        # 60 (Fri) + 450 (Sat) + 60 (Mon).
        assert working_minutes_between(CAL, at("2026-10-09", "17:00"), at("2026-10-12", "10:00")) == 570
        # Without the 调休 entry the same span is 120.
        assert working_minutes_between(PLAIN, at("2026-10-09", "17:00"), at("2026-10-12", "10:00")) == 120

    def test_make_up_sunday_before_national_day(self):
        # Sunday 2026-09-20 is worked: Saturday 19 Sep → Monday 21 Sep 00:00 holds exactly one day.
        assert working_minutes_between(CAL, at("2026-09-19"), at("2026-09-21")) == 450

    def test_spring_festival_2026(self):
        # Holidays 15–23 Feb; Saturdays 14 and 28 Feb worked. Friday 13 Feb 18:00 → Tuesday 24 Feb 09:00:
        # Saturday 14 Feb is the only working day in between.
        assert working_minutes_between(CAL, at("2026-02-13", "18:00"), at("2026-02-24", "09:00")) == 450

    def test_aware_datetimes_are_read_in_the_calendar_zone(self):
        cal = Calendar(tz=SHANGHAI)
        # 01:30 UTC is 09:30 in Shanghai.
        a = dt.datetime(2026, 10, 12, 1, 30, tzinfo=dt.UTC)
        b = dt.datetime(2026, 10, 12, 11, 0, tzinfo=SHANGHAI)
        assert working_minutes_between(cal, a, b) == 90


class TestAdd:
    def test_inside_a_window(self):
        assert add_working_minutes(PLAIN, at("2026-10-12", "09:30"), 60) == at("2026-10-12", "10:30")

    def test_jumps_the_lunch_break(self):
        assert add_working_minutes(PLAIN, at("2026-10-12", "11:30"), 60) == at("2026-10-12", "14:00")

    def test_starting_outside_working_time_starts_at_the_next_window(self):
        assert add_working_minutes(PLAIN, at("2026-10-12", "07:00"), 30) == at("2026-10-12", "09:30")
        assert add_working_minutes(PLAIN, at("2026-10-12", "20:00"), 30) == at("2026-10-13", "09:30")

    def test_ends_exactly_at_the_end_of_a_window(self):
        assert add_working_minutes(PLAIN, at("2026-10-12", "17:00"), 60) == at("2026-10-12", "18:00")

    def test_over_the_weekend(self):
        # Friday 17:00 + 2 h: 1 h on Friday, 1 h on Monday.
        assert add_working_minutes(PLAIN, at("2026-10-16", "17:00"), 120) == at("2026-10-19", "10:00")

    def test_national_day_holiday_and_its_make_up_saturday(self):
        # 2026-09-30 17:00 + 24 working hours (1440 min): 60 on 30 Sep; then 8 Oct 450, 9 Oct 450,
        # Saturday 10 Oct (调休) 450 → 1410; 30 more on Monday 12 Oct → 09:30.
        assert add_working_minutes(CAL, at("2026-09-30", "17:00"), 1440) == at("2026-10-12", "09:30")

    def test_zero_is_the_start(self):
        assert add_working_minutes(PLAIN, at("2026-10-17", "03:00"), 0) == at("2026-10-17", "03:00")

    def test_negative_refused(self):
        with pytest.raises(ValueError):
            add_working_minutes(PLAIN, at("2026-10-12"), -1)

    def test_pause_pushes_the_due_time(self):
        pauses = [(at("2026-10-12", "09:30"), at("2026-10-12", "10:30"))]
        assert add_working_minutes(PLAIN, at("2026-10-12", "09:00"), 60, pauses) == at("2026-10-12", "11:00")

    def test_a_calendar_without_work_is_an_error(self):
        idle = Calendar(weekdays=((),) * 7)
        with pytest.raises(ValueError):
            add_working_minutes(idle, at("2026-10-12"), 1)

    def test_aware_in_aware_out(self):
        cal = Calendar(tz=SHANGHAI)
        start = dt.datetime(2026, 10, 12, 17, 0, tzinfo=SHANGHAI)
        assert add_working_minutes(cal, start, 120) == dt.datetime(2026, 10, 13, 10, 0, tzinfo=SHANGHAI)


# --- properties ---------------------------------------------------------------------------------

moments = st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 1, 31))
minutes = st.integers(min_value=0, max_value=20_000)
calendars = st.sampled_from([CAL, PLAIN, Calendar(weekdays=((),) * 5 + (((0, 1440),), ()))])


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=moments, m=minutes)
def test_add_then_measure_gives_the_same_amount(cal, start, m):
    assert working_minutes_between(cal, start, add_working_minutes(cal, start, m)) == m


@settings(max_examples=200, deadline=None)
@given(start=moments, m=st.integers(min_value=1, max_value=5000))
def test_the_due_moment_is_inside_working_time(start, m):
    due = add_working_minutes(CAL, start, m)
    # A moment one minute earlier leaves exactly one minute short.
    assert working_minutes_between(CAL, start, due - dt.timedelta(minutes=1)) == m - 1
    assert CAL.is_working_day(due.date()) or due.time() == dt.time(0)


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments, c=moments)
def test_additive_over_a_split_point(a, b, c):
    a, b, c = sorted([a, b, c])
    whole = working_minutes_between(CAL, a, c)
    parts = working_minutes_between(CAL, a, b) + working_minutes_between(CAL, b, c)
    assert parts in (whole, whole - 1)  # floors of two parts may lose one minute, never gain


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments, p1=moments, p2=moments)
def test_pauses_never_add_time(a, b, p1, p2):
    pauses = [tuple(sorted([p1, p2]))]
    assert working_minutes_between(CAL, a, b, pauses) <= working_minutes_between(CAL, a, b)
