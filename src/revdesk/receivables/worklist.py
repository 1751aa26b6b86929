"""The collector's day: which accounts need what today, ranked by a documented score, and the
daily job that keeps it true (promises evaluated, pay dates predicted).

The worklist holds every customer of the portfolio with an invoice overdue or due within the
horizon (default 7 days). Each row shows its invoices, what to do next and why, and its score.

Score (0 to 100 points, the parts shown on every row):

- amount at risk, up to 40: overdue plus half of what falls due within the horizon, less
  what is in open disputes (not collectible until they are resolved), in the reporting
  currency, on a log scale: 10 points at 1,000, 20 at 10,000, 30 at 100,000, 40
  from 1,000,000 (nothing up to 100), so a row's score does not depend on the others;
- how late, up to 20: the oldest overdue invoice's days past due, full at 90 days;
- broken promises in the last 90 days, 7.5 each, up to 15;
- predicted to pay late, up to 10: the latest predicted pay date of its open invoices after
  their due date, full at 30 days late (engine.paydates);
- open disputes, up to 10: 10 when one has had no activity for 7 days, else 5;
- key account, 5.

Ties go to the larger amount, then the customer code.

The page reads the rows as the daily job left them (`WorklistEntry`), each worked out again
as soon as something changes on its account (an activity, a promise, a task done:
`worklist_refresh`), or for a whole portfolio on request; `worklist` works them out live.

What to do next is the first of these that applies: a follow-up task due; a broken promise;
a promise to watch; a document the customer needs before paying; a dispute without traction;
a call when nobody was contacted in 7 days; a follow-up otherwise; for what is only coming
due, a reminder.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from revdesk.cases.choices import OPEN_STATUSES
from revdesk.catalog.selectors import MissingFxRate, fx_rate_on
from revdesk.engine.aging import explain
from revdesk.engine.paydates import OPEN_SCHEMA, PAID_SCHEMA, PayDateModel, accuracy
from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.parties.models import Customer

from .activities import promises_evaluate
from .choices import ActivityKind, InvoiceStatus, PromiseStatus
from .disputes import disputed_amounts, disputed_part
from .documents import missing_requirements
from .dunning import dunning_run
from .models import (
    Activity,
    CollectionsDay,
    CreditMemo,
    Invoice,
    PaymentApplication,
    PromiseToPay,
    WorklistEntry,
)
from .reports import EVERYTHING, ledger, top_past_due_keep, visible
from .rules import invoice_of

ZERO = Decimal("0.00")
HORIZON_DAYS = 7
QUIET_DAYS = 7  # no contact for this long: call
STUCK_DAYS = 7  # a dispute without activity for this long has no traction
PROMISE_MEMORY_DAYS = 90


# -- the daily job ------------------------------------------------------------------------


def _paid_history() -> pa.Table:
    """Every paid invoice with the day it was settled in full (its last application or
    credit memo), as engine.paydates reads it."""
    settled: dict[int, dt.date] = {}
    for model, day_field in ((PaymentApplication, "applied_on"), (CreditMemo, "issued_on")):
        rows = (
            model.objects.filter(invoice__status=InvoiceStatus.PAID)
            .values("invoice_id")
            .annotate(last=Max(day_field))
            .values_list("invoice_id", "last")
        )
        for invoice_id, day in rows:
            settled[invoice_id] = max(day, settled.get(invoice_id, day))
    invoices = Invoice.objects.filter(pk__in=list(settled)).values_list(
        "pk", "number", "customer__code", "customer__segment", "issued_on", "due_on", "amount"
    )
    rows = [
        {
            "document": number,
            "customer": code,
            "segment": segment,
            "issued_on": issued,
            "due_on": due,
            "amount": float(amount),  # a feature (the invoice's size), not money arithmetic
            "paid_on": settled[pk],
        }
        for pk, number, code, segment, issued, due, amount in invoices
    ]
    return pa.Table.from_pylist(rows, schema=PAID_SCHEMA)


def paydates_refresh(*, day: CollectionsDay) -> None:
    """Predict the pay date of every open invoice from the paid history and store it on the
    invoice; measure the predictions' error on held-out history (on `day`)."""
    paid = _paid_history()
    model = PayDateModel.train(paid)
    open_invoices = Invoice.objects.filter(Invoice.open_q()).only(
        "pk", "number", "predicted_pay_on", "predicted_by"
    )
    rows = [
        {
            "document": number,
            "customer": code,
            "segment": segment,
            "issued_on": issued,
            "due_on": due,
            "amount": float(amount),
        }
        for number, code, segment, issued, due, amount in open_invoices.values_list(
            "number", "customer__code", "customer__segment", "issued_on", "due_on", "amount"
        )
    ]
    predicted = model.predict(pa.Table.from_pylist(rows, schema=OPEN_SCHEMA), paid)
    by_number = {row["document"]: (row["pay_on"], row["method"]) for row in predicted.to_pylist()}
    changed = []
    for invoice in open_invoices:
        pay_on, method = by_number[invoice.number]
        if (invoice.predicted_pay_on, invoice.predicted_by) != (pay_on, method):
            invoice.predicted_pay_on, invoice.predicted_by = pay_on, method
            changed.append(invoice)
    Invoice.objects.bulk_update(changed, ["predicted_pay_on", "predicted_by"], batch_size=1000)
    measured = accuracy(paid)
    day.predictions = len(rows)
    day.trained_on = model.trained_on
    day.held_out = measured.held_out
    for name, value in (
        ("model_error_days", measured.model_error),
        ("fallback_error_days", measured.fallback_error_same),
        ("new_customer_error_days", measured.new_customer_error),
    ):
        setattr(day, name, None if value is None else Decimal(str(value)))


