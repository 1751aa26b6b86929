"""The ledger stays whole whichever way a change comes in (imports, admin, bulk services):
a payment never pays out more than it received, documents settle only their customer's (or
its key-account hierarchy's) invoices, and the admin keeps balances right.

Regression tests for the review probes (tests/probe in the review of the ledger rules)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from revdesk.foundation.bulk import BulkRowError, bulk_upsert
from revdesk.foundation.models import ChangeAction, ChangeRecord
from revdesk.ingest.importer import file_import
from revdesk.ingest.report import Problem
from revdesk.receivables import services
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication
from revdesk.testing import signed_in


def database_state():
    """The ledger's rows and the change log, as values: to prove nothing was written."""
    models = (Invoice, CreditMemo, Payment, PaymentApplication, ChangeRecord)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


DAY = dt.date(2026, 1, 5)
INVOICES = "number,customer_code,issued_on,due_on,currency,amount,tax_amount\n"
PAYMENTS = "number,customer_code,received_on,currency,amount,invoice_number,applied_amount\n"
MEMOS = "number,customer_code,invoice_number,issued_on,currency,amount\n"


@pytest.fixture
def write(tmp_path):
    def _write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def _imported(write, kind, name, text):
    result = file_import(kind=kind, path=write(name, text))
    assert (result.status, result.problems) == ("succeeded", [])
    return result


def _refused(write, kind, name, text):
    before = database_state()
    result = file_import(kind=kind, path=write(name, text))
    assert result.status == "failed"
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert database_state() == before
    return result.problems


@pytest.fixture
def two_invoices(world, write):
    """INV-A and INV-B, 100.00 USD each for C-1000; P-1 (100.00) pays INV-A in full."""
    _imported(
        write,
        "invoices",
        "i.csv",
        INVOICES
        + "INV-A,C-1000,2026-01-05,2026-02-04,USD,100.00,0\n"
        + "INV-B,C-1000,2026-01-05,2026-02-04,USD,100.00,0\n",
    )
    _imported(
        write, "payments", "p1.csv", PAYMENTS + "P-1,C-1000,2026-01-06,USD,100.00,INV-A,100.00\n"
    )


OVER_APPLIED = (
    "at most 0.00 from payment P-1: it received 100.00 and 100.00 of it is applied to other "
    "invoices (saved, or in the same file), so it would pay out more than it received"
)


def test_a_payment_never_pays_out_more_than_it_received_across_files(two_invoices, write):
    problems = _refused(
        write, "payments", "p2.csv", PAYMENTS + "P-1,C-1000,2026-01-06,USD,100.00,INV-B,100.00\n"
    )
    assert problems == [Problem(2, "applied_amount", "100.00", OVER_APPLIED)]
    assert list(Invoice.objects.order_by("number").values_list("number", "balance", "status")) == [
        ("INV-A", Decimal("0.00"), "paid"),
        ("INV-B", Decimal("100.00"), "open"),
    ]


def test_rewriting_an_application_moves_room_within_the_payment(two_invoices, write):
    _imported(
        write,
        "payments",
        "p2.csv",
        PAYMENTS
        + "P-1,C-1000,2026-01-06,USD,100.00,INV-A,40.00\n"
        + "P-1,C-1000,2026-01-06,USD,100.00,INV-B,60.00\n",
    )
    assert list(Invoice.objects.order_by("number").values_list("number", "balance", "status")) == [
        ("INV-A", Decimal("60.00"), "open"),
        ("INV-B", Decimal("40.00"), "open"),
    ]


def test_a_payment_amount_never_falls_below_what_it_applied(two_invoices, write):
    problems = _refused(
        write, "payments", "p2.csv", PAYMENTS + "P-1,C-1000,2026-01-06,USD,10.00,,\n"
    )
    assert problems == [
        Problem(
            2,
            "amount",
            "10.00",
            "amount 10.00 is less than the 100.00 already applied from this payment to invoices",
        )
    ]
    assert Payment.objects.get(number="P-1").amount == Decimal("100.00")


def test_a_credit_memo_only_reduces_its_customers_invoice(two_invoices, write):
    problems = _refused(
        write, "credit-memos", "m.csv", MEMOS + "CM-1,C-1001,INV-B,2026-01-07,USD,100.00\n"
    )
    assert problems == [
        Problem(
            2,
            "customer_code",
            "C-1001",
            "a credit memo for the invoice's customer: credit memo is for C-1001, invoice INV-B "
            "is for C-1000",
        )
    ]


