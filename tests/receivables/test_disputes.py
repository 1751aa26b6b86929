"""Disputes on invoices: opened for part of an invoice (the rest stays collectible), and what
their resolution does to the balance: a credit memo, a rebill, a write-off, or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from revdesk.cases.choices import Outcome, Status
from revdesk.cases.services import case_transition
from revdesk.receivables.choices import ActivityKind
from revdesk.receivables.disputes import dispute_open, disputed_amounts
from revdesk.receivables.models import Activity, CreditMemo, Invoice, WriteOff
from revdesk.receivables.reports import aging_report

D = Decimal
NOW = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(world):
    return Invoice.objects.create(
        number="INV-D1",
        customer=world.customer_east,
        issued_on=dt.date(2026, 9, 1),
        due_on=dt.date(2026, 10, 1),
        currency="USD",
        amount=D("1000.00"),
        balance=D("1000.00"),
    )


def _resolve(case, outcome, world):
    return case_transition(
        case,
        Status.RESOLVED,
        actor=world.users["admin"],
        note="Agreed with AP",
        outcome=outcome,
        now=NOW,
    )


def test_a_dispute_covers_part_of_the_invoice(invoice, world):
    case = dispute_open(
        actor=world.users["collector"],
        invoice=invoice,
        reason="pricing",
        amount=D("250.00"),
        description="Billed at list price, not the contract price",
    )
    assert (case.case_type.code, case.amount, case.currency, case.customer) == (
        "ar_dispute",
        D("250.00"),
        "USD",
        world.customer_east,
    )
    assert disputed_amounts([invoice.pk]) == {invoice.pk: D("250.00")}
    note = Activity.objects.get(kind=ActivityKind.NOTE)
    assert note.subject == f"AR dispute {case.number} opened on INV-D1: 250.00 USD"
    with pytest.raises(ValidationError) as caught:
        dispute_open(actor=None, invoice=invoice, reason="tax", amount=D("800.00"))
    assert caught.value.message_dict == {
        "amount": [
            "800.00 is more than is open on INV-D1 (1,000.00, of which 250.00 already disputed)"
        ]
    }


def test_resolved_with_a_credit_memo_the_balance_follows(invoice, world):
    case = dispute_open(actor=None, invoice=invoice, reason="pricing", amount=D("250.00"))
    _resolve(case, Outcome.CREDIT_MEMO, world)
    invoice.refresh_from_db()
    assert invoice.balance == D("750.00")
    memo = CreditMemo.objects.get()
    assert (memo.number, memo.amount, memo.invoice) == (f"CM-{case.number}", D("250.00"), invoice)
    assert disputed_amounts([invoice.pk]) == {}  # the case is done
    rows = aging_report(user=world.users["admin"], as_of=dt.date(2026, 11, 20)).rows
    assert next(r for r in rows if r["customer"] == "C-1000")["net"] == D("750.00")


def test_resolved_as_a_write_off(invoice, world):
    case = dispute_open(
        actor=None, invoice=invoice, reason="damaged", amount=D("100.00"), case_type="deduction"
    )
    _resolve(case, Outcome.WRITE_OFF, world)
    invoice.refresh_from_db()
    assert invoice.balance == D("900.00")
    write_off = WriteOff.objects.get()
    assert (write_off.number, write_off.amount, write_off.case) == (
        "WO-INV-D1-1",
        D("100.00"),
        case,
    )
    # on a day before the write-off the aging still had it open
    before = aging_report(user=world.users["admin"], as_of=dt.date(2026, 11, 1)).rows
    assert next(r for r in before if r["customer"] == "C-1000")["net"] == D("1000.00")


def test_customer_to_pay_changes_nothing_and_a_rebill_leaves_a_task(invoice, world):
    first = dispute_open(actor=None, invoice=invoice, reason="quantity", amount=D("200.00"))
    _resolve(first, Outcome.CUSTOMER_TO_PAY, world)
    invoice.refresh_from_db()
    assert invoice.balance == D("1000.00")
    second = dispute_open(actor=None, invoice=invoice, reason="pricing", amount=D("300.00"))
    _resolve(second, Outcome.REBILL, world)
    invoice.refresh_from_db()
    assert invoice.balance == D("700.00")
    task = Activity.objects.get(kind=ActivityKind.TASK)
    assert task.subject == f"Rebill INV-D1 ({second.number})"
    assert task.assigned_to == world.users["collector"]
