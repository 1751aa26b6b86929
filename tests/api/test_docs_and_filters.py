"""OpenAPI and docs pages, list filters, pagination, money in JSON."""

from django.test import Client

from revdesk.testing import PASSWORD

PATHS = {
    "/api/me": {"get"},
    "/api/customers": {"get"},
    "/api/customers/{customer_id}": {"get", "patch"},
    "/api/customers/{customer_id}/history": {"get"},
    "/api/payees": {"get"},
    "/api/payees/{payee_id}": {"get"},
    "/api/distributors": {"get"},
    "/api/distributors/{distributor_id}": {"get"},
    "/api/territories": {"get"},
    "/api/territories/{territory_id}": {"get"},
    "/api/products": {"get"},
    "/api/products/{product_id}": {"get"},
    "/api/orders": {"get"},
    "/api/orders/{order_id}": {"get"},
    "/api/invoices": {"get"},
    "/api/invoices/{invoice_id}": {"get"},
    "/api/payments": {"get"},
    "/api/payments/{payment_id}": {"get"},
    "/api/cases": {"get", "post"},
    "/api/cases/{number}": {"get"},
    "/api/cases/{number}/transition": {"post"},
    "/api/cases/{number}/assign": {"post"},
    "/api/cases/{number}/comments": {"post"},
    "/api/commissions/runs": {"get"},
    "/api/commissions/runs/{pk}": {"get"},
    "/api/commissions/runs/{pk}/payouts": {"get"},
    "/api/commissions/runs/{pk}/payees/{code}": {"get"},
    "/api/commissions/claims": {"get", "post"},
    "/api/collections/worklist": {"get"},
    "/api/collections/aging": {"get"},
    "/api/collections/top-past-due": {"get"},
    "/api/collections/kpis": {"get"},
    "/api/collections/kpis/trend": {"get"},
    "/api/collections/activities": {"post"},
    "/api/collections/promises": {"post"},
    "/api/cash/files": {"post"},
    "/api/cash/unapplied": {"get"},
    "/api/cash/receipts/{payment_id}/applications": {"post"},
    "/api/cash/suggestions/{suggestion_id}/accept": {"post"},
    "/api/cash/suggestions/{suggestion_id}/reject": {"post"},
}


