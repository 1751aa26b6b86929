"""The worked receivables cases of ../shared/examples/receivables as saved ledgers, for the
tests of the database-backed reports and pages."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from revdesk.parties.models import Customer
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication
from revdesk.receivables.services import invoice_balances_refresh

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "receivables"
D = Decimal


def csv_rows(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _customer(code, collector, **extra) -> Customer:
    return Customer.objects.create(
        code=code,
        name=f"Customer {code}",
        country="US",
        currency="USD",
        collector=collector,
        **extra,
    )


def example_01_build(world) -> dict[str, Customer]:
    """open_items.csv as a ledger: INV-8 (1500.00) is 800.00 open after a payment of 700.00
    applied on 20 October; CM-1 is a credit memo on no invoice."""
    customers = {
        "C1": _customer("C1", world.users["collector"]),
        "C2": _customer("C2", world.users["collector2"], is_key_account=True),
    }
    for row in csv_rows(SHARED / "01-aging-and-top-past-due" / "open_items.csv"):
        customer = customers[row["customer"]]
        issued = dt.date.fromisoformat(row["invoice_date"])
        if row["type"] == "credit_memo":
            CreditMemo.objects.create(
                number=row["document"],
                customer=customer,
                issued_on=issued,
                currency="USD",
                amount=-D(row["original_amount"]),
            )
            continue
        Invoice.objects.create(
            number=row["document"],
            customer=customer,
            issued_on=issued,
            due_on=dt.date.fromisoformat(row["due_date"]),
            currency="USD",
            amount=D(row["original_amount"]),
            balance=D(row["original_amount"]),
        )
    payment = Payment.objects.create(
        number="RCPT-8",
        customer=customers["C2"],
        received_on=dt.date(2026, 10, 20),
        currency="USD",
        amount=D("700.00"),
    )
    invoice = Invoice.objects.get(number="INV-8")
    PaymentApplication.objects.create(
        payment=payment, invoice=invoice, amount=D("700.00"), applied_on=dt.date(2026, 10, 20)
    )
    invoice_balances_refresh(invoice_ids=[invoice.pk])
    return customers


def _invoice(customer, number, issued, due, amount):
    return Invoice.objects.create(
        number=number,
        customer=customer,
        issued_on=dt.date.fromisoformat(issued),
        due_on=dt.date.fromisoformat(due),
        currency="USD",
        amount=D(amount),
        balance=D(amount),
    )


def _paid(customer, number, invoice, day, amount):
    payment = Payment.objects.create(
        number=number,
        customer=customer,
        received_on=dt.date.fromisoformat(day),
        currency="USD",
        amount=D(amount),
    )
    PaymentApplication.objects.create(
        payment=payment, invoice=invoice, amount=D(amount), applied_on=payment.received_on
    )
    invoice_balances_refresh(invoice_ids=[invoice.pk])


def example_02_build(world) -> Customer:
    """02-kpis/inputs.csv as a ledger: 200,000 open on 30 June; sales of 120,000, 90,000 and
    150,000 in July, August and September; 310,000 collected; September's not yet due."""
    c = _customer("K1", world.users["collector"])
    june = _invoice(c, "K-06", "2026-06-15", "2026-07-15", "200000.00")
    july = _invoice(c, "K-07", "2026-07-10", "2026-08-09", "120000.00")
    _invoice(c, "K-08", "2026-08-10", "2026-09-09", "90000.00")
    _invoice(c, "K-09", "2026-09-10", "2026-10-10", "150000.00")
    _paid(c, "KP-1", june, "2026-07-20", "200000.00")
    _paid(c, "KP-2", july, "2026-08-25", "110000.00")
    return c
