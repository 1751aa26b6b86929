# ruff: noqa: F811  (the browser fixtures and the desk are imported)
"""The commission analytics page in Chromium: an analyst opens it from the runs page, picks a
range, and every chart is drawn by Plotly (an svg) beside the table with its figures; the
Excel download holds one sheet per report. The screenshot is the guide's
(docs/img/commission-analytics.png)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from revdesk.compensation.runs import run_create
from web.conftest import browser, page, sign_in  # noqa: F401  (the browser fixtures)

from .test_analytics import desk  # noqa: F401  (the data, built with the services)
from .test_runs import invoice, order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
GUIDE_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "img" / "commission-analytics.png"
CHARTS = (
    "chart-component-USD",
    "chart-plan-USD",
    "chart-region-USD",
    "chart-attainment",
    "chart-cost",
    "chart-variances",
)


@pytest.fixture
def months(desk):
    """May and June on top of the desk, calculated as one draft run: E101 sells 3,000.00 of
    UPS in May (150.00 and the 100.00 bonus: 150% of quota) and 1,800.00 in June (90.00, 90%);
    E102 1,500.00 CAD of fibre in June (at 0.74: 1,110.00 USD -> 111.00 for 2026-Q2, 37% of
    the quarter's 3,000.00)."""
    east, west = desk.customer_east, desk.customer_west
    ups, fibre = desk.product_ups, desk.product_fibre
    invoice(
        "INV-E",
        order("SO-E", east, dt.date(2026, 5, 1), [(ups, "3", "1000.00")]),
        dt.date(2026, 5, 12),
        "3000.00",
    )
    invoice(
        "INV-F",
        order("SO-F", east, dt.date(2026, 6, 1), [(ups, "1", "1800.00")]),
        dt.date(2026, 6, 9),
        "1800.00",
    )
    invoice(
        "INV-G",
        order("SO-G", west, dt.date(2026, 6, 1), [(fibre, "1", "1500.00")]),
        dt.date(2026, 6, 16),
        "1500.00",
    )
    run_create("2026-05..2026-06", actor=desk.users["analyst"])
    return desk


def cells(page, testid: str) -> list[list[str]]:
    rows = page.locator(f"[data-testid={testid}] tbody tr")
    return [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]


def test_the_charts_are_drawn_with_their_figures_and_the_excel_downloads(
    page, months, sign_in, tmp_path
):
    sign_in(page, "analyst")
    page.goto(f"{page.base}/commissions/runs/")
    page.click("[data-testid=tab-analytics]")
    page.wait_for_url("**/commissions/analytics/")
    page.fill("#id_from", "2026-01")
    page.fill("#id_to", "2026-06")
    page.fill("#id_attainment", "2026-06")
    page.click("[data-testid=range-picker] button:has-text('Show')")
    page.wait_for_url("**/commissions/analytics/?from=2026-01&to=2026-06&attainment=2026-06")
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart}[data-drawn] svg.main-svg", state="attached")
    assert page.locator("#chart-component-USD g.trace.bars").count() == 3  # one per component

    assert cells(page, "component-table-USD") == [
        ["2026-03", "83.34", "", "37.00", "120.34"],
        ["2026-04", "120.00", "100.00", "", "220.00"],
        ["2026-05", "150.00", "100.00", "", "250.00"],
        ["2026-06", "90.00", "", "111.00", "201.00"],
    ]
    assert cells(page, "attainment-bands") == [
        ["Below 50%", "1"],
        ["50% to 75%", "0"],
        ["75% to 100%", "1"],
        ["100% to 125%", "0"],
        ["125% and above", "0"],
    ]
    assert cells(page, "cost-table")[0] == ["2026-03", "120.34", "1,970.00", "USD", "6.11%"]
    assert cells(page, "variance-table")[0][:7] == [
        "E101",
        "Erin East",
        "2026-03",
        "total",
        "83.34",
        "50.00",
        "33.34",
    ]
    assert "Some months are not approved yet" in page.inner_text("[data-testid=includes-drafts]")
    page.screenshot(path=str(tmp_path / "analytics.png"), full_page=True)
    GUIDE_IMAGE.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(GUIDE_IMAGE), full_page=True)

    with page.expect_download() as download_info:
        page.click("[data-testid=analytics-excel]")
    download = download_info.value
    assert download.suggested_filename == "commission-analytics-2026-01-to-2026-06.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames[1:] == [
        "By component",
        "By plan",
        "By region",
        "Attainment",
        "Cost of sales",
        "Top variances",
    ]
    assert [cell.value for cell in book["By component"][5]] == [
        "2026-06",
        "USD",
        90,
        None,
        111,
        201,
    ]


def test_a_month_written_wrong_is_named(page, desk, sign_in):
    sign_in(page, "analyst")
    page.goto(f"{page.base}/commissions/analytics/?from=2026-04&to=2026-01")
    assert page.inner_text("[data-testid=range-errors]") == (
        "The range starts (2026-04) after it ends (2026-01)."
    )
    assert page.locator(".analytics-chart").count() == 0
