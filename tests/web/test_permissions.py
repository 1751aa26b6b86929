"""Which role gets which page: 200, 404 (not yours, or not a page for your role) or login."""

import pytest
from django.urls import reverse

from revdesk.testing import ROLES, signed_in

EVERYONE = frozenset(ROLES)
REPS = {"rep", "rep_west"}
COLLECTORS = {"lead", "collector", "collector2"}

# page -> the users who get 200; everybody else signed in gets 404.
LIST_PAGES = {
    "web:customer_list": EVERYONE - {"distributor"},
    "web:payee_list": {"admin", "ops", "analyst", "leader", "manager"},
    "web:distributor_list": {"admin", "ops", "analyst", "distributor"},
    "web:product_list": EVERYONE,
    "web:order_list": EVERYONE - COLLECTORS,
    "web:invoice_list": EVERYONE,
    "web:payment_list": EVERYONE - REPS - {"distributor"},
    "web:import_list": {"admin", "ops", "analyst"},
    "web:change_list": {"admin"},
}


def _status_by_role(client, url):
    got = {}
    for username in ROLES:
        client.logout()
        got[username] = signed_in(client, username).get(url).status_code
    return got


@pytest.mark.parametrize("page", sorted(LIST_PAGES))
def test_list_pages_by_role(client, world, page):
    got = _status_by_role(client, reverse(page))
    expected = {name: 200 if name in LIST_PAGES[page] else 404 for name in ROLES}
    assert got == expected


@pytest.mark.parametrize("page", [*sorted(LIST_PAGES), "web:home"])
def test_anonymous_is_sent_to_login(client, db, page):
    url = reverse(page)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_customer_detail_by_role(client, world):
    got = _status_by_role(client, world.customer_east.get_absolute_url())
    assert got == {
        "admin": 200,
        "ops": 200,
        "analyst": 200,
        "lead": 200,  # team lead of `collector`
        "leader": 200,  # a manager with no payee leads a desk and sees everything
        "collector": 200,
        "collector2": 404,
        "manager": 200,  # rep_east reports to them
        "rep": 200,
        "rep_west": 404,
        "distributor": 404,
    }


def test_customer_edit_by_role(client, world):
    got = _status_by_role(client, reverse("web:customer_edit", args=[world.customer_east.pk]))
    allowed = {"admin", "ops", "lead", "collector"}  # collector: documentation fields
    assert got == {name: 200 if name in allowed else 404 for name in ROLES}
    west_edit = reverse("web:customer_edit", args=[world.customer_west.pk])
    client.logout()
    signed_in(client, "lead")
    assert client.get(west_edit).status_code == 404  # not in the team's portfolio


def test_invoice_detail_by_role(client, ledger):
    got = _status_by_role(client, ledger.invoices["INV-5"].get_absolute_url())
    assert got == {
        "admin": 200,
        "ops": 200,
        "analyst": 200,
        "lead": 404,
        "leader": 200,
        "collector": 404,
        "collector2": 200,
        "manager": 200,
        "rep": 404,  # not their customer
        "rep_west": 200,  # their customer's invoice
        "distributor": 404,
    }


def test_payee_detail_by_role(client, world):
    got = _status_by_role(client, world.rep_west.get_absolute_url())
    assert got == {
        "admin": 200,
        "ops": 200,
        "analyst": 200,
        "lead": 404,
        "leader": 200,
        "collector": 404,
        "collector2": 404,
        "manager": 200,
        "rep": 404,
        "rep_west": 200,  # their own record
        "distributor": 404,
    }


def test_distributor_detail_by_role(client, world):
    got = _status_by_role(client, world.other_distributor.get_absolute_url())
    allowed = {"admin", "ops", "analyst"}
    assert got == {name: 200 if name in allowed else 404 for name in ROLES}
    client.logout()
    signed_in(client, "distributor")
    assert client.get(world.distributor.get_absolute_url()).status_code == 200


def test_product_detail_is_open_to_everyone_signed_in(client, world):
    got = _status_by_role(client, world.product_ups.get_absolute_url())
    assert got == dict.fromkeys(ROLES, 200)


def test_unknown_ids_are_404(client, world):
    signed_in(client, "admin")
    for name in ("customer_detail", "payee_detail", "distributor_detail", "invoice_detail"):
        assert client.get(reverse(f"web:{name}", args=[999999])).status_code == 404


def test_navigation_per_role(client, world):
    def nav(username):
        client.logout()
        signed_in(client, username)
        return [item.label for item in client.get(reverse("web:home")).context["nav_items"]]

    assert nav("collector") == [
        "Home",
        "Customers",
        "Invoices",
        "Payments",
        "Cash application",
        "Worklist",
        "Cases",
        "SLA dashboard",
    ]
    assert nav("rep") == [
        "Home",
        "My customers",
        "My orders",
        "My invoices",
        "My cases",
        "My commissions",
        "My claims",
    ]
    assert nav("distributor") == ["Home", "My orders", "Invoices", "My cases"]
    assert nav("analyst") == [
        "Home",
        "Customers",
        "Payees",
        "Orders",
        "Invoices",
        "Payments",
        "Cases",
        "SLA dashboard",
        "Commissions",
        "Claims",
        "Distributors",
        "Products",
        "Imports",
    ]
    assert nav("admin") == [
        "Home",
        "Customers",
        "Payees",
        "Orders",
        "Invoices",
        "Payments",
        "Cash application",
        "Worklist",
        "Cases",
        "SLA dashboard",
        "Quality review",  # administrators see every team's quality reviews
        "Commissions",
        "Claims",
        "Distributors",
        "Products",
        "Imports",
        "Change log",
    ]
    admin_page = client.get(reverse("web:home")).content.decode()
    assert 'href="/admin/"' in admin_page
    client.logout()
    signed_in(client, "ops")
    assert 'href="/admin/"' not in client.get(reverse("web:home")).content.decode()


def test_import_detail_by_role(client, world):
    from django.utils import timezone

    from revdesk.ingest.models import ImportRun

    run = ImportRun.objects.create(
        kind="customers",
        file_name="customers.csv",
        user_name="ops",
        started_at=timezone.now(),
        status="failed",
        rows=3,
        error_count=1,
        errors=[{"line": 3, "column": "currency", "value": "US", "expected": "ISO code"}],
    )
    got = _status_by_role(client, reverse("web:import_detail", args=[run.pk]))
    allowed = {"admin", "ops", "analyst"}
    assert got == {name: 200 if name in allowed else 404 for name in ROLES}
    page = client.get(reverse("web:import_detail", args=[run.pk]))
    assert page.status_code == 404  # the last client was `distributor`
    client.logout()
    signed_in(client, "ops")
    text = " ".join(
        client.get(reverse("web:import_detail", args=[run.pk])).content.decode().split()
    )
    assert '<td class="num">3</td><td>currency</td><td>US</td><td>ISO code</td>' in text
