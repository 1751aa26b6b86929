"""An open invoice with nothing left to pay (balance 0.00) is neither open money nor overdue:
in the rule, on the invoice, in the home figures and on the customer page."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from revdesk.receivables.models import Invoice
from revdesk.receivables.selectors import invoice_open_q
from revdesk.testing import signed_in
from revdesk.web.selectors import collections_summary, operations_summary


def _invoices(world):
    today = timezone.localdate()
    due = today - dt.timedelta(days=40)
    common = {
        "customer": world.customer_east,
        "issued_on": due - dt.timedelta(days=30),
        "due_on": due,
        "currency": "USD",
        "amount": Decimal("120.00"),
        "status": "open",
    }
    settled = Invoice.objects.create(number="INV-Z0", balance=Decimal("0.00"), **common)
    owing = Invoice.objects.create(number="INV-Z1", balance=Decimal("0.01"), **common)
    return today, settled, owing


def test_open_with_balance_zero_is_not_open_nor_overdue(world):
    today, settled, owing = _invoices(world)
    assert list(Invoice.objects.filter(invoice_open_q()).values_list("number", flat=True)) == [
        "INV-Z1"
    ]
    overdue = Invoice.objects.filter(Invoice.overdue_q(today))
    assert list(overdue.values_list("number", flat=True)) == ["INV-Z1"]
    assert settled.days_overdue_on(today) is None
    assert owing.days_overdue_on(today) == 40


def test_home_figures_and_customer_page_leave_it_out(client, world):
    today, _, _ = _invoices(world)
    summary = collections_summary(user=world.users["collector"], today=today)
    assert (summary.open_invoices, summary.overdue_invoices) == (1, 1)
    assert summary.open_amounts.by_currency == {"USD": Decimal("0.01")}
    assert [invoice.number for invoice in summary.oldest_overdue] == ["INV-Z1"]
    assert operations_summary(user=world.users["ops"]).open_invoices == 1
    page = signed_in(client, "collector").get(world.customer_east.get_absolute_url())
    assert [invoice.number for invoice in page.context["open_invoices"]] == ["INV-Z1"]
