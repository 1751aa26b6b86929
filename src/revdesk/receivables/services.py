"""Everything that writes receivables data: one function per business action, in a transaction.

Balances are kept here, in Python Decimal (never SQL SUM: SQLite stores DECIMAL with float
affinity, see docs/decisions/0002-money.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import islice

from django.db import transaction

from revdesk.foundation.bulk import Outcome, RowRefusal, RowsRefused, UpsertResult, bulk_upsert

from . import rules
from .choices import InvoiceStatus
from .models import CreditMemo, Invoice, Payment, PaymentApplication

ZERO = Decimal("0.00")
BALANCE_REFRESH_CHUNK = 2000


def _chunks(values: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


@transaction.atomic
def invoice_balances_refresh(*, invoice_ids: Iterable[int]) -> None:
    """Recompute balance and status of the given invoices from their payments and credits.

    balance = amount − Σ payment applications − Σ credit memos linked to the invoice, in
    Decimal. Status becomes PAID at a zero balance and OPEN otherwise; a CANCELLED invoice keeps
    its status (its balance is still refreshed). Only invoices whose balance or status changes
    are written. The balance is derived data, not a person's change, so no audit record is
    written: the payment, application or credit memo that moved it carries the audit.
    """
    unique_ids = sorted(set(invoice_ids))
    for chunk in _chunks(unique_ids, BALANCE_REFRESH_CHUNK):
        paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for invoice_id, amount in PaymentApplication.objects.filter(
            invoice_id__in=chunk
        ).values_list("invoice_id", "amount"):
            paid[invoice_id] += amount
        credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for invoice_id, amount in CreditMemo.objects.filter(invoice_id__in=chunk).values_list(
            "invoice_id", "amount"
        ):
            credited[invoice_id] += amount
        changed: list[Invoice] = []
        for invoice in Invoice.objects.filter(pk__in=chunk).only(
            "id", "amount", "balance", "status"
        ):
            balance = (invoice.amount - paid[invoice.pk] - credited[invoice.pk]).quantize(ZERO)
            if invoice.status == InvoiceStatus.CANCELLED:
                status = InvoiceStatus.CANCELLED
            else:
                status = InvoiceStatus.PAID if balance == ZERO else InvoiceStatus.OPEN
            if invoice.balance != balance or invoice.status != status:
                invoice.balance = balance
                invoice.status = status
                changed.append(invoice)
        if changed:
            Invoice.objects.bulk_update(changed, ["balance", "status"], batch_size=500)


# Bulk upserts by natural key, for imports (revdesk.ingest). Rows carry resolved ids.

INVOICE_IMPORT_FIELDS = (
    "customer_id",
    "order_id",
    "issued_on",
    "due_on",
    "currency",
    "amount",
    "tax_amount",
    "po_number",
)
CREDIT_MEMO_IMPORT_FIELDS = (
    "customer_id",
    "invoice_id",
    "issued_on",
    "currency",
    "amount",
    "reason",
)
PAYMENT_IMPORT_FIELDS = ("customer_id", "received_on", "currency", "amount", "method", "reference")
PAYMENT_APPLICATION_IMPORT_FIELDS = ("amount", "applied_on")


def _settled_by_invoice(
    invoice_ids: Iterable[int],
    *,
    leave_out_memos: Iterable[str] = (),
    leave_out_applications: Iterable[tuple[int, int]] = (),
) -> dict[int, tuple[Decimal, int]]:
    """Invoice id -> (paid and credited as saved, number of entries), in Decimal, leaving out
    the memos (by number) and applications (by payment id, invoice id) a batch rewrites."""
    memos_left_out = set(leave_out_memos)
    applications_left_out = set(leave_out_applications)
    totals: dict[int, tuple[Decimal, int]] = defaultdict(lambda: (ZERO, 0))
    for chunk in _chunks(sorted(set(invoice_ids)), BALANCE_REFRESH_CHUNK):
        for payment_id, invoice_id, amount in PaymentApplication.objects.filter(
            invoice_id__in=chunk
        ).values_list("payment_id", "invoice_id", "amount"):
            if (payment_id, invoice_id) not in applications_left_out:
                total, count = totals[invoice_id]
                totals[invoice_id] = (total + amount, count + 1)
        for number, invoice_id, amount in CreditMemo.objects.filter(
            invoice_id__in=chunk
        ).values_list("number", "invoice_id", "amount"):
            if number not in memos_left_out:
                total, count = totals[invoice_id]
                totals[invoice_id] = (total + amount, count + 1)
    return totals


def _invoices_by_id(ids: Iterable[object]) -> dict[int, tuple[str, str, Decimal]]:
    """Invoice id -> (number, currency, amount) as saved."""
    found: dict[int, tuple[str, str, Decimal]] = {}
    for chunk in _chunks(sorted({i for i in ids if i is not None}), BALANCE_REFRESH_CHUNK):
        for pk, number, currency, amount in Invoice.objects.filter(pk__in=chunk).values_list(
            "pk", "number", "currency", "amount"
        ):
            found[pk] = (number, currency, amount)
    return found


def _refuse_over_settled(
    rows: Sequence[Mapping[str, object]], base: Mapping[int, tuple[Decimal, int]], invoices
) -> list[RowRefusal]:
    """Rows that, with everything else paid or credited, would take an invoice below zero."""
    batch: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row["invoice_id"] is not None:
            batch[row["invoice_id"]] += row["amount"]
    refusals = []
    for index, row in enumerate(rows):
        invoice = invoices.get(row["invoice_id"])
        if invoice is None:
            continue
        number, _currency, amount = invoice
        problem = rules.over_settled_problem(
            invoice_number=number,
            invoice_amount=amount,
            others=base[row["invoice_id"]][0] + batch[row["invoice_id"]] - row["amount"],
            this=row["amount"],
        )
        if problem:
            refusals.append(RowRefusal(index, "amount", row["amount"], problem))
    return refusals


def _refuse(refusals: list[RowRefusal]) -> None:
    if refusals:
        raise RowsRefused(sorted(refusals, key=lambda refusal: refusal.index))


def _invoice_refusals(rows: Sequence[Mapping[str, object]]) -> list[RowRefusal]:
    existing = {}
    for chunk_start in range(0, len(rows), BALANCE_REFRESH_CHUNK):
        numbers = [row["number"] for row in rows[chunk_start : chunk_start + BALANCE_REFRESH_CHUNK]]
        existing.update(
            (number, (pk, currency))
            for number, pk, currency in Invoice.objects.filter(number__in=numbers).values_list(
                "number", "pk", "currency"
            )
        )
    settled = _settled_by_invoice(pk for pk, _ in existing.values())
    refusals = []
    for index, row in enumerate(rows):
        if problem := rules.invoice_tax_problem(amount=row["amount"], tax_amount=row["tax_amount"]):
            refusals.append(RowRefusal(index, "tax_amount", row["tax_amount"], problem))
        saved = existing.get(row["number"])
        if saved is None:
            continue
        total, entries = settled[saved[0]]
        if problem := rules.invoice_amount_problem(amount=row["amount"], settled=total):
            refusals.append(RowRefusal(index, "amount", row["amount"], problem))
        if problem := rules.invoice_currency_problem(
            old=saved[1], new=row["currency"], settled=total, entries=entries
        ):
            refusals.append(RowRefusal(index, "currency", row["currency"], problem))
    return refusals


@transaction.atomic
def invoices_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update invoices by number; audited; balances refreshed.

    Balance and status are not imported: they follow from amount, payments and credits.
    Refuses (RowsRefused, nothing written) a tax amount above the amount, an amount below
    what is already paid or credited, and a new currency once anything is paid or credited.
    """
    _refuse(_invoice_refusals(rows))
    result = bulk_upsert(
        model=Invoice,
        key=("number",),
        rows=rows,
        fields=INVOICE_IMPORT_FIELDS,
        actor=actor,
        on_create=lambda row: {"balance": row["amount"]},
    )
    invoice_balances_refresh(invoice_ids=result.ids(Outcome.CREATED, Outcome.UPDATED))
    return result


