"""The commissions desk's pages: runs (calculate in the background, steps by role, Excel,
drill-down), a payee's commissions (rep scoping, drafts for staff, year to date against quota)
and plans (versions, the file, the editor's errors, the schema)."""

import datetime as dt
import io
import json
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from revdesk.compensation.models import CommissionRun, PlanVersion, RunStatus
from revdesk.compensation.runs import run_create, run_move
from revdesk.compensation.selectors import payee_commissions, run_payee_explanation
from revdesk.compensation.services import plan_version_save
from revdesk.foundation.models import ChangeRecord
from revdesk.parties.models import Payee, PlanAssignment
from revdesk.testing import signed_in

from .test_runs import invoice, order

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

PLAN = """\
code: REP-T
name: Test field rep
version: 1
valid_from: 2026-01-01
currency: USD
period: month
rounding: line
payable_on: invoice
quota: "2000.00"
components:
  - code: hardware
    basis: amount
    rates_by_product_line: {UPS: "0.05", FIBRE: "0.10"}
bonuses:
  - {code: quota-made, attainment_at_least: "1.00", amount: "100.00"}
"""


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def sales(world):
    """REP-T (5% UPS, 10% fibre, quota 2,000.00 a month, 100.00 bonus at quota) for both reps.

    2026-03, east (E101): INV-A 1,080.00 with 80.00 tax on UPS (1,000.00 net -> 50.00) and
    INV-B 100.00 over UPS 1,000 + fibre 2,000 (33.33 -> 1.67, 66.67 -> 6.67): 58.34, credited
    1,100.00. West (E102): INV-W 370.00 of fibre -> 37.00.
    2026-04, east: INV-C 2,400.00 UPS -> 120.00 and the quota bonus 100.00: 220.00."""
    plan_version_save(PLAN, actor=None)
    for payee in (world.rep_east, world.rep_west):
        PlanAssignment.objects.create(
            payee=payee, plan_code="REP-T", valid_from=dt.date(2026, 1, 1)
        )
    east, west = world.customer_east, world.customer_west
    west.currency = "USD"
    west.save()
    ups, fibre = world.product_ups, world.product_fibre
    invoice(
        "INV-A",
        order("SO-A", east, dt.date(2026, 3, 1), [(ups, "1", "1000.00")]),
        dt.date(2026, 3, 5),
        "1080.00",
        "80.00",
    )
    invoice(
        "INV-B",
        order("SO-B", east, dt.date(2026, 3, 1), [(ups, "1", "1000.00"), (fibre, "1", "2000.00")]),
        dt.date(2026, 3, 20),
        "100.00",
    )
    invoice(
        "INV-W",
        order("SO-W", west, dt.date(2026, 3, 1), [(fibre, "1", "370.00")]),
        dt.date(2026, 3, 10),
        "370.00",
    )
    invoice(
        "INV-C",
        order("SO-C", east, dt.date(2026, 4, 1), [(ups, "2", "1200.00")]),
        dt.date(2026, 4, 8),
        "2400.00",
    )
    return world


@pytest.fixture
def runs(sales):
    """Run for 2026-03 reviewed by the analyst and approved by the desk leader; 2026-04 draft."""
    users = sales.users
    march = run_create("2026-03", actor=users["analyst"])
    run_move(march, RunStatus.REVIEWED, actor=users["analyst"])
    run_move(march, RunStatus.APPROVED, actor=users["leader"])
    april = run_create("2026-04", actor=users["analyst"])
    return march, april


class _Tables(HTMLParser):
    """The text of every cell, row by row, inside the element with a given data-testid."""

    def __init__(self, testid):
        super().__init__()
        self.testid, self.depth, self.rows, self.cell = testid, 0, [], None

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in ("br", "input", "img")
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []
        elif dict(attrs).get("data-testid") == self.testid:
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.cell is not None:
            self.cell.append(data)


def rows(response, testid):
    parser = _Tables(testid)
    parser.feed(response.content.decode())
    return [row for row in parser.rows if row]


def text(response) -> str:
    """The page as a person reads it: tags out, entities decoded, blanks collapsed."""
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# -- runs -----------------------------------------------------------------------------------


