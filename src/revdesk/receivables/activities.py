"""What a collector does to an account, and who owns it: activities (calls, e-mails, notes,
statements, portal uploads) and follow-up tasks; promises to pay and their daily evaluation;
portfolio assignments. One function per business action, in a transaction, audited.

Promises are evaluated by the engine's rules (engine.promises): kept the day the customer's
payments reach the amount by the deadline (promised date + grace days), broken the day after
it. A promise that breaks gives the collector who owns the account a follow-up task with the
shortfall.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from revdesk.engine import promises as rules
from revdesk.foundation.audit import change_record_create, snapshot
from revdesk.foundation.models import ChangeAction
from revdesk.parties.models import BillingContact, Customer

from .choices import ActivityKind, PromiseStatus
from .models import Activity, Invoice, Payment, PortfolioAssignment, PromiseToPay

#: grace days a promise gets when the collector does not say
DEFAULT_GRACE_DAYS = 2


def _audit_create(instance, actor) -> None:
    change_record_create(
        actor=actor, action=ChangeAction.CREATE, instance=instance, after=snapshot(instance)
    )


def _audit_update(instance, before: dict, actor) -> None:
    after = snapshot(instance)
    if after != before:
        change_record_create(
            actor=actor, action=ChangeAction.UPDATE, instance=instance, before=before, after=after
        )


def _changed(customer: Customer) -> None:
    """The account's worklist row is worked out again (receivables.worklist)."""
    from .worklist import account_changed

    account_changed(customer)


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def activity_log(
    *,
    actor,
    customer: Customer,
    kind: str,
    subject: str,
    body: str = "",
    invoice: Invoice | None = None,
    contact: BillingContact | None = None,
    outcome: str = "",
    next_action: str = "",
    next_action_on: dt.date | None = None,
    occurred_at: dt.datetime | None = None,
) -> Activity:
    """Log what was done on an account (a call, an e-mail...). A next action with a date
    becomes a follow-up task for the account's collector."""
    activity = Activity(
        customer=customer,
        kind=kind,
        subject=subject.strip(),
        body=body,
        invoice=invoice,
        contact=contact,
        outcome=outcome,
        next_action=next_action.strip(),
        next_action_on=next_action_on,
        occurred_at=occurred_at or timezone.now(),
        created_by=_actor_user(actor),
        assigned_to=customer.collector if next_action_on else None,
    )
    errors = {}
    if invoice is not None and invoice.customer_id != customer.pk:
        errors["invoice"] = f"{invoice.number} is not an invoice of {customer.code}."
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact"] = f"{contact.name} is not a contact of {customer.code}."
    if next_action_on and not activity.next_action:
        errors["next_action"] = "Say what is next, for the date given."
    if errors:
        raise ValidationError(errors)
    activity.full_clean()
    activity.save()
    _audit_create(activity, actor)
    _changed(customer)
    return activity


@transaction.atomic
def task_done(*, actor, task: Activity, now: dt.datetime | None = None) -> Activity:
    """Mark a follow-up (an activity's next action, or a task) done."""
    before = snapshot(task)
    task.done_at = now or timezone.now()
    task.save(update_fields=["done_at", "updated_at"])
    _audit_update(task, before, actor)
    _changed(task.customer)
    return task


@transaction.atomic
def promise_make(
    *,
    actor,
    customer: Customer,
    amount: Decimal,
    promised_on: dt.date,
    currency: str | None = None,
    grace_days: int | None = None,
    made_on: dt.date | None = None,
    invoices: Iterable[Invoice] = (),
    contact: BillingContact | None = None,
    note: str = "",
) -> PromiseToPay:
    """Record a customer's promise to pay (logged on the timeline as well)."""
    invoices = list(invoices)
    made = made_on or timezone.localdate()
    promise = PromiseToPay(
        number=f"new-{uuid.uuid4().hex[:12]}",
        customer=customer,
        amount=amount,
        currency=currency or customer.currency,
        promised_on=promised_on,
        grace_days=DEFAULT_GRACE_DAYS if grace_days is None else grace_days,
        made_on=made,
        contact=contact,
        note=note.strip(),
        created_by=_actor_user(actor),
    )
    errors = {}
    if promised_on < made:
        errors["promised_on"] = f"The promised date is before the day it was made ({made})."
    others = [i.number for i in invoices if i.customer_id != customer.pk]
    if others:
        errors["invoices"] = f"Not invoices of {customer.code}: {', '.join(others)}."
    currencies = {i.currency for i in invoices} - {promise.currency}
    if currencies:
        errors["currency"] = (
            f"The invoices are in {', '.join(sorted(currencies))}, the promise in "
            f"{promise.currency}."
        )
    if errors:
        raise ValidationError(errors)
    promise.full_clean()
    promise.save()
    promise.number = f"PTP-{promise.pk:06d}"
    PromiseToPay.objects.filter(pk=promise.pk).update(number=promise.number)
    if invoices:
        promise.invoices.set(invoices)
    _audit_create(promise, actor)
    Activity.objects.create(
        customer=customer,
        kind=ActivityKind.NOTE,
        subject=f"Promise {promise.number}: {promise.amount:,.2f} {promise.currency} by "
        f"{promise.promised_on.isoformat()}",
        body=promise.note,
        contact=contact,
        occurred_at=timezone.now(),
        promise=promise,
        created_by=_actor_user(actor),
    )
    _changed(customer)
    return promise