@transaction.atomic
def credit_memos_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update credit memos by number; audited; the credited invoices refreshed.

    Refuses (RowsRefused, nothing written) a memo in another currency than its invoice, and
    credits that with payments applied would exceed the invoice's amount.
    """
    numbers = [row["number"] for row in rows]
    invoices = _invoices_by_id(row["invoice_id"] for row in rows)
    refusals = []
    for index, row in enumerate(rows):
        invoice = invoices.get(row["invoice_id"])
        if invoice is not None and (
            problem := rules.currency_match_problem(
                what="credit memo",
                currency=row["currency"],
                invoice_number=invoice[0],
                invoice_currency=invoice[1],
            )
        ):
            refusals.append(RowRefusal(index, "currency", row["currency"], problem))
    base = _settled_by_invoice(invoices, leave_out_memos=numbers)
    _refuse(refusals + _refuse_over_settled(rows, base, invoices))
    previous_invoices = set(
        CreditMemo.objects.filter(number__in=numbers, invoice__isnull=False).values_list(
            "invoice_id", flat=True
        )
    )
    result = bulk_upsert(
        model=CreditMemo,
        key=("number",),
        rows=rows,
        fields=CREDIT_MEMO_IMPORT_FIELDS,
        actor=actor,
    )
    touched = {
        memo.invoice_id
        for key, memo in result.objects.items()
        if result.outcomes[key] is not Outcome.UNCHANGED and memo.invoice_id is not None
    }
    invoice_balances_refresh(invoice_ids=touched | previous_invoices)
    return result


@transaction.atomic
def payments_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update payments by receipt number; audited.

    Refuses (RowsRefused, nothing written) a new currency for a payment already applied to
    invoices in its old currency.
    """
    numbers = {row["number"]: index for index, row in enumerate(rows)}
    applied = PaymentApplication.objects.filter(payment__number__in=list(numbers)).values_list(
        "payment__number", "payment__currency", "invoice__number", "invoice__currency"
    )
    refusals = {}
    for number, saved_currency, invoice_number, invoice_currency in applied:
        index = numbers[number]
        row = rows[index]
        if row["currency"] == saved_currency or index in refusals:
            continue
        problem = rules.currency_match_problem(
            what="payment",
            currency=row["currency"],
            invoice_number=invoice_number,
            invoice_currency=invoice_currency,
        )
        if problem:
            refusals[index] = RowRefusal(index, "currency", row["currency"], problem)
    _refuse(list(refusals.values()))
    return bulk_upsert(
        model=Payment, key=("number",), rows=rows, fields=PAYMENT_IMPORT_FIELDS, actor=actor
    )


