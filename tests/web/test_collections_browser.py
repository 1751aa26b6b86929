"""The collections desk in a real browser: the worklist by keyboard (move, log a call,
record a promise, open the account), and the aging's figures down to their items."""

from __future__ import annotations

import pytest

from revdesk.receivables.models import Activity, PromiseToPay
from revdesk.receivables.worklist import worklist_refresh
from revdesk.testing import ledger_build

pytestmark = pytest.mark.browser


@pytest.fixture
def data(world):
    built = ledger_build(world)
    worklist_refresh()
    return built


def test_the_worklist_by_keyboard(page, data, sign_in):
    sign_in(page, "collector")
    page.goto(f"{page.base}/collections/")
    rows = page.locator("[data-testid=work-row]")
    assert rows.count() == 2
    page.keyboard.press("j")  # the first account: C-1000
    assert page.locator("[data-testid=work-items]").count() == 0  # not in the page
    page.keyboard.press("i")  # its invoices, fetched from the server
    items = rows.nth(0).locator("[data-testid=work-items]")
    items.wait_for(state="visible")
    assert items.locator("a").all_inner_texts() == ["INV-6", "INV-1"]
    page.keyboard.press("i")  # hidden again, not fetched twice
    items.wait_for(state="hidden")
    assert rows.nth(0).locator("[data-testid=work-items]").count() == 1
    page.keyboard.press("l")  # its log form, the outcome first
    form = rows.nth(0).locator(".work-form[data-form=log]")
    assert form.is_visible()
    form.locator("select[name=outcome]").select_option("reached")
    form.locator("input[name=subject]").fill("AP will pay INV-1 on Friday")
    form.locator("button:has-text('Save')").click()
    page.wait_for_url(f"{page.base}/collections/")
    assert "Logged on C-1000: AP will pay INV-1 on Friday" in page.locator(".messages").inner_text()
    activity = Activity.objects.get()
    assert (activity.customer.code, activity.outcome) == ("C-1000", "reached")

    page.keyboard.press("j")
    page.keyboard.press("j")  # the second account: C-1001
    page.keyboard.press("p")
    promise = rows.nth(1).locator(".work-form[data-form=promise]")
    promise.locator("input[name=amount]").fill("300.25")
    promise.locator("input[name=promised_on]").fill("2026-12-04")
    promise.locator("button:has-text('Save')").click()
    page.wait_for_url(f"{page.base}/collections/")
    made = PromiseToPay.objects.get()
    assert (made.customer.code, str(made.amount)) == ("C-1001", "300.25")
    # the row was worked out again at once: watch the promise
    next_action = rows.nth(1).locator("[data-testid=next-action]").inner_text()
    assert next_action.startswith("Check the payment on ")

    page.keyboard.press("j")
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/collections/accounts/{made.customer.pk}/")
    assert made.number in page.locator("[data-testid=promises]").inner_text()
    page.screenshot(path="/tmp/revdesk-collections-account.png", full_page=True)


def test_an_aging_figure_opens_its_items(page, data, sign_in):
    sign_in(page, "collector")
    page.goto(f"{page.base}/collections/aging/?order=past_due")
    table = page.locator("[data-testid=aging-table]")
    first = table.locator("tbody tr").first
    assert first.locator("th").inner_text() == "C-1001"  # 5,800.25 past due, the most
    first.locator("a[data-testid=figure]").last.click()
    items = page.locator("[data-testid=items-table] tbody tr")
    assert items.count() >= 1
    assert page.locator("[data-testid=items-total]").count() == 1


def test_the_kpis_per_collector_and_their_charts(page, world, sign_in):
    """The hand-worked ledger of receivables.examples.example_kpis_build: the page's tables
    to the cent and day, and its charts drawn, a line per collector."""
    from receivables.examples import example_kpis_build

    example_kpis_build(world)
    page.set_default_timeout(60_000)  # twelve quarters of KPIs on a busy machine
    sign_in(page, "lead")  # the senior collector: the team's portfolio (the collector's)
    page.goto(f"{page.base}/collections/kpis/?first=2026-07&last=2026-09&by=company")
    page.wait_for_selector("#chart-dso-USD[data-drawn=true]")
    assert page.locator("[data-testid=trend-chart]").count() == 4  # DSO, %, cash, age
    page.select_option("select[name=by]", "collector")
    page.select_option("select[name=chart]", "current_percent")
    page.click("button:has-text('Show')")
    page.wait_for_selector("#chart-current-percent-USD[data-drawn=true]")
    cells = page.locator("[data-testid=kpi-end-table] tbody tr").first.locator("th, td")
    assert cells.all_inner_texts() == [
        "collector",
        "USD",
        "250,000.00",
        "150,000.00",
        "60.00%",
        "0.00",
        "2",
        "1,650.25",
        "38.50",
        "77",
        "1,200.00",
        "0.00",
        "450.25",
        "0.00",
    ]
    # one chart, one line (the senior collector sees the collector's portfolio only)
    chart = page.locator("#chart-current-percent-USD")
    assert chart.locator(".scatterlayer .trace").count() == 1
    page.locator("[data-testid=trend-chart] summary").first.click()
    table = page.locator("[data-testid=trend-table-chart-current-percent-USD]")
    assert table.is_visible()
    assert "60.00" in table.locator("tbody tr").first.inner_text()
    page.screenshot(path="/tmp/revdesk-collections-kpis.png", full_page=True)
