"""Reads of orders, always restricted to what the person may see.

An order's total is one rule, `order_totals`: the line amounts summed in Decimal (never SQL
SUM: SQLite sums in floating point), rounded once, half-up, to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from revdesk.engine.money import round_money
from revdesk.foundation.scoping import may_see, restrict

from .models import Order, OrderLine

ZERO = Decimal("0.00")


def order_list(*, user) -> QuerySet[Order]:
    """Orders with their customer, rep, distributor and lines (lines restricted the same way)."""
    lines = restrict(OrderLine.objects.select_related("product"), user)
    return restrict(
        Order.objects.select_related("customer", "distributor", "sales_rep").prefetch_related(
            Prefetch("lines", queryset=lines)
        ),
        user,
    )


def _total(amounts: Iterable[Decimal]) -> Decimal:
    return round_money(sum(amounts, ZERO))


def order_totals(*, order_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each order's total, in one read however many orders (the caller has checked them)."""
    ids = list(order_ids)
    amounts: dict[int, list[Decimal]] = {order_id: [] for order_id in ids}
    rows = OrderLine.objects.filter(order_id__in=ids).values_list("order_id", "amount")
    for order_id, amount in rows:
        amounts[order_id].append(amount)
    return {order_id: _total(amounts[order_id]) for order_id in ids}


def order_total(order: Order) -> Decimal:
    """The same total from the order's lines already read (`order_list` prefetches them;
    an order's lines are visible exactly when the order is)."""
    return _total(line.amount for line in order.lines.all())


def orders_with_totals(orders: Iterable[Order]) -> list[Order]:
    """The orders, each with `.total` set (`order_totals`)."""
    orders = list(orders)
    totals = order_totals(order_ids=[order.pk for order in orders])
    for order in orders:
        order.total = totals[order.pk]
    return orders


def customer_orders(*, customer, user, limit: int = 20) -> list[Order]:
    """A customer's latest orders this person may see, newest first, with totals."""
    orders = restrict(Order.objects.filter(customer=customer), user)
    return orders_with_totals(orders.order_by("-booked_on", "-number")[:limit])


def distributor_orders(*, distributor, user, limit: int = 20) -> list[Order]:
    """Orders sold through a distributor that this person may see, newest first, with totals."""
    orders = restrict(Order.objects.filter(distributor=distributor), user)
    return orders_with_totals(orders.select_related("customer").order_by("-booked_on")[:limit])


@dataclass(frozen=True)
class OrderPage:
    order: Order
    lines: list[OrderLine]
    total: Decimal
    customer_visible: bool
    distributor_visible: bool
    sales_rep_visible: bool


def order_page(*, order: Order, user) -> OrderPage:
    """What the order page shows of a visible order (its invoices are the ledger's)."""
    lines = restrict(OrderLine.objects.filter(order=order).select_related("product"), user)
    return OrderPage(
        order=order,
        lines=list(lines.order_by("line_number")),
        total=order_totals(order_ids=[order.pk])[order.pk],
        customer_visible=may_see(user, order.customer),
        distributor_visible=order.distributor is not None and may_see(user, order.distributor),
        sales_rep_visible=order.sales_rep is not None and may_see(user, order.sales_rep),
    )
