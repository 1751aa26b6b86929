"""Dunning: ordered levels of what is sent or done as an account gets later, per customer
segment, run by the collections daily job.

A customer's strategy is its segment's (else the one without a segment). Each day, for a
customer with something overdue, the next level is done when the oldest overdue invoice is
at least that level's days past due:

- levels are never skipped: one level a day at most, in order, even when the account is
  already later than several levels (a customer 95 days late on a new strategy gets the
  reminder today, the statement tomorrow...);
- dunning waits while a promise to pay is open or a collections dispute is open on the
  account (the state says why);
- a level whose e-mail cannot go (no billing contact with an address) is not done: the
  collector gets a task to add one, and the level is tried again the next day;
- once nothing is overdue, the account starts again at the first level next time.

What each level does: a reminder e-mail (template `dunning_reminder` unless the level names
another); the statement of account (receivables.statements); a call task for the collector;
a final letter (template `dunning_final`, the statement attached); a credit hold proposal (a
task for the collector's senior collector, else the collector). Each is an activity on the
account's timeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from revdesk.cases.choices import OPEN_STATUSES
from revdesk.parties.models import Customer, UserProfile

from .choices import ActivityKind, DunningAction, PromiseStatus
from .models import (
    Activity,
    DunningLevel,
    DunningState,
    DunningStrategy,
    Invoice,
    PromiseToPay,
)
from .rules import instalments_paid, money_text
from .statements import recipient, statement_build, statement_pdf, statement_send

DEFAULT_STRATEGIES = [
    (
        "standard",
        "Standard",
        "",
        [
            (1, DunningAction.REMINDER),
            (15, DunningAction.STATEMENT),
            (30, DunningAction.CALL),
            (60, DunningAction.FINAL_LETTER),
            (90, DunningAction.CREDIT_HOLD),
        ],
    ),
    (
        "enterprise",
        "Enterprise accounts",
        "enterprise",
        [
            (7, DunningAction.REMINDER),
            (20, DunningAction.CALL),
            (30, DunningAction.STATEMENT),
            (75, DunningAction.FINAL_LETTER),
            (120, DunningAction.CREDIT_HOLD),
        ],
    ),
]
DEFAULT_TEMPLATES = [
    (
        "dunning_reminder",
        "Dunning: reminder",
        "Payment reminder: {{ customer.name }}",
        "Dear {{ contact.name|default:'customer' }},\n\n"
        "Our records show these invoices as past due:\n"
        "{% for invoice in invoices %}\n- {{ invoice.number }} of "
        "{{ invoice.issued_on|date:'Y-m-d' }}, due {{ invoice.due_on|date:'Y-m-d' }}: "
        "{{ invoice.balance_text }} {{ invoice.currency }}{% endfor %}\n\n"
        "If you have already paid, thank you: please send us the remittance advice. If anything "
        "is holding the payment up, reply and we will sort it out.\n\n"
        "{{ remittance }}\n\nKind regards,\n{{ company }}",
    ),
    (
        "dunning_final",
        "Dunning: final letter",
        "Final notice: {{ customer.name }}",
        "Dear {{ contact.name|default:'customer' }},\n\n"
        "Despite our reminders these invoices are still unpaid:\n"
        "{% for invoice in invoices %}\n- {{ invoice.number }}, due "
        "{{ invoice.due_on|date:'Y-m-d' }}: {{ invoice.balance_text }} {{ invoice.currency }}"
        "{% endfor %}\n\n"
        "Please pay within 10 days. Without payment or an answer we will have to put the "
        "account on credit hold. Your statement of account is attached.\n\n"
        "{{ remittance }}\n\nKind regards,\n{{ company }}",
    ),
]


def defaults_sync() -> None:
    """The shipped strategies (only when there is none yet) and templates (when missing)."""
    from revdesk.cases.mail import mail_templates_ensure
    from revdesk.cases.models import MailTemplate

    mail_templates_ensure(DEFAULT_TEMPLATES, MailTemplate.Use.DUNNING)
    if DunningStrategy.objects.exists():
        return
    for code, name, segment, levels in DEFAULT_STRATEGIES:
        strategy = DunningStrategy.objects.create(code=code, name=name, segment=segment)
        DunningLevel.objects.bulk_create(
            DunningLevel(strategy=strategy, order=order, days_past_due=days, action=action)
            for order, (days, action) in enumerate(levels, start=1)
        )


@dataclass
class DunningRun:
    on: dt.date
    done: list[tuple[Customer, DunningLevel, Activity]] = field(default_factory=list)
    paused: list[tuple[Customer, str]] = field(default_factory=list)
    blocked: list[tuple[Customer, DunningLevel, str]] = field(default_factory=list)
    reset: int = 0


def _strategies() -> dict[str, DunningStrategy]:
    found = {}
    for strategy in DunningStrategy.objects.prefetch_related("levels"):
        found[strategy.segment] = strategy
    return found


def _pause_reason(customer: Customer, on: dt.date) -> str:
    promise = (
        PromiseToPay.objects.filter(customer=customer, status=PromiseStatus.OPEN)
        .order_by("promised_on")
        .first()
    )
    if promise is not None:
        return f"promise {promise.number} open until {promise.deadline.isoformat()}"
    from revdesk.cases.models import Case

    case = (
        Case.objects.filter(
            customer=customer, case_type__desk="collections", status__in=list(OPEN_STATUSES)
        )
        .order_by("opened_at")
        .first()
    )
    if case is not None:
        return f"dispute {case.number} open"
    return ""


@dataclass
class Overdue:
    """What of one invoice is overdue on a day: the whole balance, or for an invoice in
    instalments the open part of those due before the day (due_on: the oldest of them)."""

    number: str
    customer: Customer
    issued_on: dt.date
    due_on: dt.date
    balance: Decimal
    currency: str
    balance_text: str = ""


def overdue_items(on: dt.date) -> list[Overdue]:
    """Everything overdue on a day, oldest first."""
    items = []
    for invoice in (
        Invoice.objects.filter(
            Invoice.overdue_q(on) | (Invoice.open_q() & Q(instalments__due_on__lt=on))
        )
        .distinct()
        .select_related("customer", "customer__collector")
        .prefetch_related("instalments")
    ):
        due_on, balance = invoice.due_on, invoice.balance
        schedule = sorted(invoice.instalments.all(), key=lambda i: i.sequence)
        if schedule:
            paid = instalments_paid([i.amount for i in schedule], invoice.amount - invoice.balance)
            late = [(i.due_on, i.amount - part) for i, part in zip(schedule, paid, strict=True)]
            late = [(day, left) for day, left in late if day < on and left > 0]
            if not late:
                continue
            due_on, balance = late[0][0], sum((left for _, left in late), Decimal(0))
        items.append(
            Overdue(
                invoice.number,
                invoice.customer,
                invoice.issued_on,
                due_on,
                balance,
                invoice.currency,
                money_text(balance),
            )
        )
    return sorted(items, key=lambda item: (item.due_on, item.number))


@transaction.atomic
def dunning_run(*, on: dt.date, actor=None) -> DunningRun:
    """Do today's dunning level of every overdue account (see the module doc)."""
    result = DunningRun(on)
    strategies = _strategies()
    if not strategies:
        return result
    overdue: dict[int, list[Overdue]] = {}
    for item in overdue_items(on):
        overdue.setdefault(item.customer.pk, []).append(item)
    # accounts with nothing overdue start again next time
    result.reset = (
        DunningState.objects.exclude(customer_id__in=list(overdue))
        .exclude(level=0, paused="")
        .update(level=0, reached_on=None, paused="")
    )
    for invoices in overdue.values():
        customer = invoices[0].customer
        strategy = strategies.get(customer.segment) or strategies.get("")
        if strategy is None:
            continue
        state, _ = DunningState.objects.get_or_create(customer=customer)
        if state.strategy_id != strategy.pk:
            state.strategy = strategy
        oldest = (on - invoices[0].due_on).days
        reason = _pause_reason(customer, on)
        if reason:
            state.paused = reason
            state.save()
            result.paused.append((customer, reason))
            continue
        state.paused = ""
        levels = sorted(strategy.levels.all(), key=lambda level: level.order)
        following = [level for level in levels if level.order > state.level]
        if not following or following[0].days_past_due > oldest or state.reached_on == on:
            state.save()
            continue
        level = following[0]
        try:
            activity = _do(level, customer, invoices, on, actor)
        except ValidationError as error:
            problem = " ".join(error.messages)
            result.blocked.append((customer, level, problem))
            _task(
                customer,
                f"Dunning level {level.order} ({level.get_action_display().lower()}) not done",
                problem,
                "Add a billing contact with an e-mail address",
                on,
                customer.collector,
            )
            state.save()
            continue
        state.level = level.order
        state.reached_on = on
        state.save()
        result.done.append((customer, level, activity))
    return result