def test_run_list_shows_every_run_with_totals_and_who(client, runs):
    march, april = runs
    response = signed_in(client, "analyst").get(reverse("web:commission_run_list"))
    assert response.status_code == 200
    listed = rows(response, "runs")
    assert listed[0] == ["Run", "Periods", "Status", "Payees", "Total", "Who and when"]
    assert listed[1][:5] == [str(april.pk), "2026-04", "Draft", "1", "220.00 USD"]
    assert listed[2][:5] == [str(march.pk), "2026-03", "Approved", "2", "95.34 USD"]
    assert "Reviewed by analyst" in listed[2][5]
    assert "Approved by leader" in listed[2][5]
    assert 'data-testid="calculate"' in response.content.decode()


def test_manager_reads_runs_but_cannot_calculate(client, runs):
    client = signed_in(client, "leader")
    response = client.get(reverse("web:commission_run_list"))
    assert response.status_code == 200
    assert 'data-testid="calculate"' not in response.content.decode()
    before = CommissionRun.objects.count()
    response = client.post(reverse("web:commission_run_list"), {"periods": "2026-05"})
    assert response.status_code == 404
    assert CommissionRun.objects.count() == before


@pytest.mark.parametrize("username", ["rep", "collector", "ops", "distributor"])
def test_others_get_404_on_every_commission_page(client, runs, username):
    march, _ = runs
    client = signed_in(client, username)
    for url in (
        reverse("web:commission_run_list"),
        reverse("web:commission_run_detail", args=[march.pk]),
        reverse("web:commission_run_excel", args=[march.pk]),
        reverse("web:commission_run_payee", args=[march.pk, "E101"]),
        reverse("web:commission_plan_list"),
        reverse("web:commission_plan_schema"),
        reverse("web:commission_plan_version", args=["REP-T", 1]),
        reverse("web:commission_plan_edit", args=["REP-T"]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("web:commission_run_step", args=[march.pk]), {"to": "paid"})
    assert response.status_code == 404
    assert CommissionRun.objects.get(pk=march.pk).status == RunStatus.APPROVED


def test_calculate_from_the_page_runs_the_task_and_opens_the_run(client, sales):
    response = signed_in(client, "analyst").post(
        reverse("web:commission_run_list"), {"periods": "2026-03..2026-04"}
    )
    run = CommissionRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:commission_run_detail", args=[run.pk])
    assert (run.periods, run.status, run.totals) == ("2026-03..2026-04", "draft", {"USD": "315.34"})
    assert run.created_by == sales.users["analyst"]


def test_a_refused_calculation_says_why_and_changes_nothing(client, runs):
    march, april = runs
    response = signed_in(client, "analyst").post(
        reverse("web:commission_run_list"), {"periods": "2026-02..2026-03"}
    )
    assert response.status_code == 400
    assert rows(response, "calculate-refused") == []
    assert (
        f"Nothing was calculated: 2026-03 is approved in run {march.pk}: corrections are "
        "adjustments in a later period"
    ) in text(response)
    assert sorted(CommissionRun.objects.values_list("pk", flat=True)) == [march.pk, april.pk]


def test_a_period_written_wrong_is_named(client, sales):
    response = signed_in(client, "analyst").post(
        reverse("web:commission_run_list"), {"periods": "2026-13"}
    )
    assert response.status_code == 400
    assert (
        "'2026-13' is not a period (write 2026-10, 2026-Q4 or 2026). A range is written "
        "2026-07..2026-09."
    ) in text(response)
    assert CommissionRun.objects.count() == 0


# The worker closes its database connection between tasks, as a real one does: that ends a
# test transaction, so this test commits for real (and pytest-django empties the tables).
@pytest.mark.django_db(transaction=True)
def test_queued_calculation_shows_its_status_until_done(client, sales, settings):
    settings.TASKS = DATABASE
    client = signed_in(client, "analyst")
    response = client.post(reverse("web:commission_run_list"), {"periods": "2026-03"})
    assert response.status_code == 302
    page = response["Location"]
    assert page.startswith("/commissions/runs/calculations/")
    response = client.get(page)
    assert rows(response, "calculation-state") == []
    assert 'data-testid="calculation-state">Queued<' in response.content.decode()
    assert "data-poll=" in response.content.decode()
    assert CommissionRun.objects.count() == 0
    listed = client.get(reverse("web:commission_run_list"))
    assert "2026-03 : waiting for the background worker" in text(listed)
    assert f'href="{page}"' in listed.content.decode()

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    run = CommissionRun.objects.get()
    status = client.get(page + "status/")
    assert 'data-testid="calculation-state">Done<' in status.content.decode()
    assert "data-finished" in status.content.decode()
    assert f'href="/commissions/runs/{run.pk}/"' in status.content.decode()
    assert run.totals == {"USD": "95.34"}

    # a refusal is shown in plain words, not as a failure
    run_move(run, RunStatus.REVIEWED, actor=None)
    response = client.post(reverse("web:commission_run_list"), {"periods": "2026-03"})
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    status = client.get(response["Location"] + "status/")
    assert 'data-testid="calculation-state">Refused<' in status.content.decode()
    assert (
        f"2026-03 is reviewed in run {run.pk}: send that run back to draft to calculate it again"
    ) in text(status)
    # another task's result, or no result, is not a page
    assert client.get("/commissions/runs/calculations/nothing/").status_code == 404


def test_run_page_shows_totals_payouts_and_lineage(client, runs):
    march, _ = runs
    response = signed_in(client, "leader").get(
        reverse("web:commission_run_detail", args=[march.pk])
    )
    assert response.status_code == 200
    assert rows(response, "payouts") == [
        ["Payee", "Name", "Period", "Amount", "Currency"],
        ["E101", "Erin East", "2026-03", "58.34", "USD"],
        ["E102", "Wes West", "2026-03", "37.00", "USD"],
        ["Total USD (2 payees)", "95.34", "USD"],
    ]
    page = text(response)
    assert "95.34 USD Total USD" in page
    assert march.fingerprint in page
    assert f"Engine version {march.engine_version}" in page
    assert f"Plan versions {', '.join(march.plan_versions)}" in page
    assert "Notes Nothing was left out." in page
    assert 'data-testid="run-documents"' in response.content.decode()
    by_amount = signed_in(client, "analyst").get(
        reverse("web:commission_run_detail", args=[march.pk]) + "?sort=-amount"
    )
    assert [row[0] for row in rows(by_amount, "payouts")[1:3]] == ["E101", "E102"]
    by_amount = client.get(reverse("web:commission_run_detail", args=[march.pk]) + "?sort=amount")
    assert [row[0] for row in rows(by_amount, "payouts")[1:3]] == ["E102", "E101"]


def test_a_team_manager_sees_only_their_team(client, runs):
    march, _ = runs
    Payee.objects.create(code="E200", name="Olga Other")  # reports to nobody
    client = signed_in(client, "manager")  # E100, manager of E101 and E102
    response = client.get(reverse("web:commission_run_detail", args=[march.pk]))
    assert [row[0] for row in rows(response, "payouts")[1:3]] == ["E101", "E102"]
    assert "Only the payees you may see are listed" in text(response)
    assert (
        client.get(reverse("web:commission_run_payee", args=[march.pk, "E101"])).status_code == 200
    )
    assert (
        client.get(reverse("web:commission_run_payee", args=[march.pk, "E200"])).status_code == 404
    )
    assert client.get(reverse("web:commission_payee", args=["E200"])).status_code == 404
    leader = signed_in(client, "leader")  # a desk leader sees everyone
    assert leader.get(reverse("web:commission_payee", args=["E200"])).status_code == 200


def test_excel_download_is_the_table(client, runs):
    march, _ = runs
    response = signed_in(client, "analyst").get(
        reverse("web:commission_run_excel", args=[march.pk]) + "?sort=-amount"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="commission-run-{march.pk}-2026-03.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values == [
        ["Payee", "Name", "Period", "Amount", "Currency"],
        ["E101", "Erin East", "2026-03", 58.34, "USD"],
        ["E102", "Wes West", "2026-03", 37, "USD"],
    ]
    assert sheet["D2"].number_format == "#,##0.00"


def test_steps_follow_the_roles_and_are_audited(client, sales):
    users = sales.users
    run = run_create("2026-03", actor=users["analyst"])
    url = reverse("web:commission_run_detail", args=[run.pk])
    step = reverse("web:commission_run_step", args=[run.pk])

    def buttons(username):
        response = signed_in(client, username).get(url)
        return [
            (row.split('data-step="')[1].split('"')[0])
            for row in response.content.decode().split("<button")[1:]
            if 'data-step="' in row
        ]

    assert buttons("analyst") == ["reviewed"]
    assert buttons("leader") == []
    # the leader cannot review: refused, nothing changes
    signed_in(client, "leader").post(step, {"to": "reviewed"})
    assert CommissionRun.objects.get(pk=run.pk).status == "draft"

    signed_in(client, "analyst").post(step, {"to": "reviewed"})
    run.refresh_from_db()
    assert (run.status, run.reviewed_by) == ("reviewed", users["analyst"])
    assert buttons("analyst") == ["draft"]  # never approves what they reviewed
    response = signed_in(client, "analyst").post(step, {"to": "approved"}, follow=True)
    assert "the person who reviewed a run does not approve it too" in text(response)
    assert CommissionRun.objects.get(pk=run.pk).status == "reviewed"

    assert buttons("leader") == ["approved", "draft"]
    signed_in(client, "leader").post(step, {"to": "approved"})
    run.refresh_from_db()
    assert (run.status, run.approved_by) == ("approved", users["leader"])
    assert buttons("leader") == []
    assert buttons("analyst") == ["paid"]
    signed_in(client, "analyst").post(step, {"to": "paid"})
    run.refresh_from_db()
    assert (run.status, run.paid_by) == ("paid", users["analyst"])
    changes = ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(CommissionRun), object_id=str(run.pk)
    ).order_by("id")
    assert [(c.user_name, c.after.get("status")) for c in changes] == [
        ("analyst", "draft"),
        ("analyst", "reviewed"),
        ("leader", "approved"),
        ("analyst", "paid"),
    ]