@transaction.atomic
def collections_daily(*, on: dt.date | None = None, actor=None, step=None) -> CollectionsDay:
    """The collections desk's daily job: evaluate the promises (a broken one becomes a
    task), do the day's dunning levels (receivables.dunning), predict every open invoice's
    pay date, on the last day of a month (and of a quarter) keep its Top Past Due list, and
    work every worklist row out. Safe to run again the same day."""
    say = step or (lambda text: None)
    today = on or timezone.localdate()
    with refreshes_deferred() as pending:
        day = _daily(today, actor, say)
        pending.clear()  # every row was worked out at the end
    return day


def _daily(today: dt.date, actor, say) -> CollectionsDay:
    day = CollectionsDay.objects.create(day=today, started_at=timezone.now())
    say("promises")
    evaluation = promises_evaluate(on=today, actor=actor)
    day.promises_kept = len(evaluation.kept)
    day.promises_broken = len(evaluation.broken)
    day.tasks_created = len(evaluation.tasks)
    say("dunning")
    run = dunning_run(on=today, actor=actor)
    day.dunning_done, day.dunning_paused = len(run.done), len(run.paused)
    day.dunning_blocked = len(run.blocked)
    say("pay dates")
    paydates_refresh(day=day)
    for period in _periods_ending(today):
        say(f"Top past due {period}")
        top_past_due_keep(period=period, actor=actor)
    say("worklists")
    day.worklist_rows = worklist_refresh(on=today)
    day.finished_at = timezone.now()
    day.save()
    from django.core.cache import cache

    cache.delete("revdesk:collections:last-day")  # the worklist page says when it ran
    return day


def _periods_ending(day: dt.date) -> list[str]:
    """The month (and quarter) whose last day `day` is: their Top Past Due lists are kept."""
    if (day + dt.timedelta(days=1)).day != 1:
        return []
    periods = [day.strftime("%Y-%m")]
    if day.month % 3 == 0:
        periods.append(f"{day.year}-Q{day.month // 3}")
    return periods


# -- the worklist ---------------------------------------------------------------------------


