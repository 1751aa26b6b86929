"""A reviewer fills a review in Chromium; the accuracy report then shows the figure."""

from pathlib import Path

import pytest

from revdesk.quality.choices import Result
from revdesk.quality.models import QualityReview
from revdesk.quality.services import quality_sample

from .conftest import MONDAY_10, WEEK
from .test_report import reviews

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


def test_a_reviewer_records_a_review_and_the_report_shows_the_figure(
    page, world, teams, case_done, sign_in
):
    case = case_done("collector", MONDAY_10, "Freight charged twice")
    quality_sample(WEEK, seed=0)
    # 48 of 49 other items passed for collector; the 50th is the case reviewed here
    reviews(world, "collector", "collections", passed=48, failed=1)
    reviews(world, "collector2", "collections", passed=2, failed=1)
    review = QualityReview.objects.get(object_id=str(case.pk))
    assert review.reviewer.username == "collector2"

    sign_in(page, "collector2")
    page.click("nav.sidenav a:has-text('Quality review')")
    page.wait_for_url("**/quality/")
    assert page.locator("[data-testid=quality-to-do] tbody tr").count() == 1
    page.click("[data-testid=quality-to-do] a.button:has-text('Review')")
    page.wait_for_url(f"**/quality/{review.pk}/")
    for number in range(1, 7):
        page.check(f"[data-testid=question-{number}] input[value=pass]")
    page.check("[data-testid=question-5] input[value=na]")
    page.fill("[data-testid=question-5] input[type=text]", "Internal case: nobody to tell.")
    page.fill("#id_findings", "Clear resolution, amounts match the invoice.")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "quality-review-form.png"), full_page=True)
    page.click("button:has-text('Record the review')")
    page.wait_for_url("**/quality/")
    assert "recorded: passed" in page.inner_text(".messages")
    review.refresh_from_db()
    assert review.result == Result.PASSED
    assert [a["answer"] for a in review.answers] == ["pass"] * 4 + ["na", "pass"]

    page.context.clear_cookies()
    sign_in(page, "leader")
    page.goto(f"{page.base}/quality/report/")
    page.fill("#id_week", "2025-W49")
    page.click("[data-testid=week-picker] button:has-text('Show')")
    page.wait_for_url("**/quality/report/?week=2025-W49*")
    collector = page.locator("[data-testid=accuracy-people] [data-testid=accuracy-collector]")
    assert collector.locator("td").all_inner_texts() == [
        "collector",
        "50",
        "49",
        "1",
        "0",
        "98.0%",
        "Meets target",
    ]
    other = page.locator("[data-testid=accuracy-people] [data-testid=accuracy-collector2]")
    assert other.locator("td").nth(5).inner_text() == "66.7%"
    assert "below-target" in other.get_attribute("class")
    team = page.locator("[data-testid=accuracy-teams] [data-testid=accuracy-collections]")
    assert team.locator("td").nth(5).inner_text() == "96.2%"  # 51 of 53
    page.screenshot(path=str(SHOTS / "quality-report.png"), full_page=True)
