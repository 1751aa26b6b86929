"""Who sees what through the API: every role x every endpoint, by the exact codes returned.

Lists must return exactly the visible records; a detail page of a record outside the caller's
scope answers 404, exactly as a record that does not exist.
"""

import pytest

from revdesk.testing import ROLES

ALL_CUSTOMERS = ["C-1000", "C-1001", "C-2000"]
EAST_CUSTOMERS = ["C-1000", "C-1001"]

CUSTOMERS = {
    "admin": ALL_CUSTOMERS,
    "ops": ALL_CUSTOMERS,
    "analyst": ALL_CUSTOMERS,
    "leader": ALL_CUSTOMERS,  # a manager with no payee of their own leads the desk
    "lead": EAST_CUSTOMERS,  # their own portfolio (empty) and their collector's
    "collector": EAST_CUSTOMERS,
    "collector2": ["C-2000"],
    "manager": ALL_CUSTOMERS,  # the customers of both their reps
    "rep": EAST_CUSTOMERS,
    "rep_west": ["C-2000"],
    "distributor": [],
}

ALL_PAYEES = ["E100", "E101", "E102"]
PAYEES = {
    "admin": ALL_PAYEES,
    "ops": ALL_PAYEES,
    "analyst": ALL_PAYEES,
    "leader": ALL_PAYEES,
    "lead": [],
    "collector": [],
    "collector2": [],
    "manager": ALL_PAYEES,
    "rep": ["E101"],
    "rep_west": ["E102"],
    "distributor": [],
}

EVERYONE_SEES_ALL_DISTRIBUTORS = {"admin", "ops", "analyst", "leader"}
DISTRIBUTORS = {
    role: (
        ["D01", "D02"]
        if role in EVERYONE_SEES_ALL_DISTRIBUTORS
        else (["D01"] if role == "distributor" else [])
    )
    for role in ROLES
}

ALL_ORDERS = ["O-1", "O-2", "O-3", "O-4", "SO-1", "SO-2", "SO-3", "SO-4"]
EAST_ORDERS = ["O-1", "O-3", "SO-1", "SO-3", "SO-4"]
WEST_ORDERS = ["O-2", "O-4", "SO-2"]
ORDERS = {
    "admin": ALL_ORDERS,
    "ops": ALL_ORDERS,
    "analyst": ALL_ORDERS,
    "leader": ALL_ORDERS,
    "lead": EAST_ORDERS,
    "collector": EAST_ORDERS,
    "collector2": WEST_ORDERS,
    "manager": ALL_ORDERS,
    "rep": EAST_ORDERS,
    "rep_west": WEST_ORDERS,
    "distributor": ["O-3", "SO-4"],  # sold through Volt Supply; not O-4 (Rack & Stack)
}

ALL_INVOICES = ["INV-1", "INV-2", "INV-3", "INV-4", "INV-5", "INV-6", "INV-7", "INV-8"]
EAST_INVOICES = ["INV-1", "INV-2", "INV-3", "INV-4", "INV-6", "INV-8"]
WEST_INVOICES = ["INV-5", "INV-7"]
INVOICES = {
    "admin": ALL_INVOICES,
    "ops": ALL_INVOICES,
    "analyst": ALL_INVOICES,
    "leader": ALL_INVOICES,
    "lead": EAST_INVOICES,
    "collector": EAST_INVOICES,
    "collector2": WEST_INVOICES,
    "manager": ALL_INVOICES,
    "rep": EAST_INVOICES,
    "rep_west": WEST_INVOICES,
    "distributor": ["INV-8"],  # of O-3, sold through Volt Supply
}

ALL_PAYMENTS = ["PAY-1", "PAY-2", "PAY-3", "RCPT-1"]
PAYMENTS = {
    "admin": ALL_PAYMENTS,
    "ops": ALL_PAYMENTS,
    "analyst": ALL_PAYMENTS,
    "leader": ALL_PAYMENTS,
    "lead": ["PAY-1", "RCPT-1"],
    "collector": ["PAY-1", "RCPT-1"],
    "collector2": ["PAY-2"],
    "manager": ["PAY-1", "PAY-2", "RCPT-1"],  # PAY-3 has no customer yet: nobody's portfolio
    "rep": ["PAY-1", "RCPT-1"],
    "rep_west": ["PAY-2"],
    "distributor": [],
}