@dataclass
class WorkItem:
    """An invoice on the worklist."""

    invoice_id: int | None
    number: str
    due_on: dt.date | None
    days_past_due: int
    amount: Decimal
    currency: str
    predicted_pay_on: dt.date | None = None
    predicted_by: str = ""
    missing: list[str] = field(default_factory=list)
    disputed: Decimal = ZERO  # in open disputes: not collectible until they are resolved
    needs: list[tuple[str, str]] = field(default_factory=list)  # (kind, label) still missing

    @property
    def collectible(self) -> Decimal:
        return max(self.amount - self.disputed, ZERO)

    @property
    def overdue(self) -> bool:
        return self.days_past_due > 0

    @property
    def predicted_late_days(self) -> int | None:
        if self.predicted_pay_on is None or self.due_on is None:
            return None
        return (self.predicted_pay_on - self.due_on).days


@dataclass
class WorkRow:
    customer: Customer
    items: list[WorkItem]
    overdue: dict[str, Decimal]
    coming_due: dict[str, Decimal]
    at_risk: Decimal  # reporting currency
    oldest_days: int
    broken_promises: list[PromiseToPay]
    open_promises: list[PromiseToPay]
    open_disputes: list
    tasks_due: list[Activity]
    last_contact: Activity | None
    score: Decimal = ZERO
    parts: list[tuple[str, Decimal]] = field(default_factory=list)
    next_action: str = ""
    why: str = ""
    notes: list[str] = field(default_factory=list)


def worklist(
    *,
    user,
    on: dt.date | None = None,
    collector=None,
    horizon: int = HORIZON_DAYS,
    only: list[Customer] | None = None,
) -> list[WorkRow]:
    """The accounts that need work on `on` (today), for the portfolio `user` may see
    (`EVERYTHING` for the desk's jobs; of `collector` only, and of the customers `only`,
    when given), ranked (see the module doc), worked out live."""
    today = on or timezone.localdate()
    customers = visible(Customer.objects.all(), user)
    if collector is not None:
        customers = customers.filter(collector=collector)
    if only is not None:
        customers = customers.filter(pk__in=[c.pk for c in only])
    book, _ = ledger(user=user, customers=customers)
    if not book.documents.num_rows:
        return []
    items = [
        row
        for row in explain(book, today).to_pylist()
        if row["type"] in ("invoice", "debit_memo") and row["days_past_due"] >= -horizon
    ]
    if not items:
        return []
    codes = {row["customer"] for row in items}
    by_code = {c.code: c for c in Customer.objects.filter(code__in=codes)}
    found_invoices = list(
        Invoice.objects.filter(number__in=[invoice_of(row["document"]) for row in items]).only(
            "pk", "number", "customer", "po_number", "predicted_pay_on", "predicted_by"
        )
    )
    invoices = {i.number: (i.pk, i.predicted_pay_on, i.predicted_by) for i in found_invoices}
    lacking = missing_requirements(found_invoices)
    ids = [c.pk for c in by_code.values()]
    since = today - dt.timedelta(days=PROMISE_MEMORY_DAYS)
    promises = defaultdict(list)
    for promise in PromiseToPay.objects.filter(customer_id__in=ids).exclude(
        status=PromiseStatus.CANCELLED
    ):
        promises[promise.customer_id].append(promise)
    tasks = defaultdict(list)
    for task in Activity.objects.filter(
        customer_id__in=ids, done_at__isnull=True, next_action_on__lte=today
    ).order_by("next_action_on", "pk"):
        tasks[task.customer_id].append(task)
    last_contact: dict[int, Activity] = {}
    for activity in (
        Activity.objects.filter(customer_id__in=ids)
        .exclude(kind=ActivityKind.TASK)
        .order_by("customer_id", "-occurred_at", "-pk")
    ):
        last_contact.setdefault(activity.customer_id, activity)
    disputes = _disputes(user, ids, today)
    disputed = disputed_amounts([pk for pk, *_ in invoices.values()])

    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in items:
        grouped[row["customer"]].append(row)
    rows: list[WorkRow] = []
    for code, found in grouped.items():
        customer = by_code[code]
        work_items = []
        overdue: dict[str, Decimal] = defaultdict(lambda: ZERO)
        coming: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for row in sorted(found, key=lambda r: (-r["days_past_due"], r["document"])):
            pk, pay_on, by = invoices.get(invoice_of(row["document"]), (None, None, ""))
            item = WorkItem(
                invoice_id=pk,
                number=row["document"],
                due_on=row["due_date"],
                days_past_due=row["days_past_due"],
                amount=row["amount"],
                currency=row["currency"],
                predicted_pay_on=pay_on,
                predicted_by=by,
            )
            if pk in lacking:
                item.needs = list(lacking[pk].items())
                item.missing = [label for _, label in item.needs]
            if pk is not None:
                item.disputed = disputed_part(disputed, pk, item.amount)
            work_items.append(item)
            (overdue if item.overdue else coming)[item.currency] += item.collectible
        customer_promises = promises.get(customer.pk, [])
        rows.append(
            WorkRow(
                customer=customer,
                items=work_items,
                overdue=dict(overdue),
                coming_due=dict(coming),
                at_risk=ZERO,
                oldest_days=max(0, max(i.days_past_due for i in work_items)),
                broken_promises=[
                    p
                    for p in customer_promises
                    if p.status == PromiseStatus.BROKEN and p.status_on and p.status_on >= since
                ],
                open_promises=[p for p in customer_promises if p.status == PromiseStatus.OPEN],
                open_disputes=disputes.get(customer.pk, []),
                tasks_due=tasks.get(customer.pk, []),
                last_contact=last_contact.get(customer.pk),
            )
        )
    _at_risk(rows, today)
    for row in rows:
        _score(row, today)
        _next(row, today)
    rows.sort(key=lambda r: (-r.score, -r.at_risk, r.customer.code))
    return rows