def _moment(on: dt.date) -> dt.datetime:
    """When a level was done: now, or noon of a past day the job was run for."""
    if on >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(on, dt.time(12)))


def _task(customer, subject, body, next_action, on, assignee) -> Activity:
    return Activity.objects.create(
        customer=customer,
        kind=ActivityKind.TASK,
        occurred_at=_moment(on),
        subject=subject,
        body=body,
        next_action=next_action,
        next_action_on=on,
        assigned_to=assignee,
    )


def _mail(
    template_code: str, customer: Customer, invoices: list[Overdue], on: dt.date, attach: bool
) -> str:
    from django.conf import settings

    from revdesk.cases.mail import template_render
    from revdesk.cases.models import MailTemplate

    template = MailTemplate.objects.filter(code=template_code).first()
    if template is None:
        raise ValidationError(f"No mail template {template_code!r}: add it in the admin.")
    contact = recipient(customer)
    if contact is None:
        raise ValidationError(f"{customer.code} has no billing contact with an e-mail address.")
    subject, body = template_render(
        template,
        {
            "customer": customer,
            "contact": contact,
            "invoices": invoices,
            "remittance": settings.REVDESK_REMITTANCE,
            "company": settings.REVDESK_COMPANY_NAME,
        },
    )
    message = EmailMessage(subject=subject, body=body, to=[contact.email])
    if attach:
        statement = statement_build(customer=customer, on=on)
        message.attach(f"{statement.file_stem}.pdf", statement_pdf(statement), "application/pdf")
    try:
        message.send()
    except OSError as error:
        raise ValidationError(f"The mail server refused it: {error}") from error
    return contact.email


