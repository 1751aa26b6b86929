# ruff: noqa: F811  (the browser and claim fixtures are imported)
"""Claims in Chromium: a rep files a claim with the form (the policy, who played each role,
the invoice, a work order as evidence), lands on the claim's case and sees its panel; an
analyst approves it by resolving the case; the claims list shows it Approved. The
screenshots are the guide's (docs/img/commission-claim-new.png, commission-claims.png)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from revdesk.cases.models import Attachment
from revdesk.compensation.claims import claim_decide, claim_file
from revdesk.compensation.models import ClaimDecision, CreditClaim
from web.conftest import browser, page, sign_in  # noqa: F401  (the browser fixtures)

from .test_claim_pages import PDF, inv, policy  # noqa: F401  (the fixtures)
from .test_runs import invoice, order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def earlier_claims(world, policy):
    """Two claims filed before: one the east rep is waiting on, one an analyst denied."""
    east, west = world.rep_east, world.rep_west
    users = world.users
    pending = invoice(
        "INV-D",
        order("SO-D", world.customer_east, dt.date(2026, 2, 2), [(world.product_ups, "2", "900")]),
        dt.date(2026, 2, 12),
        "1800.00",
    )
    denied = invoice(
        "INV-E",
        order("SO-E", world.customer_west, dt.date(2026, 1, 5), [(world.product_ups, "1", "650")]),
        dt.date(2026, 1, 20),
        "650.00",
    )
    claim_file(
        actor=users["rep"],
        policy=policy,
        invoices=[pending],
        roles={"specifying": east, "ordering": west, "installing": east},
        claimant=east,
        description="I wrote the specification for both UPS units; the design review is attached.",
    )
    claim = claim_file(
        actor=users["rep_west"],
        policy=policy,
        invoices=[denied],
        roles={"specifying": west, "ordering": west, "installing": east},
        claimant=west,
        description="I specified the unit at the customer's west site.",
    )
    claim_decide(
        claim,
        approve=False,
        resolution="The specification was the customer's own; no split.",
        actor=users["analyst"],
    )


def test_a_rep_files_a_claim_and_an_analyst_approves_it(
    page, world, policy, inv, earlier_claims, sign_in, tmp_path
):
    evidence = tmp_path / "work-order-4471.pdf"
    evidence.write_bytes(PDF)
    IMAGES.mkdir(parents=True, exist_ok=True)

    # the rep files the claim with the form
    sign_in(page, "rep_west")
    page.goto(f"{page.base}/commissions/claims/")
    page.click("[data-testid=claim-new-link]")
    page.select_option("#id_policy_pick", label="Policy 100: " + policy.title)
    page.wait_for_selector("[data-testid=claim-form]")
    assert "Credit is split 25/50/25" in page.inner_text("[data-testid=claim-policy-text]")
    labels = page.locator("[data-testid=claim-form] label").all_inner_texts()
    assert labels[:3] == [
        "Ordering (50% of the credit)",
        "Installing (25% of the credit)",
        "Specifying (25% of the credit)",
    ]
    page.select_option("#id_role_specifying", value=str(world.rep_west.pk))
    page.select_option("#id_role_ordering", value=str(world.rep_east.pk))
    page.select_option("#id_role_installing", value=str(world.rep_west.pk))
    page.fill("#id_invoices", "INV-C")
    page.fill(
        "#id_description",
        "I specified the UPS at the customer's east site and my team installed it; "
        "Erin East took the order. Work order 4471 attached.",
    )
    page.set_input_files("#id_evidence", str(evidence))
    page.locator("#id_description").blur()
    page.screenshot(path=str(IMAGES / "commission-claim-new.png"), full_page=True)
    page.click("button:has-text('File the claim')")

    # lands on the claim's case, with the panel
    page.wait_for_url("**/cases/CASE-*/")
    claim = CreditClaim.objects.get(invoices__invoice__number="INV-C")
    assert f"Filed {claim.case.number}" in page.inner_text(".messages")
    panel = page.locator("[data-testid=claim-panel]")
    assert "Claim under Policy 100" in panel.inner_text()
    assert panel.locator("tbody tr td").all_inner_texts() == [
        "Ordering",
        "50%",
        "Erin East E101",
        "Installing",
        "25%",
        "Wes West E102",
        "Specifying",
        "25%",
        "Wes West E102",
    ]
    assert page.inner_text("[data-testid=claim-panel-decision]") == "Pending"
    assert Attachment.objects.get(case=claim.case).name == "work-order-4471.pdf"

    # an analyst approves it on the case page
    page.context.clear_cookies()
    sign_in(page, "analyst")
    page.goto(f"{page.base}{claim.case.get_absolute_url()}")
    assert "To decide, move the case to Resolved" in page.inner_text("[data-testid=claim-panel]")
    page.select_option("#id_status-to_status", label="Resolved")
    page.select_option("#id_status-outcome", label="Claim approved with adjustment")
    page.fill("#id_status-note", "Work order 4471 confirms the west team installed it.")
    page.click("#status button:has-text('Move')")
    page.wait_for_selector("[data-testid=case-status]:has-text('Resolved')")
    claim.refresh_from_db()
    assert claim.decision == ClaimDecision.APPROVED
    assert claim.decided_by == world.users["analyst"]
    assert page.inner_text("[data-testid=claim-panel-decision]") == (
        f"Approved on {claim.decided_on:%Y-%m-%d} by analyst"
    )

    # the claims list shows it Approved, beside the pending and the denied ones
    page.goto(f"{page.base}/commissions/claims/")
    rows = page.locator("[data-testid=claim-table] tbody tr")
    assert rows.count() == 3
    decisions = {
        row.locator("td").nth(3).inner_text(): row.locator(
            "[data-testid=claim-decision]"
        ).inner_text()
        for row in rows.all()
    }
    assert decisions == {"INV-C": "Approved", "INV-D": "Pending", "INV-E": "Denied"}
    splits = page.locator("[data-testid=claim-table] tbody tr td:nth-child(6)").all_inner_texts()
    assert splits[0] == "ordering 50%: E101, installing 25%: E102, specifying 25%: E102"
    page.screenshot(path=str(IMAGES / "commission-claims.png"), full_page=True)

    # the rep sees the decision in their own list
    page.context.clear_cookies()
    sign_in(page, "rep_west")
    page.goto(f"{page.base}/commissions/claims/?decision=approved")
    assert page.locator("[data-testid=claim-decision]").all_inner_texts() == ["Approved"]
