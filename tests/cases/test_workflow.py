"""Opening a case, moving it through the state machine, the clocks and the timeline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from revdesk.cases import services
from revdesk.cases.choices import EventKind, Status
from revdesk.cases.models import Case, CaseSubject, Notification
from revdesk.cases.workflow import TransitionRefused, next_statuses
from revdesk.foundation.audit import change_history

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def dispute(world, ledger, teams, monday):
    invoice = ledger.invoices["INV-1"]
    return services.case_open(
        actor=world.users["collector"],
        case_type="ar_dispute",
        title="Customer says the UPS price is wrong",
        subjects=[invoice],
        amount=Decimal("120.50"),
        reason="pricing",
        now=monday,
    )


def test_opening_takes_the_customer_from_the_invoice_and_starts_the_clocks(dispute, world):
    assert dispute.number == f"CASE-{dispute.pk:06d}"
    assert dispute.customer == world.customer_east
    assert (dispute.amount, dispute.currency) == (Decimal("120.50"), "USD")
    assert dispute.team.code == "collections"
    assert dispute.status == Status.NEW
    # Normal priority: 8 working hours to respond, 10 working days to resolve.
    assert dispute.first_response_due_at == dt.datetime(2025, 12, 2, 15, 0, tzinfo=dt.UTC)
    assert dispute.resolution_due_at == dt.datetime(2025, 12, 15, 15, 0, tzinfo=dt.UTC)
    assert [s.label for s in dispute.subjects.all()] == ["INV-1"]
    kinds = list(dispute.events.values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.ROUTED]
    assert change_history(dispute).count() == 1


def test_a_reason_of_another_type_is_refused(world, teams, monday):
    with pytest.raises(ValidationError, match="not a reason code of Commission claim"):
        services.case_open(
            actor=world.users["analyst"],
            case_type="commission_claim",
            title="x",
            reason="pricing",
            now=monday,
        )
    assert not Case.objects.exists()


def test_the_state_machine_refuses_moves_it_does_not_allow(dispute, world):
    collector = world.users["collector"]
    assert next_statuses(Status.NEW)[:2] == [Status.TRIAGE, Status.IN_PROGRESS]
    with pytest.raises(TransitionRefused, match="cannot move to closed"):
        services.case_transition(dispute, Status.CLOSED, actor=collector)
    with pytest.raises(TransitionRefused, match="Choose the outcome"):
        services.case_transition(dispute, Status.RESOLVED, actor=collector, note="done")
    with pytest.raises(TransitionRefused, match="not an outcome for this case type"):
        services.case_transition(
            dispute, Status.RESOLVED, actor=collector, note="ok", outcome="claim_denied"
        )
    with pytest.raises(TransitionRefused, match="Write the resolution"):
        services.case_transition(dispute, Status.RESOLVED, actor=collector, outcome="rebill")
    dispute.refresh_from_db()
    assert dispute.status == Status.NEW
    assert dispute.events.count() == 2


def test_waiting_on_the_customer_pauses_the_clocks(dispute, world, monday):
    collector = world.users["collector"]
    # Monday 11:00 → waiting; back Tuesday 10:00: 7 working hours paused.
    services.case_transition(dispute, Status.WAITING_CUSTOMER, actor=collector, now=monday + H)
    case = services.case_transition(
        dispute, Status.IN_PROGRESS, actor=collector, now=monday + 24 * H
    )
    assert case.paused_minutes == 7 * 60
    assert case.first_response_at == monday + H  # the first move by a person
    assert case.first_response_due_at == dt.datetime(2025, 12, 2, 15, 0, tzinfo=dt.UTC)
    assert case.resolution_due_at == dt.datetime(2025, 12, 15, 22, 0, tzinfo=dt.UTC)


def test_resolve_close_and_reopen_are_on_the_timeline_and_in_the_change_log(dispute, world, monday):
    collector = world.users["collector"]
    services.case_transition(dispute, Status.IN_PROGRESS, actor=collector, now=monday + H)
    services.case_transition(
        dispute,
        Status.RESOLVED,
        actor=collector,
        outcome="credit_memo",
        note="Price list had the old price; credit memo for 120.50 requested.",
        now=monday + 2 * H,
    )
    services.case_transition(dispute, Status.CLOSED, actor=collector, now=monday + 3 * H)
    with pytest.raises(TransitionRefused, match="Say why the case is reopened"):
        services.case_transition(dispute, Status.IN_PROGRESS, actor=collector)
    lead = world.users["lead"]
    case = services.case_transition(
        dispute,
        Status.IN_PROGRESS,
        actor=lead,
        note="Customer says the credit memo is short by 20.00",
        now=monday + 4 * H,
    )
    assert (case.status, case.outcome, case.resolved_at, case.closed_at) == (
        Status.IN_PROGRESS,
        "",
        None,
        None,
    )
    lines = [
        (e.kind, e.from_status, e.to_status, e.actor_name)
        for e in case.events.filter(kind__in=[EventKind.STATUS, EventKind.RESOLUTION])
    ]
    assert lines == [
        ("status", "new", "in_progress", "collector"),
        ("resolution", "in_progress", "resolved", "collector"),
        ("status", "resolved", "closed", "collector"),
        ("status", "closed", "in_progress", "lead"),
    ]
    reopen = case.events.get(data__reopened=True)
    assert reopen.body == "Customer says the credit memo is short by 20.00"
    changes = [(r.before or {}).get("status") for r in change_history(case)]
    assert changes == ["closed", "resolved", "in_progress", "new", None]
    # Resolved then closed: 1 working hour stopped, added back on reopening.
    assert case.paused_minutes == 120


def test_comments_mention_people_and_external_replies_stop_the_first_response_clock(
    dispute, world, monday
):
    collector = world.users["collector"]
    services.comment_add(
        dispute,
        actor=collector,
        body="@lead can you check the 2025 price list? cc @nobody",
        now=monday + H,
    )
    dispute.refresh_from_db()
    assert dispute.first_response_at is None  # internal notes are not a response
    assert list(Notification.objects.values_list("user__username", "text")) == [
        ("lead", f"collector mentioned you on {dispute.number}")
    ]
    services.comment_add(
        dispute,
        actor=collector,
        body="We are checking the price and will reply by Friday.",
        visibility="external",
        now=monday + 9 * H,
    )
    dispute.refresh_from_db()
    assert dispute.first_response_at == monday + 9 * H
    # Monday 10:00 + 8 working hours = Tuesday 10:00; Tuesday 19:00 New York is late.
    assert dispute.first_response_breached_at is None
    with pytest.raises(ValidationError):
        services.comment_add(dispute, actor=collector, body="   ")


def test_a_late_first_response_is_recorded_as_missed(dispute, world, monday):
    services.case_transition(
        dispute, Status.IN_PROGRESS, actor=world.users["collector"], now=monday + 30 * H
    )
    dispute.refresh_from_db()
    assert dispute.first_response_breached_at == dispute.first_response_due_at
    assert dispute.events.filter(kind=EventKind.BREACHED).count() == 1


def test_assigning_needs_a_team_member_and_notifies(dispute, world):
    with pytest.raises(ValidationError, match="rep is not a member of the Collections team"):
        services.case_assign(dispute, actor=world.users["lead"], owner=world.users["rep"])
    services.case_assign(dispute, actor=world.users["lead"], owner=world.users["collector2"])
    dispute.refresh_from_db()
    assert dispute.owner == world.users["collector2"]
    assert Notification.objects.get(user=world.users["collector2"]).text == (
        f"{dispute.number} was assigned to you by lead"
    )


def test_linking_more_subjects_is_idempotent(dispute, world, ledger):
    collector = world.users["collector"]
    assert services.case_subject_add(dispute, ledger.invoices["INV-2"], actor=collector)
    assert not services.case_subject_add(dispute, ledger.invoices["INV-2"], actor=collector)
    assert CaseSubject.objects.filter(case=dispute).count() == 2


def test_a_rep_asking_for_news_is_not_the_team_s_first_response(dispute, world, monday):
    # The rep sees the case (his customer's) and may write on it, but he is on the asking
    # side: only an answer from the people working the case stops the clock.
    services.comment_add(
        dispute, actor=world.users["rep"], body="Any news?", visibility="external", now=monday + H
    )
    dispute.refresh_from_db()
    assert dispute.first_response_at is None
    services.comment_add(
        dispute,
        actor=world.users["collector2"],
        body="We are on it.",
        visibility="external",
        now=monday + 2 * H,
    )
    dispute.refresh_from_db()
    assert dispute.first_response_at == monday + 2 * H


def test_mentions_notify_only_people_who_may_read_the_comment(dispute, world, monday):
    # rep_west cannot see this case at all; rep sees it but not its internal notes.
    event = services.comment_add(
        dispute,
        actor=world.users["collector"],
        body="@rep_west @rep @lead please look at the price list",
        now=monday + H,
    )
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["lead"]
    assert list(event.mentions.values_list("user__username", flat=True)) == ["lead"]
    external = services.comment_add(
        dispute,
        actor=world.users["collector"],
        body="@rep_west @rep the credit memo is on its way",
        visibility="external",
        now=monday + 2 * H,
    )
    assert list(external.mentions.values_list("user__username", flat=True)) == ["rep"]


def test_resolving_after_the_target_puts_the_missed_target_on_the_timeline(dispute, world, monday):
    collector = world.users["collector"]
    services.case_transition(dispute, Status.IN_PROGRESS, actor=collector, now=monday + H)
    late = monday + dt.timedelta(days=21)
    services.case_transition(
        dispute,
        Status.RESOLVED,
        actor=collector,
        outcome="credit_memo",
        note="Credit memo for the price difference",
        now=late,
    )
    dispute.refresh_from_db()
    assert dispute.resolution_breached_at == dispute.resolution_due_at
    assert [(e.kind, e.body, e.time) for e in dispute.events.filter(kind=EventKind.BREACHED)] == [
        ("breached", "Resolution came after its target.", late)
    ]


def test_notifications_carry_the_moment_of_the_action(dispute, world, monday):
    services.case_assign(
        dispute, actor=world.users["lead"], owner=world.users["collector2"], now=monday + H
    )
    services.case_transition(
        dispute, Status.IN_PROGRESS, actor=world.users["lead"], now=monday + 2 * H
    )
    services.comment_add(
        dispute, actor=world.users["lead"], body="@collector look", now=monday + 3 * H
    )
    assert sorted(Notification.objects.values_list("time", flat=True)) == [
        monday + H,
        monday + 2 * H,
        monday + 3 * H,
    ]


def test_moving_a_case_to_a_team_with_other_hours_recounts_its_clocks(dispute, world, teams):
    from revdesk.cases.models import BusinessCalendar

    london = BusinessCalendar.objects.create(
        name="London mornings",
        timezone="Europe/London",
        day_starts=dt.time(8),
        day_ends=dt.time(12),
    )
    teams["tax"].calendar = london
    teams["tax"].save()
    case = services.case_assign(dispute, actor=world.users["lead"], team=teams["tax"])
    # Opened Monday 15:00 UTC = 15:00 London, after its 08:00-12:00 day: the 8 hours to
    # respond are Tuesday's and Wednesday's mornings; the 80 to resolve, 20 mornings.
    assert case.first_response_due_at == dt.datetime(2025, 12, 3, 12, 0, tzinfo=dt.UTC)
    assert case.resolution_due_at == dt.datetime(2025, 12, 29, 12, 0, tzinfo=dt.UTC)
    assert case.team == teams["tax"]


def test_comments_have_a_known_visibility_and_outsiders_write_externally(dispute, world):
    with pytest.raises(ValidationError, match="neither internal nor external"):
        services.comment_add(dispute, actor=world.users["collector"], body="x", visibility="x")
    event = services.comment_add(dispute, actor=world.users["rep"], body="Any news?")
    assert event.visibility == "external"
