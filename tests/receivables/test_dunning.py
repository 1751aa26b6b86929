"""Dunning: levels in order, never skipped, one a day; paused by a promise or a dispute; a
level that cannot be sent is not done and gives the collector a task; back to the first level
once nothing is overdue. Run by the daily job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from revdesk.parties.models import BillingContact, Customer
from revdesk.receivables.activities import promise_make
from revdesk.receivables.choices import ActivityKind
from revdesk.receivables.dunning import dunning_run, dunning_state
from revdesk.receivables.models import (
    Activity,
    DunningState,
    Invoice,
    Payment,
    PaymentApplication,
)
from revdesk.receivables.services import invoice_balances_refresh
from revdesk.receivables.worklist import collections_daily

D = Decimal
DAY = dt.date(2026, 11, 2)

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    customer = Customer.objects.create(
        code="LATE",
        name="Late Payer Inc.",
        country="US",
        currency="USD",
        collector=world.users["collector"],
        segment="mid_market",
    )
    BillingContact.objects.create(
        customer=customer, name="Pat AP", email="ap@late.example", is_primary=True
    )
    invoice = Invoice.objects.create(
        number="INV-L1",
        customer=customer,
        issued_on=DAY - dt.timedelta(days=95),
        due_on=DAY - dt.timedelta(days=65),
        currency="USD",
        amount=D("1200.00"),
        balance=D("1200.00"),
    )
    return customer, invoice


def _subjects(customer):
    return list(
        Activity.objects.filter(customer=customer).order_by("pk").values_list("subject", flat=True)
    )


def test_the_standard_levels_one_a_day_never_skipped(world, late):
    customer, _ = late
    for offset in range(5):
        dunning_run(on=DAY + dt.timedelta(days=offset))
    # 65 to 69 days late: reminder (1), statement (15), call (30), final letter (60); the
    # credit hold (90) not yet
    assert _subjects(customer) == [
        "Dunning level 1: reminder sent to ap@late.example",
        f"Dunning level 2: Statement of {(DAY + dt.timedelta(days=1)).isoformat()} sent to "
        "ap@late.example",
        "Dunning level 3: call",
        "Dunning level 4: final letter sent to ap@late.example",
    ]
    assert [m.subject for m in mail.outbox] == [
        "Payment reminder: Late Payer Inc.",
        f"Statement of account LATE on {(DAY + dt.timedelta(days=1)).isoformat()}",
        "Final notice: Late Payer Inc.",
    ]
    assert "INV-L1 of 2026-07-30, due 2026-08-29: 1,200.00 USD" in mail.outbox[0].body
    assert [name for name, _, _ in mail.outbox[2].attachments] == [
        f"statement-LATE-{(DAY + dt.timedelta(days=3)).isoformat()}.pdf"
    ]
    call = Activity.objects.get(subject="Dunning level 3: call")
    assert (call.kind, call.assigned_to) == (ActivityKind.TASK, world.users["collector"])
    state, following = dunning_state(customer)
    assert (state.level, following.order, following.days_past_due) == (4, 5, 90)


def test_the_same_day_twice_does_one_level(world, late):
    customer, _ = late
    dunning_run(on=DAY)
    dunning_run(on=DAY)
    assert _subjects(customer) == ["Dunning level 1: reminder sent to ap@late.example"]


def test_a_promise_or_a_dispute_pauses_dunning(world, late):
    customer, _ = late
    promise_make(
        actor=None,
        customer=customer,
        amount=D("1200.00"),
        promised_on=DAY + dt.timedelta(days=5),
        made_on=DAY,
    )
    run = dunning_run(on=DAY)
    assert run.done == []
    assert run.paused[0][1].startswith("promise PTP-")
    assert DunningState.objects.get(customer=customer).paused.startswith("promise PTP-")


def test_no_address_no_level_and_a_task_for_the_collector(world, late):
    customer, _ = late
    customer.contacts.all().delete()
    run = dunning_run(on=DAY)
    assert [(c.code, level.order) for c, level, _ in run.blocked] == [("LATE", 1)]
    task = Activity.objects.get(kind=ActivityKind.TASK)
    assert task.subject == "Dunning level 1 (reminder e-mail) not done"
    assert task.next_action == "Add a billing contact with an e-mail address"
    assert DunningState.objects.get(customer=customer).level == 0  # tried again tomorrow


def test_paid_up_starts_again_at_the_first_level(world, late):
    customer, invoice = late
    dunning_run(on=DAY)
    payment = Payment.objects.create(
        number="P-L1", customer=customer, received_on=DAY, currency="USD", amount=D("1200.00")
    )
    PaymentApplication.objects.create(
        payment=payment, invoice=invoice, amount=D("1200.00"), applied_on=DAY
    )
    invoice_balances_refresh(invoice_ids=[invoice.pk])
    assert dunning_run(on=DAY + dt.timedelta(days=1)).reset == 1
    assert DunningState.objects.get(customer=customer).level == 0


def test_the_daily_job_does_the_dunning(world, late):
    day = collections_daily(on=DAY)
    assert (day.dunning_done, day.dunning_paused, day.dunning_blocked) == (1, 0, 0)
