# ruff: noqa: F811  (the browser fixtures are imported from tests/web/conftest.py)
"""Cases in Chromium: a collector opens a dispute from a customer's page, comments with an
@mention, waits on the customer and resolves; a team lead bulk-assigns from the queue; the
rep sees only the external conversation. Screenshots (1360 x 900) go to /tmp/shots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from revdesk.cases import services
from revdesk.cases.choices import Visibility
from revdesk.cases.models import Case, Notification
from web.conftest import browser, page, sign_in  # noqa: F401  (the browser fixtures)

from .desk import desk_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")


@pytest.fixture
def desk(world, teams, ledger, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    names = {"collector": ("Carla", "Collins"), "collector2": ("Cole", "Second")}
    names.update({"lead": ("Lena", "Lead"), "rep": ("Ravi", "East")})
    for username, (first, last) in names.items():
        get_user_model().objects.filter(username=username).update(first_name=first, last_name=last)
    return desk_build(world, ledger)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_collector_opens_comments_waits_and_resolves_a_dispute(page, desk, world, sign_in):
    sign_in(page, "collector")
    page.goto(f"{page.base}{world.customer_east.get_absolute_url()}")
    page.click("[data-testid=open-case]")
    page.wait_for_url("**/cases/new/**")
    assert page.input_value("#id_customer") == str(world.customer_east.pk)
    page.select_option("#id_case_type", label="AR dispute")
    # the script leaves only the AR dispute reasons to choose from
    shown = page.locator("#id_reason option:not([hidden])").all_inner_texts()
    assert "Damaged goods" in shown
    assert "Split credit under a crediting policy" not in shown
    page.select_option("#id_reason", label="Damaged goods")
    page.fill("#id_title", "Units arrived damaged")
    page.fill("#id_invoices", "INV-1")
    page.fill("#id_amount", "250.00")
    page.click("button:has-text('Open the case')")
    page.wait_for_url(re.compile(r".*/cases/CASE-\d{6}/$"))
    case = Case.objects.get(title="Units arrived damaged")
    assert f"Opened {case.number} in the Collections queue" in page.inner_text(".messages")
    assert page.inner_text("[data-testid=case-subjects]").count("INV-1") == 1

    page.fill("#id_comment-body", "@lead photos are on the way, please check the credit")
    page.click("#comment button:has-text('Add comment')")
    assert "Lena Lead will be told." in page.inner_text(".messages")
    assert Notification.objects.filter(user=world.users["lead"], case=case).count() == 1

    page.select_option("#id_status-to_status", label="Waiting on customer")
    page.click("#status button:has-text('Move')")
    assert page.inner_text("[data-testid=case-status]") == "Waiting on customer"
    assert "Paused while waiting on the customer" in page.inner_text("[data-testid=case-clocks]")

    # resolving without a resolution is refused on the page, nothing changes
    page.select_option("#id_status-to_status", label="Resolved")
    page.select_option("#id_status-outcome", label="Credit memo issued")
    page.click("#status button:has-text('Move')")
    assert "Write the resolution: what was decided and why." in page.inner_text("#status")
    page.fill("#id_status-note", "Credit memo for the damaged units")
    page.click("#status button:has-text('Move')")
    assert page.inner_text("[data-testid=case-status]") == "Resolved"
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("resolved", "credit_memo")
    kinds = page.locator("[data-testid=event]").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["created", "routed", "comment", "status", "resolution"]
    page.goto(f"{page.base}{case.get_absolute_url()}")
    shot(page, "case-page")

    sign_in(page, "lead")
    assert page.inner_text("[data-testid=nav-notifications] .notify-count") == "1"


def test_team_lead_bulk_assigns_from_the_queue(page, desk, world, sign_in):
    sign_in(page, "lead")
    page.click("nav.sidenav a:has-text('Cases')")
    page.wait_for_url("**/cases/?status=open")
    shot(page, "queue")
    page.check(f"input[name=case][value={desk.dispute.number}]")
    page.check(f"input[name=case][value={desk.west.number}]")
    page.select_option("#bulk-target", label="Cole Second")
    page.click("#bulk-assign button:has-text('Assign')")
    assert "Assigned 2 cases to Cole Second." in page.inner_text(".messages")
    owners = dict(Case.objects.values_list("number", "owner__username"))
    assert owners[desk.dispute.number] == owners[desk.west.number] == "collector2"
    assert owners[desk.old.number] is None
    page.select_option("#id_owner", label="Unassigned")
    page.click("form.filters button:has-text('Apply')")
    rows = page.locator("[data-testid=object-table] tbody tr td:nth-child(2)").all_inner_texts()
    assert rows == [desk.old.number]
    page.fill("#view-name", "Nobody's yet")
    page.click("button:has-text('Save view')")
    assert page.locator("[data-testid=saved-views] a").all_inner_texts() == ["Nobody's yet"]
    page.click("nav.sidenav a:has-text('SLA dashboard')")
    page.wait_for_url("**/cases/sla/")
    assert page.inner_text("[data-testid=sla-team-collections] [data-testid=open]") == "3"
    shot(page, "sla-dashboard")


def test_rep_sees_only_the_external_conversation(page, desk, world, sign_in):
    collector = world.users["collector"]
    services.comment_add(desk.dispute, actor=collector, body="Margin is thin on this one")
    services.comment_add(
        desk.dispute,
        actor=collector,
        body="We are checking the price with billing",
        visibility=Visibility.EXTERNAL,
    )
    services.case_assign(desk.dispute, actor=world.users["lead"], owner=collector)
    sign_in(page, "rep")
    page.click("nav.sidenav a:has-text('My cases')")
    page.click(f"a:has-text('{desk.dispute.number}')")
    bodies = page.locator("[data-testid=event] .event-body").all_inner_texts()
    assert bodies == ["We are checking the price with billing"]
    assert page.locator("[data-testid=case-actions]").count() == 0
    page.fill("#id_comment-body", "The customer sent me the PO")
    page.click("#comment button:has-text('Add comment')")
    bodies = page.locator("[data-testid=event] .event-body").all_inner_texts()
    assert bodies == ["We are checking the price with billing", "The customer sent me the PO"]
    shot(page, "case-page-rep")
