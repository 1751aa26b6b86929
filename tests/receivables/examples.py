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


def _receipt(customer, number, day, amount) -> Payment:
    """A receipt in USD (customer None: not matched to a customer yet)."""
    return Payment.objects.create(
        number=number,
        customer=customer,
        received_on=dt.date.fromisoformat(day),
        currency="USD",
        amount=D(amount),
    )


def _paid(customer, number, invoice, day, amount):
    payment = _receipt(customer, number, day, amount)
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


def _dispute(number, customer, amount, opened, resolved=None):
    """A dispute case on `customer` for `amount`, opened (and resolved) at noon UTC."""
    from revdesk.cases.models import Case, CaseType
    from revdesk.cases.registry import case_types_sync

    case_types_sync()
    kind = CaseType.objects.get(code="ar_dispute")
    noon = dt.time(12, tzinfo=dt.UTC)
    return Case.objects.create(
        number=number,
        case_type=kind,
        title=f"Dispute {number}",
        team=kind.default_team,
        customer=customer,
        amount=D(amount),
        currency="USD",
        opened_at=dt.datetime.combine(dt.date.fromisoformat(opened), noon),
        status="resolved" if resolved else "new",
        resolved_at=dt.datetime.combine(dt.date.fromisoformat(resolved), noon)
        if resolved
        else None,
    )


def example_kpis_build(world) -> dict[str, Customer]:
    """The 02-kpis ledger (K1: the collector's, US-EAST) and beside it, worked by hand for
    % current, unapplied cash and dispute aging at the end of September 2026:

    K2 (collector2, US-WEST): W-1 10,000.00 issued 1 Aug due 31 Aug; RW-1 7,500.00 received
    10 Sep, 6,000.00 applied to W-1 on 12 Sep (4,000.00 of W-1 past due, 1,500.00 of RW-1
    unapplied at the end) and 1,000.00 to W-2 on 3 Oct (after the end: still unapplied then);
    W-2 3,000.00 issued 20 Sep due 20 Oct (current); RW-2 2,000.00 received 2 Oct (after).
    U-1 2,500.00 received 25 Sep from no known customer.

    % current: K1 150,000 / 250,000 = 60.00; K2 3,000 / 7,000 = 42.86; company 153,000 /
    257,000 = 59.53. Unapplied cash: K1 0.00, K2 1,500.00, company 4,000.00 (with U-1).

    Disputes: CS-1 K1 1,200.00 opened 30 Sep (0 days), CS-6 K1 450.25 opened 15 Jul resolved
    5 Oct (77 days), CS-2 K2 2,000.00 opened 30 Aug (31 days), CS-3 K2 500.00 opened 1 Jun
    (121 days); not open at the end: CS-4 K1 999.00 (resolved 30 Sep), CS-5 K2 300.00
    (opened 1 Oct)."""
    k1 = example_02_build(world)
    k1.territory = world.territory_east
    k1.save()
    k2 = _customer("K2", world.users["collector2"], territory=world.territory_west)
    w1 = _invoice(k2, "W-1", "2026-08-01", "2026-08-31", "10000.00")
    w2 = _invoice(k2, "W-2", "2026-09-20", "2026-10-20", "3000.00")
    receipt = _receipt(k2, "RW-1", "2026-09-10", "7500.00")
    PaymentApplication.objects.create(
        payment=receipt, invoice=w1, amount=D("6000.00"), applied_on=dt.date(2026, 9, 12)
    )
    PaymentApplication.objects.create(
        payment=receipt, invoice=w2, amount=D("1000.00"), applied_on=dt.date(2026, 10, 3)
    )
    _receipt(k2, "RW-2", "2026-10-02", "2000.00")
    _receipt(None, "U-1", "2026-09-25", "2500.00")
    invoice_balances_refresh(invoice_ids=[w1.pk, w2.pk])
    _dispute("CS-1", k1, "1200.00", "2026-09-30")
    _dispute("CS-2", k2, "2000.00", "2026-08-30")
    _dispute("CS-3", k2, "500.00", "2026-06-01")
    _dispute("CS-4", k1, "999.00", "2026-07-01", resolved="2026-09-30")
    _dispute("CS-5", k2, "300.00", "2026-10-01")
    _dispute("CS-6", k1, "450.25", "2026-07-15", resolved="2026-10-05")
    return {"K1": k1, "K2": k2}
