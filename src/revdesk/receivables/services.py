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

from revdesk.foundation.bulk import Outcome, UpsertResult, bulk_upsert

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


@transaction.atomic
def invoices_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update invoices by number; audited; balances refreshed.

    Balance and status are not imported: they follow from amount, payments and credits.
    """
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
    """Create or update credit memos by number; audited; the credited invoices refreshed."""
    numbers = [row["number"] for row in rows]
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
    """Create or update payments by receipt number; audited."""
    return bulk_upsert(
        model=Payment, key=("number",), rows=rows, fields=PAYMENT_IMPORT_FIELDS, actor=actor
    )


@transaction.atomic
def payment_applications_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update what a payment paid, by (payment, invoice); audited; balances refreshed."""
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
