"""Business-time arithmetic: targets count working minutes in the calendar's own zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from revdesk.cases.sla import Hours, add_business_minutes, business_minutes_between, duration_words

NY = ZoneInfo("America/New_York")
HOURS = Hours(
    zone=NY,
    weekdays=frozenset({0, 1, 2, 3, 4}),
    starts=dt.time(9),
    ends=dt.time(17),
    holidays=frozenset({dt.date(2025, 12, 25)}),
)


def ny(*args):
    return dt.datetime(*args, tzinfo=NY)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # Friday 16:00 + 2 working hours: one hour Friday, one Monday.
        (ny(2025, 11, 28, 16, 0), 120, ny(2025, 12, 1, 10, 0)),
        # Saturday counts from Monday 09:00.
        (ny(2025, 11, 29, 11, 0), 60, ny(2025, 12, 1, 10, 0)),
        # Before hours counts from 09:00; exactly a day ends at 17:00 the same day.
        (ny(2025, 12, 2, 7, 30), 480, ny(2025, 12, 2, 17, 0)),
        # Christmas (a holiday) is skipped: Wednesday 24th 16:00 + 2 h = Friday 26th 10:00.
        (ny(2025, 12, 24, 16, 0), 120, ny(2025, 12, 26, 10, 0)),
        # Across the March clock change the window stays 09:00–17:00 local.
        (ny(2026, 3, 6, 16, 0), 120, ny(2026, 3, 9, 10, 0)),
        # Zero minutes from outside hours: the next opening.
        (ny(2025, 12, 1, 18, 0), 0, ny(2025, 12, 2, 9, 0)),
    ],
)
def test_add_business_minutes(start, minutes, due):
    assert add_business_minutes(HOURS, start, minutes) == due.astimezone(dt.UTC)


def test_minutes_between_counts_only_working_time():
    assert business_minutes_between(HOURS, ny(2025, 11, 28, 16, 0), ny(2025, 12, 1, 10, 0)) == 120
    assert business_minutes_between(HOURS, ny(2025, 12, 1, 18, 0), ny(2025, 12, 2, 8, 0)) == 0
    assert business_minutes_between(HOURS, ny(2025, 12, 2, 10, 0), ny(2025, 12, 1, 10, 0)) == 0
    # A whole week: five days of eight hours.
    assert business_minutes_between(HOURS, ny(2025, 12, 1, 9), ny(2025, 12, 8, 9)) == 5 * 480


def test_adding_then_measuring_gives_the_minutes_back():
    start = ny(2025, 12, 3, 14, 17)
    for minutes in (1, 59, 480, 481, 2400, 9601):
        due = add_business_minutes(HOURS, start, minutes)
        assert business_minutes_between(HOURS, start, due) == minutes


def test_a_calendar_without_working_days_is_refused():
    closed = Hours(NY, frozenset(), dt.time(9), dt.time(17), frozenset())
    with pytest.raises(ValueError, match="no working time"):
        add_business_minutes(closed, ny(2025, 12, 1, 9), 60)


def test_duration_words():
    assert duration_words(0) == "0 min"
    assert duration_words(135) == "2 h 15 min"
    assert duration_words(480) == "1 d"
    assert duration_words(1000) == "2 d 40 min"
