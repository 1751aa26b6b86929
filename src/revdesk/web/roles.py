"""Which role may open which page, and the navigation that follows from it.

One table decides both: a page is linked in the navigation only for the roles that may open
it, and the view refuses (404) everybody else. Who may change which customer fields is
decided by revdesk.parties.policies, for the web, the API and the service alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from revdesk.foundation.scoping import viewer_for
from revdesk.foundation.views import user_has_role
from revdesk.parties.choices import Role

ADMIN = Role.ADMIN.value
OPS = Role.SALES_OPERATIONS.value
ANALYST = Role.COMMISSIONS_ANALYST.value
COLLECTOR = Role.COLLECTOR.value
SENIOR = Role.SENIOR_COLLECTOR.value
MANAGER = Role.MANAGER.value
REP = Role.SALES_REP.value
DISTRIBUTOR = Role.DISTRIBUTOR_USER.value

CUSTOMER_ROLES = frozenset({ADMIN, OPS, ANALYST, COLLECTOR, SENIOR, MANAGER, REP})
PAYEE_ROLES = frozenset({ADMIN, OPS, ANALYST, MANAGER})
DISTRIBUTOR_ROLES = frozenset({ADMIN, OPS, ANALYST, DISTRIBUTOR})
PRODUCT_ROLES = None  # reference data: anyone signed in
ORDER_ROLES = frozenset({ADMIN, OPS, ANALYST, MANAGER, REP, DISTRIBUTOR})
INVOICE_ROLES = frozenset({ADMIN, OPS, ANALYST, COLLECTOR, SENIOR, MANAGER, DISTRIBUTOR})
PAYMENT_ROLES = frozenset({ADMIN, OPS, ANALYST, COLLECTOR, SENIOR, MANAGER})
CHANGE_LOG_ROLES = frozenset({ADMIN})
IMPORT_ROLES = frozenset({ADMIN, OPS, ANALYST})


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def _only(user, roles: set[str]) -> bool:
    """The person holds only roles from this set (so 'My ...' labels fit)."""
    held = viewer_for(user).roles
    return bool(held) and held <= roles and not user.is_superuser


def navigation_items(user, path: str) -> list[NavItem]:
    mine = _only(user, {REP})
    own_orders = _only(user, {REP, DISTRIBUTOR})
    entries = [
        ("Home", "web:home", "*"),
        ("My customers" if mine else "Customers", "web:customer_list", CUSTOMER_ROLES),
        ("Payees", "web:payee_list", PAYEE_ROLES),
        ("My orders" if own_orders else "Orders", "web:order_list", ORDER_ROLES),
        ("Invoices", "web:invoice_list", INVOICE_ROLES),
        ("Payments", "web:payment_list", PAYMENT_ROLES),
        ("Distributors", "web:distributor_list", DISTRIBUTOR_ROLES - {DISTRIBUTOR}),
        ("Products", "web:product_list", frozenset({ADMIN, OPS, ANALYST, MANAGER})),
        ("Imports", "web:import_list", IMPORT_ROLES),
        ("Change log", "web:change_list", CHANGE_LOG_ROLES),
    ]
    items = []
    for label, name, roles in entries:
        if roles != "*" and not user_has_role(user, roles):
            continue
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(label, url, active))
    return items


def role_labels(user) -> list[str]:
    labels = dict(Role.choices)
    roles = sorted(viewer_for(user).roles, key=lambda value: list(labels).index(value))
    names = [str(labels[value]) for value in roles]
    if user.is_superuser and str(labels[ADMIN]) not in names:
        names.insert(0, str(labels[ADMIN]))
    return names
