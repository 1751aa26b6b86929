"""Everything that writes receivables data: one function per business action, in a transaction.

Balances are kept here, in Python Decimal (never SQL SUM: SQLite stores DECIMAL with float
affinity, see docs/decisions/0002-money.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

from django.db import transaction

from .choices import InvoiceStatus
from .models import CreditMemo, Invoice, PaymentApplication

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
