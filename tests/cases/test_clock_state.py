"""How a case's clocks read on its page and in the queue."""

import datetime as dt

import pytest

from revdesk.cases import queue, services
from revdesk.cases.choices import Status

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_a_paused_clock_keeps_the_time_that_was_left(world, teams, monday):
    collector = world.users["collector"]
    case = services.case_open(
        actor=collector,
        case_type="ar_dispute",
        title="Waiting for the POD",
        team=teams["collections"],
        now=monday,
    )
    # Monday 10:00 opened (10 working days to resolve); waiting on the customer from 11:00.
    services.case_transition(case, Status.WAITING_CUSTOMER, actor=collector, now=monday + H)
    case.refresh_from_db()
    for later in (monday + 2 * H, monday + 3 * 24 * H):
        state = queue.resolution_state(case, now=later, hours=services.case_hours(case))
        assert (state.state, state.remaining) == (queue.PAUSED, 10 * 480 - 60)
        assert state.remaining_words == "9 d 7 h"
    # Back in progress on Thursday 10:00: the due time moved by the 2 days 7 hours paused.
    back = services.case_transition(
        case, Status.IN_PROGRESS, actor=collector, now=monday + 3 * 24 * H
    )
    state = queue.resolution_state(back, now=monday + 3 * 24 * H, hours=services.case_hours(back))
    assert (state.state, state.remaining) == (queue.ON_TIME, 10 * 480 - 60)
