"""The worked receivables cases through the database-backed reports (receivables.reports):
the ledger as saved, aged by the engine on any day, to the cent, for whom may see it."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from revdesk.cases.models import Case, CaseType, Team
from revdesk.parties.models import Customer
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication
from revdesk.receivables.reports import (
    aging_items,
    aging_report,
    kpi_report,
    top_past_due_report,
)
from revdesk.receivables.services import invoice_balances_refresh

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "receivables"
OCT_31 = dt.date(2026, 10, 31)
D = Decimal

pytestmark = pytest.mark.django_db


def _csv(path: Path) -> list[dict]:
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


def _example_01(world) -> dict[str, Customer]:
    """open_items.csv as a ledger: INV-8 (1500.00) is 800.00 open after a payment of 700.00
    applied on 20 October; CM-1 is a credit memo on no invoice."""
    customers = {
        "C1": _customer("C1", world.users["collector"]),
        "C2": _customer("C2", world.users["collector2"], is_key_account=True),
    }
    for row in _csv(SHARED / "01-aging-and-top-past-due" / "open_items.csv"):
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


def test_01_aging_and_top_past_due_from_the_ledger(world):
    _example_01(world)
    admin = world.users["admin"]
    report = aging_report(user=admin, as_of=OCT_31, by="company")
    (row,) = report.rows
    expected = {
        r["bucket"]: D(r["amount"])
        for r in _csv(SHARED / "01-aging-and-top-past-due" / "expected_buckets.csv")
    }
    assert {label: row[label] for label in expected} == expected
    assert report.totals == report.rows

    top = top_past_due_report(user=admin, as_of=OCT_31)
    got = [
        {
            "rank": str(r.rank),
            "customer": r.code,
            "past_due": str(r.past_due),
            "oldest_days_past_due": str(r.oldest_days_past_due),
            "net_open": str(r.net_open),
        }
        for r in top.rows
    ]
    assert got == _csv(SHARED / "01-aging-and-top-past-due" / "expected_top_past_due.csv")
    assert [(r.name, r.is_key_account, r.collector) for r in top.rows] == [
        ("Customer C2", True, "collector2"),
        ("Customer C1", False, "collector"),
    ]


def test_aging_on_an_earlier_day_is_that_days_aging(world):
    _example_01(world)
    admin = world.users["admin"]
    # on 19 October the payment on INV-8 had not come: 1500.00 open, 108 days past due,
    # beside INV-7 (7000.00, 109 days: not yet over 120)
    rows = aging_report(user=admin, as_of=dt.date(2026, 10, 19)).rows
    c2 = next(r for r in rows if r["customer"] == "C2")
    assert (c2["91-120"], c2["over-120"], c2["open_credits"], c2["net"]) == (
        D("8500.00"),
        D("0.00"),
        D("-500.00"),
        D("19000.00"),
    )
    # INV-1 (issued 16 October) did not exist on 15 October
    c1 = next(
        r
        for r in aging_report(user=admin, as_of=dt.date(2026, 10, 15)).rows
        if r["customer"] == "C1"
    )
    assert (c1["net"], c1["items"]) == (D("9000.00"), 3)


def test_a_collector_sees_their_portfolio_only(world):
    _example_01(world)
    rows = aging_report(user=world.users["collector"], as_of=OCT_31).rows
    assert [(r["customer"], r["net"]) for r in rows] == [("C1", D("10000.00"))]
    # the senior collector leads `collector`: C1; collector2 is on no team
    rows = aging_report(user=world.users["lead"], as_of=OCT_31, by="collector").rows
    assert [(r["collector"], r["past_due"]) for r in rows] == [("collector", D("7000.00"))]
    assert top_past_due_report(user=world.users["rep"], as_of=OCT_31).rows == []


def test_every_aging_figure_lists_its_items(world):
    _example_01(world)
    admin = world.users["admin"]
    items = aging_items(user=admin, as_of=OCT_31, by="customer", key="C2", bucket="91-120")
    assert [(i["document"], i["amount"], i["days_past_due"]) for i in items] == [
        ("INV-8", D("800.00"), 120)
    ]
    everything = aging_items(user=admin, as_of=OCT_31, by="company", key="", bucket=None)
    assert sum(i["amount"] for i in everything) == D("28300.00")


def test_top_past_due_shows_open_disputes(world):
    customers = _example_01(world)
    from revdesk.cases.registry import case_types_sync

    case_types_sync()
    dispute = CaseType.objects.get(code="ar_dispute")
    team = Team.objects.first() or dispute.default_team
    Case.objects.create(
        number="CS-1",
        case_type=dispute,
        title="Price on INV-6",
        team=team,
        customer=customers["C2"],
        amount=D("1200.00"),
        currency="USD",
        opened_at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC),
    )
    (c2, c1) = top_past_due_report(user=world.users["admin"], as_of=OCT_31).rows
    assert (c2.disputed, c2.open_disputes) == (D("1200.00"), 1)
    assert (c1.disputed, c1.open_disputes) == (D("0.00"), 0)


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


def test_02_kpis_from_the_ledger(world):
    """inputs.csv as a ledger: 200,000 open on 30 June; sales of 120,000, 90,000 and 150,000
    in July, August and September; 310,000 collected; the September invoice not yet due."""
    c = _customer("K1", world.users["collector"])
    june = _invoice(c, "K-06", "2026-06-15", "2026-07-15", "200000.00")
    july = _invoice(c, "K-07", "2026-07-10", "2026-08-09", "120000.00")
    _invoice(c, "K-08", "2026-08-10", "2026-09-09", "90000.00")
    _invoice(c, "K-09", "2026-09-10", "2026-10-10", "150000.00")
    _paid(c, "KP-1", june, "2026-07-20", "200000.00")
    _paid(c, "KP-2", july, "2026-08-25", "110000.00")
    (row,) = kpi_report(user=world.users["admin"], first="2026-07", last="2026-09")
    expected = {r["kpi"]: D(r["value"]) for r in _csv(SHARED / "02-kpis" / "expected.csv")}
    assert row.figures.values == expected
    assert (row.currency, row.sales, row.ar_begin, row.ar_end, row.ar_end_current) == (
        "USD",
        D("360000.00"),
        D("200000.00"),
        D("250000.00"),
        D("150000.00"),
    )
    (mine,) = kpi_report(
        user=world.users["collector"], first="2026-07", last="2026-09", by="collector"
    )
    assert (mine.key, mine.figures.values["dso_countback"]) == ("collector", D("63.58"))