@transaction.atomic
def promise_cancel(*, actor, promise: PromiseToPay, reason: str) -> PromiseToPay:
    if promise.status != PromiseStatus.OPEN:
        raise ValidationError(f"{promise.number} is {promise.get_status_display().lower()}.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the promise is cancelled."})
    before = snapshot(promise)
    promise.status = PromiseStatus.CANCELLED
    promise.status_on = timezone.localdate()
    promise.save(update_fields=["status", "status_on", "updated_at"])
    _audit_update(promise, before, actor)
    Activity.objects.create(
        customer=promise.customer,
        kind=ActivityKind.NOTE,
        subject=f"Promise {promise.number} cancelled",
        body=reason.strip(),
        occurred_at=timezone.now(),
        promise=promise,
        created_by=_actor_user(actor),
    )
    _changed(promise.customer)
    return promise


@dataclass
class Evaluation:
    """What a day's evaluation changed: promises kept, broken (each with its new task)."""

    on: dt.date
    kept: list[PromiseToPay] = field(default_factory=list)
    broken: list[PromiseToPay] = field(default_factory=list)
    tasks: list[Activity] = field(default_factory=list)


@transaction.atomic
def promises_evaluate(*, on: dt.date, actor=None) -> Evaluation:
    """Evaluate every open promise at the end of `on` against the payments received
    (engine.promises): kept and broken ones change status, each broken one gives the account's
    collector a follow-up task for the shortfall. Safe to run again: a promise changes once.

    Kept and broken promises of the same customers stay in the evaluation (they took their
    share of the payments), so a payment is never counted for two promises."""
    result = Evaluation(on)
    open_ids = set(
        PromiseToPay.objects.filter(status=PromiseStatus.OPEN, made_on__lte=on).values_list(
            "customer_id", flat=True
        )
    )
    if not open_ids:
        return result
    promises = list(
        PromiseToPay.objects.filter(customer_id__in=open_ids, made_on__lte=on)
        .exclude(status=PromiseStatus.CANCELLED)
        .select_related("customer", "customer__collector")
        .select_for_update(of=("self",))
    )
    first = min(p.made_on for p in promises)
    payments = [
        rules.Payment(str(customer_id), day, amount, currency)
        for customer_id, day, amount, currency in Payment.objects.filter(
            customer_id__in=open_ids, received_on__gte=first, received_on__lte=on
        ).values_list("customer_id", "received_on", "amount", "currency")
    ]
    by_number = {p.number: p for p in promises}
    outcomes = rules.evaluate(
        [
            rules.Promise(
                p.number,
                str(p.customer_id),
                p.promised_on,
                p.amount,
                p.currency,
                p.made_on,
                p.grace_days,
            )
            for p in promises
        ],
        payments,
        on,
    )
    for outcome in outcomes:
        promise = by_number[outcome.promise.promise]
        if promise.status != PromiseStatus.OPEN:
            continue
        before = snapshot(promise)
        received_before = promise.received
        promise.received = outcome.received
        if outcome.status == "open":
            if promise.received != received_before:
                promise.save(update_fields=["received", "updated_at"])
            continue
        promise.status = outcome.status
        promise.status_on = outcome.status_date
        promise.save(update_fields=["status", "status_on", "received", "updated_at"])
        _audit_update(promise, before, actor)
        if outcome.status == PromiseStatus.KEPT:
            result.kept.append(promise)
            continue
        result.broken.append(promise)
        result.tasks.append(
            Activity.objects.create(
                customer=promise.customer,
                kind=ActivityKind.TASK,
                subject=f"Promise {promise.number} broken: {outcome.shortfall:,.2f} "
                f"{promise.currency} short",
                body=(
                    f"Promised {promise.amount:,.2f} {promise.currency} by "
                    f"{promise.promised_on.isoformat()} (+{promise.grace_days} days' grace); "
                    f"received {outcome.received:,.2f} by {promise.deadline.isoformat()}."
                ),
                occurred_at=timezone.now(),
                next_action="Call about the broken promise",
                next_action_on=outcome.status_date,
                assigned_to=collector_on(promise.customer, outcome.status_date),
                promise=promise,
            )
        )
    return result


