"""Reads of the receivables ledger, always restricted to what the person may see."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from revdesk.foundation.scoping import restrict

from .models import CreditMemo, Invoice, Payment, PaymentApplication


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


def payment_applied(payment: Payment) -> Decimal:
    """What the payment has paid so far, in Decimal (never SQL SUM on SQLite)."""
    return sum((item.amount for item in payment.applications.all()), Decimal("0.00"))