def _disputes(user, customer_ids: list[int], today: dt.date) -> dict[int, list]:
    from revdesk.cases.models import Case

    found: dict[int, list] = defaultdict(list)
    cases = visible(
        Case.objects.filter(
            case_type__desk="collections",
            status__in=list(OPEN_STATUSES),
            customer_id__in=customer_ids,
        ).select_related("team"),
        user,
    ).order_by("opened_at")
    for case in cases:
        found[case.customer_id].append(case)
    return found


def _at_risk(rows: list[WorkRow], today: dt.date) -> None:
    target = settings.REPORTING_CURRENCY
    rates: dict[str, Decimal | None] = {}
    for row in rows:
        total = ZERO
        for amounts, share in ((row.overdue, Decimal(1)), (row.coming_due, Decimal("0.5"))):
            for currency, amount in amounts.items():
                if currency not in rates:
                    try:
                        rates[currency] = fx_rate_on(
                            currency=currency, quote_currency=target, on=today
                        )
                    except MissingFxRate:
                        rates[currency] = None
                rate = rates[currency]
                if rate is None:
                    row.notes.append(f"no {currency}→{target} rate: counted one for one")
                    rate = Decimal(1)
                total += amount * share * rate
        row.at_risk = total.quantize(Decimal("0.01"))