def test_an_administrator_may_approve_what_they_reviewed(client, sales):
    run = run_create("2026-03", actor=None)
    step = reverse("web:commission_run_step", args=[run.pk])
    signed_in(client, "admin").post(step, {"to": "reviewed"})
    signed_in(client, "admin").post(step, {"to": "approved"})
    assert CommissionRun.objects.get(pk=run.pk).status == "approved"


def test_back_to_draft_from_reviewed(client, sales):
    run = run_create("2026-03", actor=None)
    run_move(run, RunStatus.REVIEWED, actor=sales.users["analyst"])
    signed_in(client, "leader").post(
        reverse("web:commission_run_step", args=[run.pk]), {"to": "draft"}
    )
    run.refresh_from_db()
    assert (run.status, run.reviewed_by, run.reviewed_at) == ("draft", None, None)


def test_drill_down_groups_every_line_by_component_adding_up_to_the_payout(client, runs):
    _, april = runs
    response = signed_in(client, "analyst").get(
        reverse("web:commission_run_payee", args=[april.pk, "E101"])
    )
    assert response.status_code == 200
    assert rows(response, "explanation-2026-04") == [
        ["Transaction", "Credit share", "Kind", "Tier", "Rate", "Base", "Amount", "Note"],
        ["hardware"],
        ["INV-C/1", "100%", "earning", "", "5%", "2,400.00", "120.00", "2,400.00 × 5% = 120.00"],
        ["Subtotal hardware", "120.00", ""],
        ["quota-made"],
        [
            "—",
            "100%",
            "bonus",
            "",
            "",
            "2,400.00",
            "100.00",
            "attainment 120% of quota 2,000.00 reached 100%: 100.00",
        ],
        ["Subtotal quota-made", "100.00", ""],
        ["Total 2026-04", "220.00 USD", ""],
    ]
    east = Payee.objects.get(code="E101")
    periods = run_payee_explanation(april, east, user=runs_user("analyst"))
    assert [(p.period, p.payout, p.total) for p in periods] == [
        ("2026-04", Decimal("220.00"), Decimal("220.00"))
    ]
    assert run_payee_explanation(april, east, user=runs_user("rep_west")) is None


