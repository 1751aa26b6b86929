"""Reads for the queues and the SLA dashboard: which clock is next, how it stands, and the
figures per team. Business time is counted in each team's own calendar (sla.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as When_
from django.db.models import F, Q, QuerySet, When
from django.utils import timezone

from . import sla
from .choices import DONE_STATUSES, PAUSED_STATUSES, Clock, Status
from .models import Case, Team
from .selectors import open_q

#: A clock due within this many working minutes is "due soon".
DUE_SOON_MINUTES = 2 * 60
#: "Due within the next working day" on the SLA dashboard.
WORKING_DAY_MINUTES = 8 * 60

ON_TIME = "on_time"
DUE_SOON = "due_soon"
BREACHED = "breached"
PAUSED = "paused"
MET = "met"
DONE = "done"
NO_TARGET = "none"

STATE_LABELS = {
    ON_TIME: "On time",
    DUE_SOON: "Due soon",
    BREACHED: "Breached",
    PAUSED: "Paused",
    MET: "Met",
    DONE: "Done",
    NO_TARGET: "No target",
}


def with_next_due(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `next_due`: the first-response due time until someone responded, then the
    resolution due time; none once the case is done (done cases sort last)."""
    return queryset.annotate(
        next_due=When_(
            When(status__in=DONE_STATUSES, then=None),
            When(first_response_at__isnull=True, then=F("first_response_due_at")),
            default=F("resolution_due_at"),
        )
    )


class Calendars:
    """Each team's business hours, read once per request."""

    def __init__(self) -> None:
        self._hours: dict[int, sla.Hours | None] = {}

    def of(self, team: Team) -> sla.Hours | None:
        if team.pk not in self._hours:
            self._hours[team.pk] = sla.hours_of(team.calendar) if team.calendar_id else None
        return self._hours[team.pk]


@dataclass(frozen=True)
class ClockState:
    """How one clock of a case stands at `now`."""

    clock: str  # Clock.FIRST_RESPONSE or Clock.RESOLUTION
    state: str  # ON_TIME, DUE_SOON, BREACHED, PAUSED, MET, DONE or NO_TARGET
    due: dt.datetime | None
    remaining: int | None = None  # working minutes left (None when not running)
    met_at: dt.datetime | None = None
    late: bool = False  # met, but after its target

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def clock_label(self) -> str:
        return dict(Clock.choices)[self.clock]

    @property
    def remaining_words(self) -> str:
        return "" if self.remaining is None else sla.duration_words(self.remaining)

    @property
    def text(self) -> str:
        """'Breached', 'Due soon', ... as the queue's clock column reads in Excel."""
        return self.label


def _running(case: Case, clock: str, due, breached_at, hours, now) -> ClockState:
    if due is None:
        return ClockState(clock, NO_TARGET, None)
    if case.status in PAUSED_STATUSES:
        # Stopped when the pause began: what was left then is what is left on resuming.
        since = case.paused_at or now
        remaining = sla.business_minutes_between(hours, since, due) if hours else None
        state = BREACHED if breached_at is not None else PAUSED
        return ClockState(clock, state, due, remaining)
    if breached_at is not None or due <= now:
        return ClockState(clock, BREACHED, due, 0)
    remaining = sla.business_minutes_between(hours, now, due) if hours else None
    soon = remaining is not None and remaining <= DUE_SOON_MINUTES
    return ClockState(clock, DUE_SOON if soon else ON_TIME, due, remaining)


def first_response_state(case: Case, *, now: dt.datetime | None = None, hours=None) -> ClockState:
    now = now or timezone.now()
    if case.first_response_at is not None:
        late = case.first_response_breached_at is not None or bool(
            case.first_response_due_at and case.first_response_at > case.first_response_due_at
        )
        return ClockState(
            Clock.FIRST_RESPONSE,
            MET,
            case.first_response_due_at,
            met_at=case.first_response_at,
            late=late,
        )
    if case.status in DONE_STATUSES:
        return ClockState(Clock.FIRST_RESPONSE, DONE, case.first_response_due_at)
    return _running(
        case,
        Clock.FIRST_RESPONSE,
        case.first_response_due_at,
        case.first_response_breached_at,
        hours,
        now,
    )


def resolution_state(case: Case, *, now: dt.datetime | None = None, hours=None) -> ClockState:
    now = now or timezone.now()
    if case.status in DONE_STATUSES:
        met_at = case.resolved_at or case.closed_at
        late = case.resolution_breached_at is not None
        return ClockState(Clock.RESOLUTION, MET, case.resolution_due_at, met_at=met_at, late=late)
    return _running(
        case, Clock.RESOLUTION, case.resolution_due_at, case.resolution_breached_at, hours, now
    )


def next_clock(case: Case, *, now: dt.datetime | None = None, hours=None) -> ClockState:
    """The clock a person should watch: first response until met, then resolution."""
    if case.status in DONE_STATUSES:
        return ClockState(Clock.RESOLUTION, DONE, None)
    if case.first_response_at is None and case.first_response_due_at is not None:
        state = first_response_state(case, now=now, hours=hours)
        if state.state != BREACHED and case.resolution_breached_at is not None:
            return resolution_state(case, now=now, hours=hours)
        return state
    return resolution_state(case, now=now, hours=hours)


def clocks_attach(cases, *, now: dt.datetime | None = None) -> None:
    """Set `case.clock` (next_clock) on each case, reading each team's calendar once."""
    now = now or timezone.now()
    calendars = Calendars()
    for case in cases:
        case.clock = next_clock(case, now=now, hours=calendars.of(case.team))


# --- queue filters ----------------------------------------------------------------------


def first_response_breached_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    live = Q(first_response_at__isnull=True, first_response_due_at__lt=now) & ~Q(
        status__in=PAUSED_STATUSES
    )
    return open_q() & (live | Q(first_response_breached_at__isnull=False))


def resolution_breached_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    live = Q(resolution_due_at__lt=now) & ~Q(status__in=PAUSED_STATUSES)
    return open_q() & (live | Q(resolution_breached_at__isnull=False))


def paused_q() -> Q:
    return Q(status__in=PAUSED_STATUSES)


def _next_due_between(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(
        first_response_at__isnull=True,
        first_response_due_at__gte=start,
        first_response_due_at__lte=end,
    ) | Q(first_response_at__isnull=False, resolution_due_at__gte=start, resolution_due_at__lte=end)


def due_within_q(minutes: int, now: dt.datetime | None = None, teams=None) -> Q:
    """Open, running (not paused) cases whose next clock runs out within `minutes` working
    minutes of now, in each team's calendar (not yet breached)."""
    now = now or timezone.now()
    teams = list(teams if teams is not None else Team.objects.select_related("calendar"))
    by_team = Q(pk__in=[])
    calendars = Calendars()
    for team in teams:
        hours = calendars.of(team)
        if hours is None:
            continue
        limit = sla.add_business_minutes(hours, now, minutes)
        by_team |= Q(team_id=team.pk) & _next_due_between(now, limit)
    return open_q() & ~Q(status__in=PAUSED_STATUSES) & by_team


# --- the SLA dashboard ------------------------------------------------------------------


@dataclass
class TeamFigures:
    team: Team
    open: int
    first_response_breached: int
    resolution_breached: int
    due_next_day: int
    paused: int


def sla_figures(cases: QuerySet[Case], teams, *, now: dt.datetime | None = None):
    """Per team: open cases, breached now (first response / resolution), due within the next
    working day, and paused, counted over `cases` (already restricted to the viewer)."""
    now = now or timezone.now()
    teams = list(teams)
    figures = []
    due_soon = due_within_q(WORKING_DAY_MINUTES, now, teams)
    for team in teams:
        mine = cases.filter(team=team)
        figures.append(
            TeamFigures(
                team=team,
                open=mine.filter(open_q()).count(),
                first_response_breached=mine.filter(first_response_breached_q(now)).count(),
                resolution_breached=mine.filter(resolution_breached_q(now)).count(),
                due_next_day=mine.filter(due_soon).count(),
                paused=mine.filter(paused_q()).count(),
            )
        )
    return figures


def breached_oldest(cases: QuerySet[Case], *, now: dt.datetime | None = None, limit: int = 100):
    """Breached open cases, the longest breached first (by the due time that ran out)."""
    now = now or timezone.now()
    breached = cases.filter(first_response_breached_q(now) | resolution_breached_q(now))
    return list(with_next_due(breached).order_by(F("next_due").asc(nulls_last=True), "pk")[:limit])


OPEN_STATUS = "open"
STATUS_FILTER_CHOICES = [(OPEN_STATUS, "Open (not done)"), *Status.choices]
