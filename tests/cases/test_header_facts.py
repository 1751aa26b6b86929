"""What every page's header and navigation read about a person, in one query: whether they
are on a case team (the quality pages' link) and how many notifications they have unread."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from revdesk.cases.models import Notification
from revdesk.cases.selectors import team_member_and_unread, unread_notifications


def _notify(user, *, read: bool) -> None:
    now = timezone.now()
    Notification.objects.create(
        user=user, time=now, text="look", url="/", read_at=now + dt.timedelta(1) if read else None
    )


def test_team_membership_and_unread_in_one_query(world, teams):
    collector, rep = world.users["collector"], world.users["rep"]
    _notify(collector, read=False)
    _notify(collector, read=False)
    _notify(collector, read=True)
    _notify(rep, read=True)
    with CaptureQueriesContext(connection) as queries:
        facts = team_member_and_unread(collector)
    assert facts == (True, 2)
    assert len(queries.captured_queries) == 1
    assert facts[1] == unread_notifications(collector).count()
    assert team_member_and_unread(rep) == (False, 0)  # on no team, nothing unread
