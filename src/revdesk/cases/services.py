"""Everything that writes cases: one function per business action, each in a transaction.

Every action leaves a line on the case's timeline (CaseEvent); changes to the case's own
fields are also in the change log (ChangeRecord, before/after) like every other object.
`now` may be given so clocks can be tested and ticked at a chosen time.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from revdesk.foundation.audit import (
    change_record_build,
    change_record_create,
    change_records_bulk_create,
    snapshot,
)
from revdesk.foundation.models import ChangeAction
from revdesk.parties.models import Customer, Distributor, Payee

from . import routing, sla, workflow
from .choices import (
    DONE_STATUSES,
    PAUSED_STATUSES,
    EventKind,
    Priority,
    Source,
    Status,
    Visibility,
)
from .models import (
    Case,
    CaseEvent,
    CaseSubject,
    CaseType,
    Mention,
    Notification,
    ReasonCode,
    SlaTarget,
    Team,
    TeamMembership,
    WorkInstruction,
)
from .selectors import case_list, sees_internal

TransitionRefused = workflow.TransitionRefused
MENTION = re.compile(r"(?<![\w.@])@([\w.+-]{2,150})")
CLOCK_STOPPED = PAUSED_STATUSES | DONE_STATUSES


def person_label(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "Revdesk"
    return user.get_full_name() or user.get_username()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def event_add(
    case: Case,
    *,
    kind: str,
    actor=None,
    actor_name: str = "",
    body: str = "",
    visibility: str = Visibility.INTERNAL,
    from_status: str = "",
    to_status: str = "",
    data: dict | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """One line on the timeline. Every service that changes a case calls this."""
    real = actor if getattr(actor, "is_authenticated", False) else None
    return CaseEvent.objects.create(
        case=case,
        time=_now(now),
        kind=kind,
        actor=real,
        actor_name=(actor_name or person_label(real))[:200],
        body=body,
        visibility=visibility,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


def events_add_bulk(
    notes: Iterable[tuple[Case, str]],
    *,
    kind: str,
    actor=None,
    actor_name: str = "",
    visibility: str = Visibility.INTERNAL,
    now: dt.datetime | None = None,
) -> list[CaseEvent]:
    """`event_add` for many cases at once (case, body): one line on each timeline."""
    real = actor if getattr(actor, "is_authenticated", False) else None
    name = (actor_name or person_label(real))[:200]
    return CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            time=_now(now),
            kind=kind,
            actor=real,
            actor_name=name,
            body=body,
            visibility=visibility,
        )
        for case, body in notes
    )


def notify(
    user, case: Case | None, text: str, *, event: CaseEvent | None = None, now=None, url: str = ""
) -> None:
    """A notification for one person: about a case, or (case None) about the page at url."""
    if user is None or not user.is_active:
        return
    if case is None and not url:
        raise ValueError("a notification needs a case or a url")
    Notification.objects.create(
        user=user, case=case, event=event, time=_now(now), text=text[:300], url=url[:300]
    )


def _audit(case: Case, before: dict | None, actor) -> None:
    change_record_create(
        actor=actor,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        instance=case,
        before=before,
        after=snapshot(case),
    )


# --- clocks -----------------------------------------------------------------------------


def case_hours(case: Case) -> sla.Hours | None:
    calendar = case.team.calendar
    return sla.hours_of(calendar) if calendar else None


def _hours(team: Team) -> sla.Hours:
    if team.calendar is None:
        raise ValidationError(f"The {team} team has no business calendar: set one in the admin.")
    return sla.hours_of(team.calendar)


def clocks_set(case: Case, *, keep_first_response: bool = True) -> None:
    """Due times = opening time + the type's target for the priority + the working time the
    case has spent paused, in the team's business hours. Business time adds up, so moving
    the due time on after each pause and computing it once give the same moment."""
    target = SlaTarget.objects.filter(case_type=case.case_type, priority=case.priority).first()
    if target is None:
        case.first_response_due_at = case.resolution_due_at = None
        return
    hours = _hours(case.team)
    paused = case.paused_minutes
    if not (keep_first_response and case.first_response_at is not None):
        case.first_response_due_at = sla.add_business_minutes(
            hours, case.opened_at, target.first_response_minutes + paused
        )
    case.resolution_due_at = sla.add_business_minutes(
        hours, case.opened_at, target.resolution_minutes + paused
    )


def _clocks_resume(case: Case, now: dt.datetime) -> int:
    """Leave a pause: the due times not yet met move later by the working time paused."""
    if case.paused_at is None:
        return 0
    paused = sla.business_minutes_between(_hours(case.team), case.paused_at, now)
    case.paused_at = None
    if paused:
        case.paused_minutes += paused
        clocks_set(case)
    return paused


def _first_response(case: Case, now: dt.datetime) -> CaseEvent | None:
    """The first reply or move by a person stops the first-response clock."""
    if case.first_response_at is not None:
        return None
    case.first_response_at = now
    late = case.first_response_due_at and now > case.first_response_due_at
    if not late or case.first_response_breached_at is not None:
        return None
    case.first_response_breached_at = case.first_response_due_at
    return event_add(
        case,
        kind=EventKind.BREACHED,
        body="First response came after its target.",
        data={"clock": "first_response"},
        now=now,
    )


# --- opening ----------------------------------------------------------------------------


def _parties_of(subjects: Sequence[models.Model]) -> dict[str, object]:
    """Customer, payee and distributor a case is about, taken from its subjects."""
    found: dict[str, object] = {}
    for obj in subjects:
        if isinstance(obj, Customer):
            found.setdefault("customer", obj)
        elif isinstance(obj, Payee):
            found.setdefault("payee", obj)
        elif isinstance(obj, Distributor):
            found.setdefault("distributor", obj)
        elif getattr(obj, "customer_id", None):
            found.setdefault("customer_id", obj.customer_id)
    return found


def _subject_link(case: Case, obj: models.Model) -> tuple[CaseSubject, bool]:
    return CaseSubject.objects.get_or_create(
        case=case,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        defaults={"label": str(obj)[:200]},
    )


@transaction.atomic
def case_open(
    *,
    actor,
    case_type: CaseType | str,
    title: str,
    description: str = "",
    subjects: Sequence[models.Model] = (),
    priority: str = Priority.NORMAL,
    reason: ReasonCode | str | None = None,
    amount: Decimal | None = None,
    currency: str = "",
    customer: Customer | None = None,
    payee: Payee | None = None,
    distributor: Distributor | None = None,
    team: Team | None = None,
    owner=None,
    source: str = Source.WEB,
    requester_email: str = "",
    requester_name: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Open a case: route it (unless a team is given), start its clocks, link its subjects.

    The customer (or payee, distributor) is taken from the subjects when not given: an
    invoice or order brings its customer. Raises ValidationError naming what is wrong.
    """
    now = _now(now)
    if isinstance(case_type, str):
        case_type = CaseType.objects.select_related("default_team").get(code=case_type)
    if isinstance(reason, str):
        reason = ReasonCode.objects.filter(case_type=case_type, code=reason).first() or (
            _refuse("reason", f"{reason!r} is not a reason code of {case_type}")
        )
    if reason is not None and reason.case_type_id != case_type.pk:
        _refuse("reason", f"{reason} is a reason for {reason.case_type}, not {case_type}")
    if amount is not None and not currency:
        currency = getattr(customer, "currency", "") or ""
    parties = _parties_of(subjects)
    case = Case(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        case_type=case_type,
        title=title.strip()[:200],
        description=description,
        priority=priority,
        reason=reason,
        amount=amount,
        currency=currency,
        customer=customer or parties.get("customer"),
        payee=payee or parties.get("payee"),
        distributor=distributor or parties.get("distributor"),
        source=source,
        requester_email=requester_email,
        requester_name=requester_name[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        opened_at=now,
    )
    if case.customer_id is None and parties.get("customer_id"):
        case.customer_id = parties["customer_id"]
    if amount is not None and not case.currency and case.customer_id:
        case.currency = Customer.objects.get(pk=case.customer_id).currency
    if team is None:
        chosen = routing.route(case)
        case.team = chosen.team
        if owner is None and chosen.owner is not None:
            owner = chosen.owner
        if chosen.rule is not None and chosen.rule.set_priority:
            case.priority = chosen.rule.set_priority
        why = chosen.why
    else:
        case.team = team
        why = f"opened in the {team} queue"
    case.owner = owner
    clocks_set(case, keep_first_response=False)
    case.full_clean(exclude=["number"])
    case.save()
    case.number = f"CASE-{case.pk:06d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)
    _audit(case, None, actor)
    requester_side = source == Source.EMAIL or (
        getattr(actor, "is_authenticated", False) and not sees_internal(actor)
    )
    event_add(
        case,
        kind=EventKind.CREATED,
        actor=actor,
        body=description,
        # What the requester wrote is theirs to see (a rep's claim, a customer's e-mail).
        visibility=Visibility.EXTERNAL if requester_side else Visibility.INTERNAL,
        to_status=case.status,
        data={"source": source, "type": case_type.code},
        now=now,
    )
    event_add(
        case,
        kind=EventKind.ROUTED,
        body=f"To {case.team}" + (f", owner {person_label(owner)}" if owner else "") + f": {why}",
        data={"team": case.team.code, "owner": getattr(owner, "pk", None)},
        now=now,
    )
    for obj in subjects:
        _subject_link(case, obj)
    if owner is not None:
        _round_robin_note(case.team, owner)
        if owner.pk != getattr(actor, "pk", None):
            notify(owner, case, f"{case.number} was assigned to you: {case.title}", now=now)
    return case


@dataclass(frozen=True)
class Opening:
    """One case for `cases_open_bulk`: what case_open takes, the customer given (a system's
    batch knows it)."""

    case_type: str
    title: str
    customer: Customer | None
    subjects: Sequence[models.Model] = ()
    description: str = ""
    reason: str | None = None
    amount: Decimal | None = None
    currency: str = ""


def _team_hours(team: Team, found: dict[int, sla.Hours]) -> sla.Hours:
    if team.pk not in found:
        found[team.pk] = _hours(team)
    return found[team.pk]


@transaction.atomic
def cases_open_bulk(*, actor, openings: Sequence[Opening], now=None) -> list[Case]:
    """Open many cases a system found in one batch (cash application's short payments and
    deductions), as case_open opens each: routed in turn (routing.Router), clocks started,
    the change log, the timeline's created and routed lines, the subjects, the owners told.
    The queries do not grow with the number of cases (rows are written in bulk; routing,
    targets and calendars are read once). Raises ValidationError, naming the case, for a
    case type or reason that does not exist: nothing is opened then."""
    if not openings:
        return []
    now = _now(now)
    types = {
        t.code: t
        for t in CaseType.objects.select_related("default_team").filter(
            code__in={o.case_type for o in openings}
        )
    }
    reasons = {
        (r.case_type_id, r.code): r
        for r in ReasonCode.objects.filter(case_type__in=list(types.values()))
    }
    targets = {
        (t.case_type_id, t.priority): t
        for t in SlaTarget.objects.filter(case_type__in=list(types.values()))
    }
    router = routing.Router()
    hours: dict[int, sla.Hours] = {}
    person = actor if getattr(actor, "is_authenticated", False) else None
    requester_side = person is not None and not sees_internal(person)
    cases: list[Case] = []
    whys: list[str] = []
    for opening in openings:
        case_type = types.get(opening.case_type) or _refuse(
            "case_type", f"{opening.case_type!r} is not a case type"
        )
        reason = None
        if opening.reason:
            reason = reasons.get((case_type.pk, opening.reason)) or _refuse(
                "reason", f"{opening.reason!r} is not a reason code of {case_type}"
            )
        customer = opening.customer
        currency = opening.currency
        if opening.amount is not None and not currency and customer is not None:
            currency = getattr(customer, "currency", "") or ""
        case = Case(
            number=f"tmp-{uuid.uuid4().hex[:16]}",
            case_type=case_type,
            title=opening.title.strip()[:200],
            description=opening.description,
            priority=Priority.NORMAL,
            reason=reason,
            amount=opening.amount,
            currency=currency,
            customer=customer,
            source=Source.WEB,
            created_by=person,
            opened_at=now,
        )
        chosen = router.route(case)
        case.team, case.owner = chosen.team, chosen.owner
        if chosen.rule is not None and chosen.rule.set_priority:
            case.priority = chosen.rule.set_priority
        if case.owner is not None:
            router.assigned(case.team, case.owner)
        target = targets.get((case_type.pk, case.priority))
        if target is not None:
            team_hours = _team_hours(case.team, hours)
            case.first_response_due_at = sla.add_business_minutes(
                team_hours, now, target.first_response_minutes
            )
            case.resolution_due_at = sla.add_business_minutes(
                team_hours, now, target.resolution_minutes
            )
        case.clean_fields(
            exclude=["number", "case_type", "reason", "customer", "team", "owner", "created_by"]
        )
        cases.append(case)
        whys.append(chosen.why)
    router.finish()
    Case.objects.bulk_create(cases)
    for case in cases:
        case.number = f"CASE-{case.pk:06d}"
    Case.objects.bulk_update(cases, ["number"])
    case_content_type = ContentType.objects.get_for_model(Case)
    change_records_bulk_create(
        change_record_build(
            actor=actor,
            action=ChangeAction.CREATE,
            instance=case,
            before=None,
            after=snapshot(case),
            content_type=case_content_type,
        )
        for case in cases
    )
    name = person_label(person)[:200]
    events = []
    for case, why in zip(cases, whys, strict=True):
        events.append(
            CaseEvent(
                case=case,
                time=now,
                kind=EventKind.CREATED,
                actor=person,
                actor_name=name,
                body=case.description,
                visibility=Visibility.EXTERNAL if requester_side else Visibility.INTERNAL,
                to_status=case.status,
                data={"source": case.source, "type": case.case_type.code},
            )
        )
        owner = case.owner
        events.append(
            CaseEvent(
                case=case,
                time=now,
                kind=EventKind.ROUTED,
                actor_name=person_label(None),
                body=f"To {case.team}"
                + (f", owner {person_label(owner)}" if owner else "")
                + f": {why}",
                data={"team": case.team.code, "owner": getattr(owner, "pk", None)},
            )
        )
    CaseEvent.objects.bulk_create(events)
    CaseSubject.objects.bulk_create(
        CaseSubject(
            case=case,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            label=str(obj)[:200],
        )
        for case, opening in zip(cases, openings, strict=True)
        for obj in opening.subjects
    )
    Notification.objects.bulk_create(
        Notification(
            user=case.owner,
            case=case,
            time=now,
            text=f"{case.number} was assigned to you: {case.title}"[:300],
        )
        for case in cases
        if case.owner is not None
        and case.owner.is_active
        and case.owner.pk != getattr(actor, "pk", None)
    )
    return cases


def _refuse(field: str, message: str):
    raise ValidationError({field: message})


def _round_robin_note(team: Team, owner) -> None:
    Team.objects.filter(pk=team.pk).update(last_assigned=owner)
    team.last_assigned = owner


@transaction.atomic
def case_subject_add(case: Case, obj: models.Model, *, actor, now=None) -> bool:
    """Link one more object to the case. False when it was linked already."""
    case = _locked(case)
    subject, created = _subject_link(case, obj)
    if created:
        event_add(
            case,
            kind=EventKind.SUBJECT,
            actor=actor,
            body=subject.label,
            data={"model": subject.content_type.model, "id": subject.object_id},
            now=now,
        )
        parties = _parties_of([obj])
        before = snapshot(case)
        changed = False
        if case.customer_id is None and (parties.get("customer") or parties.get("customer_id")):
            case.customer_id = getattr(parties.get("customer"), "pk", parties.get("customer_id"))
            changed = True
        for name in ("payee", "distributor"):
            if getattr(case, f"{name}_id") is None and parties.get(name) is not None:
                setattr(case, name, parties[name])
                changed = True
        if changed:
            case.save()
            _audit(case, before, actor)
    return created


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("team__calendar", "case_type")
        .get(pk=case.pk)
    )


