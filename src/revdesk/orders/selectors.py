"""Reads of orders, always restricted to what the person may see."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from revdesk.foundation.scoping import restrict

from .models import Order, OrderLine


def order_list(*, user) -> QuerySet[Order]:
    """Orders with their customer, rep, distributor and lines (lines restricted the same way)."""
    lines = restrict(OrderLine.objects.select_related("product"), user)
    return restrict(
        Order.objects.select_related("customer", "distributor", "sales_rep").prefetch_related(
            Prefetch("lines", queryset=lines)
        ),
        user,
    )


def order_total(order: Order) -> Decimal:
    """Sum of the line amounts in Decimal (never SQL SUM: SQLite sums in floating point)."""
    return sum((line.amount for line in order.lines.all()), Decimal("0.00"))