def collector_on(customer: Customer, day: dt.date):
    """Who owned the account on `day` (the portfolio history; else the current collector)."""
    held = (
        PortfolioAssignment.objects.filter(customer=customer, valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .select_related("collector")
        .order_by("-valid_from")
        .first()
    )
    return held.collector if held else customer.collector


@transaction.atomic
def portfolio_assign(
    *,
    actor,
    customers: Iterable[Customer],
    collector,
    on: dt.date | None = None,
    hierarchy: bool = False,
) -> list[Customer]:
    """Give customers (with `hierarchy`, each with every customer under it) to a collector
    from `on` (default today): the current owner changes (who sees the account), the
    previous assignment ends the day before, and the history keeps both. Returns the
    customers that changed hands."""
    from .worklist import refreshes_deferred

    with refreshes_deferred():
        return _assign(customers, collector, on or timezone.localdate(), hierarchy, actor)


def _assign(customers, collector, day: dt.date, hierarchy: bool, actor) -> list[Customer]:
    chosen = {c.pk: c for c in customers}
    if hierarchy:
        frontier = set(chosen)
        while frontier:
            children = Customer.objects.filter(parent_id__in=frontier).exclude(pk__in=chosen)
            found = {c.pk: c for c in children}
            chosen.update(found)
            frontier = set(found)
    changed = []
    for customer in sorted(chosen.values(), key=lambda c: c.code):
        if customer.collector_id == collector.pk:
            continue
        before = snapshot(customer)
        current = PortfolioAssignment.objects.filter(customer=customer, valid_to__isnull=True)
        if customer.collector_id and not current.exists():
            # owned before the history was kept: from the day the customer was made
            since = min(timezone.localdate(customer.created_at), day - dt.timedelta(days=1))
            PortfolioAssignment.objects.create(
                customer=customer, collector_id=customer.collector_id, valid_from=since
            )
        current.filter(valid_from__lt=day).update(valid_to=day - dt.timedelta(days=1))
        PortfolioAssignment.objects.filter(customer=customer, valid_from__gte=day).delete()
        PortfolioAssignment.objects.create(customer=customer, collector=collector, valid_from=day)
        customer.collector = collector
        customer.save(update_fields=["collector", "updated_at"])
        _audit_update(customer, before, actor)
        changed.append(customer)
        _changed(customer)  # its worklist row moves to the new collector
    return changed


__all__ = [
    "DEFAULT_GRACE_DAYS",
    "Evaluation",
    "activity_log",
    "collector_on",
    "portfolio_assign",
    "promise_cancel",
    "promise_make",
    "promises_evaluate",
    "task_done",
]


@transaction.atomic
def receipt_returned(
    *, actor, payment: Payment, on: dt.date, reason: str, today: dt.date | None = None
) -> list:
    """A receipt came back (services.payment_reverse): what it paid is open again, the
    account's timeline says so, and the customer's collector gets a task for that day to call
    about it."""
    from .services import payment_reverse

    reversals = payment_reverse(payment=payment, on=on, reason=reason, actor=actor, today=today)
    if payment.customer_id is not None:
        reopened = ", ".join(
            f"{r.invoice.number} {r.amount:,.2f}" for r in sorted(reversals, key=lambda r: r.pk)
        )
        activity_log(
            actor=actor,
            customer=payment.customer,
            kind=ActivityKind.NOTE,
            subject=f"Receipt {payment.number} reversed: {payment.reversal_reason}",
            body=(
                f"{payment.amount:,.2f} {payment.currency} received on "
                f"{payment.received_on.isoformat()} came back on {on.isoformat()}."
                + (f" Open again: {reopened}." if reopened else "")
            ),
            next_action="Call the customer about the returned receipt",
            next_action_on=on,
        )
    return reversals