def runs_user(username):
    return get_user_model().objects.get(username=username)


def test_drill_down_march_lines(client, runs):
    march, _ = runs
    response = signed_in(client, "analyst").get(
        reverse("web:commission_run_payee", args=[march.pk, "E101"])
    )
    table = rows(response, "explanation-2026-03")
    assert table[1:] == [
        ["hardware"],
        ["INV-A/1", "100%", "earning", "", "5%", "1,000.00", "50.00", "1,000.00 × 5% = 50.00"],
        [
            "INV-B/1",
            "100%",
            "earning",
            "",
            "5%",
            "33.33",
            "1.67",
            "33.33 × 5% = 1.67 (rounded to the cent)",
        ],
        [
            "INV-B/2",
            "100%",
            "earning",
            "",
            "10%",
            "66.67",
            "6.67",
            "66.67 × 10% = 6.67 (rounded to the cent)",
        ],
        ["Subtotal hardware", "58.34", ""],
        ["Total 2026-03", "58.34 USD", ""],
    ]


# -- a payee's commissions ------------------------------------------------------------------


def test_rep_sees_only_their_approved_figures(client, runs):
    client = signed_in(client, "rep")
    response = client.get(reverse("web:commission_payee", args=["E101"]) + "?year=2026")
    assert response.status_code == 200
    assert rows(response, "period-table") == [
        ["Period", "Payout", "Currency", "Run"],
        ["2026-03", "58.34", "USD", "Approved"],
    ]
    assert "INV-C" not in response.content.decode()  # April is a draft
    assert rows(response, "ytd-table") == [
        ["Month", "Credited", "Credited to date", "Quota", "Quota to date", "Attainment"],
        ["2026-01", "0.00", "0.00", "2,000.00", "2,000.00", "0.0%"],
        ["2026-02", "0.00", "0.00", "2,000.00", "4,000.00", "0.0%"],
        ["2026-03", "1,100.00", "1,100.00", "2,000.00", "6,000.00", "18.3%"],
    ]
    # another payee's page does not exist for them
    assert client.get(reverse("web:commission_payee", args=["E102"])).status_code == 404
    assert client.get(reverse("web:commission_payee", args=["E999"])).status_code == 404


