# ruff: noqa: F811  (the browser and run fixtures are imported)
"""The reconciliation page in Chromium: an analyst uploads what payroll paid, sees the
variances to the cent with the transactions behind them, and opens one case per variance
(an approved run: drafts and reviewed runs are not reconciled).
The screenshot is the guide's (docs/img/commission-reconciliation.png)."""

from __future__ import annotations

from pathlib import Path

import pytest

from revdesk.compensation.models import Variance
from revdesk.compensation.runs import run_create
from web.conftest import browser, page, sign_in  # noqa: F401  (the browser fixtures)

from .test_reconciliation import PAID, approved
from .test_runs import march, plan  # noqa: F401  (the fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
GUIDE_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "img" / "commission-reconciliation.png"


def test_upload_what_was_paid_see_the_variances_and_open_cases(page, march, sign_in, tmp_path):
    run = approved(run_create("2026-03..2026-04", actor=None))
    paid = tmp_path / "payroll-april.csv"
    paid.write_text(PAID, encoding="utf-8")
    sign_in(page, "analyst")
    page.goto(f"{page.base}/commissions/runs/{run.pk}/reconciliation/")
    assert page.inner_text("[data-testid=variance-count]") == "3"  # nothing paid yet
    page.set_input_files("#id_file", str(paid))
    page.click("button:has-text('Upload and reconcile')")
    page.wait_for_selector(".message-success")
    assert "payroll-april.csv: 2 paid line(s) loaded" in page.inner_text(".messages")
    row = page.locator("[data-testid='row-E102-2026-03-commission'] td")
    assert row.all_inner_texts()[:8] == [
        "E102",
        "Wes West",
        "2026-03",
        "commission",
        "37.00",
        "36.99",
        "0.01",
        "USD",
    ]
    east = page.locator("[data-testid='row-E101-2026-03-total'] td").all_inner_texts()
    assert east[4:7] == ["58.34", "50.00", "8.34"]
    page.click("[data-testid='lines-E101-2026-03-total'] summary")
    lines = page.locator("[data-testid='lines-E101-2026-03-total'] tbody tr td:first-child")
    assert lines.all_inner_texts() == ["INV-S/1", "INV-S/2", "INV-T/1"]
    page.click("[data-testid=open-cases]")
    page.wait_for_selector("[data-testid=case-link]")
    assert "3 commission inquiry case(s) opened" in page.inner_text(".messages")
    assert page.locator("[data-testid=case-link]").count() == 3
    assert page.locator("[data-testid=open-cases]").count() == 0  # never twice
    assert Variance.objects.filter(case__isnull=False).count() == 3
    GUIDE_IMAGE.parent.mkdir(parents=True, exist_ok=True)
    page.click("[data-testid='lines-E101-2026-03-total'] summary")
    page.screenshot(path=str(GUIDE_IMAGE), full_page=True)
    page.locator("[data-testid=case-link]").first.click()
    page.wait_for_url("**/cases/CASE-*/")
    assert "Commission variance E101 Erin East, 2026-03, total" in page.inner_text("h1")


def test_a_draft_run_says_why_it_is_not_reconciled_yet(page, march, sign_in, tmp_path):
    run = run_create("2026-03..2026-04", actor=None)
    sign_in(page, "analyst")
    page.goto(f"{page.base}/commissions/runs/{run.pk}/reconciliation/")
    assert "Not available yet" in page.inner_text("[data-testid=not-yet]")
    assert "is draft: only approved and paid runs are reconciled" in page.inner_text(
        "[data-testid=not-yet]"
    )
    assert page.locator("[data-testid=paid-upload]").count() == 0
    assert page.locator("[data-testid=open-cases]").count() == 0
    page.screenshot(path=str(tmp_path / "draft.png"), full_page=True)
