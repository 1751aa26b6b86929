"""Importing from the browser, for real: Playwright driving Debian's Chromium.

The uploads wait in the database queue (the production backend); the test plays the worker
by running the queued task's service, and the page, polling every 2 s, shows the outcome.
Set REVDESK_SHOTS=/some/dir to also save screenshots of the report and the done page.
"""

import os
from pathlib import Path

import pytest

from revdesk.ingest.models import ImportRun
from revdesk.ingest.services import import_run_execute
from revdesk.receivables.models import Invoice

HEADER = "number,customer_code,issued_on,due_on,currency,amount\n"
BAD = (
    HEADER
    + "INV-100,C-1000,2026-01-05,2026-02-04,USD,1200.50\n"
    + "INV-101,C-404,2026-01-06,2026-02-05,USD,99.99\n"
    + "INV-102,C-1000,31/01/2026,2026-02-05,USD,10.00\n"
    + "INV-103,C-2000,2026-01-07,2026-01-01,USD,5.00\n"
)
GOOD = (
    HEADER
    + "INV-100,C-1000,2026-01-05,2026-02-04,USD,1200.50\n"
    + "INV-101,C-2000,2026-01-06,2026-02-05,USD,99.99\n"
    + "INV-102,C-1000,2026-01-31,2026-02-05,USD,10.00\n"
)

pytestmark = pytest.mark.browser  # browser and page: tests/web/conftest.py


@pytest.fixture(autouse=True)
def queued_uploads(settings, tmp_path):
    """Uploads wait in the database queue, as in production; files under tmp_path."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.REVDESK_UPLOADS = tmp_path / "uploads"


def _shot(page, name):
    folder = os.environ.get("REVDESK_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / name, full_page=True)


def _upload(page, tmp_path, text, name="invoices.csv"):
    path = tmp_path / name
    path.write_text(text)
    page.goto(f"{page.base}/imports/")
    page.click("[data-testid=import-upload]")
    page.check("input[name=kind][value=invoices]")
    page.set_input_files("#id_file", str(path))
    _shot(page, "web-import-upload.png")
    page.click("button:has-text('Upload and import')")
    page.wait_for_url("**/imports/*/")
    assert page.inner_text("[data-testid=import-state]") == "Queued"
    return ImportRun.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))


def test_upload_a_bad_file_see_the_report_then_a_good_one(page, world, password, tmp_path):
    page.goto(f"{page.base}/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{page.base}/")

    run = _upload(page, tmp_path, BAD)
    import_run_execute(run_id=run.pk)  # the worker's part; the page polls and shows it
    page.wait_for_selector("[data-testid=import-errors]")
    assert page.inner_text("[data-testid=import-state]") == "Failed (nothing saved)"
    assert page.inner_text("[data-testid=nothing-changed]") == (
        "Nothing was changed. Fix these lines and upload the file again."
    )
    rows = page.locator("[data-testid=import-errors] tbody tr")
    assert [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())] == [
        [
            "3",
            "customer_code",
            "C-404",
            "a customer code that exists in Revdesk: there is no customer 'C-404'",
        ],
        ["4", "issued_on", "31/01/2026", "a date as YYYY-MM-DD (e.g. 2026-01-31)"],
        ["5", "due_on", "2026-01-01", "a due date on or after the issue date (2026-01-07)"],
    ]
    with page.expect_download() as download_info:
        page.click("[data-testid=report-download]")
    report = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert report.splitlines()[0] == "line,column,value,expected,severity"
    assert len(report.splitlines()) == 4
    assert Invoice.objects.count() == 0
    _shot(page, "web-import-report.png")

    run = _upload(page, tmp_path, GOOD)
    import_run_execute(run_id=run.pk)
    page.wait_for_selector("[data-testid=import-done]")
    assert page.inner_text("[data-testid=import-state]") == "Succeeded"
    counts = page.locator("[data-testid=import-counts] tr")
    assert [counts.nth(i).inner_text().split("\t") for i in range(3)] == [
        ["Created", "3"],
        ["Updated", "0"],
        ["Unchanged", "0"],
    ]
    _shot(page, "web-import-done.png")
    page.click("[data-testid=kind-list]")
    page.wait_for_url("**/invoices/")
    assert Invoice.objects.count() == 3
