"""A small receivables and orders ledger on top of the `world` fixture, dated around today."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from revdesk.catalog.models import FxRate
from revdesk.orders.models import Order, OrderLine
from revdesk.receivables.models import Invoice, Payment, PaymentApplication


@dataclass
class Ledger:
    today: dt.date
    invoices: dict[str, Invoice]
    orders: dict[str, Order]
    payment: Payment


def _invoice(number, customer, *, issued, due, amount, balance, status="open", po=""):
    return Invoice.objects.create(
        number=number,
        customer=customer,
        issued_on=issued,
        due_on=due,
        currency=customer.currency,
        amount=Decimal(amount),
        balance=Decimal(balance),
        status=status,
        po_number=po,
    )


def _order(number, customer, *, booked, lines, status="submitted", distributor=None):
    order = Order.objects.create(
        number=number,
        customer=customer,
        sales_rep=customer.sales_rep,
        distributor=distributor,
        channel="distributor" if distributor else "direct",
        booked_on=booked,
        currency=customer.currency,
        status=status,
    )
    for index, (product, quantity, price) in enumerate(lines, start=1):
        OrderLine.objects.create(
            order=order,
            line_number=index,
            product=product,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            amount=Decimal(quantity) * Decimal(price),
        )
    return order


def ledger_build(world) -> Ledger:
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    east, child, west = world.customer_east, world.customer_east_child, world.customer_west
    FxRate.objects.create(
        currency="CAD", quote_currency="USD", valid_on=dt.date(2020, 1, 1), rate=Decimal("0.73")
    )
    invoices = {
        "INV-1": _invoice(
            "INV-1",
            east,
            issued=today - 70 * day,
            due=today - 40 * day,
            amount="1000.00",
            balance="1000.00",
            po="PO-77",
        ),
        "INV-2": _invoice(
            "INV-2",
            east,
            issued=today - 20 * day,
            due=today + 10 * day,
            amount="2500.50",
            balance="2500.50",
        ),
        "INV-3": _invoice(
            "INV-3",
            east,
            issued=today - 90 * day,
            due=today - 60 * day,
            amount="500.00",
            balance="0.00",
            status="paid",
        ),
        "INV-4": _invoice(
            "INV-4",
            child,
            issued=today - 35 * day,
            due=today - 5 * day,
            amount="300.25",
            balance="300.25",
        ),
        "INV-5": _invoice(
            "INV-5",
            west,
            issued=today - 55 * day,
            due=today - 10 * day,
            amount="2000.00",
            balance="2000.00",
        ),
    }
    payment = Payment.objects.create(
        number="RCPT-1",
        customer=east,
        received_on=today - 50 * day,
        currency="USD",
        amount=Decimal("650.00"),
        reference="INV-3 and more",
    )
    PaymentApplication.objects.create(
        payment=payment,
        invoice=invoices["INV-3"],
        amount=Decimal("500.00"),
        applied_on=today - 50 * day,
    )
    ups, fibre = world.product_ups, world.product_fibre
    orders = {
        "SO-1": _order("SO-1", east, booked=today, lines=[(ups, "2", "1500.00")]),
        "SO-2": _order("SO-2", west, booked=today, lines=[(fibre, "1", "1200.00")]),
        "SO-3": _order(
            "SO-3", east, booked=today, lines=[(ups, "1", "1500.00")], status="cancelled"
        ),
        "SO-4": _order(
            "SO-4",
            child,
            booked=today,
            lines=[(fibre, "3", "1100.10")],
            distributor=world.distributor,
        ),
    }
    return Ledger(today=today, invoices=invoices, orders=orders, payment=payment)


@pytest.fixture
def ledger(world):
    return ledger_build(world)