# --- moving a case ----------------------------------------------------------------------


#: case type code -> what other apps do when a case of that type changes status
_TRANSITION_HOOKS: dict[str, list[Callable[..., None]]] = defaultdict(list)


def transition_hook_register(case_type: str, hook: Callable[..., None]) -> None:
    """Call `hook(case, from_status=..., to_status=..., actor=..., now=...)` after every
    status move of a case of `case_type`, in the same transaction (cases cannot import the
    desks; a desk registers what a resolution means for its own records, e.g. a commission
    claim approved). The hook may refuse the move by raising TransitionRefused."""
    if hook not in _TRANSITION_HOOKS[case_type]:
        _TRANSITION_HOOKS[case_type].append(hook)


@transaction.atomic
def case_transition(
    case: Case,
    to_status: str,
    *,
    actor,
    note: str = "",
    outcome: str = "",
    now: dt.datetime | None = None,
    system: bool = False,
) -> Case:
    """Move the case to another status, as the state machine allows.

    Resolving needs an outcome allowed for the type and a resolution text; rejecting and
    reopening need a reason. The clocks pause while the case waits on the customer or is
    done, and resume (due times moved later by the paused working time) when it comes back.
    """
    now = _now(now)
    case = _locked(case)
    before = snapshot(case)
    from_status = case.status
    workflow.transition_check(
        from_status=from_status,
        to_status=to_status,
        outcome=outcome,
        note=note,
        outcomes=list(case.case_type.outcomes),
    )
    reopen = workflow.is_reopen(from_status, to_status)
    if from_status in CLOCK_STOPPED and to_status not in CLOCK_STOPPED:
        _clocks_resume(case, now)
    if to_status in CLOCK_STOPPED and from_status not in CLOCK_STOPPED:
        case.paused_at = now
    case.status = to_status
    if to_status == Status.RESOLVED:
        case.outcome = outcome
        case.resolution = note.strip()
        case.resolved_at = now
    elif to_status == Status.REJECTED:
        case.resolution = note.strip()
        case.resolved_at = now
    elif to_status == Status.CLOSED:
        case.closed_at = now
    if reopen:
        case.outcome = ""
        case.resolved_at = None
        case.closed_at = None
    if not system:
        _first_response(case, now)
    if (
        to_status in (Status.RESOLVED, Status.REJECTED)
        and case.resolution_due_at
        and now > case.resolution_due_at
        and case.resolution_breached_at is None
    ):
        # A target missed between two ticks is on the timeline as a tick would put it.
        case.resolution_breached_at = case.resolution_due_at
        event_add(
            case,
            kind=EventKind.BREACHED,
            body="Resolution came after its target.",
            data={"clock": "resolution"},
            now=now,
        )
    case.save()
    for hook in _TRANSITION_HOOKS.get(case.case_type.code, ()):
        hook(case, from_status=from_status, to_status=to_status, actor=actor, now=now)
    _audit(case, before, actor)
    labels = dict(Status.choices)
    body = note.strip()
    if to_status == Status.RESOLVED:
        body = f"{case.get_outcome_display()}: {body}"
    event = event_add(
        case,
        kind=EventKind.RESOLUTION if to_status == Status.RESOLVED else EventKind.STATUS,
        actor=actor,
        body=body,
        from_status=from_status,
        to_status=to_status,
        data={"reopened": True} if reopen else {},
        now=now,
    )
    if case.owner_id and case.owner_id != getattr(actor, "pk", None):
        verb = "reopened" if reopen else f"moved to {str(labels[to_status]).lower()}"
        notify(
            case.owner,
            case,
            f"{case.number} was {verb} by {person_label(actor)}",
            event=event,
            now=now,
        )
    return case


