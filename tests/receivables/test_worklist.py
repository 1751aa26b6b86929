"""The collector's worklist: who is on it, the score and its parts, what to do next and why;
and the daily job that evaluates promises and predicts pay dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from revdesk.parties.models import Customer
from revdesk.receivables.activities import activity_log, promise_make
from revdesk.receivables.choices import ActivityKind
from revdesk.receivables.models import (
    CollectionsDay,
    DunningStrategy,
    Invoice,
    Payment,
    PaymentApplication,
)
from revdesk.receivables.services import invoice_balances_refresh
from revdesk.receivables.worklist import collections_daily, worklist

ON = dt.date(2026, 11, 20)
D = Decimal

pytestmark = pytest.mark.django_db


def _customer(code, collector, **extra) -> Customer:
    return Customer.objects.create(
        code=code,
        name=f"Customer {code}",
        country="US",
        currency="USD",
        collector=collector,
        **extra,
    )


def _invoice(customer, number, due, amount, *, issued=None, po="x"):
    return Invoice.objects.create(
        number=number,
        customer=customer,
        issued_on=issued or due - dt.timedelta(days=30),
        due_on=due,
        currency="USD",
        amount=D(amount),
        balance=D(amount),
        po_number=po,
    )


@pytest.fixture
def desk(world):
    # the worklist alone: no dunning here (tests/receivables/test_dunning.py)
    DunningStrategy.objects.all().delete()
    collector = world.users["collector"]
    a = _customer("A", collector, is_key_account=True)
    b = _customer("B", collector)
    c = _customer("C", collector)
    d = _customer("D", collector)
    e = _customer("E", world.users["collector2"])
    _invoice(a, "INV-A1", ON - dt.timedelta(days=45), "10000.00")
    _invoice(a, "INV-A2", ON + dt.timedelta(days=3), "2000.00")
    _invoice(b, "INV-B1", ON - dt.timedelta(days=5), "500.00")
    _invoice(c, "INV-C1", ON + dt.timedelta(days=5), "1000.00")
    _invoice(d, "INV-D1", ON + dt.timedelta(days=20), "9000.00")  # beyond the horizon
    _invoice(e, "INV-E1", ON - dt.timedelta(days=60), "9000.00")  # another portfolio
    promise_make(
        actor=collector,
        customer=b,
        amount=D("300.00"),
        promised_on=ON - dt.timedelta(days=6),
        made_on=ON - dt.timedelta(days=10),
        grace_days=1,
    )
    collections_daily(on=ON)  # PTP broken on the 15th: a task for `collector`
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def test_the_worklist_ranks_and_explains(world, desk):
    rows = worklist(user=world.users["collector"], on=ON)
    assert [row.customer.code for row in rows] == ["A", "B", "C"]
    a, b, c = rows
    assert a.parts == [
        ("amount at risk", D("20.4")),  # 10,000 overdue + half of 2,000 coming due: 11,000
        ("45 days past due", D("10.0")),
        ("key account", D("5")),
    ]
    assert a.score == D("35.4")
    assert (a.next_action, a.why) == ("Call", "1 overdue invoice (10,000.00 USD), no contact yet")
    assert [(i.number, i.days_past_due) for i in a.items] == [("INV-A1", 45), ("INV-A2", -3)]
    # 500 at risk, 5 days late, one broken promise
    assert b.parts == [
        ("amount at risk", D("7.0")),
        ("5 days past due", D("1.1")),
        ("1 broken promise", D("7.5")),
    ]
    assert b.next_action == "Call about the broken promise"
    assert b.why.endswith("broken: 300.00 USD short (due 2026-11-16)")
    assert (c.next_action, c.why) == ("Send a reminder", "INV-C1 falls due on 2026-11-25")


def test_a_recent_call_turns_call_into_follow_up(world, desk):
    activity_log(
        actor=world.users["collector"],
        customer=desk["A"],
        kind=ActivityKind.CALL,
        subject="AP says the cheque is in the post",
        occurred_at=dt.datetime(2026, 11, 18, 10, tzinfo=dt.UTC),
    )
    (a,) = [
        row for row in worklist(user=world.users["collector"], on=ON) if row.customer.code == "A"
    ]
    assert a.next_action == "Follow up"
    assert a.why == (
        "1 overdue invoice (10,000.00 USD); call on 2026-11-18: AP says the cheque is in the post"
    )


def test_a_missing_po_number_is_the_next_action(world, desk):
    parent = _customer("P", world.users["collector"], requires_po=True)
    child = _customer("P1", world.users["collector"], parent=parent)  # inherits the rule
    _invoice(child, "INV-P1", ON - dt.timedelta(days=10), "800.00", po="")
    (row,) = [r for r in worklist(user=world.users["collector"], on=ON) if r.customer == child]
    assert row.items[0].missing == ["PO number"]
    assert (row.next_action, row.why) == (
        "Get the PO number for INV-P1",
        "P1 pays an invoice only with its PO number",
    )


def test_a_collector_sees_only_their_portfolio_and_a_lead_their_team(world, desk):
    assert [r.customer.code for r in worklist(user=world.users["collector2"], on=ON)] == ["E"]
    lead_rows = worklist(user=world.users["lead"], on=ON, collector=world.users["collector"])
    assert [r.customer.code for r in lead_rows] == ["A", "B", "C"]


def test_the_daily_job_predicts_pay_dates_from_history(world):
    collector = world.users["collector"]
    late = _customer("LATE", collector)
    for month in range(1, 11):
        due = dt.date(2026, month, 10)
        invoice = _invoice(late, f"L-{month}", due, "100.00")
        payment = Payment.objects.create(
            number=f"LP-{month}",
            customer=late,
            received_on=due + dt.timedelta(days=20),
            currency="USD",
            amount=D("100.00"),
        )
        PaymentApplication.objects.create(
            payment=payment, invoice=invoice, amount=D("100.00"), applied_on=payment.received_on
        )
        invoice_balances_refresh(invoice_ids=[invoice.pk])
    open_invoice = _invoice(late, "L-11", dt.date(2026, 11, 10), "100.00")
    day = collections_daily(on=ON)
    open_invoice.refresh_from_db()
    # ten invoices, each paid 20 days late; too few to train on: the segment's median
    assert (open_invoice.predicted_pay_on, open_invoice.predicted_by) == (
        dt.date(2026, 11, 30),
        "segment",
    )
    assert (day.predictions, day.trained_on) == (1, 10)
    assert CollectionsDay.objects.count() == 1
    (row,) = worklist(user=collector, on=ON)
    assert ("predicted 20 days late", D("6.7")) in row.parts


def test_the_stored_worklist_follows_the_account(world, desk):
    from revdesk.receivables.models import WorklistEntry
    from revdesk.receivables.worklist import worklist_entries

    # the daily job (in the fixture) stored every portfolio's rows
    rows = worklist_entries(user=world.users["collector"])
    assert [(e.customer.code, e.score, e.next_action) for e in rows] == [
        ("A", D("35.4"), "Call"),
        ("B", D("15.6"), "Call about the broken promise"),
        ("C", D("7.0"), "Send a reminder"),
    ]
    assert rows[0].parts == [
        ["amount at risk", "20.4"],
        ["45 days past due", "10.0"],
        ["key account", "5"],
    ]
    assert [i["number"] for i in rows[0].items] == ["INV-A1", "INV-A2"]
    # the senior collector leads `collector` only; an administrator sees every portfolio
    assert [e.customer.code for e in worklist_entries(user=world.users["lead"])] == ["A", "B", "C"]
    everyone = worklist_entries(user=world.users["admin"])
    assert [(e.customer.code, e.score) for e in everyone] == [
        ("A", D("35.4")),
        ("E", D("32.8")),  # 9,000.00 overdue (19.5), 60 days (13.3)
        ("B", D("15.6")),
        ("C", D("7.0")),
    ]
    # logging a call works the account's row out again at once
    activity_log(
        actor=world.users["collector"],
        customer=desk["A"],
        kind=ActivityKind.CALL,
        subject="AP says next week",
        occurred_at=timezone.now(),
    )
    entry = WorklistEntry.objects.get(customer=desk["A"])
    assert entry.next_action == "Follow up"


def test_the_rows_read_by_collector_are_those_of_the_scope_rule(world, desk):
    """worklist_entries reads a collector's rows by the row's collector; for every login of
    the world that must be exactly the rows of the customers the scope rule lets them see."""
    from revdesk.foundation.scoping import restrict
    from revdesk.receivables.models import WorklistEntry
    from revdesk.receivables.worklist import worklist_entries

    for name, user in world.users.items():
        visible = restrict(Customer.objects.all(), user)
        expected = set(
            WorklistEntry.objects.filter(customer__in=visible).values_list("pk", flat=True)
        )
        assert {e.pk for e in worklist_entries(user=user)} == expected, name
