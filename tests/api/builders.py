"""A small ledger on top of the world: orders, invoices, credit memos, payments.

Shared by tests/api and tests/foundation (scoping). Better home: revdesk.foundation.testing.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from revdesk.orders.choices import OrderChannel
from revdesk.orders.models import Order, OrderLine
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication


@dataclass
class Ledger:
    orders: dict[str, Order]
    invoices: dict[str, Invoice]
    payments: dict[str, Payment]


def _order(number, customer, currency, lines, *, rep=None, distributor=None, booked_on=None):
    order = Order.objects.create(
        number=number,
        customer=customer,
        channel=OrderChannel.DISTRIBUTOR if distributor else OrderChannel.DIRECT,
        distributor=distributor,
        sales_rep=rep,
        booked_on=booked_on or dt.date(2026, 9, 15),
        currency=currency,
    )
    for line_number, (product, quantity, unit_price, term) in enumerate(lines, start=1):
        OrderLine.objects.create(
            order=order,
            line_number=line_number,
            product=product,
            quantity=Decimal(quantity),
            unit_price=Decimal(unit_price),
            amount=Decimal(quantity) * Decimal(unit_price),
            term_months=term,
        )
    return order


def _invoice(number, customer, order, amount, balance, currency, due_on):
    return Invoice.objects.create(
        number=number,
        customer=customer,
        order=order,
        issued_on=dt.date(2026, 10, 1),
        due_on=due_on,
        currency=currency,
        amount=Decimal(amount),
        balance=Decimal(balance),
    )


def ledger_build(world):
    """Four orders (one through each distributor), three invoices, three payments.

    INV-1 (C-1000) 4200.00, PAY-1 3500.00 applied 3000.00 to it -> balance 1200.00.
    INV-3 (C-1001, sold through D01) 5600.00, credit memo CM-1 100.00 -> balance 5500.00.
    PAY-3 has no customer yet (unidentified cash): only people who see everything see it.
    """
    w = world
    orders = {
        "O-1": _order(
            "O-1",
            w.customer_east,
            "USD",
            [(w.product_ups, "2", "1500.00", None), (w.product_fibre, "1", "1200.00", 36)],
            rep=w.rep_east,
        ),
        "O-2": _order(
            "O-2", w.customer_west, "CAD", [(w.product_fibre, "1", "1350.50", 24)], rep=w.rep_west
        ),
        "O-3": _order(
            "O-3",
            w.customer_east_child,
            "USD",
            [(w.product_ups, "4", "1400.00", None)],
            rep=w.rep_east,
            distributor=w.distributor,
            booked_on=dt.date(2026, 10, 20),
        ),
        "O-4": _order(
            "O-4",
            w.customer_west,
            "CAD",
            [(w.product_ups, "1", "1600.00", None)],
            rep=w.rep_west,
            distributor=w.other_distributor,
        ),
    }
    invoices = {
        "INV-1": _invoice(
            "INV-1",
            w.customer_east,
            orders["O-1"],
            "4200.00",
            "1200.00",
            "USD",
            dt.date(2026, 10, 31),
        ),
        "INV-2": _invoice(
            "INV-2",
            w.customer_west,
            orders["O-2"],
            "1350.50",
            "1350.50",
            "CAD",
            dt.date(2026, 11, 15),
        ),
        "INV-3": _invoice(
            "INV-3",
            w.customer_east_child,
            orders["O-3"],
            "5600.00",
            "5500.00",
            "USD",
            dt.date(2026, 12, 31),
        ),
    }
    CreditMemo.objects.create(
        number="CM-1",
        customer=w.customer_east_child,
        invoice=invoices["INV-3"],
        issued_on=dt.date(2026, 10, 25),
        currency="USD",
        amount=Decimal("100.00"),
        reason="Damaged unit",
    )
    payments = {
        "PAY-1": Payment.objects.create(
            number="PAY-1",
            customer=w.customer_east,
            received_on=dt.date(2026, 10, 28),
            currency="USD",
            amount=Decimal("3500.00"),
            reference="ACME INV-1",
        ),
        "PAY-2": Payment.objects.create(
            number="PAY-2",
            customer=w.customer_west,
            received_on=dt.date(2026, 11, 2),
            currency="CAD",
            amount=Decimal("1000.00"),
        ),
        "PAY-3": Payment.objects.create(
            number="PAY-3",
            customer=None,
            received_on=dt.date(2026, 11, 3),
            currency="USD",
            amount=Decimal("77.70"),
            reference="UNKNOWN REMITTER",
        ),
    }
    PaymentApplication.objects.create(
        payment=payments["PAY-1"],
        invoice=invoices["INV-1"],
        amount=Decimal("3000.00"),
        applied_on=dt.date(2026, 10, 29),
    )
    return Ledger(orders=orders, invoices=invoices, payments=payments)
