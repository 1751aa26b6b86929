"""Review weeks: Monday 00:00 to the next Monday 00:00 in the house's time zone
(settings.TIME_ZONE, REVDESK_TIME_ZONE), named by their Monday or as an ISO week (2026-W48)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


class WeekError(ValueError):
    """A week written in a way Revdesk does not read; the message says how to write it."""


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week the day falls in."""
    return day - dt.timedelta(days=day.weekday())


def week_parse(text: str) -> dt.date:
    """'2026-W48' (ISO week) or a date '2026-11-23' (its week) -> the Monday."""
    value = (text or "").strip()
    match = ISO_WEEK.match(value)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        try:
            return dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise WeekError(
                f"{value!r}: {year} has no week {number} (ISO weeks run from 1 to 52 or 53)."
            ) from None
    try:
        return week_start(dt.date.fromisoformat(value))
    except ValueError:
        raise WeekError(
            f"{value!r} is not a week: write it as 2026-W48 (ISO week) or as a date such as "
            "2026-11-23 (the week it falls in)."
        ) from None


def week_bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The week's first moment and the next week's first moment (aware)."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(monday, dt.time.min).replace(tzinfo=zone)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min).replace(tzinfo=zone)
    return start, end


def week_label(monday: dt.date) -> str:
    return f"{monday:%G-W%V}"


def week_span(monday: dt.date) -> str:
    """'2026-W48 (Mon 23 Nov – Sun 29 Nov 2026)'."""
    sunday = monday + dt.timedelta(days=6)
    return f"{week_label(monday)} (Mon {monday:%d %b} – Sun {sunday:%d %b %Y})"


def last_week(today: dt.date | None = None) -> dt.date:
    """The Monday of the last full week: the week a review normally samples."""
    today = today or timezone.localdate()
    return week_start(today) - dt.timedelta(days=7)


def weeks_ending(monday: dt.date, count: int) -> list[dt.date]:
    """The Mondays of `count` weeks ending with (and including) this one, oldest first."""
    return [monday - dt.timedelta(days=7 * back) for back in range(count - 1, -1, -1)]