def test_docs_page_renders(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert "Revdesk API" in response.content.decode()


def test_openapi_lists_every_path_with_both_ways_to_sign_in(db):
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Revdesk API"
    assert {path: set(methods) for path, methods in schema["paths"].items()} == PATHS
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["BrowserSessionAuth"]["in"] == "cookie"
    credit_limit = schema["components"]["schemas"]["CustomerOut"]["properties"]["credit_limit"]
    assert credit_limit["type"] == "string"
    filters = {p["name"] for p in schema["paths"]["/api/customers"]["get"]["parameters"]}
    assert {"q", "segment", "territory", "collector", "page", "page_size"} <= filters


def _codes(client, path, key="code", **params):
    response = client.get(path, **params)
    assert response.status_code == 200, response.content
    return sorted(item[key] for item in response.json()["items"])


def test_customer_filters_combine_with_scope(ledger, as_role):
    admin, collector = as_role["admin"], as_role["collector"]
    assert _codes(admin, "/api/customers", q="acme") == ["C-1000", "C-1001"]
    assert _codes(admin, "/api/customers", segment="enterprise") == ["C-1000"]
    assert _codes(admin, "/api/customers", territory="US-WEST") == ["C-2000"]
    assert _codes(admin, "/api/customers", collector="collector2") == ["C-2000"]
    assert _codes(admin, "/api/customers", parent="C-1000") == ["C-1001"]
    assert _codes(admin, "/api/customers", is_key_account="true") == ["C-1000"]
    assert _codes(collector, "/api/customers", territory="US-WEST") == []
    assert _codes(collector, "/api/customers", sales_rep="E101", country="US") == [
        "C-1000",
        "C-1001",
    ]


def test_order_invoice_and_payment_filters(ledger, as_role):
    admin = as_role["admin"]
    assert _codes(admin, "/api/orders", "number", distributor="D01") == ["O-3", "SO-4"]
    assert _codes(
        admin, "/api/orders", "number", booked_from="2025-10-01", booked_to="2025-12-31"
    ) == ["O-3"]
    assert _codes(admin, "/api/orders", "number", customer="C-2000", channel="direct") == [
        "O-2",
        "SO-2",
    ]
    assert _codes(admin, "/api/invoices", "number", overdue_on="2025-11-30") == [
        "INV-6",
        "INV-7",
    ]
    assert _codes(admin, "/api/invoices", "number", currency="CAD") == ["INV-5", "INV-7"]
    assert _codes(admin, "/api/payments", "number", q="unknown") == ["PAY-3"]
    assert _codes(as_role["distributor"], "/api/invoices", "number", overdue_on="2026-01-31") == [
        "INV-8"
    ]


def test_pagination_counts_everything_and_pages_through(ledger, as_role):
    admin = as_role["admin"]
    first = admin.get("/api/orders", page_size=5).json()
    second = admin.get("/api/orders", page_size=5, page=2).json()
    assert (first["count"], second["count"]) == (8, 8)
    numbers = [o["number"] for o in first["items"]] + [o["number"] for o in second["items"]]
    # newest booking first (SO-* today), then number desc
    assert numbers == ["SO-4", "SO-3", "SO-2", "SO-1", "O-3", "O-4", "O-2", "O-1"]


def test_a_bad_filter_is_422_naming_the_parameter(ledger, as_role):
    response = as_role["admin"].get("/api/invoices", overdue_on="31/12/2026")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The request has 1 problem. overdue_on: Input should be a valid date or "
        "datetime, invalid character in year (got '31/12/2026')",
        "errors": [
            {
                "field": "overdue_on",
                "message": "Input should be a valid date or datetime, invalid character in year",
                "value": "31/12/2026",
            }
        ],
    }


def test_money_is_a_string_with_its_currency(ledger, as_role):
    admin = as_role["admin"]
    invoice = admin.get(f"/api/invoices/{ledger.invoices['INV-8'].pk}").json()
    assert {k: invoice[k] for k in ("currency", "amount", "tax_amount", "balance")} == {
        "currency": "USD",
        "amount": "5600.00",
        "tax_amount": "0.00",
        "balance": "5500.00",
    }
    assert invoice["credit_memos"] == [
        {"number": "CM-1", "issued_on": "2025-10-25", "amount": "100.00", "reason": "Damaged unit"}
    ]
    order = admin.get(f"/api/orders/{ledger.orders['O-2'].pk}").json()
    assert (order["currency"], order["total"], order["lines"][0]["unit_price"]) == (
        "CAD",
        "1350.50",
        "1350.50",
    )
    payment = admin.get(f"/api/payments/{ledger.payments['PAY-1'].pk}").json()
    assert {k: payment[k] for k in ("currency", "amount", "applied", "unapplied")} == {
        "currency": "USD",
        "amount": "3500.00",
        "applied": "3000.00",
        "unapplied": "500.00",
    }
    assert payment["applications"] == [
        {"invoice": "INV-6", "applied_on": "2025-10-29", "amount": "3000.00"}
    ]


def test_a_distributor_sees_its_invoice_but_not_the_cash_behind_others(ledger, as_role):
    invoice = as_role["distributor"].get(f"/api/invoices/{ledger.invoices['INV-8'].pk}").json()
    assert (invoice["customer"], invoice["order"], invoice["balance"]) == (
        "C-1001",
        "O-3",
        "5500.00",
    )


def test_docs_try_it_out_works_for_a_signed_in_browser(world):
    client = Client()
    assert client.login(username="rep_west", password=PASSWORD)
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/me").json()["username"] == "rep_west"