@transaction.atomic
def case_assign(
    case: Case, *, actor, owner=None, team: Team | None = None, now=None, note: str = ""
) -> Case:
    """Give the case to a person (and/or move it to another team's queue)."""
    now = _now(now)
    case = _locked(case)
    before = snapshot(case)
    if team is not None and team.pk != case.team_id:
        case.team = team
    if owner is not None and not TeamMembership.objects.filter(team=case.team, user=owner).exists():
        _refuse("owner", f"{person_label(owner)} is not a member of the {case.team} team.")
    if case.owner_id == getattr(owner, "pk", None) and before["team"] == case.team_id:
        return case
    case.owner = owner
    if before["team"] != case.team_id:
        clocks_set(case)  # the new team's business hours count from now on
    case.save()
    _audit(case, before, actor)
    body = f"To {person_label(owner)}" if owner else "Back to the team queue"
    if before["team"] != case.team_id:
        body += f" in {case.team}"
    event = event_add(
        case,
        kind=EventKind.ASSIGNED,
        actor=actor,
        body=body + (f": {note}" if note else ""),
        data={"owner": getattr(owner, "pk", None), "team": case.team.code},
        now=now,
    )
    if owner is not None and owner.pk != getattr(actor, "pk", None):
        notify(
            owner,
            case,
            f"{case.number} was assigned to you by {person_label(actor)}",
            event=event,
            now=now,
        )
    return case


