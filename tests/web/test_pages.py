"""Home figures, lists (sort, filter, pages, Excel), details and the customer edit form."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from revdesk.engine.money import Money
from revdesk.foundation.audit import change_history
from revdesk.foundation.models import ChangeRecord
from revdesk.parties.models import Customer
from revdesk.testing import signed_in


def _codes(response, column=0):
    return [row[column].text for row in response.context["rows"]]


# home ------------------------------------------------------------------------------------


def test_collector_home_figures(client, ledger):
    response = signed_in(client, "collector").get(reverse("web:home"))
    summary = response.context["collections"]
    assert summary.customers == 2
    assert summary.open_invoices == 5
    # this year's 1,000.00 + 2,500.50 + 300.25, last year's INV-6 1,200.00 + INV-8 5,500.00
    assert summary.open_amounts.by_currency == {"USD": Decimal("10500.75")}
    assert summary.open_amounts.reporting == Money(Decimal("10500.75"), "USD")
    assert summary.overdue_invoices == 4
    assert summary.overdue_amounts.reporting == Money(Decimal("8000.25"), "USD")
    assert [invoice.number for invoice in summary.oldest_overdue] == [
        "INV-6",
        "INV-8",
        "INV-1",
        "INV-4",
    ]
    assert [invoice.days_overdue for invoice in summary.oldest_overdue] == [
        (ledger.today - dt.date(2025, 10, 31)).days,
        (ledger.today - dt.date(2025, 12, 31)).days,
        40,
        5,
    ]
    assert "operations" not in response.context
    assert "orders_year" not in response.context
    page = response.content.decode()
    assert "10,500.75" in page
    assert "8,000.25" in page
    assert 'href="/invoices/?overdue=true&amp;sort=due_on"' in page


def test_admin_home_converts_to_reporting_currency(client, ledger):
    response = signed_in(client, "admin").get(reverse("web:home"))
    summary = response.context["collections"]
    assert summary.open_amounts.by_currency == {
        "CAD": Decimal("3350.50"),
        "USD": Decimal("10500.75"),
    }
    # 3,350.50 CAD at 0.73 = 2,445.865 USD, rounded once at the end (half up)
    assert summary.open_amounts.reporting == Money(Decimal("12946.62"), "USD")
    # everything open is overdue but INV-2: 10,446.115 USD
    assert summary.overdue_amounts.reporting == Money(Decimal("10446.12"), "USD")
    operations = response.context["operations"]
    assert (operations.payees, operations.customers, operations.distributors) == (3, 3, 2)
    assert (operations.products, operations.open_invoices) == (2, 7)
    month = response.context["orders_month"]
    assert month.orders == 3  # SO-3 is cancelled
    # 3,000.00 USD + 1,200.00 CAD × 0.73 + 3,300.30 USD
    assert month.amounts.reporting == Money(Decimal("7176.30"), "USD")


def test_home_says_which_rate_is_missing(client, ledger):
    from revdesk.catalog.models import FxRate

    FxRate.objects.all().delete()
    response = signed_in(client, "admin").get(reverse("web:home"))
    assert response.context["collections"].open_amounts.reporting is None
    assert response.context["collections"].open_amounts.missing_rates == ("CAD",)
    assert "open balance (no rate for CAD)" in response.content.decode()


def test_rep_home_shows_their_customers_and_orders(client, ledger):
    response = signed_in(client, "rep").get(reverse("web:home"))
    assert response.context["my_customers"] == 2
    year = response.context["orders_year"]
    assert year.orders == 2
    assert year.amounts.by_currency == {"USD": Decimal("6300.30")}
    assert [order.number for order in year.recent] == ["SO-4", "SO-1"]
    assert "collections" not in response.context


def test_distributor_home_shows_their_orders_only(client, ledger):
    response = signed_in(client, "distributor").get(reverse("web:home"))
    year = response.context["orders_year"]
    assert year.orders == 1
    assert year.amounts.by_currency == {"USD": Decimal("3300.30")}
    assert response.context["my_customers"] is None


def test_overdue_figure_link_lists_exactly_the_overdue_invoices(client, ledger):
    response = signed_in(client, "collector").get("/invoices/?overdue=true&sort=due_on")
    assert _codes(response) == ["INV-6", "INV-8", "INV-1", "INV-4"]
    assert [row[4].text for row in response.context["rows"]] == [
        str((ledger.today - dt.date(2025, 10, 31)).days),
        str((ledger.today - dt.date(2025, 12, 31)).days),
        "40",
        "5",
    ]


# lists -----------------------------------------------------------------------------------


def test_collector_list_is_their_portfolio(client, ledger):
    response = signed_in(client, "collector").get(reverse("web:customer_list"))
    assert _codes(response) == ["C-1000", "C-1001"]
    response = signed_in(client, "collector").get(reverse("web:invoice_list"))
    assert sorted(_codes(response)) == ["INV-1", "INV-2", "INV-3", "INV-4", "INV-6", "INV-8"]


def test_rep_sees_their_orders_with_totals(client, ledger):
    response = signed_in(client, "rep").get(reverse("web:order_list") + "?sort=number")
    rows = response.context["rows"]
    assert [row[0].text for row in rows] == ["O-1", "O-3", "SO-1", "SO-3", "SO-4"]
    assert [(row[-1].text, row[-1].suffix) for row in rows] == [
        ("4,200.00", "USD"),
        ("5,600.00", "USD"),
        ("3,000.00", "USD"),
        ("1,500.00", "USD"),
        ("3,300.30", "USD"),
    ]


def test_sort_both_ways_and_filters(client, ledger):
    signed_in(client, "admin")
    ascending = client.get("/invoices/?sort=balance")
    by_balance = ["INV-3", "INV-4", "INV-1", "INV-6", "INV-7", "INV-5", "INV-2", "INV-8"]
    assert _codes(ascending) == by_balance
    descending = client.get("/invoices/?sort=-balance")
    assert _codes(descending) == by_balance[::-1]
    headers = {header.label: header for header in descending.context["headers"]}
    assert headers["Balance"].direction == "descending"
    assert headers["Balance"].url == "?sort=balance"
    assert _codes(client.get("/invoices/?currency=cad&sort=number")) == ["INV-5", "INV-7"]
    assert _codes(client.get("/invoices/?q=acme&status=open&sort=number")) == [
        "INV-1",
        "INV-2",
        "INV-4",
        "INV-6",
        "INV-8",
    ]
    assert _codes(client.get("/invoices/?customer=C-1001&sort=number")) == ["INV-4", "INV-8"]
    assert _codes(client.get("/customers/?segment=enterprise")) == ["C-1000"]
    assert _codes(client.get("/orders/?live=true&sort=number")) == [
        *("O-1", "O-2", "O-3", "O-4"),
        *("SO-1", "SO-2", "SO-4"),
    ]


def test_unknown_sort_falls_back_to_default(client, ledger):
    response = signed_in(client, "admin").get("/customers/?sort=password")
    assert _codes(response, 1) == ["Acme Data Centers", "Acme Data Centers Boston", "Pacific Colo"]


def test_bad_filter_value_shows_the_error_and_no_rows(client, ledger):
    response = signed_in(client, "admin").get("/invoices/?due_after=31/02/2026")
    assert response.context["rows"] == []
    assert "Enter a valid date." in response.content.decode()


def test_pagination_50_per_page(client, world):
    Customer.objects.bulk_create(
        Customer(code=f"Z-{n:03d}", name=f"Zeta {n:03d}", country="US", currency="USD")
        for n in range(120)
    )
    signed_in(client, "admin")
    first = client.get("/customers/?sort=code")
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.num_pages == 3
    assert [label for label, _ in first.context["page_links"]] == ["1", "2", "3"]
    last = client.get("/customers/?sort=code&page=3")
    assert _codes(last) == [f"Z-{n:03d}" for n in range(97, 120)]
    assert "Showing 101–123 of 123" in " ".join(last.content.decode().split())


def test_fragment_request_returns_only_the_table(client, ledger):
    response = signed_in(client, "admin").get("/invoices/?sort=number", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<table" in page
    assert "<html" not in page
    assert "Export to Excel" not in page


def test_excel_export_has_filtered_sorted_rows_with_real_numbers_and_dates(client, ledger):
    response = signed_in(client, "collector").get(
        "/invoices/?status=open&sort=-balance&export=xlsx"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="invoices-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Number", "Customer", "Customer code", "Issued", "Due", "Days overdue",
        "Amount", "Amount currency", "Balance", "Balance currency", "Status", "PO number",
    )  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["INV-8", "INV-2", "INV-6", "INV-1", "INV-4"]
    assert rows[4] == (
        "INV-1",
        "Acme Data Centers",
        "C-1000",
        dt.datetime.combine(ledger.invoices["INV-1"].issued_on, dt.time()),
        dt.datetime.combine(ledger.invoices["INV-1"].due_on, dt.time()),
        40,
        1000,
        "USD",
        1000,
        "USD",
        "Open",
        "PO-77",
    )
    assert isinstance(rows[4][6], int | Decimal)
    assert isinstance(rows[4][8], int | Decimal)
    assert sheet["I2"].number_format == "#,##0.00"
    assert sheet["G2"].number_format == "#,##0.00"
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].is_date


def test_change_log_list_for_admin(client, ledger):
    user = get_user_model().objects.get(username="ops")
    from revdesk.parties.services import customer_update

    customer_update(customer=ledger.invoices["INV-1"].customer, actor=user, data={"name": "X"})
    response = signed_in(client, "admin").get(reverse("web:change_list"))
    first = response.context["rows"][0]
    assert [first[1].text, first[2].text, first[4].text, first[5].text] == [
        "ops",
        "Updated",
        "X (C-1000)",
        "Name",
    ]


# details and edit ------------------------------------------------------------------------


def test_customer_page_shows_hierarchy_requirements_and_open_invoices(client, ledger, world):
    response = signed_in(client, "collector").get(world.customer_east.get_absolute_url())
    page = response.content.decode()
    assert [invoice.number for invoice in response.context["open_invoices"]] == [
        "INV-6",
        "INV-1",
        "INV-2",
    ]
    assert response.context["open_amounts"].by_currency == {"USD": Decimal("4700.50")}
    assert list(response.context["children"]) == [world.customer_east_child]
    assert "PO number" in page
    assert "4,700.50" in page
    assert "Edit customer" in page  # a collector keeps the documentation requirements
    child = signed_in(client, "collector").get(world.customer_east_child.get_absolute_url())
    assert child.context["parent_visible"] is True


def test_invoice_page_shows_applications(client, ledger):
    response = signed_in(client, "admin").get(ledger.invoices["INV-3"].get_absolute_url())
    assert [a.payment.number for a in response.context["applications"]] == ["RCPT-1"]
    assert "500.00" in response.content.decode()


def test_customer_edit_inline_error_then_saved_with_history(client, world):
    signed_in(client, "ops")
    url = reverse("web:customer_edit", args=[world.customer_east.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    for name in ("parent", "territory", "sales_rep", "collector"):
        obj = getattr(world.customer_east, name)
        data[name] = obj.pk if obj is not None else ""
    data = {k: v for k, v in data.items() if v is not False}
    bad = client.post(url, {**data, "credit_limit": "-5"})
    assert bad.status_code == 200
    assert bad.context["form"].errors == {
        "credit_limit": ["Ensure this value is greater than or equal to 0."]
    }
    assert 'id="id_credit_limit_error"' in bad.content.decode()
    assert ChangeRecord.objects.count() == 0
    world.customer_east.refresh_from_db()
    assert world.customer_east.credit_limit == Decimal("250000.00")

    good = client.post(url, {**data, "credit_limit": "300000.00", "payment_terms_days": "45"})
    assert good.status_code == 302
    world.customer_east.refresh_from_db()
    assert world.customer_east.credit_limit == Decimal("300000.00")
    assert world.customer_east.payment_terms_days == 45
    records = list(change_history(world.customer_east))
    assert len(records) == 1
    assert records[0].user_name == "ops"
    assert records[0].source == "web"
    assert records[0].changed_fields == [
        ("credit_limit", "250000.00", "300000.00"),
        ("payment_terms_days", 30, 45),
    ]
    page = client.get(world.customer_east.get_absolute_url()).content.decode()
    history = client.get(world.customer_east.get_absolute_url()).context["history"]
    assert [(c.label, c.before, c.after) for c in history[0].changes] == [
        ("Credit limit", "250,000.00 USD", "300,000.00 USD"),
        ("Payment terms (days)", "30", "45"),
    ]
    assert (
        '<span class="field-name">Credit limit</span>: <span class="before">250,000.00 USD'
        '</span> → <span class="after">300,000.00 USD</span>'
    ) in page


@pytest.mark.parametrize("username", ["lead"])
def test_senior_collector_edits_collection_fields_only(client, world, username):
    signed_in(client, username)
    url = reverse("web:customer_edit", args=[world.customer_east.pk])
    form = client.get(url).context["form"]
    assert list(form.fields) == [
        "payment_terms_days",
        "collector",
        "requires_po",
        "requires_proof_of_delivery",
        "requires_portal_upload",
        "portal_name",
        "requires_timesheet",
        "invoice_format",
    ]
    collectors = [user.username for user in form.fields["collector"].queryset]
    assert collectors == ["collector", "lead"]
    response = client.post(
        url,
        {
            "payment_terms_days": "30",
            "collector": world.users["collector"].pk,
            "requires_po": "on",
            "requires_portal_upload": "on",
            "portal_name": "Ariba",
            "name": "Sneaky rename",
        },
    )
    assert response.status_code == 302
    world.customer_east.refresh_from_db()
    assert world.customer_east.name == "Acme Data Centers"
    assert world.customer_east.documentation_requirements == ["PO number", "Portal upload (Ariba)"]


def test_filter_choices_read_any(client, world):
    page = signed_in(client, "admin").get("/invoices/").content.decode()
    assert '<option value="" selected>Any</option>' in page
    assert '<option value="true">Yes</option>' in page
    assert "---------" not in page
    assert "Unknown" not in page


def test_customer_filter_offers_only_the_team_collectors(client, world):
    def collectors(username):
        response = signed_in(client, username).get("/customers/")
        field = response.context["filterset"].form.fields["collector"]
        return [user.username for user in field.queryset]

    assert collectors("collector") == ["collector"]
    assert collectors("lead") == ["collector", "lead"]
    assert collectors("ops") == ["collector", "collector2", "lead"]


def test_collector_edits_documentation_requirements_only(client, world):
    signed_in(client, "collector")
    url = reverse("web:customer_edit", args=[world.customer_east.pk])
    form = client.get(url).context["form"]
    assert sorted(form.fields) == [
        "invoice_format",
        "portal_name",
        "requires_po",
        "requires_portal_upload",
        "requires_proof_of_delivery",
        "requires_timesheet",
    ]
    response = client.post(
        url, {"requires_proof_of_delivery": "on", "portal_name": "", "credit_limit": "1"}
    )
    assert response.status_code == 302
    world.customer_east.refresh_from_db()
    assert world.customer_east.documentation_requirements == ["Proof of delivery"]
    assert world.customer_east.credit_limit == Decimal("250000.00")
    west = reverse("web:customer_edit", args=[world.customer_west.pk])
    assert client.get(west).status_code == 404
