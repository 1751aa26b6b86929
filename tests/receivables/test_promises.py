"""Promises to pay on the database: made, evaluated every day (the worked case 03), a broken
one's follow-up task, cancelled; and portfolio assignments with their history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from receivables.examples import SHARED, csv_rows
from revdesk.foundation.models import ChangeRecord
from revdesk.parties.models import Customer
from revdesk.receivables.activities import (
    activity_log,
    collector_on,
    portfolio_assign,
    promise_cancel,
    promise_make,
    promises_evaluate,
)
from revdesk.receivables.choices import ActivityKind, PromiseStatus
from revdesk.receivables.models import Activity, Payment, PortfolioAssignment, PromiseToPay

CASE = SHARED / "03-promises"
D = Decimal

pytestmark = pytest.mark.django_db


def _customer(code, collector) -> Customer:
    return Customer.objects.create(
        code=code, name=f"Customer {code}", country="US", currency="USD", collector=collector
    )


def _case_03(world) -> dict[str, PromiseToPay]:
    customers = {
        "C1": _customer("C1", world.users["collector"]),
        "C2": _customer("C2", world.users["collector2"]),
    }
    for index, row in enumerate(csv_rows(CASE / "payments.csv")):
        Payment.objects.create(
            number=f"R-{index}",
            customer=customers[row["customer"]],
            received_on=dt.date.fromisoformat(row["date"]),
            currency=row["currency"],
            amount=D(row["amount"]),
        )
    made = {}
    for row in csv_rows(CASE / "promises.csv"):
        made[row["promise"]] = promise_make(
            actor=world.users["collector"],
            customer=customers[row["customer"]],
            amount=D(row["amount"]),
            currency=row["currency"],
            promised_on=dt.date.fromisoformat(row["promised_date"]),
            made_on=dt.date.fromisoformat(row["made_on"]),
            grace_days=2,
        )
    return made


def test_03_promises_evaluated_every_day_from_the_database(world):
    made = _case_03(world)
    names = {promise.number: name for name, promise in made.items()}
    for day in range(1, 32):
        on = dt.date(2026, 10, day)
        result = promises_evaluate(on=on)
        changed = [names[p.number] for p in result.kept + result.broken]
        assert changed == {13: ["PTP-2"], 21: ["PTP-1"]}.get(day, [])
    got = {
        names[p.number]: (p.status, p.status_on.isoformat(), f"{p.received}", f"{p.shortfall}")
        for p in PromiseToPay.objects.all()
    }
    expected = {
        r["promise"]: (r["status"], r["status_date"], r["received"], r["shortfall"])
        for r in csv_rows(CASE / "expected.csv")
    }
    assert got == expected


def test_a_broken_promise_gives_its_collector_one_task(world):
    made = _case_03(world)
    promises_evaluate(on=dt.date(2026, 10, 13))
    promises_evaluate(on=dt.date(2026, 10, 14))  # again: nothing new
    (task,) = Activity.objects.filter(kind=ActivityKind.TASK)
    assert task.promise == made["PTP-2"]
    assert task.assigned_to == world.users["collector2"]
    assert task.next_action_on == dt.date(2026, 10, 13)
    assert task.subject == f"Promise {made['PTP-2'].number} broken: 3,000.00 USD short"
    assert "received 1,000.00 by 2026-10-12" in task.body
    # the status change is audited
    record = ChangeRecord.objects.filter(object_id=str(made["PTP-2"].pk), action="update").get()
    assert (record.before["status"], record.after["status"]) == ("open", "broken")


def test_a_payment_before_the_promise_was_made_does_not_keep_it(world):
    c = _customer("C9", world.users["collector"])
    Payment.objects.create(
        number="R-9", customer=c, received_on=dt.date(2026, 10, 1), currency="USD", amount=D(500)
    )
    promise = promise_make(
        actor=None,
        customer=c,
        amount=D("500.00"),
        promised_on=dt.date(2026, 10, 5),
        made_on=dt.date(2026, 10, 2),
        grace_days=0,
    )
    promises_evaluate(on=dt.date(2026, 10, 6))
    promise.refresh_from_db()
    assert (promise.status, promise.received, promise.shortfall) == ("broken", D("0.00"), D(500))


def test_promises_refuse_what_does_not_fit(world):
    c = _customer("C9", world.users["collector"])
    with pytest.raises(ValidationError) as caught:
        promise_make(
            actor=None,
            customer=c,
            amount=D("10.00"),
            promised_on=dt.date(2026, 10, 1),
            made_on=dt.date(2026, 10, 2),
        )
    assert caught.value.message_dict == {
        "promised_on": ["The promised date is before the day it was made (2026-10-02)."]
    }
    promise = promise_make(
        actor=None,
        customer=c,
        amount=D("10.00"),
        promised_on=dt.date(2026, 10, 9),
        made_on=dt.date(2026, 10, 2),
    )
    with pytest.raises(ValidationError, match="Say why"):
        promise_cancel(actor=None, promise=promise, reason=" ")
    promise_cancel(actor=None, promise=promise, reason="Customer disputes INV-1 instead")
    assert promise.status == PromiseStatus.CANCELLED
    assert promises_evaluate(on=dt.date(2026, 10, 20)).broken == []  # cancelled stays so


def test_an_activity_with_a_next_action_is_a_task_for_the_collector(world):
    customer = world.customer_east
    activity = activity_log(
        actor=world.users["collector"],
        customer=customer,
        kind=ActivityKind.CALL,
        subject="Called AP about INV-1",
        outcome="voicemail",
        next_action="Call again",
        next_action_on=dt.date(2026, 12, 2),
    )
    assert activity.assigned_to == world.users["collector"]
    with pytest.raises(ValidationError) as caught:
        activity_log(
            actor=None,
            customer=customer,
            kind=ActivityKind.NOTE,
            subject="x",
            next_action_on=dt.date(2026, 12, 2),
        )
    assert caught.value.message_dict == {"next_action": ["Say what is next, for the date given."]}


def test_portfolio_assignment_keeps_its_history(world):
    east, child = world.customer_east, world.customer_east_child
    # the world's customers were given to `collector` before any history was kept
    first = timezone.localdate()
    changed = portfolio_assign(
        actor=world.users["lead"],
        customers=[east],
        collector=world.users["collector2"],
        on=first + dt.timedelta(days=1),
        hierarchy=True,
    )
    assert [c.code for c in changed] == ["C-1000", "C-1001"]  # the parent and its child
    east.refresh_from_db()
    assert east.collector == world.users["collector2"]
    history = list(
        PortfolioAssignment.objects.filter(customer=east)
        .order_by("valid_from")
        .values_list("collector__username", "valid_from", "valid_to")
    )
    after = first + dt.timedelta(days=1)
    assert history == [("collector", first, first), ("collector2", after, None)]
    assert collector_on(east, first) == world.users["collector"]
    assert collector_on(child, after) == world.users["collector2"]
    assert portfolio_assign(actor=None, customers=[east], collector=world.users["collector2"]) == []
