# ruff: noqa: F811  (the fixtures are imported from tests/web/conftest.py and test_pages.py)
"""The commissions pages in Chromium: an analyst calculates a period from the page, watches the
queued calculation finish and opens a payee's lines; a plan saved with a mistake shows it at
its line; a rep sees only their own approved commissions.

Calculations wait in the database queue, as in production; the test plays the worker
(db_worker --batch) while the page polls. Screenshots (1360 wide) go to REVDESK_SHOTS
(default /tmp/shots); docs/img/commissions-*.png are taken with REVDESK_SHOTS=docs/img.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from revdesk.compensation.models import CommissionRun, PlanVersion, RunStatus
from revdesk.compensation.runs import run_create, run_move
from web.conftest import browser, page, sign_in  # noqa: F401  (the browser fixtures)

from .test_pages import PLAN, sales  # noqa: F401  (the data, built with the services)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def queued_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def shot(page, name: str) -> None:
    folder = Path(os.environ.get("REVDESK_SHOTS", "/tmp/shots"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"commissions-{name}.png"), full_page=True)


def worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


def test_analyst_calculates_watches_it_finish_and_opens_a_payee(page, sales, sign_in):
    sign_in(page, "analyst")
    page.click("nav.sidenav a:has-text('Commissions')")
    page.wait_for_url("**/commissions/runs/")
    assert page.inner_text("[data-testid=no-runs]").startswith("No runs yet.")
    page.fill("#id_periods", "2026-03..2026-04")
    page.click("[data-testid=calculate-button]")
    page.wait_for_url("**/commissions/runs/calculations/*/")
    assert page.inner_text("[data-testid=calculation-state]") == "Queued"
    shot(page, "calculating")

    worker()  # the worker's part; the page polls every 2 s and shows it
    page.wait_for_selector("[data-testid=calculation-done]")
    assert page.inner_text("[data-testid=calculation-state]") == "Done"
    run = CommissionRun.objects.get()
    page.click("[data-testid=calculation-run]")
    page.wait_for_url(f"**/commissions/runs/{run.pk}/")
    assert page.inner_text("[data-testid=run-status]") == "Draft"
    rows = page.locator("[data-testid=payouts] tbody tr")
    assert [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())] == [
        ["E101", "Erin East", "2026-03", "58.34", "USD"],
        ["E101", "Erin East", "2026-04", "220.00", "USD"],
        ["E102", "Wes West", "2026-03", "37.00", "USD"],
    ]
    assert "315.34" in page.inner_text("[data-testid=run-totals]")
    shot(page, "run")

    page.click("[data-testid=payee-E101] >> nth=0")
    page.wait_for_url(f"**/commissions/runs/{run.pk}/payees/E101/")
    april = page.locator("[data-testid=explanation-2026-04]")
    assert april.locator("[data-testid=subtotal]").all_inner_texts() == ["120.00", "100.00"]
    assert april.locator("[data-testid=period-total]").inner_text() == "220.00 USD"
    march = page.locator("[data-testid=explanation-2026-03]")
    assert "INV-B/2" in march.inner_text()
    assert march.locator("[data-testid=period-total]").inner_text() == "58.34 USD"
    shot(page, "drilldown")

    page.go_back()
    page.click("[data-step=reviewed]")
    page.wait_for_selector("text=is now reviewed")
    assert page.inner_text("[data-testid=run-status]") == "Reviewed"
    # the analyst who reviewed it is offered no approval
    assert page.locator("[data-step=approved]").count() == 0
    assert page.locator("[data-step=draft]").count() == 1

    page.click("nav.sidenav a:has-text('Commissions')")
    page.fill("#id_periods", "2026-13")
    page.click("[data-testid=calculate-button]")
    assert page.inner_text("[data-testid=calculate-error]") == (
        "'2026-13' is not a period (write 2026-10, 2026-Q4 or 2026). A range is written "
        "2026-07..2026-09."
    )
    cells = page.locator("[data-testid=runs] tbody tr").nth(0).locator("td").all_inner_texts()
    assert cells[:5] == [str(run.pk), "2026-03..2026-04", "Reviewed", "2", "315.34 USD"]
    shot(page, "runs")


def test_a_plan_saved_with_a_mistake_shows_it_at_its_line(page, sales, sign_in):
    sign_in(page, "analyst")
    page.goto(f"{page.base}/commissions/plans/")
    page.click("[data-testid=plan-edit-REP-T]")
    page.wait_for_url("**/commissions/plans/REP-T/edit/")
    text = page.input_value("#id_text")
    assert "version: 2" in text
    page.fill("#id_text", text.replace("period: month", "period: fortnight"))
    page.click("[data-testid=plan-save]")
    problems = page.locator("[data-testid=plan-problems] tbody tr")
    cells = problems.nth(0).locator("td").all_inner_texts()
    assert cells[:2] == ["6", "period"]
    assert "month" in cells[2]
    assert cells[3] == "period: fortnight"
    assert PlanVersion.objects.filter(code="REP-T").count() == 1
    shot(page, "plan-error")

    page.fill("#id_text", text.replace('FIBRE: "0.10"', 'FIBRE: "0.12"'))
    page.click("[data-testid=plan-save]")
    page.wait_for_url("**/commissions/plans/REP-T/2/")
    assert "Saved REP-T version 2." in page.inner_text(".messages")
    assert 'FIBRE: "0.12"' in page.inner_text("[data-testid=plan-text]")
    assert PlanVersion.objects.get(code="REP-T", version=2).saved_by.username == "analyst"


def test_a_rep_sees_only_their_own_approved_commissions(page, sales, sign_in):
    users = sales.users
    march = run_create("2026-03", actor=users["analyst"])
    run_move(march, RunStatus.REVIEWED, actor=users["analyst"])
    run_move(march, RunStatus.APPROVED, actor=users["leader"])
    run_create("2026-04", actor=users["analyst"])  # a draft: not for the rep's eyes

    sign_in(page, "rep")
    page.click("nav.sidenav a:has-text('My commissions')")
    page.wait_for_url("**/commissions/payees/E101/")
    page.select_option("#year", "2026")
    page.wait_for_selector("#ytd-chart[data-drawn]")
    rows = page.locator("[data-testid=period-table] tbody tr")
    assert [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())] == [
        ["2026-03", "58.34", "USD", "Approved"],
    ]
    assert page.locator("#ytd-chart .main-svg").count() >= 1  # Plotly drew it
    assert "INV-C" not in page.content()
    shot(page, "payee")

    response = page.goto(f"{page.base}/commissions/payees/E102/")
    assert response.status == 404
    response = page.goto(f"{page.base}/commissions/runs/")
    assert response.status == 404
