import datetime as dt
from decimal import Decimal

from revdesk.receivables.choices import InvoiceStatus
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication
from revdesk.receivables.services import invoice_balances_refresh

DAY = dt.date(2026, 1, 5)


def _invoice(world, number, amount, balance="0.00"):
    return Invoice.objects.create(
        number=number,
        customer=world.customer_east,
        issued_on=DAY,
        due_on=DAY + dt.timedelta(days=30),
        currency="USD",
        amount=Decimal(amount),
        balance=Decimal(balance),
    )


def test_balance_is_amount_minus_applications_and_credits(world):
    partly = _invoice(world, "INV-1", "1000.00")
    settled = _invoice(world, "INV-2", "250.10", balance="250.10")
    untouched = _invoice(world, "INV-3", "99.99", balance="99.99")
    payment = Payment.objects.create(
        number="P-1",
        customer=world.customer_east,
        received_on=DAY,
        currency="USD",
        amount=Decimal("600.20"),
    )
    PaymentApplication.objects.create(
        payment=payment, invoice=partly, amount=Decimal("400.10"), applied_on=DAY
    )
    PaymentApplication.objects.create(
        payment=payment, invoice=settled, amount=Decimal("200.10"), applied_on=DAY
    )
    CreditMemo.objects.create(
        number="CM-1",
        customer=world.customer_east,
        invoice=partly,
        issued_on=DAY,
        currency="USD",
        amount=Decimal("0.20"),
    )
    CreditMemo.objects.create(
        number="CM-2",
        customer=world.customer_east,
        invoice=settled,
        issued_on=DAY,
        currency="USD",
        amount=Decimal("50.00"),
    )

    invoice_balances_refresh(invoice_ids=iter([partly.pk, settled.pk, untouched.pk, partly.pk]))

    rows = {i.number: (i.balance, i.status) for i in Invoice.objects.all()}
    assert rows == {
        "INV-1": (Decimal("599.70"), InvoiceStatus.OPEN),
        "INV-2": (Decimal("0.00"), InvoiceStatus.PAID),
        "INV-3": (Decimal("99.99"), InvoiceStatus.OPEN),
    }


def test_cancelled_invoice_keeps_its_status(world):
    invoice = _invoice(world, "INV-9", "10.00")
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.CANCELLED)
    invoice_balances_refresh(invoice_ids=[invoice.pk])
    invoice.refresh_from_db()
    assert (invoice.balance, invoice.status) == (Decimal("10.00"), InvoiceStatus.CANCELLED)
