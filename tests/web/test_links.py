"""Every link a person is shown opens: crawl home and each list in the navigation, per role.

A link to a page the role may not open (a 404 for them) is a bug the tester met twice:
distributors' order and invoice lists linked customers, reps' customer pages linked invoices.
"""

import re

import pytest
from django.urls import reverse

from revdesk.testing import ROLES, signed_in
from revdesk.web.roles import may_open, may_open_url

HREF = re.compile(r'href="([/?][^"]*)"')


def _links(html: str, path: str) -> set[str]:
    """Links inside the site; "?sort=..." ones (sort, pages, export) taken on this path."""
    links = (link.replace("&amp;", "&") for link in HREF.findall(html))
    return {f"{path}{link}" if link.startswith("?") else link for link in links}


def _skipped(link: str, *, staff: bool) -> bool:
    if link.startswith("/static/"):
        return True
    return link.startswith("/admin/") and staff  # the admin site has its own tests


@pytest.mark.parametrize("username", ROLES)
def test_every_link_shown_opens(client, ledger, username):
    signed_in(client, username)
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    start = [reverse("web:home")] + [item.url for item in home.context["nav_items"]]
    pages = {}
    for url in start:
        response = client.get(url, follow=True)  # the case queue opens on ?status=open
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    user = home.context["user"]
    links = set()
    for html in pages.values():
        links |= _links(html, url)
    # one level further: the detail pages reached from the lists
    details = sorted(link for link in links if re.search(r"/\d+/$", link))
    for link in details:
        response = client.get(link)
        assert response.status_code == 200, f"{username} is shown {link}: {response.status_code}"
        links |= _links(response.content.decode(), link)
    checked = 0
    for link in sorted(links):
        if _skipped(link, staff=user.is_staff):
            continue
        assert not link.startswith("/admin/"), f"{username} is shown the admin link {link}"
        response = client.get(link)
        assert response.status_code in (200, 302), (
            f"{username} is shown {link}: {response.status_code}"
        )
        if response.status_code == 302:
            # only the sign-out or log-in pages redirect, and the case queue to its open cases
            location = response["Location"]
            assert location.startswith("/login") or location == f"{link}?status=open", link
        checked += 1
    assert checked > 3


def test_distributor_sees_customer_names_without_links(client, ledger, world):
    response = signed_in(client, "distributor").get(reverse("web:order_list"))
    page = response.content.decode()
    assert world.customer_east.get_absolute_url() not in page
    assert "Acme Data Centers" in page
    assert [cell.url for cell in (row[2] for row in response.context["rows"])] == [None] * len(
        response.context["rows"]
    )


def test_rep_opens_invoices_of_their_customers(client, ledger, world):
    signed_in(client, "rep")
    nav = [item.label for item in client.get("/").context["nav_items"]]
    assert nav[:6] == [
        "Home",
        "My customers",
        "My orders",
        "My invoices",
        "My cases",
        "My commissions",
    ]
    page = client.get(world.customer_east.get_absolute_url()).content.decode()
    invoice_links = sorted(set(re.findall(r'href="(/invoices/\d+/)"', page)))
    assert invoice_links
    for link in invoice_links:
        assert client.get(link).status_code == 200
    west = client.get(reverse("web:invoice_list") + "?customer=C-2000")
    assert west.context["page"].paginator.count == 0


@pytest.mark.parametrize(
    ("username", "url_name", "expected"),
    [
        ("distributor", "web:customer_detail", False),
        ("distributor", "invoice_detail", True),
        ("rep", "web:invoice_detail", True),
        ("rep", "web:payment_detail", False),
        ("collector", "web:order_detail", False),
        ("analyst", "web:change_list", False),
        ("admin", "web:change_list", True),
    ],
)
def test_may_open(world, username, url_name, expected):
    assert may_open(world.users[username], url_name) is expected


def test_may_open_url_leaves_outside_addresses_alone(world):
    distributor = world.users["distributor"]
    assert may_open_url(distributor, "mailto:ap@example.com") is True
    assert may_open_url(distributor, world.customer_east.get_absolute_url()) is False
    assert may_open_url(distributor, "/no/such/page/") is False