def test_staff_see_drafts_marked_and_the_year_to_date(client, runs):
    response = signed_in(client, "analyst").get(
        reverse("web:commission_payee", args=["E101"]) + "?year=2026"
    )
    assert rows(response, "period-table")[1:] == [
        ["2026-03", "58.34", "USD", f"Run {runs[0].pk} Approved"],
        ["2026-04", "220.00", "USD", f"Run {runs[1].pk} Draft"],
    ]
    assert rows(response, "ytd-table")[-1] == [
        "2026-04",
        "2,400.00",
        "3,500.00",
        "2,000.00",
        "8,000.00",
        "43.8%",
    ]
    chart = json.loads(
        response.content.decode()
        .split('id="ytd-data" type="application/json">')[1]
        .split("</script>")[0]
    )
    assert chart == {
        "months": ["2026-01", "2026-02", "2026-03", "2026-04"],
        "credited": ["0.00", "0.00", "1100.00", "3500.00"],
        "quota": ["2000.00", "4000.00", "6000.00", "8000.00"],
    }
    assert "/commissions/plotly.min.js?v=" in response.content.decode()


def test_a_sales_manager_sees_the_teams_approved_figures_not_drafts(client, runs):
    """Drafts are the analysts' working copy: the desk leader sees them (as the API shows every
    run to those who see everything); a sales manager, on their team's pages, does not."""
    march, april = runs
    url = reverse("web:commission_payee", args=["E101"]) + "?year=2026"
    response = signed_in(client, "manager").get(url)
    assert response.status_code == 200
    assert rows(response, "period-table")[1:] == [
        ["2026-03", "58.34", "USD", f"Run {march.pk} Approved"],
    ]
    assert "INV-C" not in response.content.decode()
    assert "drafts included" not in response.content.decode()
    response = signed_in(client, "leader").get(url)
    assert rows(response, "period-table")[1:] == [
        ["2026-03", "58.34", "USD", f"Run {march.pk} Approved"],
        ["2026-04", "220.00", "USD", f"Run {april.pk} Draft"],
    ]


def test_year_figures_add_up(runs, sales):
    figures = payee_commissions(sales.rep_east, year=2026, include_drafts=True)
    for period in figures.periods:
        assert sum(group.subtotal for group in period.groups) == period.payout
    assert [(p.period, p.payout, p.credited) for p in figures.periods] == [
        ("2026-03", Decimal("58.34"), Decimal("1100")),
        ("2026-04", Decimal("220.00"), Decimal("2400")),
    ]


