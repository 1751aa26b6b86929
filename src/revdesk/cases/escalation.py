"""The clock tick: record SLA breaches and fire escalation rules, once each.

`revdesk cases tick` runs this every few minutes (cron, a systemd timer, or any scheduler).
For every open case whose clocks run (not waiting on the customer):

- a clock that has run out is recorded as breached (at its due time), once, with a line on
  the timeline and a notification to the owner (or, unowned, to the team's seniors);
- each active escalation rule whose clock has been overdue for at least its
  `overdue_minutes` of working time moves the case up the chain to the rule's level: the
  case becomes *Escalated*, its owner becomes the least-loaded team member at that level
  (senior, then leader), both people are notified, and the timeline says why. A rule fires
  at most once per case (CaseEscalation is unique per case and rule); a case already at or
  above the rule's level is left alone.

Ticking late catches up: a tick at any later moment finds the same breaches and fires the
same rules, in level order, as ticks every minute would have.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from revdesk.foundation.audit import change_record_create, snapshot
from revdesk.foundation.models import ChangeAction

from . import routing, sla
from .attachments import orphan_files_remove
from .choices import DONE_STATUSES, PAUSED_STATUSES, Assignment, Clock, EventKind, Status
from .models import Case, CaseEscalation, EscalationRule, Notification, TeamMembership
from .services import event_add, notify, person_label


@dataclass
class TickResult:
    now: dt.datetime
    breaches: list[tuple[str, str]] = field(default_factory=list)
    escalations: list[tuple[str, str, str]] = field(default_factory=list)
    files_removed: int = 0
    emailed: int = 0

    def as_dict(self) -> dict:
        return {
            "now": self.now.isoformat(),
            "breaches": [{"case": c, "clock": k} for c, k in self.breaches],
            "escalations": [
                {"case": c, "level": level, "to": who} for c, level, who in self.escalations
            ],
            "orphan_files_removed": self.files_removed,
            "emailed": self.emailed,
        }


def _late(case: Case, clock: str, now: dt.datetime) -> dt.datetime | None:
    """The due time of a clock that has run out (and is not met), else None."""
    if clock == Clock.FIRST_RESPONSE:
        due = case.first_response_due_at
        return due if case.first_response_at is None and due and due < now else None
    due = case.resolution_due_at
    return due if due and due < now else None


def _when(moment: dt.datetime, hours: sla.Hours) -> str:
    return moment.astimezone(hours.zone).strftime("%a %d %b %H:%M")


def _breach(case: Case, clock: str, due: dt.datetime, now: dt.datetime, hours: sla.Hours):
    attribute = f"{clock}_breached_at"
    if getattr(case, attribute) is not None:
        return None
    setattr(case, attribute, due)
    label = dict(Clock.choices)[clock]
    event = event_add(
        case,
        kind=EventKind.BREACHED,
        body=f"{label} target missed: it was due {_when(due, hours)}.",
        data={"clock": clock, "due": due.isoformat()},
        now=now,
    )
    people = (
        [case.owner]
        if case.owner_id
        else [
            m.user
            for m in TeamMembership.objects.filter(team=case.team, level__gte=1).select_related(
                "user"
            )
        ]
    )
    for person in people:
        notify(person, case, f"{case.number}: {label.lower()} target missed", event=event, now=now)
    return event


def _rule_applies(rule: EscalationRule, case: Case) -> bool:
    if rule.case_type_id and rule.case_type_id != case.case_type_id:
        return False
    return not (rule.priority and rule.priority != case.priority)


def _escalate(case: Case, rule: EscalationRule, due, now, hours: sla.Hours, result: TickResult):
    overdue = sla.business_minutes_between(hours, due, now)
    if overdue < rule.overdue_minutes or rule.level <= case.escalation_level:
        return
    if CaseEscalation.objects.filter(case=case, rule=rule).exists():
        return
    label = dict(Clock.choices)[rule.clock].lower()
    target = routing.pick_owner(case.team, Assignment.LEAST_LOADED, level=rule.level)
    level_label = "senior" if rule.level == 1 else "leader"
    reason = (
        f"{label.capitalize()} {sla.duration_words(overdue)} past its target of "
        f"{_when(due, hours)} (rule: {rule.name})"
    )
    previous_owner = case.owner
    case.escalation_level = rule.level
    if case.status not in (Status.ESCALATED, *DONE_STATUSES, *PAUSED_STATUSES):
        from_status = case.status
        case.status = Status.ESCALATED
    else:
        from_status = ""
    if target is not None:
        case.owner = target
    CaseEscalation.objects.create(
        case=case, rule=rule, time=now, level=rule.level, to_user=target, reason=reason[:300]
    )
    who = person_label(target) if target else f"nobody (the {case.team} team has no {level_label})"
    event = event_add(
        case,
        kind=EventKind.ESCALATED,
        body=f"To the {level_label}, {who}: {reason}.",
        from_status=from_status,
        to_status=case.status if from_status else "",
        data={"rule": rule.pk, "level": rule.level, "to": getattr(target, "pk", None)},
        now=now,
    )
    if target is not None:
        notify(target, case, f"{case.number} was escalated to you: {reason}", event=event, now=now)
    if previous_owner is not None and previous_owner != target:
        notify(previous_owner, case, f"{case.number} was escalated: {reason}", event=event, now=now)
    result.escalations.append((case.number, level_label, who))


def _tick_case(case_id: int, rules: list[EscalationRule], now: dt.datetime, result: TickResult):
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("team__calendar", "owner")
            .filter(pk=case_id)
            .first()
        )
        if case is None or case.status in DONE_STATUSES or case.status in PAUSED_STATUSES:
            return
        if case.team.calendar is None:
            return
        hours = sla.hours_of(case.team.calendar)
        before = snapshot(case)
        for clock in (Clock.FIRST_RESPONSE, Clock.RESOLUTION):
            due = _late(case, clock, now)
            if due is not None and _breach(case, clock, due, now, hours) is not None:
                result.breaches.append((case.number, clock.value))
        for rule in rules:
            due = _late(case, rule.clock, now)
            if due is not None and _rule_applies(rule, case):
                _escalate(case, rule, due, now, hours, result)
        if snapshot(case) != before:
            case.save()
            change_record_create(
                actor=None,
                action=ChangeAction.UPDATE,
                instance=case,
                before=before,
                after=snapshot(case),
            )


def tick(now: dt.datetime | None = None, *, progress=None, email: bool = True) -> TickResult:
    """Apply the clocks of every open case at `now`. Each case in its own transaction.

    With `email`, the people notified of a missed target or an escalation also get an e-mail
    (once each; a failed send is logged and the notification stays on their page)."""
    now = now or timezone.now()
    result = TickResult(now=now)
    rules = list(EscalationRule.objects.filter(is_active=True).order_by("level", "pk"))
    late = Q(first_response_at__isnull=True, first_response_due_at__lt=now) | Q(
        resolution_due_at__lt=now
    )
    ids = list(
        Case.objects.exclude(status__in=DONE_STATUSES | PAUSED_STATUSES)
        .filter(late)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for case_id in ids:
        _tick_case(case_id, rules, now, result)
        if progress is not None:
            progress()
    if email:
        result.emailed = _notifications_email(now)
    result.files_removed = orphan_files_remove()
    return result


def _notifications_email(now: dt.datetime) -> int:
    """E-mail the breach and escalation notifications this tick wrote."""
    from .mail import notification_email_send

    written = Notification.objects.filter(
        time=now,
        emailed_at__isnull=True,
        event__kind__in=(EventKind.BREACHED, EventKind.ESCALATED),
    ).select_related("user", "case__team")
    return sum(notification_email_send(notification) for notification in written)


def _parse_now(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment


def _tick_every(seconds: int, console) -> int:
    """Tick now and then every `seconds`, one line per tick that did something."""
    if seconds < 10:
        console.print("--every must be at least 10 seconds.")
        return 2
    try:
        while True:
            result = tick()
            if result.breaches or result.escalations:
                console.print(
                    f"{result.now:%Y-%m-%d %H:%M} clock tick: {len(result.breaches)} target(s) "
                    f"missed, {len(result.escalations)} escalation(s)"
                )
            time.sleep(seconds)
    except KeyboardInterrupt:
        return 0


def tick_command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    try:
        now = _parse_now(args.now)
    except ValueError:
        Console(stderr=True).print(
            f"--now {args.now!r} is not a date and time: write it as 2026-12-03T10:00 "
            "(local time) or 2026-12-03T10:00+00:00."
        )
        return 2
    if args.json:
        print(json.dumps(tick(now).as_dict(), indent=2))
        return 0
    console = Console()
    if args.every is not None:
        return _tick_every(args.every, console)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Checking clocks", total=None)
        result = tick(now, progress=lambda: progress.advance(task))
    table = Table(title=f"Clock tick at {result.now:%Y-%m-%d %H:%M %Z}")
    table.add_column("Case")
    table.add_column("What happened")
    for number, clock in result.breaches:
        table.add_row(number, f"{dict(Clock.choices)[clock]} target missed")
    for number, level, who in result.escalations:
        table.add_row(number, f"escalated to the {level}: {who}")
    if result.breaches or result.escalations:
        console.print(table)
    console.print(
        f"{len(result.breaches)} target(s) missed, {len(result.escalations)} escalation(s)"
        + (f", {result.emailed} e-mail(s) to the people notified" if result.emailed else "")
        + (f", {result.files_removed} orphan file(s) removed" if result.files_removed else "")
        + "."
    )
    return 0