@transaction.atomic
def payment_applications_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update what a payment paid, by (payment, invoice); audited; balances refreshed.

    Refuses (RowsRefused, nothing written) an application whose payment is in another currency
    than the invoice, and applications that with credits would exceed the invoice's amount.
    """
    invoices = _invoices_by_id(row["invoice_id"] for row in rows)
    currencies = dict(
        Payment.objects.filter(pk__in={row["payment_id"] for row in rows}).values_list(
            "pk", "currency"
        )
    )
    refusals = []
    for index, row in enumerate(rows):
        invoice = invoices.get(row["invoice_id"])
        currency = currencies.get(row["payment_id"])
        if (
            invoice is not None
            and currency is not None
            and (
                problem := rules.currency_match_problem(
                    what="payment",
                    currency=currency,
                    invoice_number=invoice[0],
                    invoice_currency=invoice[1],
                )
            )
        ):
            refusals.append(RowRefusal(index, "currency", currency, problem))
    base = _settled_by_invoice(
        invoices,
        leave_out_applications=[(row["payment_id"], row["invoice_id"]) for row in rows],
    )
    _refuse(refusals + _refuse_over_settled(rows, base, invoices))
    result = bulk_upsert(
        model=PaymentApplication,
        key=("payment_id", "invoice_id"),
        rows=rows,
        fields=PAYMENT_APPLICATION_IMPORT_FIELDS,
        actor=actor,
    )
    invoice_balances_refresh(
        invoice_ids=[
            key[1] for key, outcome in result.outcomes.items() if outcome is not Outcome.UNCHANGED
        ]
    )
    return result
