"""Cash application writes a file's receipts in bulk: reading a bigger file takes no more
queries. Proven on the two passes that went one receipt at a time: opening the short-payment
cases (each customer's collector told) and looking for a remittance advice for the receipts
left on account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from revdesk.cases.models import Case, Notification
from revdesk.parties.models import Customer, CustomerBankAccount
from revdesk.receivables.cash import cash_apply
from revdesk.receivables.models import Invoice, Payment, RemittanceAdvice, RemittanceLine

D = Decimal
pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 27)


def _ledger(world, count: int, tag: str) -> str:
    """`count` customers, each with an open invoice of 1,000.00 and a bank account, and a bank
    file in which each pays 900.00 on its invoice (a 100.00 short payment: a case) and sends
    a second receipt of 250.00 nothing fits (on account). The first customer has told us by
    e-mail what its 250.00 pays (a remittance advice): applied."""
    lines = ["receipt,date,amount,currency,payer_name,payer_account,text"]
    for n in range(count):
        customer = Customer.objects.create(
            code=f"{tag}{n:03d}",
            name=f"Customer {tag} {n}",
            country="US",
            currency="USD",
            collector=world.users["collector"],
        )
        account = f"{tag}-ACCT-{n:03d}"
        CustomerBankAccount.objects.create(customer=customer, account=account)
        number, other = f"{tag}INV{n + 1:05d}", f"{tag}OTHER{n + 1:05d}"
        Invoice.objects.create(
            number=number,
            customer=customer,
            issued_on=dt.date(2026, 9, 1),
            due_on=dt.date(2026, 10, 1),
            currency="USD",
            amount=D("1000.00"),
            balance=D("1000.00"),
        )
        Invoice.objects.create(
            number=other,
            customer=customer,
            issued_on=dt.date(2026, 9, 1),
            due_on=dt.date(2026, 10, 1),
            currency="USD",
            amount=D("777.77"),
            balance=D("777.77"),
        )
        lines.append(f"{tag}S{n},2026-10-27,900.00,USD,{customer.name},{account},INV {number}")
        lines.append(f"{tag}A{n},2026-10-27,250.00,USD,{customer.name},{account},THANK YOU")
        if n == 0:
            advice = RemittanceAdvice.objects.create(
                customer=customer, received_at=dt.datetime(2026, 10, 26, tzinfo=dt.UTC)
            )
            RemittanceLine.objects.create(advice=advice, invoice_number=other, paid=D("250.00"))
    return "\n".join(lines) + "\n"


def _read(world, tmp_path, count: int, tag: str) -> int:
    path = tmp_path / f"{tag}.csv"
    path.write_text(_ledger(world, count, tag))
    with CaptureQueriesContext(connection) as queries:
        run = cash_apply(path=path, actor=world.users["ops"])
    assert run.summary["receipts"] == 2 * count
    return len(queries)


def test_a_bigger_file_takes_no_more_queries(world, tmp_path):
    _read(world, tmp_path, 1, "W")  # what is read once and kept (content types, roles)
    small = _read(world, tmp_path, 3, "A")
    cases_small = Case.objects.count()
    big = _read(world, tmp_path, 12, "B")
    # four times the receipts, no more queries (a few caches the small file filled are fewer)
    assert big <= small < 150
    # and it did the work: a case per short payment, its collector told, the rest on account
    assert (cases_small, Case.objects.count()) == (4, 16)
    short = Case.objects.filter(customer__code="B007").get()
    assert (short.case_type.code, short.amount, short.currency) == (
        "short_payment",
        D("100.00"),
        "USD",
    )
    assert Notification.objects.filter(case=short, user=world.users["collector"]).exists()
    assert Invoice.objects.get(number="BINV00008").balance == D("100.00")
    assert Payment.objects.get(number="BA7").status == "on_account"
    # the first customer's 250.00 applied as its advice says
    assert Payment.objects.get(number="BA0").status == "applied"
    assert Invoice.objects.get(number="BOTHER00001").balance == D("527.77")
    assert RemittanceAdvice.objects.get(customer__code="B000").status == "applied"