def test_a_parent_pays_its_subsidiarys_invoice_but_not_a_strangers(world, write):
    _imported(
        write,
        "invoices",
        "i.csv",
        INVOICES
        + "INV-C,C-1001,2026-01-05,2026-02-04,USD,100.00,0\n"
        + "INV-W,C-2000,2026-01-05,2026-02-04,USD,50.00,0\n",
    )
    problems = _refused(
        write,
        "payments",
        "p.csv",
        PAYMENTS
        + "P-9,C-1000,2026-01-06,USD,150.00,INV-C,100.00\n"
        + "P-9,C-1000,2026-01-06,USD,150.00,INV-W,50.00\n",
    )
    assert problems == [
        Problem(
            3,
            "invoice_number",
            "INV-W",
            "a payment from the invoice's customer or its key-account hierarchy: payment is "
            "from C-1000, invoice INV-W is for C-2000, which is not in the same hierarchy",
        )
    ]
    _imported(
        write, "payments", "p2.csv", PAYMENTS + "P-9,C-1000,2026-01-06,USD,150.00,INV-C,100.00\n"
    )
    assert Invoice.objects.get(number="INV-C").balance == Decimal("0.00")


# --- the same rules in clean() (admin, web forms) ----------------------------------------


def _errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_clean_refuses_over_application_other_customers_and_a_lowered_payment(two_invoices, world):
    payment = Payment.objects.get(number="P-1")
    application = PaymentApplication(
        payment=payment,
        invoice=Invoice.objects.get(number="INV-B"),
        amount=Decimal("0.01"),
        applied_on=DAY,
    )
    assert _errors(application) == {"amount": [OVER_APPLIED]}
    payment.amount = Decimal("99.99")
    assert _errors(payment) == {
        "amount": [
            "amount 99.99 is less than the 100.00 already applied from this payment to invoices"
        ]
    }
    memo = CreditMemo(
        number="CM-9",
        customer=world.customer_west,
        invoice=Invoice.objects.get(number="INV-B"),
        issued_on=DAY,
        currency="USD",
        amount=Decimal("1.00"),
    )
    assert _errors(memo) == {
        "customer": [
            "a credit memo for the invoice's customer: credit memo is for C-2000, invoice INV-B "
            "is for C-1000"
        ]
    }
    stranger = Payment.objects.create(
        number="P-W", customer=world.customer_west, received_on=DAY, currency="USD", amount=5
    )
    application.payment, application.amount = stranger, Decimal("5.00")
    assert _errors(application) == {
        "invoice": [
            "a payment from the invoice's customer or its key-account hierarchy: payment is "
            "from C-2000, invoice INV-B is for C-1000, which is not in the same hierarchy"
        ]
    }
    child = Payment.objects.create(
        number="P-C", customer=world.customer_east_child, received_on=DAY, currency="USD", amount=5
    )
    application.payment = child
    application.full_clean()


# --- the admin keeps balances right ------------------------------------------------------


def _records(instance, action) -> int:
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        action=action,
    ).count()


def _balance(number):
    invoice = Invoice.objects.get(number=number)
    return invoice.balance, invoice.status


