"""Working time over a calendar: pure Python, no Django.

A calendar has working windows per weekday (e.g. 9:00–12:00 and 13:30–18:00), holidays (no work)
and make-up working days (调休: a weekend day worked instead, with its own windows). Times are
wall-clock times in the calendar's zone; arithmetic is done on local wall-clock time, which is
exact for zones without daylight saving such as Asia/Shanghai.

- `add_working_minutes(cal, start, minutes, pauses)` — the moment the given number of working
  minutes (not counting pauses) have passed since `start`;
- `working_minutes_between(cal, a, b, pauses)` — whole working minutes from a to b (floored:
  a minute counts once it is complete), not counting pauses.

`working_minutes_between(cal, s, add_working_minutes(cal, s, m)) == m` for every start and m.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

Window = tuple[int, int]  # minutes after midnight: [start, end), 0 <= start < end <= 1440
Interval = tuple[dt.datetime, dt.datetime]

MINUTE = dt.timedelta(minutes=1)
MAX_DAYS = 3660  # a calendar with no working time in ten years is a mistake, not a long wait
DEFAULT_WINDOWS: tuple[Window, ...] = ((9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60))


def parse_windows(text: str) -> tuple[Window, ...]:
    """"09:00-12:00,13:30-18:00" → ((540, 720), (810, 1080)). Empty text: no work that day.

    Windows must be in order and must not overlap; "24:00" may end the last one."""
    text = (text or "").strip().replace("，", ",").replace("～", "-").replace("~", "-").replace("－", "-")
    if not text:
        return ()
    windows: list[Window] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            start_s, end_s = (p.strip() for p in part.split("-"))
            start, end = _minute_of_day(start_s), _minute_of_day(end_s)
        except ValueError:
            raise ValueError(f"时段“{part}”格式应为 09:00-12:00 / “{part}” should look like 09:00-12:00") from None
        if start >= end:
            raise ValueError(f"时段“{part}”的结束不晚于开始 / “{part}” ends before it starts")
        if windows and start < windows[-1][1]:
            raise ValueError(f"时段“{part}”与前一时段重叠或顺序颠倒 / “{part}” overlaps or precedes the previous window")
        windows.append((start, end))
    return tuple(windows)


def format_windows(windows: Sequence[Window]) -> str:
    return ",".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in windows)


def _minute_of_day(text: str) -> int:
    hours, _, minutes = text.partition(":")
    h, m = int(hours), int(minutes or 0)
    if not (0 <= m < 60 and (0 <= h < 24 or (h == 24 and m == 0))):
        raise ValueError(text)
    return h * 60 + m


@dataclass(frozen=True)
class Calendar:
    weekdays: tuple[tuple[Window, ...], ...] = (DEFAULT_WINDOWS,) * 5 + ((), ())  # Monday first
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)  # 调休 make-up working days
    makeup: tuple[Window, ...] = DEFAULT_WINDOWS
    tz: dt.tzinfo | None = None  # aware datetimes are converted to it; None: datetimes are naive local

    def __post_init__(self) -> None:
        if len(self.weekdays) != 7:
            raise ValueError("weekdays needs seven entries, Monday first")

    def windows_on(self, day: dt.date) -> tuple[Window, ...]:
        if day in self.holidays:  # a holiday wins over a make-up day listed twice by mistake
            return ()
        if day in self.workdays:
            return self.makeup
        return self.weekdays[day.weekday()]

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self.windows_on(day))

    # --- zone handling ---------------------------------------------------------------------
    def to_local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            return moment
        if self.tz is None:
            raise ValueError("an aware datetime needs a calendar with a zone")
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def from_local(self, moment: dt.datetime, like: dt.datetime) -> dt.datetime:
        if like.tzinfo is None:
            return moment
        assert self.tz is not None
        return moment.replace(tzinfo=self.tz)


def _working_intervals(cal: Calendar, start: dt.datetime, end: dt.datetime | None) -> Iterator[Interval]:
    """Working intervals (local, naive) from start, clipped to [start, end); endless when end is None."""
    day = start.date()
    for _ in range(MAX_DAYS if end is None else (end.date() - day).days + 1):
        midnight = dt.datetime.combine(day, dt.time())
        for s, e in cal.windows_on(day):
            ws, we = midnight + dt.timedelta(minutes=s), midnight + dt.timedelta(minutes=e)
            if we <= start:
                continue
            if end is not None and ws >= end:
                return
            yield max(ws, start), we if end is None else min(we, end)
        day += dt.timedelta(days=1)
    if end is None:
        raise ValueError("日历在十年内没有工作时间 / The calendar has no working time within ten years")


def _merge(pauses: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for s, e in sorted(p for p in pauses if p[1] > p[0]):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _cut(s: dt.datetime, e: dt.datetime, pauses: Sequence[Interval]) -> Iterator[Interval]:
    """Pieces of [s, e) not covered by the (merged, sorted) pauses."""
    cursor = s
    for ps, pe in pauses:
        if pe <= cursor:
            continue
        if ps >= e:
            break
        if ps > cursor:
            yield cursor, ps
        cursor = max(cursor, pe)
        if cursor >= e:
            return
    if cursor < e:
        yield cursor, e


def _local_pauses(cal: Calendar, pauses: Iterable[Interval]) -> list[Interval]:
    return _merge((cal.to_local(s), cal.to_local(e)) for s, e in pauses)


def working_time_between(
    cal: Calendar, a: dt.datetime, b: dt.datetime, pauses: Iterable[Interval] = ()
) -> dt.timedelta:
    """Exact working time from a to b, pauses excluded (zero when b is not after a)."""
    la, lb = cal.to_local(a), cal.to_local(b)
    total = dt.timedelta()
    if lb <= la:
        return total
    merged = _local_pauses(cal, pauses)
    for s, e in _working_intervals(cal, la, lb):
        for ps, pe in _cut(s, e, merged):
            total += pe - ps
    return total


def working_minutes_between(
    cal: Calendar, a: dt.datetime, b: dt.datetime, pauses: Iterable[Interval] = ()
) -> int:
    """Whole working minutes from a to b (floored), pauses excluded."""
    return working_time_between(cal, a, b, pauses) // MINUTE


def add_working_minutes(
    cal: Calendar, start: dt.datetime, minutes: int, pauses: Iterable[Interval] = ()
) -> dt.datetime:
    """The moment `minutes` working minutes (pauses excluded) have passed since start."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if minutes == 0:
        return start
    local = cal.to_local(start)
    merged = _local_pauses(cal, pauses)
    remaining = dt.timedelta(minutes=minutes)
    for s, e in _working_intervals(cal, local, None):
        for ps, pe in _cut(s, e, merged):
            if pe - ps >= remaining:
                return cal.from_local(ps + remaining, start)
            remaining -= pe - ps
    raise AssertionError("unreachable: _working_intervals raises first")  # pragma: no cover
