"""Invoices whose terms split payment: a schedule of instalments, each due and aged on its
own, settled in order by what is paid; loaded from a file, whole, or refused with the line
and column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from revdesk.foundation.models import ChangeRecord
from revdesk.ingest.importer import file_import
from revdesk.ingest.report import Problem
from revdesk.receivables import services
from revdesk.receivables.account import account_page
from revdesk.receivables.dunning import overdue_items
from revdesk.receivables.models import Invoice, InvoiceInstalment, Payment, PaymentApplication
from revdesk.receivables.reports import aging_items
from revdesk.receivables.selectors import mark_days_overdue
from revdesk.testing import signed_in

D = Decimal
pytestmark = pytest.mark.django_db

SCHEDULE = (
    "invoice_number,sequence,due_on,amount\n"
    "INV-I1,1,2026-10-01,1000.00\n"
    "INV-I1,2,2026-10-31,1000.00\n"
    "INV-I1,3,2026-11-30,1000.00\n"
)


@pytest.fixture
def invoice(world):
    return Invoice.objects.create(
        number="INV-I1",
        customer=world.customer_east,
        issued_on=dt.date(2026, 9, 1),
        due_on=dt.date(2026, 11, 30),
        currency="USD",
        amount=D("3000.00"),
        balance=D("3000.00"),
    )


@pytest.fixture
def scheduled(invoice, world, tmp_path):
    path = tmp_path / "instalments.csv"
    path.write_text(SCHEDULE)
    result = file_import(kind="invoice-instalments", path=path, actor=world.users["ops"])
    assert (result.status, result.created) == ("succeeded", 3)
    return invoice


def _pay(invoice, amount, on, world, number="RCPT-I1"):
    payment = Payment.objects.create(
        number=number,
        customer=invoice.customer,
        received_on=on,
        currency="USD",
        amount=D(amount),
    )
    services.payment_application_save(
        application=PaymentApplication(
            payment=payment, invoice=invoice, amount=D(amount), applied_on=on
        ),
        actor=world.users["admin"],
    )
    return payment


def _items(world, day):
    return [
        (i["document"], i["due_date"], i["amount"], i["days_past_due"], i["bucket"])
        for i in aging_items(
            user=world.users["admin"], as_of=day, by="company", key="", bucket=None
        )
    ]


def test_each_instalment_is_aged_on_its_own_and_paid_in_order(scheduled, world):
    assert _items(world, dt.date(2026, 10, 3)) == [
        ("INV-I1 (1/3)", dt.date(2026, 10, 1), D("1000.00"), 2, "1-30"),
        ("INV-I1 (2/3)", dt.date(2026, 10, 31), D("1000.00"), -28, "current"),
        ("INV-I1 (3/3)", dt.date(2026, 11, 30), D("1000.00"), -58, "current"),
    ]
    _pay(scheduled, "1500.00", dt.date(2026, 10, 5), world)
    # the first instalment is paid, half of the second
    assert _items(world, dt.date(2026, 11, 10)) == [
        ("INV-I1 (2/3)", dt.date(2026, 10, 31), D("500.00"), 10, "1-30"),
        ("INV-I1 (3/3)", dt.date(2026, 11, 30), D("1000.00"), -20, "current"),
    ]
    # the aging before the payment is as it was
    assert _items(world, dt.date(2026, 10, 4))[0][2] == D("1000.00")
    # dunning goes by what is overdue: the open half of the second instalment
    (late,) = overdue_items(dt.date(2026, 11, 10))
    assert (late.number, late.due_on, late.balance, late.balance_text) == (
        "INV-I1",
        dt.date(2026, 10, 31),
        D("500.00"),
        "500.00",
    )
    assert overdue_items(dt.date(2026, 10, 31)) == []


def test_a_reversed_payment_reopens_the_instalments_it_paid(scheduled, world):
    payment = _pay(scheduled, "1500.00", dt.date(2026, 10, 5), world)
    services.payment_reverse(
        payment=payment, on=dt.date(2026, 10, 20), reason="Returned", actor=world.users["ops"]
    )
    assert [(d, a) for d, _, a, *_ in _items(world, dt.date(2026, 10, 25))] == [
        ("INV-I1 (1/3)", D("1000.00")),
        ("INV-I1 (2/3)", D("1000.00")),
        ("INV-I1 (3/3)", D("1000.00")),
    ]


def test_the_account_and_invoice_pages_show_the_instalments(scheduled, world, client):
    _pay(scheduled, "1500.00", dt.date(2026, 10, 5), world)
    page = account_page(
        customer=world.customer_east, user=world.users["collector"], on=dt.date(2026, 11, 10)
    )
    assert [(i["document"], i["invoice_id"], i["amount"]) for i in page.items] == [
        ("INV-I1 (2/3)", scheduled.pk, D("500.00")),
        ("INV-I1 (3/3)", scheduled.pk, D("1000.00")),
    ]
    signed_in(client, "collector")
    html = client.get(f"/invoices/{scheduled.pk}/").text
    assert (
        '<tr><td>2 of 3</td><td>2026-10-31 <span class="tag tag-warn">overdue</span></td>'
        '<td class="num">1,000.00</td><td class="num">500.00</td>'
        '<td class="num">500.00 <span class="ccy">USD</span></td></tr>'
    ) in html
    # the invoice is overdue since its oldest open instalment fell due (today is after it)
    days = (timezone.localdate() - dt.date(2026, 10, 31)).days
    assert f'<span class="tag tag-warn">{days} days overdue</span>' in html


def test_lists_count_days_overdue_from_the_oldest_open_instalment(scheduled, world, client):
    _pay(scheduled, "1500.00", dt.date(2026, 10, 5), world)
    plain = Invoice.objects.create(
        number="INV-I2",
        customer=world.customer_east,
        issued_on=dt.date(2026, 9, 1),
        due_on=dt.date(2026, 10, 31),
        currency="USD",
        amount=D("10.00"),
        balance=D("10.00"),
    )
    invoices = list(Invoice.objects.filter(pk__in=[scheduled.pk, plain.pk]).order_by("number"))
    mark_days_overdue(invoices, dt.date(2026, 11, 10))
    # the invoice falls due on 2026-11-30, but its second instalment (half open) on 10-31
    assert [(i.number, i.days_overdue) for i in invoices] == [("INV-I1", 10), ("INV-I2", 10)]
    mark_days_overdue(invoices, dt.date(2026, 10, 31))
    assert [i.days_overdue for i in invoices] == [None, None]
    # the invoice list and the customer page say the same (today is after 10-31)
    days = (timezone.localdate() - dt.date(2026, 10, 31)).days
    signed_in(client, "admin")
    listing = client.get("/invoices/?q=INV-I1").text
    assert f'<td class="num">{days}</td>' in listing
    customer = client.get(f"/customers/{world.customer_east.pk}/").text
    row = customer[customer.index(f'<a href="/invoices/{scheduled.pk}/">INV-I1</a>') :]
    assert row.split("</tr>")[0].count(f'<td class="num">{days}</td>') == 1


def test_a_schedule_is_whole_or_refused_with_line_and_column(invoice, world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "invoice_number,sequence,due_on,amount\n"
        "INV-I1,1,2026-10-01,1000.00\n"
        "INV-I1,2,2026-09-30,1000.00\n"
        "INV-I1,3,2026-11-30,900.00\n"
    )
    result = file_import(kind="invoice-instalments", path=path, actor=world.users["ops"])
    assert result.status == "failed"
    assert result.problems == [
        Problem(
            3,
            "due_on",
            "2026-09-30",
            "instalment 2 of INV-I1 falls due after instalment 1 (2026-10-01)",
        ),
        Problem(
            4,
            "amount",
            "900.00",
            "the instalments of INV-I1 add up to 2,900.00, not to its amount 3,000.00: give "
            "the whole schedule",
        ),
    ]
    assert not InvoiceInstalment.objects.exists()


def test_a_new_schedule_replaces_the_old_and_a_new_amount_drops_it(scheduled, world, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(
        "invoice_number,sequence,due_on,amount\nINV-I1,1,2026-10-15,1500\nINV-I1,2,2026-11-15,1500\n"
    )
    file_import(kind="invoice-instalments", path=path, actor=world.users["ops"])
    assert list(
        InvoiceInstalment.objects.order_by("sequence").values_list("sequence", "due_on", "amount")
    ) == [(1, dt.date(2026, 10, 15), D("1500.00")), (2, dt.date(2026, 11, 15), D("1500.00"))]
    assert ChangeRecord.objects.filter(action="delete", object_repr="INV-I1 instalment 3").exists()
    services.invoices_upsert(
        rows=[
            {
                "number": "INV-I1",
                "customer_id": world.customer_east.pk,
                "order_id": None,
                "issued_on": dt.date(2026, 9, 1),
                "due_on": dt.date(2026, 11, 30),
                "currency": "USD",
                "amount": D("3300.00"),
                "tax_amount": D("0.00"),
                "po_number": "",
            }
        ],
        actor=world.users["ops"],
    )
    # the schedule no longer adds up: the invoice is due whole on its due date again
    assert not InvoiceInstalment.objects.exists()
    assert _items(world, dt.date(2026, 11, 10)) == [
        ("INV-I1", dt.date(2026, 11, 30), D("3300.00"), -20, "current")
    ]


def test_a_batch_never_cuts_a_schedule_in_two(invoice, world, tmp_path):
    path = tmp_path / "instalments.csv"
    path.write_text(SCHEDULE)
    result = file_import(
        kind="invoice-instalments", path=path, actor=world.users["ops"], batch_size=2
    )
    assert (result.status, result.created) == ("succeeded", 3)


def test_a_schedule_split_by_another_in_the_file_is_refused(invoice, world, tmp_path):
    Invoice.objects.create(
        number="INV-I2",
        customer=world.customer_east,
        issued_on=dt.date(2026, 9, 1),
        due_on=dt.date(2026, 10, 31),
        currency="USD",
        amount=D("100.00"),
        balance=D("100.00"),
    )
    path = tmp_path / "instalments.csv"
    path.write_text(
        "invoice_number,sequence,due_on,amount\n"
        "INV-I1,1,2026-10-01,1000.00\n"
        "INV-I1,2,2026-10-31,1000.00\n"
        "INV-I2,1,2026-10-31,100.00\n"
        "INV-I1,3,2026-11-30,1000.00\n"
    )
    result = file_import(kind="invoice-instalments", path=path, actor=world.users["ops"])
    assert result.status == "failed"
    assert result.problems == [
        Problem(
            5,
            "invoice_number",
            "INV-I1",
            "the lines of invoice_number INV-I1 one after another: it began on line 2, "
            "and line 4 is of another",
        )
    ]
    assert not InvoiceInstalment.objects.exists()


def test_a_dispute_is_held_once_from_what_falls_due_first(scheduled, world):
    from revdesk.receivables.disputes import dispute_open

    _pay(scheduled, "1500.00", dt.date(2026, 10, 5), world)
    dispute_open(
        actor=world.users["collector"], invoice=scheduled, reason="pricing", amount=D("700.00")
    )
    page = account_page(
        customer=world.customer_east, user=world.users["collector"], on=dt.date(2026, 11, 10)
    )
    assert [(i["document"], i["amount"], i["disputed"]) for i in page.items] == [
        ("INV-I1 (2/3)", D("500.00"), D("500.00")),
        ("INV-I1 (3/3)", D("1000.00"), D("200.00")),
    ]
