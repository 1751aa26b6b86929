"""Cash application in a real browser (Chromium): the worked case's bank file read from the
page, its summary, the unapplied queue, and P6 (500.00 from Apex on account) applied by hand
to an invoice from the keyboard; the queue shrinks.

Screenshots go to REVDESK_SHOTS (default /tmp/shots); the guide's (docs/img/cash-*.png) are
taken with REVDESK_SHOTS=docs/img."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from receivables.test_cash_application import CASE, example_ledger  # noqa: F401 (a fixture)
from revdesk.receivables.models import Invoice, Payment, PaymentApplication

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    folder = Path(os.environ.get("REVDESK_SHOTS", "/tmp/shots"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"cash-{name}.png"), full_page=True)


def test_read_the_day_then_apply_p6_by_keyboard(page, example_ledger, world, sign_in, tmp_path):  # noqa: F811
    world.users["ops"].first_name, world.users["ops"].last_name = "Olga", "Ops"
    world.users["ops"].save()
    bank = tmp_path / "bank.csv"
    shutil.copy(CASE / "bank.csv", bank)
    sign_in(page, "ops")
    page.click("nav.sidenav a:has-text('Cash application')")
    page.wait_for_url("**/cash/")
    page.click("[data-testid=tab-upload]")
    page.set_input_files("input[name=file]", str(bank))
    page.click("button:has-text('Read and apply')")
    page.wait_for_url("**/cash/files/*/")
    assert page.inner_text("[data-testid=summary-receipts]") == "8"
    assert page.inner_text("[data-testid=summary-applied]") == "6"
    assert page.inner_text("[data-testid=summary-written-off]") == "3.00 USD"
    unapplied = page.inner_text("[data-testid=summary-unapplied]")
    assert "On account of the customer\t1\t500.00 USD" in unapplied
    assert "Unidentified (no customer)\t1\t1,234.56 USD" in unapplied
    assert "Short payments\t1\t100.00 USD" in page.inner_text("[data-testid=summary-cases]")
    _shot(page, "upload-summary")

    # a new invoice of Apex's arrives after the file: P6 can pay it
    Invoice.objects.create(
        number="20015",
        customer=example_ledger["C2"],
        issued_on=dt.date(2026, 10, 20),
        due_on=dt.date(2026, 11, 19),
        currency="USD",
        amount=Decimal("1200.00"),
        balance=Decimal("1200.00"),
        po_number="PO-7781",
    )
    page.click("[data-testid=tab-queue]")
    page.wait_for_url("**/cash/")
    rows = page.locator("[data-testid=object-table] tbody tr")
    assert rows.count() == 2
    assert rows.locator("td:first-child").all_inner_texts() == ["P6", "P7"]
    buckets = page.locator("[data-testid=cash-buckets] .figure")
    assert buckets.count() == 4
    _shot(page, "queue")

    page.keyboard.press("j")  # P6
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Receipt P6"
    assert "Apex Colocation LLC" in page.inner_text("[data-testid=receipt-customer]")
    page.keyboard.press("/")
    page.keyboard.type("20015")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    results = page.locator("[data-testid=invoice-row]")
    assert results.count() == 1
    page.keyboard.press("j")
    page.keyboard.press(" ")  # ticked: 500.00, all that is left of the receipt
    assert page.input_value("[data-testid=amount]") == "500.00"
    assert page.inner_text("[data-testid=ticked-total]") == "500.00"
    _shot(page, "apply")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "500.00 USD of P6 applied to 20015 (500.00); P6 is fully applied" in page.inner_text(
        ".messages"
    )
    assert page.inner_text("[data-testid=receipt-status]") == "Applied"
    application = PaymentApplication.objects.get(payment__number="P6")
    assert (application.invoice.number, application.amount) == ("20015", Decimal("500.00"))
    assert Invoice.objects.get(number="20015").balance == Decimal("700.00")

    page.click("a:has-text('Cash application') >> nth=0")
    page.wait_for_url("**/cash/")
    assert rows.locator("td:first-child").all_inner_texts() == ["P7"]
    assert Payment.objects.get(number="P6").status == "applied"
