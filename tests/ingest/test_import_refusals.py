"""Rules that need what is already saved: refused in the load, reported by line, nothing kept."""

import datetime as dt
from decimal import Decimal

import pytest

from revdesk.ingest.importer import file_import
from revdesk.ingest.models import ImportRun
from revdesk.ingest.report import Problem
from revdesk.parties.models import Customer
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication

from .conftest import database_state

DAY = dt.date(2026, 1, 5)
INVOICES = "number,customer_code,issued_on,due_on,currency,amount,tax_amount\n"
PAYMENTS = "number,customer_code,received_on,currency,amount,invoice_number,applied_amount\n"
MEMOS = "number,customer_code,invoice_number,issued_on,currency,amount\n"


@pytest.fixture
def settled(world):
    """INV-1: 1,357.83 USD, paid 1,000.00 by P-1 and credited 357.83 by CM-1 (balance 0)."""
    invoice = Invoice.objects.create(
        number="INV-1",
        customer=world.customer_east,
        issued_on=DAY,
        due_on=DAY + dt.timedelta(days=30),
        currency="USD",
        amount=Decimal("1357.83"),
        tax_amount=Decimal("88.83"),
        balance=Decimal("0.00"),
        status="paid",
    )
    Invoice.objects.create(
        number="INV-2",
        customer=world.customer_east,
        issued_on=DAY,
        due_on=DAY + dt.timedelta(days=30),
        currency="USD",
        amount=Decimal("500.00"),
        balance=Decimal("500.00"),
    )
    payment = Payment.objects.create(
        number="P-1",
        customer=world.customer_east,
        received_on=DAY,
        currency="USD",
        amount=Decimal("1000.00"),
    )
    PaymentApplication.objects.create(
        payment=payment, invoice=invoice, amount=Decimal("1000.00"), applied_on=DAY
    )
    CreditMemo.objects.create(
        number="CM-1",
        customer=world.customer_east,
        invoice=invoice,
        issued_on=DAY,
        currency="USD",
        amount=Decimal("357.83"),
    )
    return invoice


def _refused(path, kind):
    before = database_state()
    result = file_import(kind=kind, path=path)
    assert result.status == "failed"
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert database_state() == before
    assert ImportRun.objects.get(pk=result.run_id).errors == [p.as_dict() for p in result.errors]
    return result.problems


def test_invoice_amount_below_what_is_paid_tax_above_amount_and_new_currency(settled, write):
    path = write(
        "invoices.csv",
        INVOICES
        + "INV-3,C-1000,2026-01-05,2026-02-04,USD,100.00,0\n"
        + "INV-1,C-1000,2026-01-05,2026-02-04,EUR,1.00,88.83\n"
        + "INV-2,C-1000,2026-01-05,2026-02-04,EUR,500.00,0\n",
    )
    assert _refused(path, "invoices") == [
        Problem(
            3,
            "tax_amount",
            "88.83",
            "a tax amount no more than the amount: tax 88.83 is more than the amount 1.00 it "
            "is part of",
        ),
        Problem(
            3,
            "amount",
            "1.00",
            "amount 1.00 is less than the 1,357.83 already paid or credited on this invoice",
        ),
        Problem(
            3,
            "currency",
            "EUR",
            "the invoice's currency USD: it cannot change to EUR once payments or credits are "
            "applied to it (1,357.83 USD already)",
        ),
    ]
    assert not Invoice.objects.filter(number="INV-3").exists()


def test_invoice_with_nothing_applied_may_change_currency_and_amount(settled, write):
    path = write("invoices.csv", INVOICES + "INV-2,C-1000,2026-01-05,2026-02-04,EUR,20.00,1\n")
    result = file_import(kind="invoices", path=path)
    assert (result.status, result.updated, result.problems) == ("succeeded", 1, [])
    invoice = Invoice.objects.get(number="INV-2")
    assert (invoice.currency, invoice.amount, invoice.balance) == (
        "EUR",
        Decimal("20.00"),
        Decimal("20.00"),
    )


def _over(room, invoice, amount, others):
    return (
        f"at most {room} on invoice {invoice}: its amount is {amount} and {others} is paid or "
        "credited by the rest (saved, or in the same file), so this would leave a negative "
        "balance"
    )


def test_payment_in_another_currency_and_over_application(settled, write):
    path = write(
        "payments.csv",
        PAYMENTS
        + "P-2,C-1000,2026-01-10,EUR,100.00,INV-2,100.00\n"
        + "P-3,C-1000,2026-01-10,USD,900.00,INV-1,0.01\n"
        + "P-3,C-1000,2026-01-10,USD,900.00,INV-2,400.00\n"
        + "P-4,C-1000,2026-01-10,USD,2.00,INV-2,2.00\n",
    )
    assert _refused(path, "payments") == [
        Problem(
            2,
            "currency",
            "EUR",
            "a payment in the invoice's currency: payment is in EUR, invoice INV-2 is in USD",
        ),
        Problem(2, "applied_amount", "100.00", _over("98.00", "INV-2", "500.00", "402.00")),
        Problem(3, "applied_amount", "0.01", _over("0.00", "INV-1", "1,357.83", "1,357.83")),
        Problem(4, "applied_amount", "400.00", _over("398.00", "INV-2", "500.00", "102.00")),
        Problem(5, "applied_amount", "2.00", _over("0.00", "INV-2", "500.00", "500.00")),
    ]


