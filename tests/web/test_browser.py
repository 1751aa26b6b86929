"""The pages in a real browser: Playwright (sync API) driving Debian's Chromium.

Run with `pytest -m browser tests/web` (fixtures in tests/web/conftest.py). Screenshots of
the pages per role and width: scripts/screenshots.
"""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from revdesk.foundation.audit import change_history
from revdesk.testing import PASSWORD, ledger_build

pytestmark = pytest.mark.browser


@pytest.fixture
def data(world):
    return ledger_build(world)


def column(page, index=0):
    return page.locator(f"[data-testid=object-table] tbody tr td:nth-child({index + 1})")


def test_collector_sees_only_their_portfolio(page, data, world, sign_in):
    sign_in(page, "collector")
    assert page.inner_text("[data-testid=user-name]") == "collector"
    assert page.inner_text("[data-testid=user-roles]") == "Collector"
    nav = page.locator("nav.sidenav a").all_inner_texts()
    assert nav == [
        "Home",
        "Customers",
        "Invoices",
        "Payments",
        "Cash application",
        "Worklist",
        "Cases",
        "SLA dashboard",
    ]
    page.click("nav.sidenav a:has-text('Customers')")
    page.wait_for_url("**/customers/")
    assert column(page).all_inner_texts() == ["C-1000", "C-1001"]
    response = page.goto(f"{page.base}{world.customer_west.get_absolute_url()}")
    assert response.status == 404
    response = page.goto(f"{page.base}{world.customer_east.get_absolute_url()}")
    assert response.status == 200
    assert page.locator("h1").inner_text().startswith("Acme Data Centers")


def test_rep_sees_their_customers_and_orders(page, data, sign_in):
    sign_in(page, "rep")
    nav = page.locator("nav.sidenav a").all_inner_texts()
    assert nav == [
        "Home",
        "My customers",
        "My orders",
        "My invoices",
        "My cases",
        "My commissions",
        "My claims",
    ]
    assert page.inner_text("[data-testid=figure-my-customers] .figure-value") == "2"
    page.click("nav.sidenav a:has-text('My customers')")
    assert column(page).all_inner_texts() == ["C-1000", "C-1001"]
    page.click("nav.sidenav a:has-text('My orders')")
    page.wait_for_url("**/orders/")
    assert sorted(column(page).all_inner_texts()) == ["O-1", "O-3", "SO-1", "SO-3", "SO-4"]
    response = page.goto(f"{page.base}/payments/")
    assert response.status == 404


def test_sort_and_filter_a_list(page, data, sign_in):
    sign_in(page, "admin")
    page.goto(f"{page.base}/invoices/")
    page.click("th a:has-text('Balance')")
    page.wait_for_selector("th[aria-sort=ascending] >> text=Balance")
    by_balance = ["INV-3", "INV-4", "INV-1", "INV-6", "INV-7", "INV-5", "INV-2", "INV-8"]
    assert column(page).all_inner_texts() == by_balance
    assert "sort=balance" in page.url
    page.click("th a:has-text('Balance')")
    page.wait_for_selector("th[aria-sort=descending] >> text=Balance")
    assert column(page).all_inner_texts() == by_balance[::-1]
    page.fill("#id_q", "acme")
    page.select_option("#id_status", "open")
    page.click("button:has-text('Apply')")
    page.wait_for_url("**status=open**")
    # still by balance
    assert column(page).all_inner_texts() == ["INV-8", "INV-2", "INV-6", "INV-1", "INV-4"]
    assert page.inner_text("[data-testid=table-meta]").strip() == "Showing 1–5 of 5"


def test_export_to_excel(page, data, sign_in):
    sign_in(page, "collector")
    page.goto(f"{page.base}/invoices/?status=open")
    page.click("th a:has-text('Due')")
    page.wait_for_selector("th[aria-sort=ascending] >> text=Due")
    with page.expect_download() as download_info:
        page.click("[data-testid=export]")
    download = download_info.value
    assert download.suggested_filename.startswith("invoices-")
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["INV-6", "INV-8", "INV-1", "INV-4", "INV-2"]
    assert rows[0][8] == "Balance"
    assert [row[8] for row in rows[1:]] == [
        1200,
        5500,
        1000,
        Decimal("300.25"),
        Decimal("2500.5"),
    ]


def test_edit_customer_inline_error_then_history(page, data, world, sign_in):
    sign_in(page, "ops")
    page.goto(f"{page.base}{world.customer_east.get_absolute_url()}")
    page.click("text=Edit customer")
    page.fill("#id_credit_limit", "-5")
    page.click("button:has-text('Save')")
    error = page.locator("#id_credit_limit_error")
    assert error.inner_text() == "Ensure this value is greater than or equal to 0."
    # the message sits in the credit limit's own row, next to the field
    row = page.locator(".form-row.has-error")
    assert row.locator("label").inner_text() == "Credit limit"
    assert not list(change_history(world.customer_east))
    page.fill("#id_credit_limit", "300000.00")
    page.click("button:has-text('Save')")
    page.wait_for_url(f"{page.base}{world.customer_east.get_absolute_url()}")
    assert "Saved Acme Data Centers (C-1000)." in page.inner_text(".messages")
    history = page.locator("[data-testid=history] tbody tr").first
    assert history.locator("td").nth(1).inner_text() == "ops"
    assert history.locator("td").nth(3).inner_text() == (
        "Credit limit: 250,000.00 USD → 300,000.00 USD"
    )


def test_password_change_and_sign_out(page, data, sign_in):
    sign_in(page, "collector")
    page.click("text=Change password")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "a-new-long-passphrase-42")
    page.fill("#id_new_password2", "a-new-long-passphrase-43")
    page.click("button:has-text('Change password')")
    assert "The two password fields didn’t match." in page.inner_text(".has-error .field-error")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "a-new-long-passphrase-42")
    page.fill("#id_new_password2", "a-new-long-passphrase-42")
    page.click("button:has-text('Change password')")
    page.wait_for_selector("[data-testid=password-changed]")
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/login/")
    page.goto(f"{page.base}/customers/")
    assert "/login/?next=/customers/" in page.url
    sign_in(page, "collector", "a-new-long-passphrase-42")
    assert page.inner_text("[data-testid=user-name]") == "collector"


def test_wrong_password_is_refused(page, data):
    page.goto(f"{page.base}/login/")
    page.fill("#id_username", "collector")
    page.fill("#id_password", "not-it")
    page.click("button:has-text('Sign in')")
    assert "Please enter a correct username and password" in page.inner_text(".form-errors")


@pytest.mark.parametrize("width", [1366, 1024, 390])
def test_pages_fit_the_window(page, data, world, width, sign_in):
    """No page is wider than the window: wide tables scroll inside their box."""
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, "admin")
    for path in (
        "/",
        "/customers/",
        "/invoices/",
        "/orders/",
        world.customer_east.get_absolute_url(),
    ):
        page.goto(f"{page.base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    page.goto(f"{page.base}/customers/")
    first = page.locator("[data-testid=object-table] tbody td").first
    assert first.evaluate("cell => getComputedStyle(cell).position") == "sticky"
    nav_across = page.evaluate("getComputedStyle(document.querySelector('.shell')).flexDirection")
    assert nav_across == ("column" if width <= 1100 else "row")
