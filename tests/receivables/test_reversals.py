"""A receipt that came back, and an application taken back: what it paid is open again from
the day of the reversal, the ledger on an earlier day is unchanged, and the collector hears
of it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from revdesk.foundation.models import ChangeRecord
from revdesk.receivables import services
from revdesk.receivables.activities import receipt_returned
from revdesk.receivables.models import (
    Activity,
    ApplicationReversal,
    Invoice,
    Payment,
    PaymentApplication,
)
from revdesk.receivables.reports import aging_report
from revdesk.receivables.selectors import payment_page
from revdesk.testing import signed_in

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(world):
    """INV-R1 1000.00 and INV-R2 400.00 (C-1000, due 1 October), both paid on 5 October by
    RCPT-R (1400.00)."""
    invoices = [
        Invoice.objects.create(
            number=number,
            customer=world.customer_east,
            issued_on=dt.date(2026, 9, 1),
            due_on=dt.date(2026, 10, 1),
            currency="USD",
            amount=D(amount),
            balance=D(amount),
        )
        for number, amount in (("INV-R1", "1000.00"), ("INV-R2", "400.00"))
    ]
    payment = Payment.objects.create(
        number="RCPT-R",
        customer=world.customer_east,
        received_on=dt.date(2026, 10, 5),
        currency="USD",
        amount=D("1400.00"),
    )
    for invoice in invoices:
        services.payment_application_save(
            application=PaymentApplication(
                payment=payment,
                invoice=invoice,
                amount=invoice.amount,
                applied_on=dt.date(2026, 10, 5),
            ),
            actor=world.users["admin"],
        )
    return payment


def _net(user, day):
    rows = aging_report(user=user, as_of=day, by="customer").rows
    return {r["customer"]: (r["1-30"], r["open_credits"], r["net"]) for r in rows}


def test_a_returned_receipt_reopens_what_it_paid(paid, world):
    ops = world.users["ops"]
    assert Invoice.objects.get(number="INV-R1").status == "paid"
    reversals = receipt_returned(
        actor=ops, payment=paid, on=dt.date(2026, 10, 20), reason="Cheque returned unpaid"
    )
    assert sorted((r.invoice.number, r.amount, r.applied_on) for r in reversals) == [
        ("INV-R1", D("1000.00"), dt.date(2026, 10, 5)),
        ("INV-R2", D("400.00"), dt.date(2026, 10, 5)),
    ]
    assert {
        i.number: (i.balance, i.status) for i in Invoice.objects.filter(number__startswith="INV-R")
    } == {"INV-R1": (D("1000.00"), "open"), "INV-R2": (D("400.00"), "open")}
    assert not PaymentApplication.objects.filter(payment=paid).exists()
    paid.refresh_from_db()
    assert (paid.reversed_on, paid.reversal_reason) == (
        dt.date(2026, 10, 20),
        "Cheque returned unpaid",
    )
    # nothing left to apply: the money went back
    page = payment_page(payment=paid, user=ops)
    assert (page.applied, page.unapplied, len(page.reversals)) == (D("0"), D("0.00"), 2)
    # the ledger on any earlier day is as it was; from the reversal the invoices are open
    admin = world.users["admin"]
    assert "C-1000" not in _net(admin, dt.date(2026, 10, 10))
    assert _net(admin, dt.date(2026, 10, 25))["C-1000"] == (
        D("1400.00"),
        D("0.00"),
        D("1400.00"),
    )
    # the collector has a task for the day of the reversal, on the account's timeline
    task = Activity.objects.get(customer=world.customer_east, subject__startswith="Receipt")
    assert (task.subject, task.assigned_to, task.next_action_on) == (
        "Receipt RCPT-R reversed: Cheque returned unpaid",
        world.users["collector"],
        dt.date(2026, 10, 20),
    )
    assert "Open again: INV-R1 1,000.00, INV-R2 400.00." in task.body
    # every step is in the change log
    logged = ChangeRecord.objects.filter(user_name="ops", object_repr__startswith="RCPT-R")
    assert sorted((r.action, r.object_repr) for r in logged) == [
        ("create", "RCPT-R → INV-R1: 1000.00 reversed"),
        ("create", "RCPT-R → INV-R2: 400.00 reversed"),
        ("delete", "RCPT-R → INV-R1: 1000.00"),
        ("delete", "RCPT-R → INV-R2: 400.00"),
        ("update", "RCPT-R"),
    ]


def test_a_receipt_is_reversed_once_and_not_before_it_came(paid, world):
    ops = world.users["ops"]
    with pytest.raises(ValidationError, match="before RCPT-R was received"):
        services.payment_reverse(payment=paid, on=dt.date(2026, 10, 4), reason="x", actor=ops)
    with pytest.raises(ValidationError, match="Say why"):
        services.payment_reverse(payment=paid, on=dt.date(2026, 10, 6), reason=" ", actor=ops)
    assert PaymentApplication.objects.filter(payment=paid).count() == 2
    services.payment_reverse(payment=paid, on=dt.date(2026, 10, 6), reason="Recalled", actor=ops)
    with pytest.raises(ValidationError, match="was reversed on 2026-10-06"):
        services.payment_reverse(payment=paid, on=dt.date(2026, 10, 7), reason="x", actor=ops)
    # a reversed receipt pays nothing any more
    invoice = Invoice.objects.get(number="INV-R1")
    with pytest.raises(ValidationError, match="RCPT-R was reversed on 2026-10-06"):
        services.payment_application_save(
            application=PaymentApplication(
                payment=paid, invoice=invoice, amount=D("10.00"), applied_on=dt.date(2026, 10, 8)
            ),
            actor=ops,
        )


def test_an_application_taken_back_is_the_payments_to_apply_again(paid, world):
    ops = world.users["ops"]
    application = PaymentApplication.objects.get(payment=paid, invoice__number="INV-R2")
    with pytest.raises(ValidationError, match="before RCPT-R was applied to INV-R2"):
        services.application_reverse(
            application=application, on=dt.date(2026, 10, 1), reason="x", actor=ops
        )
    services.application_reverse(
        application=application, on=dt.date(2026, 10, 9), reason="Wrong invoice", actor=ops
    )
    assert Invoice.objects.get(number="INV-R2").balance == D("400.00")
    assert payment_page(payment=paid, user=ops).unapplied == D("400.00")
    # on account from the 9th: an open credit beside the invoice open again
    assert _net(world.users["admin"], dt.date(2026, 10, 12))["C-1000"] == (
        D("400.00"),
        D("-400.00"),
        D("0.00"),
    )
    # applied again, to the same invoice (the first application is a reversal now)
    services.payment_application_save(
        application=PaymentApplication(
            payment=paid,
            invoice=Invoice.objects.get(number="INV-R2"),
            amount=D("400.00"),
            applied_on=dt.date(2026, 10, 10),
        ),
        actor=ops,
    )
    assert Invoice.objects.get(number="INV-R2").balance == D("0.00")
    assert ApplicationReversal.objects.get().reason == "Wrong invoice"


def test_the_payment_page_reverses_a_receipt_for_the_books_keepers_only(paid, world, client):
    url = f"/payments/{paid.pk}/reverse/"
    signed_in(client, "collector")
    assert "Receipt came back" not in client.get(f"/payments/{paid.pk}/").text
    assert client.post(url, {"reversed_on": "2026-10-20", "reason": "x"}).status_code == 404
    signed_in(client, "ops")
    page = client.get(f"/payments/{paid.pk}/").text
    assert "Reverse the receipt" in page
    assert "Take an application back" in page
    refused = client.post(url, {"reversed_on": "2026-10-01", "reason": "Returned"}, follow=True)
    assert "Not reversed: 2026-10-01 is before RCPT-R was received (2026-10-05)" in refused.text
    done = client.post(url, {"reversed_on": "2026-10-20", "reason": "Returned"}, follow=True)
    assert (
        "RCPT-R reversed on 2026-10-20: 2 invoices open again; 1,400.00 USD no longer received"
        in done.text
    )
    assert "Reversed on 2026-10-20" in done.text
    assert "Receipt came back" not in done.text
    assert Invoice.objects.get(number="INV-R1").balance == D("1000.00")


def test_the_invoice_page_shows_what_was_taken_back(paid, world, client):
    services.payment_reverse(
        payment=paid, on=dt.date(2026, 10, 20), reason="Recalled", actor=world.users["ops"]
    )
    invoice = Invoice.objects.get(number="INV-R1")
    signed_in(client, "collector")
    page = client.get(f"/invoices/{invoice.pk}/").text
    assert "No payments applied." in page
    assert (
        "<td>2026-10-05</td><td>2026-10-20</td><td>Recalled</td>"
        '<td class="num">1,000.00 <span class="ccy">USD</span></td>'
    ) in page


def test_an_application_is_taken_back_once_and_a_receipt_not_before_it(paid, world, client):
    ops = world.users["ops"]
    application = PaymentApplication.objects.get(payment=paid, invoice__number="INV-R2")
    signed_in(client, "ops")
    page = client.get(f"/payments/{paid.pk}/").text
    # the form posts to the first application without a choice being made
    first = PaymentApplication.objects.filter(payment=paid).order_by("applied_on", "pk").first()
    assert f'action="/payments/{paid.pk}/applications/{first.pk}/reverse/"' in page
    url = f"/payments/{paid.pk}/applications/{application.pk}/reverse/"
    done = client.post(url, {"reversed_on": "2026-10-09", "reason": "Wrong invoice"}, follow=True)
    assert "400.00 USD taken back from INV-R2" in done.text
    # a second click finds it gone: one reversal only
    again = client.post(url, {"reversed_on": "2026-10-09", "reason": "Wrong invoice"}, follow=True)
    assert again.status_code == 404
    stale = PaymentApplication(
        pk=application.pk, payment=paid, invoice=application.invoice, amount=D("400.00")
    )
    stale.applied_on = dt.date(2026, 10, 5)
    with pytest.raises(ValidationError, match="RCPT-R → INV-R2 was already taken back"):
        services.application_reverse(
            application=stale, on=dt.date(2026, 10, 9), reason="again", actor=ops
        )
    assert ApplicationReversal.objects.count() == 1
    # the receipt cannot be reversed before what was already taken back, nor in the future
    with pytest.raises(ValidationError, match="before an application of RCPT-R was taken back"):
        services.payment_reverse(payment=paid, on=dt.date(2026, 10, 8), reason="x", actor=ops)
    with pytest.raises(ValidationError, match="is still to come"):
        services.payment_reverse(payment=paid, on=dt.date(2099, 1, 1), reason="x", actor=ops)


def test_a_reimported_payments_file_does_not_undo_a_reversal(paid, world, tmp_path):
    from revdesk.ingest.importer import file_import
    from revdesk.ingest.report import Problem

    services.payment_reverse(
        payment=paid, on=dt.date(2026, 10, 20), reason="Returned", actor=world.users["ops"]
    )
    path = tmp_path / "payments.csv"
    path.write_text(
        "number,customer_code,received_on,currency,amount,invoice_number,applied_amount\n"
        "RCPT-R,C-1000,2026-10-05,USD,1400.00,INV-R1,1000.00\n"
        "RCPT-R,C-1000,2026-10-05,USD,1400.00,INV-R2,400.00\n"
    )
    result = file_import(kind="payments", path=path, actor=world.users["ops"])
    assert result.status == "failed"
    expected = "payment RCPT-R was reversed on 2026-10-20: it pays nothing any more"
    assert result.problems == [
        Problem(2, "number", "RCPT-R", expected),
        Problem(3, "number", "RCPT-R", expected),
    ]
    assert Invoice.objects.get(number="INV-R1").balance == D("1000.00")


def test_an_erp_payments_file_reverses_a_receipt_once(paid, world, tmp_path):
    from revdesk.ingest.importer import file_import
    from revdesk.ingest.report import Problem

    header = (
        "number,customer_code,received_on,currency,amount,invoice_number,applied_amount,"
        "reversed_on,reversal_reason\n"
    )

    def load(day, reason="Cheque returned unpaid"):
        path = tmp_path / "payments.csv"
        path.write_text(
            header
            + f"RCPT-R,C-1000,2026-10-05,USD,1400.00,INV-R1,1000.00,{day},{reason}\n"
            + f"RCPT-R,C-1000,2026-10-05,USD,1400.00,INV-R2,400.00,{day},{reason}\n"
        )
        return file_import(kind="payments", path=path, actor=world.users["ops"])

    # a day before the receipt came: refused on the line and column, nothing written
    early = load("2026-10-01")
    assert early.status == "failed"
    assert early.problems == [
        Problem(
            2,
            "reversed_on",
            "2026-10-01",
            "2026-10-01 is before RCPT-R was received (2026-10-05)",
        )
    ]
    assert Payment.objects.get(number="RCPT-R").reversed_on is None
    assert Invoice.objects.get(number="INV-R1").balance == D("0.00")

    result = load("2026-10-20")
    assert (result.status, result.updated) == ("succeeded", 2)
    payment = Payment.objects.get(number="RCPT-R")
    assert (payment.reversed_on, payment.reversal_reason) == (
        dt.date(2026, 10, 20),
        "Cheque returned unpaid",
    )
    assert [
        (r.invoice.number, r.amount, r.reversed_on)
        for r in ApplicationReversal.objects.filter(payment=payment).order_by("invoice__number")
    ] == [
        ("INV-R1", D("1000.00"), dt.date(2026, 10, 20)),
        ("INV-R2", D("400.00"), dt.date(2026, 10, 20)),
    ]
    assert [Invoice.objects.get(number=n).balance for n in ("INV-R1", "INV-R2")] == [
        D("1000.00"),
        D("400.00"),
    ]
    # the same file again changes nothing
    again = load("2026-10-20")
    assert (again.status, again.created, again.updated, again.unchanged) == (
        "succeeded",
        0,
        0,
        2,
    )
    assert ApplicationReversal.objects.filter(payment=payment).count() == 2
    # another day for a receipt already reversed is refused
    other = load("2026-10-25")
    assert other.status == "failed"
    assert other.problems == [
        Problem(2, "reversed_on", "2026-10-25", "RCPT-R was reversed on 2026-10-20")
    ]
