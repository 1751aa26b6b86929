"""The one definition of overdue: open, a balance left, due before the day."""

import datetime as dt
from decimal import Decimal

import pytest

from revdesk.receivables.choices import InvoiceStatus
from revdesk.receivables.models import Invoice

DAY = dt.date(2026, 11, 29)


def _invoice(world, number, *, due, balance="100.00", status=InvoiceStatus.OPEN):
    return Invoice.objects.create(
        number=number,
        customer=world.customer_east,
        issued_on=due - dt.timedelta(days=30),
        due_on=due,
        currency="USD",
        amount=Decimal("100.00"),
        balance=Decimal(balance),
        status=status,
    )


@pytest.mark.parametrize(
    ("due", "balance", "status", "days"),
    [
        (dt.date(2026, 11, 28), "100.00", InvoiceStatus.OPEN, 1),
        (dt.date(2026, 9, 30), "0.01", InvoiceStatus.OPEN, 60),
        (DAY, "100.00", InvoiceStatus.OPEN, None),  # due today is not late yet
        (dt.date(2026, 1, 1), "0.00", InvoiceStatus.PAID, None),
        (dt.date(2026, 1, 1), "100.00", InvoiceStatus.CANCELLED, None),
    ],
)
def test_days_overdue_and_the_queryset_agree(world, due, balance, status, days):
    invoice = _invoice(world, "INV-X", due=due, balance=balance, status=status)
    assert invoice.days_overdue_on(DAY) == days
    overdue = Invoice.objects.filter(Invoice.overdue_q(DAY))
    assert list(overdue.values_list("number", flat=True)) == (["INV-X"] if days else [])