def test_payments_that_fit_are_applied(settled, write):
    path = write(
        "payments.csv",
        PAYMENTS
        + "P-3,C-1000,2026-01-10,USD,900.00,INV-2,400.00\n"
        + "P-4,C-1000,2026-01-10,USD,100.00,INV-2,100.00\n",
    )
    result = file_import(kind="payments", path=path)
    assert (result.status, result.created, result.problems) == ("succeeded", 2, [])
    invoice = Invoice.objects.get(number="INV-2")
    assert (invoice.balance, invoice.status) == (Decimal("0.00"), "paid")


def test_payment_may_not_change_currency_once_applied(settled, write):
    path = write("payments.csv", PAYMENTS + "P-1,C-1000,2026-01-05,EUR,1000.00,,\n")
    assert _refused(path, "payments") == [
        Problem(
            2,
            "currency",
            "EUR",
            "a payment in the invoice's currency: payment is in EUR, invoice INV-1 is in USD",
        )
    ]


def test_credit_memo_currency_and_total(settled, write):
    path = write(
        "credit-memos.csv",
        MEMOS
        + "CM-2,C-1000,INV-2,2026-01-10,CAD,10.00\n"
        + "CM-1,C-1000,INV-1,2026-01-05,USD,357.84\n"
        + "CM-3,C-1000,INV-2,2026-01-10,USD,490.00\n",
    )
    assert _refused(path, "credit-memos") == [
        Problem(
            2,
            "currency",
            "CAD",
            "a credit memo in the invoice's currency: credit memo is in CAD, invoice INV-2 is "
            "in USD",
        ),
        Problem(3, "amount", "357.84", _over("357.83", "INV-1", "1,357.83", "1,000.00")),
    ]


def test_rewriting_a_credit_memo_to_the_same_total_is_fine(settled, write):
    path = write("credit-memos.csv", MEMOS + "CM-1,C-1000,INV-1,2026-01-05,USD,357.83\n")
    result = file_import(kind="credit-memos", path=path)
    assert (result.status, result.unchanged, result.problems) == ("succeeded", 1, [])


def test_customer_made_parent_of_its_own_ancestor_is_refused(world, write):
    # In Revdesk C-1001's parent is C-1000; the file makes C-1001 the parent of C-1000.
    before_parent = Customer.objects.get(code="C-1000").parent_id
    path = write(
        "customers.csv",
        "code,name,parent_code,country,currency\n"
        "C-3000,New Co,,US,USD\n"
        "C-1000,Acme Data Centers,C-1001,US,USD\n",
    )
    assert _refused(path, "customers") == [
        Problem(
            3,
            "parent_code",
            "C-1001",
            "a parent that is not below C-1000: C-1001 is already below C-1000 in Revdesk, so "
            "this would make a loop (C-1000 → C-1001 → C-1000)",
        )
    ]
    assert Customer.objects.get(code="C-1000").parent_id == before_parent
    assert not Customer.objects.filter(code="C-3000").exists()


def test_an_xlsx_that_expands_past_the_limit_is_refused_before_it_is_opened(
    world, tmp_path, settings
):
    from revdesk.ingest.exporter import export_file

    path = tmp_path / "customers.xlsx"
    export_file(kind="customers", fmt="xlsx", out=path)
    settings.REVDESK_IMPORT_MAX_BYTES = 100  # 20 x 100 bytes = 2.0 KB may come out of the zip
    before = database_state()
    result = file_import(kind="customers", path=path)
    assert result.status == "failed"
    [problem] = result.errors
    assert problem.expected.startswith("customers.xlsx expands to ")
    assert problem.expected.endswith(
        "; the limit is 2.0\xa0KB. Save it as CSV UTF-8 or split it into smaller files."
    )
    assert database_state() == before


def test_serve_caps_the_request_body_at_the_upload_limit(world, settings, monkeypatch):
    import waitress
    from rich.console import Console

    from revdesk.demo.commands import serve

    settings.REVDESK_IMPORT_MAX_BYTES = 5 * 1024 * 1024
    settings.WHITENOISE_USE_FINDERS = True
    got = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **options: got.update(options))
    monkeypatch.setattr("signal.signal", lambda *args: None)
    assert serve(host="127.0.0.1", port=8999, console=Console(quiet=True), worker=False) == 0
    assert got["max_request_body_size"] == 6 * 1024 * 1024