def test_payee_detail_links_to_the_commissions_page(client, runs, sales):
    response = signed_in(client, "rep").get(reverse("web:payee_detail", args=[sales.rep_east.pk]))
    assert 'href="/commissions/payees/E101/"' in response.content.decode()
    response = signed_in(client, "ops").get(reverse("web:payee_detail", args=[sales.rep_east.pk]))
    assert "/commissions/payees/" not in response.content.decode()


def test_navigation(client, runs):
    def labels(username):
        response = signed_in(client, username).get("/")
        return [item.label for item in response.context["nav_items"]]

    assert "Commissions" in labels("analyst")
    assert "Commissions" in labels("leader")
    assert "My commissions" in labels("rep")
    assert "Commissions" not in labels("rep")
    assert "Commissions" not in labels("collector")
    assert "My commissions" not in labels("collector")


def test_plotly_is_served_from_the_package(client, world):
    import plotly

    response = signed_in(client, "rep").get(reverse("web:commission_plotly"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    body = b"".join(response.streaming_content)
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert body == shipped.read_bytes()


# -- plans ----------------------------------------------------------------------------------


def test_plans_list_versions_and_payees(client, runs):
    response = signed_in(client, "leader").get(reverse("web:commission_plan_list"))
    assert response.status_code == 200
    page = text(response)
    assert "REP-T Test field rep" in page
    assert "Erin East" in page
    assert "Wes West" in page
    assert 'href="/commissions/plans/schema.json"' in response.content.decode()
    assert "plan-edit-REP-T" not in page  # a manager reads


def test_plan_version_page_shows_the_file(client, runs):
    response = signed_in(client, "leader").get(
        reverse("web:commission_plan_version", args=["REP-T", 1])
    )
    assert response.status_code == 200
    assert "rates_by_product_line: {UPS: &quot;0.05&quot;, FIBRE: &quot;0.10&quot;}" in (
        response.content.decode()
    )


def test_editor_saves_a_new_version_or_names_the_mistake_at_its_line(client, runs, sales):
    client = signed_in(client, "analyst")
    url = reverse("web:commission_plan_edit", args=["REP-T"])
    response = client.get(url)
    assert response.status_code == 200
    draft = response.context["form"].initial["text"]
    assert draft == PLAN.replace("version: 1", "version: 2")

    wrong = draft.replace('quota: "2000.00"', 'quota: "two thousand"')
    response = client.post(url, {"text": wrong})
    assert response.status_code == 400
    assert rows(response, "plan-problems") == [
        ["Line", "Field", "What is wrong", "The line reads"],
        ["9", "quota", response.context["problems"][0]["message"], 'quota: "two thousand"'],
    ]
    assert response.context["problems"][0]["line"] == 9
    assert PlanVersion.objects.filter(code="REP-T").count() == 1

    response = client.post(url, {"text": draft.replace('"0.05"', '"0.06"')})
    assert response.status_code == 302
    saved = PlanVersion.objects.get(code="REP-T", version=2)
    assert saved.saved_by == sales.users["analyst"]
    assert 'UPS: "0.06"' in saved.text
    assert response["Location"] == reverse("web:commission_plan_version", args=["REP-T", 2])

    # the same version number again with other content: refused, the next number named
    response = client.post(url.replace("edit", "edit"), {"text": draft})
    assert response.status_code == 400
    assert "REP-T version 2 exists with other content: give the changed plan version 3" in (
        text(response)
    )


def test_managers_cannot_edit_plans(client, runs):
    client = signed_in(client, "leader")
    url = reverse("web:commission_plan_edit", args=["REP-T"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": PLAN.replace("version: 1", "version: 2")}).status_code == 404
    assert PlanVersion.objects.filter(code="REP-T").count() == 1


def test_schema_is_the_plan_json_schema(client, world):
    response = signed_in(client, "leader").get(reverse("web:commission_plan_schema"))
    assert response.status_code == 200
    schema = response.json()
    assert schema["title"] == "Revdesk commission plan"
    assert "quota" in schema["properties"]
