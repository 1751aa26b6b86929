"""Reading a bank file from the browser, for real: Playwright driving Debian's Chromium.

The upload waits in the database queue (the production backend); the test plays the worker
(db_worker --batch) while the reading page polls, then shows what was done. Screenshots go to
REVDESK_SHOTS (default /tmp/shots).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from receivables.test_cash_application import example_ledger  # noqa: F401
from revdesk.receivables.models import BankFile, Payment

from .test_cash_pages import LOCKBOX

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def queued(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.REVDESK_UPLOADS = tmp_path / "uploads"


def shot(page, name: str) -> None:
    folder = Path(os.environ.get("REVDESK_SHOTS", "/tmp/shots"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"cash-{name}.png"), full_page=True)


def worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


def _choose(page, tmp_path, text: str, name: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    page.goto(f"{page.base}/cash/files/upload/")
    page.set_input_files("#id_file", str(path))
    page.check("input[name=layout][value=mapped]")
    page.click("[data-testid=csv-mapping] summary")
    page.fill("#id_receipt_column", "Item ID")
    page.fill("#id_date_column", "Deposit Date")
    page.fill("#id_amount_column", "Amount")
    page.fill("#id_currency_column", "")
    page.fill("#id_payer_name_column", "Remitter")
    page.fill("#id_payer_account_column", "Remitter Account")
    page.fill("#id_text_column", "Memo, Invoice Numbers")
    page.fill("#id_currency", "USD")
    page.select_option("#id_date_format", "%m/%d/%Y")
    page.select_option("#id_thousands_separator", ",")
    page.select_option("#id_delimiter", ";")


def test_ops_reads_a_lockbox_csv_and_sees_what_was_done(
    page,
    sign_in,
    example_ledger,  # noqa: F811
    tmp_path,
):
    sign_in(page, "ops")
    # a bad line first: the page lists it with its line and column, nothing is kept
    _choose(page, tmp_path, LOCKBOX.replace("4,650.00", "4,65O.00"), "lockbox-bad.csv")
    page.click("button:has-text('Read and apply')")
    page.wait_for_url("**/cash/files/reading/*/")
    worker()
    page.wait_for_selector("[data-testid=file-problems]")
    assert page.inner_text("[data-testid=reading-state]") == "Refused"
    cells = page.locator("[data-testid=file-problems] tbody tr td").all_inner_texts()
    assert cells == [
        "lockbox-bad.csv",
        "2",
        "amount",
        "'4,65O.00' is not an amount; expected an amount such as 1234.56",
    ]
    assert not BankFile.objects.exists()
    shot(page, "reading-refused")

    _choose(page, tmp_path, LOCKBOX, "lockbox.csv")
    shot(page, "upload-form")
    page.click("button:has-text('Read and apply')")
    page.wait_for_url("**/cash/files/reading/*/")
    assert page.inner_text("[data-testid=reading-state]") == "Queued"
    shot(page, "reading-queued")

    worker()  # the worker's part; the page polls every 2 s and shows it
    page.wait_for_selector("[data-testid=reading-done]")
    assert page.inner_text("[data-testid=reading-state]") == "Done"
    assert page.inner_text("[data-testid=summary-receipts]") == "8"
    assert page.inner_text("[data-testid=summary-applied]") == "6"
    assert page.inner_text("[data-testid=summary-written-off]") == "3.00 USD"
    shot(page, "upload-summary")

    bank_file = BankFile.objects.get()
    assert (bank_file.name, bank_file.format, bank_file.receipts) == ("lockbox.csv", "csv", 8)
    assert Payment.objects.filter(bank_file=bank_file, status="applied").count() == 6
    page.click("[data-testid=reading-file]")
    page.wait_for_url(f"**/cash/files/{bank_file.pk}/")
    assert page.locator("[data-testid=file-receipts] tbody tr").count() == 8
