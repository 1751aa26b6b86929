"""The ledger rules hold in the models' clean() too: the admin and web forms refuse the same."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication

DAY = dt.date(2026, 1, 5)


@pytest.fixture
def ledger_rows(world):
    invoice = Invoice.objects.create(
        number="INV-1",
        customer=world.customer_east,
        issued_on=DAY,
        due_on=DAY,
        currency="USD",
        amount=Decimal("1357.83"),
        balance=Decimal("0.00"),
    )
    payment = Payment.objects.create(
        number="P-1", received_on=DAY, currency="USD", amount=Decimal("1000.00")
    )
    application = PaymentApplication.objects.create(
        payment=payment, invoice=invoice, amount=Decimal("1000.00"), applied_on=DAY
    )
    memo = CreditMemo.objects.create(
        number="CM-1",
        customer=world.customer_east,
        invoice=invoice,
        issued_on=DAY,
        currency="USD",
        amount=Decimal("357.83"),
    )
    return invoice, payment, application, memo


def _errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_invoice_amount_tax_and_currency(ledger_rows):
    invoice = ledger_rows[0]
    invoice.amount, invoice.tax_amount, invoice.currency = Decimal("1.00"), Decimal("88.83"), "EUR"
    assert _errors(invoice) == {
        "amount": [
            "amount 1.00 is less than the 1,357.83 already paid or credited on this invoice"
        ],
        "tax_amount": [
            "a tax amount no more than the amount: tax 88.83 is more than the amount 1.00 it is "
            "part of"
        ],
        "currency": [
            "the invoice's currency USD: it cannot change to EUR once payments or credits are "
            "applied to it (1,357.83 USD already)"
        ],
    }


def test_unchanged_invoice_is_clean(ledger_rows):
    ledger_rows[0].full_clean()


def test_credit_memo_currency_and_total(ledger_rows):
    memo = ledger_rows[3]
    memo.currency, memo.amount = "CAD", Decimal("357.84")
    assert _errors(memo) == {
        "currency": [
            "a credit memo in the invoice's currency: credit memo is in CAD, invoice INV-1 is "
            "in USD"
        ],
        "amount": [
            "at most 357.83 on invoice INV-1: its amount is 1,357.83 and 1,000.00 is paid or "
            "credited by the rest (saved, or in the same file), so this would leave a negative "
            "balance"
        ],
    }


def test_payment_application_total_and_payment_currency(ledger_rows):
    invoice, payment, application, _ = ledger_rows
    application.amount = Decimal("1000.01")
    assert list(_errors(application)) == ["amount"]
    payment.currency = "EUR"
    assert _errors(payment) == {
        "currency": [
            "a payment in the invoice's currency: payment is in EUR, invoice INV-1 is in USD"
        ]
    }
    other = Payment.objects.create(
        number="P-2", received_on=DAY, currency="EUR", amount=Decimal("1.00")
    )
    assert _errors(
        PaymentApplication(payment=other, invoice=invoice, amount=Decimal("0.00"), applied_on=DAY)
    ) == {
        "invoice": [
            "a payment in the invoice's currency: payment is in EUR, invoice INV-1 is in USD"
        ]
    }