def _points(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"))


def _score(row: WorkRow, today: dt.date) -> None:
    parts = []
    if row.at_risk > 100:
        scale = (row.at_risk / 100).log10() / 4  # 100 -> 0, 1,000,000 -> 1
        parts.append(("amount at risk", _points(Decimal(40) * min(scale, Decimal(1)))))
    if row.oldest_days > 0:
        parts.append(
            (
                f"{row.oldest_days} days past due",
                _points(Decimal(20) * min(row.oldest_days, 90) / 90),
            )
        )
    if row.broken_promises:
        count = len(row.broken_promises)
        parts.append(
            (
                f"{count} broken promise{'s' if count > 1 else ''}",
                _points(Decimal("7.5") * min(count, 2)),
            )
        )
    late = [i.predicted_late_days for i in row.items if i.predicted_late_days is not None]
    if late and max(late) > 0:
        worst = max(late)
        parts.append((f"predicted {worst} days late", _points(Decimal(10) * min(worst, 30) / 30)))
    if row.open_disputes:
        stuck = [
            c for c in row.open_disputes if _quiet_since(c) <= today - dt.timedelta(days=STUCK_DAYS)
        ]
        parts.append(
            ("dispute without traction" if stuck else "open dispute", Decimal(10 if stuck else 5))
        )
    if row.customer.is_key_account:
        parts.append(("key account", Decimal(5)))
    row.parts = parts
    row.score = sum((points for _, points in parts), ZERO)


def _quiet_since(case) -> dt.date:
    moved = case.updated_at or case.opened_at
    return timezone.localdate(moved)


def _in_text(label: str) -> str:
    """A label inside a sentence: Proof of delivery -> proof of delivery, PO number stays."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _get_document(kind: str, label: str, number: str) -> str:
    """The next action that meets a requirement of an invoice."""
    if kind == "po":
        return f"Get the PO number for {number}"
    if kind == "portal":
        portal = label[len("Portal upload") :].strip()
        return f"Submit {number} to the portal" + (f" {portal}" if portal else "")
    if kind == "invoice_format":
        return f"Send {number} in the required format ({label.split(': ', 1)[-1]})"
    return f"Send the {_in_text(label)} for {number}"


def _money(amounts: dict[str, Decimal]) -> str:
    return ", ".join(f"{amount:,.2f} {currency}" for currency, amount in sorted(amounts.items()))


def _next(row: WorkRow, today: dt.date) -> None:
    """What to do next, and why (the first rule that applies: see the module doc)."""
    overdue = [i for i in row.items if i.overdue]
    if row.tasks_due:
        task = row.tasks_due[0]
        row.next_action = task.next_action or task.subject
        row.why = f"{task.subject} (due {task.next_action_on.isoformat()})"
        return
    broken = [
        p
        for p in row.broken_promises
        if p.status_on and p.status_on >= today - dt.timedelta(days=QUIET_DAYS)
    ]
    if broken:
        promise = broken[0]
        row.next_action = "Call about the broken promise"
        row.why = (
            f"{promise.number} broken on {promise.status_on.isoformat()}: "
            f"{promise.shortfall:,.2f} {promise.currency} short"
        )
        return
    if row.open_promises:
        promise = min(row.open_promises, key=lambda p: p.promised_on)
        row.next_action = f"Check the payment on {promise.deadline.isoformat()}"
        row.why = (
            f"{promise.number}: {promise.amount:,.2f} {promise.currency} promised by "
            f"{promise.promised_on.isoformat()}"
        )
        return
    missing = [(i, kind, label) for i in overdue for kind, label in i.needs]
    if missing:
        item, kind, label = missing[0]
        row.next_action = _get_document(kind, label, item.number)
        row.why = f"{row.customer.code} pays an invoice only with its {_in_text(label)}"
        return
    stuck = [
        c for c in row.open_disputes if _quiet_since(c) <= today - dt.timedelta(days=STUCK_DAYS)
    ]
    if stuck:
        case = stuck[0]
        row.next_action = f"Chase {case.number} with {case.team}"
        row.why = f"no activity since {_quiet_since(case).isoformat()}"
        return
    if overdue:
        contact = row.last_contact
        contacted = timezone.localdate(contact.occurred_at) if contact else None
        count = len(overdue)
        what = f"{count} overdue invoice{'s' if count > 1 else ''} ({_money(row.overdue)})"
        if contacted is None:
            row.next_action, row.why = "Call", f"{what}, no contact yet"
        elif contacted <= today - dt.timedelta(days=QUIET_DAYS):
            row.next_action, row.why = "Call", f"{what}, last contact {contacted.isoformat()}"
        else:
            kind = contact.get_kind_display().lower()
            row.next_action = "Follow up"
            row.why = f"{what}; {kind} on {contacted.isoformat()}: {contact.subject}"
        return
    first = min(row.items, key=lambda i: (i.due_on or today, i.number))
    row.next_action = "Send a reminder"
    row.why = f"{first.number} falls due on {first.due_on.isoformat() if first.due_on else '?'}"


# -- the stored worklist -------------------------------------------------------------------


def _stored(row: WorkRow, today: dt.date) -> WorklistEntry:
    return WorklistEntry(
        customer=row.customer,
        collector_id=row.customer.collector_id,
        on=today,
        score=row.score,
        at_risk=row.at_risk,
        oldest_days=row.oldest_days,
        parts=[[label, str(points)] for label, points in row.parts],
        next_action=row.next_action[:200],
        why=row.why[:400],
        overdue={c: str(a) for c, a in sorted(row.overdue.items())},
        coming_due={c: str(a) for c, a in sorted(row.coming_due.items())},
        items=[
            {
                "invoice_id": item.invoice_id,
                "number": item.number,
                "due_on": item.due_on.isoformat() if item.due_on else None,
                "days_past_due": item.days_past_due,
                "amount": str(item.amount),
                "currency": item.currency,
                "predicted_pay_on": (
                    item.predicted_pay_on.isoformat() if item.predicted_pay_on else None
                ),
                "predicted_late_days": item.predicted_late_days,
                "predicted_by": item.predicted_by,
                "missing": item.missing,
                "disputed": str(item.disputed),
            }
            for item in row.items
        ],
    )


@transaction.atomic
def worklist_refresh(
    *, on: dt.date | None = None, customers: list[Customer] | None = None, collector=None
) -> int:
    """Work the stored worklist out again: for every account (the daily job), a collector's
    portfolio, or some customers (after something changed on them). Accounts with nothing
    overdue or coming due leave it. Returns how many rows it holds for them now."""
    today = on or timezone.localdate()
    rows = worklist(user=EVERYTHING, on=today, collector=collector, only=customers)
    stale = WorklistEntry.objects.all()
    if customers is not None:
        stale = stale.filter(customer__in=[c.pk for c in customers])
    if collector is not None:
        stale = stale.filter(customer__collector=collector)
    stale.delete()
    WorklistEntry.objects.bulk_create((_stored(row, today) for row in rows), batch_size=500)
    return len(rows)


_deferred: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar(
    "worklist_deferred", default=None
)


@contextlib.contextmanager
def refreshes_deferred() -> Iterator[set[int]]:
    """Inside: accounts that change are noted, and their rows worked out once, together, at
    the end (the daily job and the demo change hundreds of accounts in a row). Gives the set
    of noted customer ids: clearing it drops them (the daily job works every row out)."""
    outer = _deferred.get()
    if outer is not None:  # already deferred: the outermost block works them out
        yield outer
        return
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)
    if pending:
        worklist_refresh(customers=list(Customer.objects.filter(pk__in=pending)))


def account_changed(customer: Customer) -> None:
    """Something changed on an account (an activity, a promise, a task): its worklist row is
    worked out again at once (or at the end of `refreshes_deferred`)."""
    pending = _deferred.get()
    if pending is not None:
        pending.add(customer.pk)
        return
    worklist_refresh(customers=[customer])


def accounts_changed(customers) -> None:
    """`account_changed` for many accounts at once: their rows worked out together."""
    customers = sorted({c.pk: c for c in customers}.values(), key=lambda c: c.pk)
    if not customers:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.update(c.pk for c in customers)
        return
    worklist_refresh(customers=customers)


def worklist_entries(*, user, collector=None):
    """The stored worklist rows this person may see (of `collector` only, when given), most
    urgent first.

    A collector or senior collector sees the customers of their portfolios: their rows are
    those whose collector is one of them (each row follows its customer's collector), read
    without going through the customers; anyone else through the customers' scope rule."""
    viewer = viewer_for(user)
    if viewer.sees_everything:
        entries = WorklistEntry.objects.all()
    elif viewer.collector_ids and not viewer.payee_ids and not viewer.distributor_ids:
        entries = WorklistEntry.objects.filter(collector_id__in=viewer.collector_ids)
    else:
        entries = WorklistEntry.objects.filter(customer__in=restrict(Customer.objects.all(), user))
    entries = entries.select_related("customer")
    if collector is not None:
        entries = entries.filter(collector=collector)
    return entries.order_by("-score", "-at_risk", "customer__code")


__all__ = [
    "HORIZON_DAYS",
    "WorkItem",
    "WorkRow",
    "account_changed",
    "collections_daily",
    "paydates_refresh",
    "refreshes_deferred",
    "worklist",
    "worklist_entries",
    "worklist_refresh",
]