def cases_assign_bulk(cases: Iterable[Case], *, actor, owner=None, team=None) -> int:
    """Assign many cases at once (each in its own transaction, each on its timeline)."""
    count = 0
    for case in cases:
        case_assign(case, actor=actor, owner=owner, team=team)
        count += 1
    return count


CASE_EDITABLE = ("title", "description", "priority", "reason", "amount", "currency", "case_type")


@transaction.atomic
def case_update(case: Case, *, actor, now=None, **fields) -> Case:
    """Change details (title, priority, reason, amount...). A new priority or type resets
    targets still running from the opening time."""
    unknown = set(fields) - set(CASE_EDITABLE)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    now = _now(now)
    case = _locked(case)
    before = snapshot(case)
    for name, value in fields.items():
        setattr(case, name, value)
    if case.reason_id and case.reason.case_type_id != case.case_type_id:
        _refuse("reason", f"{case.reason} is not a reason for {case.case_type}")
    if case.amount is not None and not case.currency:
        _refuse("currency", "Give the currency of the amount.")
    case.full_clean()
    after = snapshot(case)
    if after == before:
        return case
    if before["priority"] != after["priority"] or before["case_type"] != after["case_type"]:
        clocks_set(case)
    case.save()
    _audit(case, before, actor)
    labels = {f.name: str(f.verbose_name) for f in Case._meta.fields}
    changed = [n for n in after if before.get(n) != after.get(n) and n in labels]
    event_add(
        case,
        kind=EventKind.CHANGED,
        actor=actor,
        body=", ".join(labels[n].capitalize() for n in changed if not n.endswith("_due_at")),
        data={"before": {n: before[n] for n in changed}, "after": {n: after[n] for n in changed}},
        now=now,
    )
    return case