PUBLIC_TERRITORIES = {role: ["US-EAST", "US-WEST"] for role in ROLES}
PUBLIC_PRODUCTS = {role: ["FIB-1G", "UPS-3000"] for role in ROLES}

ENDPOINTS = {
    # name: (path, key field, expected codes per role)
    "customers": ("/api/customers", "code", CUSTOMERS),
    "payees": ("/api/payees", "code", PAYEES),
    "distributors": ("/api/distributors", "code", DISTRIBUTORS),
    "territories": ("/api/territories", "code", PUBLIC_TERRITORIES),
    "products": ("/api/products", "sku", PUBLIC_PRODUCTS),
    "orders": ("/api/orders", "number", ORDERS),
    "invoices": ("/api/invoices", "number", INVOICES),
    "payments": ("/api/payments", "number", PAYMENTS),
}


def _all_records(path, key):
    """Every record behind an endpoint, by code, with its id (as an administrator sees them)."""
    from revdesk.catalog.models import Product
    from revdesk.orders.models import Order
    from revdesk.parties.models import Customer, Distributor, Payee, Territory
    from revdesk.receivables.models import Invoice, Payment

    model = {
        "/api/customers": Customer,
        "/api/payees": Payee,
        "/api/distributors": Distributor,
        "/api/territories": Territory,
        "/api/products": Product,
        "/api/orders": Order,
        "/api/invoices": Invoice,
        "/api/payments": Payment,
    }[path]
    return dict(model.objects.values_list(key, "pk"))


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_list_returns_exactly_what_each_role_may_see(endpoint, ledger, as_role):
    path, key, expected = ENDPOINTS[endpoint]
    seen = {}
    for role in ROLES:
        response = as_role[role].get(path)
        assert response.status_code == 200, (role, response.content)
        body = response.json()
        seen[role] = sorted(item[key] for item in body["items"])
        assert body["count"] == len(seen[role]), role
    assert seen == expected


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_detail_is_404_outside_scope_and_200_inside(endpoint, ledger, as_role):
    path, key, expected = ENDPOINTS[endpoint]
    records = _all_records(path, key)
    answered = {}
    for role in ROLES:
        answered[role] = {}
        for code, pk in sorted(records.items()):
            response = as_role[role].get(f"{path}/{pk}")
            answered[role][code] = response.status_code
            if response.status_code == 200:
                assert response.json()[key] == code
            else:
                assert response.json() == {
                    "detail": f"No {_label(path)} with id {pk} among the records you may see."
                }
    assert answered == {
        role: {code: 200 if code in expected[role] else 404 for code in records} for role in ROLES
    }


def _label(path):
    return {
        "/api/customers": "customer",
        "/api/payees": "payee",
        "/api/distributors": "distributor",
        "/api/territories": "territory",
        "/api/products": "product",
        "/api/orders": "order",
        "/api/invoices": "invoice",
        "/api/payments": "payment",
    }[path]


def test_customer_history_follows_customer_scope(ledger, as_role, world):
    pk = world.customer_east.pk
    statuses = {
        role: as_role[role].get(f"/api/customers/{pk}/history").status_code for role in ROLES
    }
    assert statuses == {role: 200 if "C-1000" in CUSTOMERS[role] else 404 for role in ROLES}


def test_unknown_id_is_the_same_404(as_role):
    response = as_role["admin"].get("/api/customers/999999")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No customer with id 999999 among the records you may see."
    }


def test_me_names_the_roles(as_role):
    answers = {role: as_role[role].get("/api/me").json() for role in ("collector", "leader")}
    assert answers == {
        "collector": {
            "username": "collector",
            "full_name": "",
            "roles": ["collector"],
            "sees_everything": False,
        },
        "leader": {
            "username": "leader",
            "full_name": "",
            "roles": ["manager"],
            "sees_everything": True,
        },
    }


def test_unit_cost_only_for_people_who_see_everything(world, as_role):
    pk = world.product_ups.pk
    costs = {role: as_role[role].get(f"/api/products/{pk}").json()["unit_cost"] for role in ROLES}
    assert costs == {
        role: "900.00" if role in {"admin", "ops", "analyst", "leader"} else None for role in ROLES
    }
