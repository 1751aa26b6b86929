"""`revdesk cases tick`: breaches recorded once, escalation rules fire once, in level order."""

import datetime as dt
import json

import pytest

from revdesk.cases import services
from revdesk.cases.choices import EventKind, Status
from revdesk.cases.escalation import tick
from revdesk.cases.models import CaseEscalation, Notification
from revdesk.cli import main

pytestmark = pytest.mark.django_db
NY = dt.timezone(dt.timedelta(hours=-5))  # New York in December


def at(day, hour, minute=0):
    return dt.datetime(2025, 12, day, hour, minute, tzinfo=NY)


@pytest.fixture
def dispute(world, teams, monday):
    return services.case_open(
        actor=world.users["collector"],
        case_type="ar_dispute",
        title="Freight charged twice",
        customer=world.customer_east,
        owner=world.users["collector"],
        team=teams["collections"],
        now=monday,
    )


def timeline(case):
    return [(e.kind, e.body) for e in case.events.exclude(kind__in=["created", "routed"])]


def test_clocks_climb_the_chain_once_each(dispute, world, mailoutbox):
    for user in world.users.values():
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    reason = (
        "First response 30 min past its target of Tue 02 Dec 10:00 "
        "(rule: No first response in time: to a senior)"
    )
    assert tick(at(2, 9, 59)).breaches == []
    result = tick(at(2, 10, 30))
    assert result.breaches == [(dispute.number, "first_response")]
    assert result.escalations == [(dispute.number, "senior", "lead")]
    dispute.refresh_from_db()
    assert (dispute.status, dispute.owner.username, dispute.escalation_level) == (
        Status.ESCALATED,
        "lead",
        1,
    )
    assert dispute.first_response_breached_at == at(2, 10)
    assert timeline(dispute) == [
        ("breached", "First response target missed: it was due Tue 02 Dec 10:00."),
        (
            "escalated",
            "To the senior, lead: First response 30 min past its target of Tue 02 Dec 10:00 "
            "(rule: No first response in time: to a senior).",
        ),
    ]
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == [
        "collector",
        "collector",
        "lead",
    ]
    # The people notified are also told by e-mail, once.
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("collector@example.com", f"{dispute.number} was escalated: " + reason),
        ("collector@example.com", f"{dispute.number}: first response target missed"),
        ("lead@example.com", f"{dispute.number} was escalated to you: " + reason),
    ]
    # Ticking again changes nothing.
    again = tick(at(2, 11))
    assert (again.breaches, again.escalations, again.emailed) == ([], [], 0)
    assert len(mailoutbox) == 3
    assert CaseEscalation.objects.count() == 1

    # The senior answers; the resolution target (10 working days) is missed on 15 Dec:
    # the 'to a senior' rule is below the case's level, so only the breach is recorded.
    services.case_transition(dispute, Status.IN_PROGRESS, actor=world.users["lead"], now=at(2, 12))
    result = tick(at(15, 10, 5))
    assert (result.breaches, result.escalations) == ([(dispute.number, "resolution")], [])
    # Two working days later the leader rule fires (Saturday and Sunday do not count).
    assert tick(at(17, 9, 59)).escalations == []
    assert tick(at(17, 10, 0)).escalations == [(dispute.number, "leader", "leader")]
    assert tick(at(22, 10, 0)).escalations == []
    dispute.refresh_from_db()
    assert (dispute.owner.username, dispute.escalation_level) == ("leader", 2)
    assert CaseEscalation.objects.filter(case=dispute).count() == 2


def test_a_late_tick_catches_up_in_level_order(dispute):
    result = tick(at(19, 12))
    assert result.breaches == [
        (dispute.number, "first_response"),
        (dispute.number, "resolution"),
    ]
    assert [level for _, level, _ in result.escalations] == ["senior", "leader"]
    assert dispute.events.filter(kind=EventKind.ESCALATED).count() == 2


def test_no_clock_runs_while_waiting_on_the_customer(dispute, world):
    services.case_transition(
        dispute, Status.WAITING_CUSTOMER, actor=world.users["collector"], now=at(1, 11)
    )
    result = tick(at(30, 12))
    assert (result.breaches, result.escalations) == ([], [])
    dispute.refresh_from_db()
    assert dispute.status == Status.WAITING_CUSTOMER


def test_the_command_prints_json(dispute, capsys):
    assert main(["cases", "tick", "--now", "2025-12-02T10:30-05:00", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["breaches"] == [{"case": dispute.number, "clock": "first_response"}]
    assert printed["escalations"] == [{"case": dispute.number, "level": "senior", "to": "lead"}]


def test_the_command_explains_a_bad_time(db, capsys):
    assert main(["cases", "tick", "--now", "next tuesday"]) == 2
    assert "is not a date and time" in capsys.readouterr().err


def test_ticking_forever_needs_a_sensible_interval(db, capsys):
    assert main(["cases", "tick", "--every", "5"]) == 2
    assert "--every must be at least 10 seconds." in capsys.readouterr().out


def test_pauses_resumes_and_a_reopening_never_fire_a_rule_or_a_breach_twice(dispute, world):
    collector, lead = world.users["collector"], world.users["lead"]
    assert tick(at(2, 10, 30)).escalations == [(dispute.number, "senior", "lead")]
    services.case_transition(dispute, Status.WAITING_CUSTOMER, actor=lead, now=at(2, 11))
    services.case_transition(dispute, Status.IN_PROGRESS, actor=lead, now=at(4, 11))
    services.case_transition(
        dispute, Status.RESOLVED, actor=lead, outcome="credit_memo", note="Credit", now=at(5, 9)
    )
    services.case_transition(
        dispute, Status.IN_PROGRESS, actor=collector, note="Short", now=at(8, 9)
    )
    # Due 15 Dec 10:00 + 2 working days waiting + 1 resolved = 18 Dec 10:00.
    assert tick(at(18, 9, 59)).breaches == []
    assert tick(at(18, 10, 1)).breaches == [(dispute.number, "resolution")]
    assert tick(at(22, 10, 1)).escalations == [(dispute.number, "leader", "leader")]
    for day in (23, 24, 29):
        again = tick(at(day, 12))
        assert (again.breaches, again.escalations) == ([], [])
    dispute.refresh_from_db()
    assert dispute.events.filter(kind=EventKind.BREACHED).count() == 2  # one per clock
    assert list(CaseEscalation.objects.filter(case=dispute).values_list("level", flat=True)) == [
        1,
        2,
    ]
    assert (
        dispute.events.filter(kind=EventKind.ESCALATED).count()
        == CaseEscalation.objects.filter(case=dispute).count()
    )
