"""Where a cash-application receipt stands (Payment.status) follows every change of what it
pays, whichever way the change comes in: the admin (an application, its inline on the
payment, the payment's amount), a receipt that came back, and the ERP payments import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from revdesk.receivables import services
from revdesk.receivables.models import Invoice, Payment, PaymentApplication
from revdesk.testing import signed_in

D = Decimal
DAY = dt.date(2026, 10, 5)
pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(world):
    """A bank receipt RCPT-S of 1400.00 left on account of C-1000 by cash application, and
    two open invoices of C-1000: INV-S1 1000.00 and INV-S2 400.00."""
    for number, amount in (("INV-S1", "1000.00"), ("INV-S2", "400.00")):
        Invoice.objects.create(
            number=number,
            customer=world.customer_east,
            issued_on=dt.date(2026, 9, 1),
            due_on=dt.date(2026, 10, 1),
            currency="USD",
            amount=D(amount),
            balance=D(amount),
        )
    return Payment.objects.create(
        number="RCPT-S",
        customer=world.customer_east,
        received_on=DAY,
        currency="USD",
        amount=D("1400.00"),
        status="on_account",
        status_reason="No invoice of C-1000 for 1,400.00",
    )


def _status(number="RCPT-S") -> str:
    return Payment.objects.get(number=number).status


def _inline(payment, world, forms, amount="1400.00"):
    data = {
        "number": payment.number,
        "customer": world.customer_east.pk,
        "received_on": DAY.isoformat(),
        "currency": "USD",
        "amount": amount,
        "method": payment.method,
        "reference": "",
        "applications-TOTAL_FORMS": str(len(forms)),
        "applications-INITIAL_FORMS": str(sum(1 for f in forms if f.get("id"))),
        "applications-MIN_NUM_FORMS": "0",
        "applications-MAX_NUM_FORMS": "1000",
    }
    for index, form in enumerate(forms):
        for key, value in form.items():
            data[f"applications-{index}-{key}"] = value
        data[f"applications-{index}-payment"] = payment.pk
        data.setdefault(f"applications-{index}-applied_on", DAY.isoformat())
    return data


def test_the_admin_application_pages_move_the_receipt_status(receipt, client):
    signed_in(client, "admin")
    invoice = Invoice.objects.get(number="INV-S1")
    response = client.post(
        "/admin/receivables/paymentapplication/add/",
        {
            "payment": receipt.pk,
            "invoice": invoice.pk,
            "amount": "1000.00",
            "applied_on": DAY.isoformat(),
        },
    )
    assert response.status_code == 302
    assert _status() == "partly_applied"

    application = PaymentApplication.objects.get()
    response = client.post(
        f"/admin/receivables/paymentapplication/{application.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert _status() == "on_account"


def test_the_admin_payment_inline_and_amount_move_the_receipt_status(receipt, client, world):
    signed_in(client, "admin")
    s1, s2 = Invoice.objects.get(number="INV-S1"), Invoice.objects.get(number="INV-S2")
    # both invoices applied in the payment's inline: the receipt is applied in full
    response = client.post(
        f"/admin/receivables/payment/{receipt.pk}/change/",
        _inline(
            receipt,
            world,
            [{"invoice": s1.pk, "amount": "1000.00"}, {"invoice": s2.pk, "amount": "400.00"}],
        ),
    )
    assert response.status_code == 302, response.content[:2000]
    assert _status() == "applied"
    assert (Invoice.objects.get(number="INV-S2").balance, _status()) == (D("0.00"), "applied")

    # INV-S2's application deleted in the inline: partly applied (1000.00 of 1400.00)
    two = PaymentApplication.objects.get(invoice=s2)
    one = PaymentApplication.objects.get(invoice=s1)
    response = client.post(
        f"/admin/receivables/payment/{receipt.pk}/change/",
        _inline(
            receipt,
            world,
            [
                {"id": one.pk, "invoice": s1.pk, "amount": "1000.00"},
                {"id": two.pk, "invoice": s2.pk, "amount": "400.00", "DELETE": "on"},
            ],
        ),
    )
    assert response.status_code == 302, response.content[:2000]
    assert _status() == "partly_applied"

    # the receipt's amount corrected down to what it pays: applied in full
    response = client.post(
        f"/admin/receivables/payment/{receipt.pk}/change/",
        _inline(
            receipt,
            world,
            [{"id": one.pk, "invoice": s1.pk, "amount": "1000.00"}],
            amount="1000.00",
        ),
    )
    assert response.status_code == 302, response.content[:2000]
    assert (Payment.objects.get(number="RCPT-S").amount, _status()) == (D("1000.00"), "applied")


def test_a_receipt_that_came_back_is_no_longer_applied(receipt, world):
    for number, amount in (("INV-S1", "1000.00"), ("INV-S2", "400.00")):
        services.payment_applications_upsert(
            rows=[
                {
                    "payment_id": receipt.pk,
                    "invoice_id": Invoice.objects.get(number=number).pk,
                    "amount": D(amount),
                    "applied_on": DAY,
                }
            ],
            actor=world.users["ops"],
        )
    assert _status() == "applied"
    services.payment_reverse(
        payment=Payment.objects.get(pk=receipt.pk),
        on=dt.date(2026, 10, 20),
        reason="Cheque returned unpaid",
        actor=world.users["ops"],
    )
    payment = Payment.objects.get(pk=receipt.pk)
    assert (payment.reversed_on, payment.status) == (dt.date(2026, 10, 20), "on_account")
    assert not payment.applications.exists()


def test_the_erp_payments_import_moves_the_receipt_status(receipt, world, tmp_path):
    from revdesk.ingest.importer import file_import

    header = "number,customer_code,received_on,currency,amount,invoice_number,applied_amount\n"
    path = tmp_path / "payments.csv"
    path.write_text(header + "RCPT-S,C-1000,2026-10-05,USD,1400.00,INV-S1,1000.00\n")
    result = file_import(kind="payments", path=path, actor=world.users["ops"])
    assert result.status == "succeeded", result.problems
    assert (Invoice.objects.get(number="INV-S1").balance, _status()) == (
        D("0.00"),
        "partly_applied",
    )

    path.write_text(
        header
        + "RCPT-S,C-1000,2026-10-05,USD,1400.00,INV-S1,1000.00\n"
        + "RCPT-S,C-1000,2026-10-05,USD,1400.00,INV-S2,400.00\n"
    )
    result = file_import(kind="payments", path=path, actor=world.users["ops"])
    assert result.status == "succeeded", result.problems
    assert _status() == "applied"


def test_the_erp_import_of_a_new_amount_moves_the_receipt_status(receipt, world, tmp_path):
    from revdesk.ingest.importer import file_import

    services.payment_applications_upsert(
        rows=[
            {
                "payment_id": receipt.pk,
                "invoice_id": Invoice.objects.get(number="INV-S1").pk,
                "amount": D("1000.00"),
                "applied_on": DAY,
            }
        ],
        actor=world.users["ops"],
    )
    assert _status() == "partly_applied"
    path = tmp_path / "payments.csv"
    path.write_text(
        "number,customer_code,received_on,currency,amount,invoice_number,applied_amount\n"
        "RCPT-S,C-1000,2026-10-05,USD,1000.00,INV-S1,1000.00\n"
    )
    result = file_import(kind="payments", path=path, actor=world.users["ops"])
    assert result.status == "succeeded", result.problems
    assert _status() == "applied"


def test_payments_entered_by_hand_keep_no_status(world):
    payment = Payment.objects.create(
        number="P-HAND",
        customer=world.customer_east,
        received_on=DAY,
        currency="USD",
        amount=D("50.00"),
    )
    invoice = Invoice.objects.create(
        number="INV-H",
        customer=world.customer_east,
        issued_on=DAY,
        due_on=DAY,
        currency="USD",
        amount=D("50.00"),
        balance=D("50.00"),
    )
    services.payment_application_save(
        application=PaymentApplication(
            payment=payment, invoice=invoice, amount=D("50.00"), applied_on=DAY
        ),
        actor=world.users["admin"],
    )
    assert _status("P-HAND") == ""


def test_a_receipt_paying_many_invoices_is_applied_in_one_call(world):
    # the change log names each application by its payment and invoice, read for the whole
    # call: 1,200 at once once stopped SQLite ("Expression tree is too large")
    Invoice.objects.bulk_create(
        Invoice(
            number=f"INV-M{n:04d}",
            customer=world.customer_east,
            issued_on=dt.date(2026, 9, 1),
            due_on=dt.date(2026, 10, 1),
            currency="USD",
            amount=D("1.25"),
            balance=D("1.25"),
        )
        for n in range(1200)
    )
    payment = Payment.objects.create(
        number="RCPT-M", customer=world.customer_east, received_on=DAY, currency="USD",
        amount=D("1500.00"), status="on_account",
    )  # fmt: skip
    services.payment_applications_upsert(
        rows=[
            {"payment_id": payment.pk, "invoice_id": pk, "amount": D("1.25"), "applied_on": DAY}
            for pk in Invoice.objects.filter(number__startswith="INV-M").values_list(
                "pk", flat=True
            )
        ],
        actor=world.users["ops"],
    )
    assert PaymentApplication.objects.filter(payment=payment).count() == 1200
    assert not Invoice.objects.filter(number__startswith="INV-M", balance__gt=0).exists()
    assert _status("RCPT-M") == "applied"
