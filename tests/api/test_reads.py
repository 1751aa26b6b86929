"""The API reads like the pages: unapplied cash counts every application of a payment,
and a senior collector may put their team's collectors on a customer."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from revdesk.parties.models import Customer
from revdesk.receivables.models import Invoice, Payment, PaymentApplication
from revdesk.testing import signed_in

# unapplied cash: a parent pays its subsidiary's invoice ------------------------------------


@pytest.fixture
def parent_pays_subsidiary(world):
    """C-1000 (collector's) pays 1,000.00: 400.00 on its own invoice and 350.00 on the
    invoice of C-1009, a subsidiary in collector2's portfolio. 250.00 is left to apply."""
    subsidiary = Customer.objects.create(
        code="C-1009",
        name="Acme Subsidiary",
        parent=world.customer_east,
        country="US",
        currency="USD",
        sales_rep=world.rep_west,
        collector=world.users["collector2"],
    )
    day = dt.date(2025, 11, 3)
    own = Invoice.objects.create(
        number="INV-P1",
        customer=world.customer_east,
        issued_on=day,
        due_on=day,
        currency="USD",
        amount=Decimal("400.00"),
        balance=Decimal("0.00"),
        status="paid",
    )
    theirs = Invoice.objects.create(
        number="INV-S1",
        customer=subsidiary,
        issued_on=day,
        due_on=day,
        currency="USD",
        amount=Decimal("350.00"),
        balance=Decimal("0.00"),
        status="paid",
    )
    payment = Payment.objects.create(
        number="PAY-P",
        customer=world.customer_east,
        received_on=day,
        currency="USD",
        amount=Decimal("1000.00"),
    )
    PaymentApplication.objects.create(
        payment=payment, invoice=own, applied_on=day, amount=Decimal("400.00")
    )
    PaymentApplication.objects.create(
        payment=payment, invoice=theirs, applied_on=day, amount=Decimal("350.00")
    )
    return payment


@pytest.mark.parametrize("username", ["collector", "admin"])
def test_unapplied_counts_applications_outside_the_portfolio(
    client, world, parent_pays_subsidiary, as_role, username
):
    payment = parent_pays_subsidiary
    shown = ["INV-P1"] if username == "collector" else ["INV-P1", "INV-S1"]
    api = as_role[username].get(f"/api/payments/{payment.pk}").json()
    assert (api["applied"], api["unapplied"]) == ("750.00", "250.00")
    assert [a["invoice"] for a in api["applications"]] == shown
    listed = as_role[username].get("/api/payments", number="PAY-P").json()["items"]
    assert [(p["applied"], p["unapplied"]) for p in listed] == [("750.00", "250.00")]

    signed_in(client, username)
    page = client.get(reverse("web:payment_detail", args=[payment.pk])).context
    assert (page["applied"], page["unapplied"]) == (Decimal("750.00"), Decimal("250.00"))
    assert [a.invoice.number for a in page["applications"]] == shown
    listing = client.get("/payments/", {"q": "PAY-P"})
    rows = [[cell.text for cell in row] for row in listing.context["rows"]]
    assert [row[0] for row in rows] == ["PAY-P"]
    assert rows[0][5] == "250.00"


# collectors offered ---------------------------------------------------------------------


def test_senior_collector_moves_a_customer_within_the_team_by_api(world, as_role):
    customer = world.customer_east
    response = as_role["lead"].patch(f"/api/customers/{customer.pk}", {"collector": "lead"})
    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert customer.collector == world.users["lead"]


def test_senior_collector_may_not_move_a_customer_outside_the_team_by_api(world, as_role):
    customer = world.customer_east
    response = as_role["lead"].patch(f"/api/customers/{customer.pk}", {"collector": "collector2"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "collector",
            "message": "No collector with username 'collector2' among the records you may see.",
            "value": "collector2",
        }
    ]
    customer.refresh_from_db()
    assert customer.collector == world.users["collector"]