def _do(level: DunningLevel, customer: Customer, invoices, on: dt.date, actor) -> Activity:
    label = f"Dunning level {level.order}"
    total = ", ".join(
        f"{money_text(sum((i.balance for i in invoices if i.currency == c), Decimal(0)))} {c}"
        for c in sorted({i.currency for i in invoices})
    )
    what = f"{len(invoices)} overdue invoice{'s' if len(invoices) > 1 else ''} ({total})"
    if level.action == DunningAction.STATEMENT:
        activity = statement_send(actor=actor, customer=customer, on=on)
        activity.subject = f"{label}: {activity.subject}"
        activity.occurred_at = _moment(on)
        activity.save(update_fields=["subject", "occurred_at"])
        return activity
    if level.action in (DunningAction.REMINDER, DunningAction.FINAL_LETTER):
        final = level.action == DunningAction.FINAL_LETTER
        code = level.template or ("dunning_final" if final else "dunning_reminder")
        address = _mail(code, customer, invoices, on, attach=final)
        return Activity.objects.create(
            customer=customer,
            kind=ActivityKind.EMAIL,
            occurred_at=_moment(on),
            subject=f"{label}: {'final letter' if final else 'reminder'} sent to {address}",
            body=what,
        )
    if level.action == DunningAction.CALL:
        return _task(
            customer,
            f"{label}: call",
            what,
            "Call about the overdue invoices",
            on,
            customer.collector,
        )
    lead = (
        UserProfile.objects.filter(user=customer.collector)
        .values_list("team_lead", flat=True)
        .first()
        if customer.collector_id
        else None
    )
    from django.contrib.auth import get_user_model

    assignee = get_user_model().objects.filter(pk=lead).first() if lead else customer.collector
    return _task(
        customer,
        f"{label}: propose a credit hold",
        f"{what}; {(on - invoices[0].due_on).days} days past due.",
        "Decide on a credit hold",
        on,
        assignee,
    )


def dunning_state(customer: Customer) -> tuple[DunningState | None, DunningLevel | None]:
    """Where a customer's dunning stands, and the level it does next."""
    state = DunningState.objects.filter(customer=customer).select_related("strategy").first()
    strategy = (
        state.strategy
        if state and state.strategy
        else (
            DunningStrategy.objects.filter(segment=customer.segment).first()
            or DunningStrategy.objects.filter(segment="").first()
        )
    )
    if strategy is None:
        return state, None
    done = state.level if state else 0
    return state, strategy.levels.filter(order__gt=done).order_by("order").first()


__all__ = ["DunningRun", "defaults_sync", "dunning_run", "dunning_state"]
