"""Order and payment pages: what they show, who may open them, where they are linked from."""

import re
from decimal import Decimal

from django.urls import reverse

from revdesk.testing import signed_in


def _order_url(ledger, number):
    return reverse("web:order_detail", args=[ledger.orders[number].pk])


def _payment_url(ledger, number):
    return reverse("web:payment_detail", args=[ledger.payments[number].pk])


def _status_by_role(client, url, usernames):
    got = {}
    for username in usernames:
        got[username] = signed_in(client, username).get(url).status_code
        client.logout()
    return got


def test_order_page_shows_lines_invoices_and_history(client, ledger, world):
    response = signed_in(client, "ops").get(_order_url(ledger, "O-1"))
    assert response.status_code == 200
    context = response.context
    assert [(line.line_number, line.product.sku) for line in context["lines"]] == [
        (1, world.product_ups.sku),
        (2, world.product_fibre.sku),
    ]
    assert context["total"] == Decimal("4200.00")
    assert [invoice.number for invoice in context["invoices"]] == ["INV-6"]
    page = response.content.decode()
    lines = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # line 1: 2 × 1,500.00 = 3,000.00; line 2: 1 × 1,200.00 for 36 months
    assert "1 UPS-3000 UPS 3 kVA 2 1,500.00 USD 3,000.00 USD" in lines
    assert "2 FIB-1G Dedicated fibre 1 Gbps 1 1,200.00 USD 1,200.00 USD 36" in lines
    assert 'data-testid="order-total">4,200.00' in page
    assert f'href="{ledger.invoices["INV-6"].get_absolute_url()}"' in page
    assert f'href="{world.customer_east.get_absolute_url()}"' in page
    assert 'data-testid="history"' in page


def test_order_page_by_role(client, ledger):
    # O-3 is C-1001's (rep_east's customer, collector's portfolio), sold through D01
    got = _status_by_role(
        client,
        _order_url(ledger, "O-3"),
        ("admin", "ops", "analyst", "collector", "manager", "rep", "rep_west", "distributor"),
    )
    assert got == {
        "admin": 200,
        "ops": 200,
        "analyst": 200,
        "collector": 404,  # orders are not a collector's page
        "manager": 200,
        "rep": 200,
        "rep_west": 404,
        "distributor": 200,
    }
    # O-4 went through the other distributor
    client.logout()
    assert signed_in(client, "distributor").get(_order_url(ledger, "O-4")).status_code == 404


def test_distributor_order_page_names_the_customer_without_a_link(client, ledger, world):
    page = signed_in(client, "distributor").get(_order_url(ledger, "O-3")).content.decode()
    assert "Acme Data Centers" in page
    assert world.customer_east_child.get_absolute_url() not in page
    assert f'href="{ledger.invoices["INV-8"].get_absolute_url()}"' in page


def test_payment_page_shows_applications_and_unapplied(client, ledger, world):
    response = signed_in(client, "collector").get(_payment_url(ledger, "PAY-1"))
    assert response.status_code == 200
    assert [(a.invoice.number, a.amount) for a in response.context["applications"]] == [
        ("INV-6", Decimal("3000.00"))
    ]
    assert response.context["applied"] == Decimal("3000.00")
    assert response.context["unapplied"] == Decimal("500.00")
    page = response.content.decode()
    assert 'data-testid="payment-unapplied">500.00 <span class="ccy">USD' in page
    assert f'href="{ledger.invoices["INV-6"].get_absolute_url()}"' in page
    assert f'href="{world.customer_east.get_absolute_url()}"' in page


def test_payment_page_by_role(client, ledger):
    got = _status_by_role(
        client,
        _payment_url(ledger, "PAY-1"),
        ("admin", "analyst", "collector", "collector2", "manager", "rep", "distributor"),
    )
    assert got == {
        "admin": 200,
        "analyst": 200,
        "collector": 200,
        "collector2": 404,
        "manager": 200,
        "rep": 404,
        "distributor": 404,
    }
    # unidentified cash: only those who see everything
    client.logout()
    assert signed_in(client, "collector").get(_payment_url(ledger, "PAY-3")).status_code == 404
    client.logout()
    page = signed_in(client, "admin").get(_payment_url(ledger, "PAY-3")).content.decode()
    assert "not identified yet" in page
    assert 'data-testid="payment-unapplied">77.70' in page


def test_lists_and_pages_link_orders_and_payments(client, ledger, world):
    signed_in(client, "admin")
    orders = client.get(reverse("web:order_list") + "?sort=number")
    assert [row[0].url for row in orders.context["rows"]][:2] == [
        _order_url(ledger, "O-1"),
        _order_url(ledger, "O-2"),
    ]
    payments = client.get(reverse("web:payment_list") + "?sort=number")
    assert [row[0].url for row in payments.context["rows"]][:2] == [
        _payment_url(ledger, "PAY-1"),
        _payment_url(ledger, "PAY-2"),
    ]
    customer = client.get(world.customer_east.get_absolute_url()).content.decode()
    assert f'href="{_order_url(ledger, "O-1")}"' in customer
    assert f'href="{_payment_url(ledger, "PAY-1")}"' in customer
    invoice = client.get(ledger.invoices["INV-6"].get_absolute_url()).content.decode()
    assert f'href="{_order_url(ledger, "O-1")}"' in invoice
    assert f'href="{_payment_url(ledger, "PAY-1")}"' in invoice


def test_rep_invoice_page_shows_receipt_without_link(client, ledger):
    page = signed_in(client, "rep").get(ledger.invoices["INV-6"].get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "PAY-1" in html
    assert _payment_url(ledger, "PAY-1") not in html


def test_invoice_page_gives_the_reporting_currency_equivalent(client, ledger, world):
    from django.utils import timezone

    invoice = ledger.invoices["INV-5"]  # 2000.00 CAD, CAD->USD 0.73 since 2020
    signed_in(client, "admin")
    page = client.get(reverse("web:invoice_detail", args=[invoice.pk])).text
    rows = re.findall(
        r'data-testid="invoice-equivalent"><th scope="row">([^<]+)</th>(.*?)</tr>', page
    )
    issued, today = invoice.issued_on.isoformat(), timezone.localdate().isoformat()
    assert [(label, re.sub(r"<[^>]+>", "", cell)) for label, cell in rows] == [
        ("Amount in USD", f"1,460.00 USDat 0.73 on {issued}"),
        ("Balance in USD", f"1,460.00 USDat 0.73 on {today}"),
    ]
    # an invoice in the reporting currency needs none
    usd = client.get(reverse("web:invoice_detail", args=[ledger.invoices["INV-1"].pk])).text
    assert "invoice-equivalent" not in usd
