"""Business-time arithmetic for the SLA clocks.

A calendar has work days, a daily window (e.g. 09:00–17:00) in its own time zone, and
holidays. Targets are business minutes: a case opened Friday 16:00 with a 2-hour target is
due Monday 10:00. Times are stored in UTC; the calendar's zone only decides the window.
While a case waits on the customer (or is resolved), its clocks are paused: on resume, due
times move later by the business minutes spent paused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MAX_DAYS = 3 * 366  # a target longer than three years of calendar is a configuration error


@dataclass(frozen=True)
class Hours:
    """A calendar as the arithmetic needs it (no Django here)."""

    zone: ZoneInfo
    weekdays: frozenset[int]
    starts: dt.time
    ends: dt.time
    holidays: frozenset[dt.date]

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working window of a day, as aware datetimes, or None on a day off."""
        if day.weekday() not in self.weekdays or day in self.holidays:
            return None
        start = dt.datetime.combine(day, self.starts, tzinfo=self.zone)
        end = dt.datetime.combine(day, self.ends, tzinfo=self.zone)
        return (start, end) if end > start else None


def hours_of(calendar) -> Hours:
    """Hours from a BusinessCalendar row (holidays read once)."""
    return Hours(
        zone=ZoneInfo(calendar.timezone),
        weekdays=calendar.weekdays,
        starts=calendar.day_starts,
        ends=calendar.day_ends,
        holidays=frozenset(calendar.holidays.values_list("date", flat=True)),
    )


def add_business_minutes(hours: Hours, start: dt.datetime, minutes: int) -> dt.datetime:
    """The moment `minutes` working minutes after `start` (which may be outside hours)."""
    remaining = dt.timedelta(minutes=minutes)
    moment = start.astimezone(hours.zone)
    day = moment.date()
    for _ in range(MAX_DAYS):
        window = hours.window(day)
        if window is not None:
            begin = max(window[0], moment)
            if begin < window[1]:
                available = window[1] - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(dt.UTC)
                remaining -= available
        day += dt.timedelta(days=1)
        moment = dt.datetime.combine(day, dt.time(0), tzinfo=hours.zone)
    raise ValueError("the calendar has no working time in the next three years")


def business_minutes_between(hours: Hours, start: dt.datetime, end: dt.datetime) -> int:
    """Whole working minutes from start to end (0 when end is not after start)."""
    if end <= start:
        return 0
    total = dt.timedelta()
    day = start.astimezone(hours.zone).date()
    last = end.astimezone(hours.zone).date()
    while day <= last:
        window = hours.window(day)
        if window is not None:
            begin = max(window[0], start)
            finish = min(window[1], end)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return int(total.total_seconds() // 60)


def duration_words(minutes: int, day_minutes: int = 8 * 60) -> str:
    """'2 d 3 h 5 min' in working days of day_minutes, for people reading a clock."""
    minutes = int(minutes)
    days, rest = divmod(minutes, day_minutes)
    hours_, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} d")
    if hours_:
        parts.append(f"{hours_} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)