def test_admin_application_add_and_delete_refresh_the_balance(world, client):
    invoice = Invoice.objects.create(
        number="INV-A",
        customer=world.customer_east,
        issued_on=DAY,
        due_on=DAY,
        currency="USD",
        amount=Decimal("100.00"),
        balance=Decimal("100.00"),
    )
    payment = Payment.objects.create(
        number="P-1",
        customer=world.customer_east_child,
        received_on=DAY,
        currency="USD",
        amount=Decimal("100.00"),
    )
    signed_in(client, "admin")
    response = client.post(
        "/admin/receivables/paymentapplication/add/",
        {
            "payment": payment.pk,
            "invoice": invoice.pk,
            "amount": "100.00",
            "applied_on": "2026-01-06",
        },
    )
    assert response.status_code == 302
    assert _balance("INV-A") == (Decimal("0.00"), "paid")
    application = PaymentApplication.objects.get()
    assert _records(application, ChangeAction.CREATE) == 1

    response = client.post(
        f"/admin/receivables/paymentapplication/{application.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not PaymentApplication.objects.exists()
    assert _balance("INV-A") == (Decimal("100.00"), "open")
    assert _records(application, ChangeAction.DELETE) == 1


def test_admin_refuses_an_over_application_and_writes_nothing(two_invoices, client):
    signed_in(client, "admin")
    before = database_state()
    response = client.post(
        "/admin/receivables/paymentapplication/add/",
        {
            "payment": Payment.objects.get(number="P-1").pk,
            "invoice": Invoice.objects.get(number="INV-B").pk,
            "amount": "0.01",
            "applied_on": "2026-01-06",
        },
    )
    assert response.status_code == 200
    assert OVER_APPLIED in response.content.decode().replace("&#x27;", "'")
    assert database_state() == before


def test_admin_payment_inline_memo_move_invoice_edit_and_payment_delete(
    two_invoices, client, world
):
    signed_in(client, "admin")
    payment = Payment.objects.get(number="P-1")
    application = payment.applications.get()
    invoice_a, invoice_b = Invoice.objects.get(number="INV-A"), Invoice.objects.get(number="INV-B")
    # the inline moves the application from INV-A to INV-B, 30.00 of it
    response = client.post(
        f"/admin/receivables/payment/{payment.pk}/change/",
        {
            "number": "P-1",
            "customer": world.customer_east.pk,
            "received_on": "2026-01-06",
            "currency": "USD",
            "amount": "100.00",
            "method": payment.method,
            "reference": "",
            "applications-TOTAL_FORMS": "1",
            "applications-INITIAL_FORMS": "1",
            "applications-MIN_NUM_FORMS": "0",
            "applications-MAX_NUM_FORMS": "1000",
            "applications-0-id": application.pk,
            "applications-0-payment": payment.pk,
            "applications-0-invoice": invoice_b.pk,
            "applications-0-amount": "30.00",
            "applications-0-applied_on": "2026-01-06",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    assert (_balance("INV-A"), _balance("INV-B")) == (
        (Decimal("100.00"), "open"),
        (Decimal("70.00"), "open"),
    )
    # a credit memo on INV-B, then moved to INV-A
    memo = CreditMemo.objects.create(
        number="CM-1",
        customer=world.customer_east,
        invoice=invoice_b,
        issued_on=DAY,
        currency="USD",
        amount=Decimal("70.00"),
    )
    services.invoice_balances_refresh(invoice_ids=[invoice_b.pk])
    assert _balance("INV-B") == (Decimal("0.00"), "paid")
    response = client.post(
        f"/admin/receivables/creditmemo/{memo.pk}/change/",
        {
            "number": "CM-1",
            "customer": world.customer_east.pk,
            "invoice": invoice_a.pk,
            "issued_on": "2026-01-05",
            "currency": "USD",
            "amount": "70.00",
            "reason": "",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    assert (_balance("INV-A"), _balance("INV-B")) == (
        (Decimal("30.00"), "open"),
        (Decimal("70.00"), "open"),
    )
    # an invoice amount edit refreshes its balance; status is not a form field
    response = client.post(
        f"/admin/receivables/invoice/{invoice_a.pk}/change/",
        {
            "number": "INV-A",
            "customer": world.customer_east.pk,
            "issued_on": "2026-01-05",
            "due_on": "2026-02-04",
            "currency": "USD",
            "amount": "70.00",
            "tax_amount": "0.00",
            "po_number": "",
            "status": "cancelled",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    assert _balance("INV-A") == (Decimal("0.00"), "paid")
    # deleting the payment deletes its application and gives INV-B its 30.00 back
    response = client.post(f"/admin/receivables/payment/{payment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Payment.objects.exists()
    assert _balance("INV-B") == (Decimal("100.00"), "open")
    assert _records(application, ChangeAction.DELETE) == 1


# --- bulk_upsert refuses decimal places instead of rounding -------------------------------


def test_bulk_upsert_refuses_more_decimal_places_than_the_field_allows(world):
    rows = [
        {
            "number": "P-5",
            "customer_id": None,
            "received_on": DAY,
            "currency": "USD",
            "amount": Decimal("10.005"),
            "method": "wire",
            "reference": "",
        }
    ]
    with pytest.raises(BulkRowError) as caught:
        bulk_upsert(
            model=Payment,
            key=("number",),
            rows=rows,
            fields=services.PAYMENT_IMPORT_FIELDS,
            actor=None,
        )
    assert caught.value.errors == {
        "amount": ["Ensure that there are no more than 2 decimal places."]
    }
    assert not Payment.objects.exists()
    rows[0]["amount"] = Decimal("10.500")
    bulk_upsert(
        model=Payment, key=("number",), rows=rows, fields=services.PAYMENT_IMPORT_FIELDS, actor=None
    )
    assert Payment.objects.get().amount == Decimal("10.50")
