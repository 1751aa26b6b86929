"""Reads of the receivables ledger, always restricted to what the person may see.

One definition each:
- an open invoice is `invoice_open_q()` (status open and a balance left; overdue is
  `Invoice.overdue_q(on)`, an open invoice past due);
- what a payment has paid is `payment_applied_totals` (every application, whoever may see
  the invoice: a parent paying a subsidiary's invoice outside your portfolio has still paid it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from revdesk.catalog.selectors import MissingFxRate, fx_rate_on
from revdesk.engine.money import round_money
from revdesk.foundation.scoping import may_see, restrict

from .models import (
    ApplicationReversal,
    CreditMemo,
    Invoice,
    InvoiceInstalment,
    Payment,
    PaymentApplication,
)
from .rules import instalments_paid

ZERO = Decimal("0.00")


def invoice_open_q() -> Q:
    """Open invoices: see Invoice.open_q, the one definition."""
    return Invoice.open_q()


def invoice_list(*, user) -> QuerySet[Invoice]:
    """Invoices with the payments applied to them and their credit memos (each restricted)."""
    applications = restrict(
        PaymentApplication.objects.select_related("payment").order_by("applied_on", "id"), user
    )
    credit_memos = restrict(CreditMemo.objects.order_by("issued_on", "number"), user)
    return restrict(
        Invoice.objects.select_related("customer", "order").prefetch_related(
            Prefetch("applications", queryset=applications),
            Prefetch("credit_memos", queryset=credit_memos),
        ),
        user,
    )


def open_invoice_list(*, user) -> QuerySet[Invoice]:
    """The open invoices this person may see."""
    return restrict(Invoice.objects.filter(invoice_open_q()), user)


def customer_open_invoices(*, customer, user) -> list[Invoice]:
    """A customer's open invoices, soonest due first."""
    return list(open_invoice_list(user=user).filter(customer=customer).order_by("due_on", "number"))


def customer_payments(*, customer, user, limit: int = 10) -> list[Payment]:
    """A customer's latest payments this person may see, newest first."""
    payments = restrict(Payment.objects.filter(customer=customer), user)
    return list(payments.order_by("-received_on", "-number")[:limit])


def payment_list(*, user) -> QuerySet[Payment]:
    applications = restrict(
        PaymentApplication.objects.select_related("invoice").order_by("applied_on", "id"), user
    )
    return restrict(
        Payment.objects.select_related("customer").prefetch_related(
            Prefetch("applications", queryset=applications)
        ),
        user,
    )