# --- conversation -----------------------------------------------------------------------


def mentioned_users(body: str):
    names = {m.group(1).rstrip(".") for m in MENTION.finditer(body)}
    if not names:
        return []
    User = get_user_model()
    return list(User.objects.filter(username__in=names, is_active=True))


@transaction.atomic
def comment_add(
    case: Case,
    *,
    actor,
    body: str,
    visibility: str = Visibility.INTERNAL,
    now: dt.datetime | None = None,
    actor_name: str = "",
) -> CaseEvent:
    """A comment on the case. External comments are what the requester may see; @username
    mentions notify the people named."""
    now = _now(now)
    if not body.strip():
        _refuse("body", "Write something first.")
    if visibility not in Visibility.values:
        _refuse("visibility", f"{visibility!r} is neither internal nor external.")
    if getattr(actor, "is_authenticated", False) and not sees_internal(actor):
        visibility = Visibility.EXTERNAL  # a rep or distributor writes to the conversation
    case = _locked(case)
    event = event_add(
        case,
        kind=EventKind.COMMENT,
        actor=actor,
        actor_name=actor_name,
        body=body.strip(),
        visibility=visibility,
        now=now,
    )
    for user in mentioned_users(body):
        if not _may_read(user, case, visibility):
            continue  # a name is no way around who may see the case and its notes
        Mention.objects.get_or_create(event=event, user=user)
        notify(
            user,
            case,
            f"{person_label(actor)} mentioned you on {case.number}",
            event=event,
            now=now,
        )
    if visibility == Visibility.EXTERNAL and _is_team_side(case, actor):
        before = snapshot(case)
        _first_response(case, now)
        if snapshot(case) != before:
            case.save()
    return event


def _may_read(user, case: Case, visibility: str) -> bool:
    """Whether the person sees the case and a comment of this visibility on it."""
    if visibility != Visibility.EXTERNAL and not sees_internal(user):
        return False
    return case_list(user).filter(pk=case.pk).exists()


def _is_team_side(case: Case, actor) -> bool:
    """A reply from the people working the case: staff, and not the requester themselves.
    A rep or distributor user writing on a case is on the asking side, whoever opened it."""
    if not getattr(actor, "is_authenticated", False) or not sees_internal(actor):
        return False
    return actor.pk != case.created_by_id or TeamMembership.objects.filter(user=actor).exists()


@transaction.atomic
def first_response_record(case: Case, *, now=None) -> None:
    """An outgoing reply (mail.py) counts as the first response."""
    now = _now(now)
    case = _locked(case)
    _first_response(case, now)
    case.save()


# --- work instructions ------------------------------------------------------------------


@transaction.atomic
def work_instruction_save(case_type: CaseType, *, actor, body: str, note: str = "", now=None):
    """A new version of a type's work instruction (the old ones are kept)."""
    if not body.strip():
        _refuse("body", "The work instruction cannot be empty.")
    latest = (
        WorkInstruction.objects.select_for_update()
        .filter(case_type=case_type)
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.body == body:
        return latest
    return WorkInstruction.objects.create(
        case_type=case_type,
        version=(latest.version + 1) if latest else 1,
        body=body,
        note=note[:200],
        author=actor if getattr(actor, "is_authenticated", False) else None,
        author_name=person_label(actor),
        time=_now(now),
    )