def payment_applied_totals(*, payment_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each payment has paid so far: every application, summed in Decimal.

    Not restricted: the caller has checked the payments are visible, and the amount applied
    to an invoice the person may not see still reduces what is left to apply. Never SQL SUM
    (SQLite sums in floating point).
    """
    ids = list(payment_ids)
    totals = dict.fromkeys(ids, ZERO)
    rows = PaymentApplication.objects.filter(payment_id__in=ids).values_list("payment_id", "amount")
    for payment_id, amount in rows:
        totals[payment_id] += amount
    return totals


def payment_applied(payment: Payment) -> Decimal:
    """`payment_applied_totals` for one payment, kept on the instance once read."""
    cached = getattr(payment, "_applied_total", None)
    if cached is None:
        cached = payment_applied_totals(payment_ids=[payment.pk])[payment.pk]
        payment._applied_total = cached
    return cached


@dataclass(frozen=True)
class InvoicePage:
    invoice: Invoice
    applications: list[PaymentApplication]
    credit_memos: list[CreditMemo]
    customer_visible: bool
    order_visible: bool
    reversals: list[ApplicationReversal]
    instalments: list[InstalmentLine]
    equivalents: list[Equivalent]


@dataclass(frozen=True)
class InstalmentLine:
    sequence: int
    due_on: dt.date
    amount: Decimal
    paid: Decimal

    @property
    def open(self) -> Decimal:
        return self.amount - self.paid


def instalments_days_overdue(lines: list[InstalmentLine], on: dt.date) -> int | None:
    """Days the oldest instalment still open is past due on a day (None: none is)."""
    late = [line.due_on for line in lines if line.open > 0 and line.due_on < on]
    return (on - min(late)).days if late else None


@dataclass(frozen=True)
class Equivalent:
    """An amount in the reporting currency at the rate of a day (None: no rate on file)."""

    label: str
    amount: Decimal | None
    currency: str
    rate: Decimal | None
    on: dt.date

    @property
    def rate_text(self) -> str:
        """0.73000000 -> '0.73', as a person writes a rate."""
        return f"{self.rate.normalize():f}" if self.rate is not None else ""


def reporting_equivalents(invoice: Invoice, today: dt.date) -> list[Equivalent]:
    """The invoice in the reporting currency: its amount at the rate of its issue date (as
    booked), its balance at today's rate (what it is worth now). Nothing for an invoice in
    the reporting currency."""
    target = settings.REPORTING_CURRENCY
    if invoice.currency == target:
        return []
    found = []
    for label, amount, on in (
        ("Amount", invoice.amount, invoice.issued_on),
        ("Balance", invoice.balance, today),
    ):
        try:
            rate = fx_rate_on(currency=invoice.currency, quote_currency=target, on=on)
        except MissingFxRate:
            found.append(Equivalent(label, None, target, None, on))
        else:
            found.append(Equivalent(label, round_money(amount * rate), target, rate, on))
    return found


def instalment_lines(invoice: Invoice, schedule=None) -> list[InstalmentLine]:
    """An invoice's schedule with what is paid of each (the first first, rules.instalments_paid);
    `schedule`: its instalments in order when already read."""
    if schedule is None:
        schedule = list(invoice.instalments.order_by("sequence"))
    paid = instalments_paid([i.amount for i in schedule], invoice.amount - invoice.balance)
    return [
        InstalmentLine(i.sequence, i.due_on, i.amount, part)
        for i, part in zip(schedule, paid, strict=True)
    ]


def mark_days_overdue(invoices: Iterable[Invoice], on: dt.date) -> None:
    """Set `days_overdue` on each invoice for a list of them (None: not overdue on that day):
    an invoice in instalments from its oldest open instalment, as on its page, the others
    from their due date. One query for all the schedules."""
    invoices = list(invoices)
    schedules: dict[int, list] = {}
    for instalment in InvoiceInstalment.objects.filter(
        invoice_id__in=[i.pk for i in invoices]
    ).order_by("invoice_id", "sequence"):
        schedules.setdefault(instalment.invoice_id, []).append(instalment)
    for invoice in invoices:
        schedule = schedules.get(invoice.pk)
        invoice.days_overdue = (
            instalments_days_overdue(instalment_lines(invoice, schedule), on)
            if schedule and invoice.is_open
            else invoice.days_overdue_on(on)
        )


def invoice_page(*, invoice: Invoice, user) -> InvoicePage:
    """What the invoice page shows of a visible invoice, each part restricted."""
    applications = restrict(
        PaymentApplication.objects.filter(invoice=invoice).select_related("payment"), user
    )
    return InvoicePage(
        invoice=invoice,
        applications=list(applications.order_by("applied_on", "pk")),
        credit_memos=list(restrict(CreditMemo.objects.filter(invoice=invoice), user)),
        customer_visible=may_see(user, invoice.customer),
        order_visible=invoice.order is not None and may_see(user, invoice.order),
        reversals=list(
            restrict(
                ApplicationReversal.objects.filter(invoice=invoice).select_related("payment"), user
            )
        ),
        instalments=instalment_lines(invoice),
        equivalents=reporting_equivalents(invoice, timezone.localdate()),
    )


@dataclass(frozen=True)
class PaymentPage:
    payment: Payment
    applications: list[PaymentApplication]
    applied: Decimal
    unapplied: Decimal
    customer_visible: bool
    reversals: list[ApplicationReversal]


def payment_page(*, payment: Payment, user) -> PaymentPage:
    """What the payment page shows: the applications this person may see, and what is
    applied and left to apply over every application (`payment_applied_totals`)."""
    applications = restrict(
        PaymentApplication.objects.filter(payment=payment).select_related("invoice"), user
    )
    applied = payment_applied(payment)
    return PaymentPage(
        payment=payment,
        applications=list(applications.order_by("applied_on", "pk")),
        applied=applied,
        unapplied=payment.unapplied(applied),
        customer_visible=payment.customer is not None and may_see(user, payment.customer),
        reversals=list(
            restrict(
                ApplicationReversal.objects.filter(payment=payment).select_related(
                    "invoice", "reversed_by"
                ),
                user,
            )
        ),
    )


def order_invoices(*, order, user) -> list[Invoice]:
    """The invoices of an order that this person may see, in the order they were issued."""
    invoices = restrict(Invoice.objects.filter(order=order), user)
    return list(invoices.order_by("issued_on", "number"))


# -- cash application's workbench ------------------------------------------------------------

#: What is still to work: the matching left money unapplied (or a person took some back).
UNAPPLIED_STATUSES = ("unidentified", "on_account", "suggested", "partly_applied")
#: Days since a receipt came in, as the queue's totals group them: (key, label, first, last).
CASH_AGE_BUCKETS = (
    ("0-7", "0–7 days", 0, 7),
    ("8-30", "8–30 days", 8, 30),
    ("31-60", "31–60 days", 31, 60),
    ("over-60", "Over 60 days", 61, None),
)


def cash_receipt_list(*, user) -> QuerySet[Payment]:
    """The receipts a person may work on the workbench (receivables.policies): those
    `restrict` lets them see, and the unidentified ones for those who may identify them."""
    from .policies import may_work_cash, may_work_unidentified

    base = Payment.objects.select_related("customer", "bank_file")
    if not may_work_cash(user):
        return base.none()
    seen = restrict(base, user)
    if may_work_unidentified(user) and not _sees_everything(user):
        seen = seen | base.filter(customer__isnull=True)
    return seen


def _sees_everything(user) -> bool:
    from revdesk.foundation.scoping import viewer_for

    return viewer_for(user).sees_everything or getattr(user, "is_superuser", False)


def cash_unapplied_list(*, user) -> QuerySet[Payment]:
    """The unapplied queue: receipts of bank files with money left to apply (unidentified, on
    account, a suggestion to confirm, partly applied), not come back."""
    return cash_receipt_list(user=user).filter(
        status__in=UNAPPLIED_STATUSES, reversed_on__isnull=True
    )


def cash_age_range(key: str, today: dt.date) -> tuple[dt.date | None, dt.date]:
    """A bucket's received dates (first day or None, last day) on `today`."""
    for bucket, _label, first, last in CASH_AGE_BUCKETS:
        if bucket == key:
            since = today - dt.timedelta(days=last) if last is not None else None
            return since, today - dt.timedelta(days=first)
    raise KeyError(key)


@dataclass(frozen=True)
class CashAgeBucket:
    key: str
    label: str
    count: int
    amounts: dict[str, Decimal]  # currency -> unapplied, in Decimal


def payment_applied_by_query(payments: QuerySet[Payment]) -> dict[int, Decimal]:
    """What each payment of a queryset has paid, summed in Decimal (a subquery, not a list of
    ids, so the queue's whole length is read in one go)."""
    totals: dict[int, Decimal] = {}
    for payment_id, amount in PaymentApplication.objects.filter(
        payment_id__in=payments.values("pk")
    ).values_list("payment_id", "amount"):
        totals[payment_id] = totals.get(payment_id, ZERO) + amount
    return totals


def cash_queue_aging(payments: QuerySet[Payment], today: dt.date) -> list[CashAgeBucket]:
    """The queue's unapplied money by days since received (CASH_AGE_BUCKETS), per currency,
    in Decimal over every receipt of the queryset (not only the page shown)."""
    payments = payments.order_by()
    applied = payment_applied_by_query(payments)
    counts = {key: 0 for key, *_ in CASH_AGE_BUCKETS}
    amounts: dict[str, dict[str, Decimal]] = {key: {} for key, *_ in CASH_AGE_BUCKETS}
    for pk, received_on, amount, currency in payments.values_list(
        "pk", "received_on", "amount", "currency"
    ):
        days = max((today - received_on).days, 0)
        key = next(key for key, _, first, last in CASH_AGE_BUCKETS if last is None or days <= last)
        counts[key] += 1
        left = amount - applied.get(pk, ZERO)
        amounts[key][currency] = amounts[key].get(currency, ZERO) + left
    return [
        CashAgeBucket(key, label, counts[key], dict(sorted(amounts[key].items())))
        for key, label, _, _ in CASH_AGE_BUCKETS
    ]


def cash_invoice_search(*, user, payment: Payment, query: str, limit: int = 30) -> list[Invoice]:
    """Open invoices the person may see in the receipt's currency, for applying it by hand:
    by number, PO, customer code or name, or an amount (the balance or the invoice's amount,
    1,250.00 or 1250). Without a query, the receipt customer's open invoices (none for an
    unidentified receipt). Oldest due first."""
    invoices = (
        open_invoice_list(user=user)
        .filter(currency=payment.currency)
        .select_related("customer")
        .order_by("due_on", "number")
    )
    text = (query or "").strip()
    if not text:
        if payment.customer_id is None:
            return []
        return list(invoices.filter(customer_id=payment.customer_id)[:limit])
    condition = (
        Q(number__icontains=text)
        | Q(po_number__icontains=text)
        | Q(customer__code__icontains=text)
        | Q(customer__name__icontains=text)
    )
    try:
        amount = Decimal(text.replace(",", ""))
    except ArithmeticError:
        amount = None
    if amount is not None and amount.is_finite():
        condition |= Q(balance=amount) | Q(amount=amount)
    return list(invoices.filter(condition)[:limit])


@dataclass(frozen=True)
class ReceiptDesk:
    """What the workbench shows of one receipt."""

    payment: Payment
    applied: Decimal
    unapplied: Decimal
    applications: list[PaymentApplication]
    reversals: list[ApplicationReversal]
    suggestions: list  # open CashSuggestion rows on invoices the person may see
    decided: list  # accepted or rejected ones
    remittance: list
    customer_visible: bool


def cash_receipt_desk(*, payment: Payment, user) -> ReceiptDesk:
    """The receipt (one the person may work: `cash_receipt_list`), its applications and
    reversals as they may see them, its suggestions on invoices they may see, its remittance
    lines."""
    from .models import CashSuggestion

    page = payment_page(payment=payment, user=user)
    visible_invoices = restrict(Invoice.objects.all(), user).values("pk")
    suggestions = list(
        CashSuggestion.objects.filter(payment=payment, invoice_id__in=visible_invoices)
        .select_related("invoice", "invoice__customer", "decided_by")
        .order_by("-confidence", "id")
    )
    return ReceiptDesk(
        payment=payment,
        applied=page.applied,
        unapplied=page.unapplied,
        applications=page.applications,
        reversals=page.reversals,
        suggestions=[s for s in suggestions if s.status == "open"],
        decided=[s for s in suggestions if s.status != "open"],
        remittance=list(payment.remittance.all()),
        customer_visible=page.customer_visible,
    )


def bank_file_counts(bank_file) -> dict[str, int]:
    """A bank file's receipts by where they stand now (Payment.status), in Python."""
    counts: dict[str, int] = {}
    for status in bank_file.payments.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts
