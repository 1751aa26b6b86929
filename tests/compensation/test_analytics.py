"""Commission analytics: which run each period's figures come from, payout by component, plan
and region, attainment bands, cost of sales, top variances, the page (roles, a manager's
team, the range picker), the Excel workbook read back, and the command.

The desk, built with the services (every figure worked by hand):

- E101 Erin East, plan REP-T (monthly, quota 2,000.00, 5% UPS and 10% fibre on the component
  `hardware`, a 100.00 bonus `quota-made` at quota), territory US-EAST under the region North
  America.
  2026-03: INV-A 1,080.00 with 80.00 tax on UPS (1,000.00 net -> 50.00), INV-B 100.00 over
  UPS 1,000 + fibre 2,000 (33.33 -> 1.67, 66.67 -> 6.67) and INV-N 500.00 of UPS on an order
  without a sales rep, credited to E101 as the owner of the customer's territory (-> 25.00):
  83.34, credited 1,600.00 (80%).
  2026-04: INV-C 2,400.00 UPS -> 120.00 and the bonus 100.00: 220.00, credited 2,400.00 (120%).
- E102 Wes West, plan REP-S (quarterly, quota 3,000.00, 10% on fibre, component `services`),
  territory US-WEST (a region of its own). 2026-03: INV-W 500.00 CAD of fibre at 0.74 (the
  CAD->USD rate in force on 31 March) = 370.00 USD -> 37.00, paid as 2026-Q1 in March;
  credited 370.00 of 3,000.00 (12.33%).
- Left out of everything: INV-X 1,000.00 on an order marked not commission-eligible (March).

Runs: March reviewed, approved and paid (run 1). April calculated (run 2) and reviewed; then
INV-D 1,000.00 UPS is invoiced in April and April calculated again: a new draft (run 3) with
50.00 more for E101. April's figures come from the reviewed run 2, not the newer draft.

Payroll paid March: E101 50.00 in total (33.34 short), E102 2026-Q1 `services` 36.99 (a cent
short): two variances on run 1, the larger with a commission inquiry case.
"""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from revdesk.catalog.models import FxRate
from revdesk.cli import main
from revdesk.compensation.analytics import (
    AnalyticsRefused,
    analytics_sources,
    commission_analytics,
    month_of,
    periods_ending_in,
)
from revdesk.compensation.models import CommissionRun, Payout, Quota, RunStatus, Variance
from revdesk.compensation.reconciliation import paid_import
from revdesk.compensation.runs import run_create, run_move
from revdesk.compensation.services import plan_version_save
from revdesk.parties.models import PlanAssignment, Territory, TerritoryAssignment
from revdesk.testing import signed_in

from .test_runs import invoice, order

pytestmark = pytest.mark.django_db

REP_T = """\
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

REP_S = """\
code: REP-S
name: Test services specialist
version: 1
valid_from: 2026-01-01
currency: USD
period: quarter
rounding: line
payable_on: invoice
quota: "3000.00"
components:
  - code: services
    basis: amount
    rates_by_product_line: {FIBRE: "0.10"}
"""

PAID = (
    "payee,period,component,amount,currency,paid_on,reference\n"
    "E101,2026-03,,50.00,USD,2026-04-15,PR-0415\n"
    "E102,2026-Q1,services,36.99,USD,2026-04-15,PR-0415\n"
)


def _desk(world):
    plan_version_save(REP_T, actor=None)
    plan_version_save(REP_S, actor=None)
    start = dt.date(2026, 1, 1)
    PlanAssignment.objects.create(payee=world.rep_east, plan_code="REP-T", valid_from=start)
    PlanAssignment.objects.create(payee=world.rep_west, plan_code="REP-S", valid_from=start)
    region = Territory.objects.create(code="NA", name="North America")
    world.territory_east.parent = region
    world.territory_east.save()
    TerritoryAssignment.objects.create(
        payee=world.rep_east, territory=world.territory_east, valid_from=start
    )
    TerritoryAssignment.objects.create(
        payee=world.rep_west, territory=world.territory_west, valid_from=start
    )
    east, west = world.customer_east, world.customer_west
    ups, fibre = world.product_ups, world.product_fibre
    FxRate.objects.create(
        currency="CAD", quote_currency="USD", valid_on=dt.date(2026, 3, 15), rate=Decimal("0.74")
    )
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
        order("SO-W", west, dt.date(2026, 3, 1), [(fibre, "1", "500.00")]),
        dt.date(2026, 3, 10),
        "500.00",
    )
    ineligible = order("SO-X", east, dt.date(2026, 3, 1), [(ups, "1", "1000.00")])
    ineligible.commission_eligible = False
    ineligible.save()
    invoice("INV-X", ineligible, dt.date(2026, 3, 12), "1000.00")
    no_rep = order("SO-N", east, dt.date(2026, 3, 1), [(ups, "1", "500.00")])
    no_rep.sales_rep = None
    no_rep.save()
    invoice("INV-N", no_rep, dt.date(2026, 3, 14), "500.00")
    invoice(
        "INV-C",
        order("SO-C", east, dt.date(2026, 4, 1), [(ups, "2", "1200.00")]),
        dt.date(2026, 4, 8),
        "2400.00",
    )


@pytest.fixture
def desk(world, tmp_path):
    """The desk of the module docstring: run 1 (March, paid), run 2 (April, reviewed, before
    INV-D was invoiced) and March reconciled against what payroll paid."""
    from revdesk.compensation.reconciliation import variance_cases_open

    _desk(world)
    users = world.users
    march = run_create("2026-03", actor=users["analyst"])
    run_move(march, RunStatus.REVIEWED, actor=users["analyst"])
    run_move(march, RunStatus.APPROVED, actor=users["leader"])
    run_move(march, RunStatus.PAID, actor=users["analyst"])
    april = run_create("2026-04", actor=users["analyst"])
    run_move(april, RunStatus.REVIEWED, actor=users["analyst"])
    invoice(
        "INV-D",
        order("SO-D", world.customer_east, dt.date(2026, 4, 1), [(world.product_ups, "1", "1000")]),
        dt.date(2026, 4, 20),
        "1000.00",
    )
    path = tmp_path / "paid.csv"
    path.write_text(PAID, encoding="utf-8")
    paid_import(path, actor=None)
    variance_cases_open(march, actor=users["analyst"])
    world.runs = (march, april)
    return world


def _breakdown(report, name):
    (only,) = getattr(report, name)
    return {
        "currency": only.currency,
        "series": only.series,
        "rows": [(month, amounts, total) for month, amounts, total in only.rows()],
    }


D = Decimal


def test_periods_are_reported_in_the_month_they_end():
    assert periods_ending_in("2026-03") == ["2026-03", "2026-Q1"]
    assert periods_ending_in("2026-04") == ["2026-04"]
    assert periods_ending_in("2026-12") == ["2026-12", "2026-Q4", "2026"]
    assert [month_of(p) for p in ("2026-03", "2026-Q3", "2026")] == [
        "2026-03",
        "2026-09",
        "2026-12",
    ]


def test_each_period_comes_from_the_approved_or_paid_run_else_reviewed_else_draft(desk):
    march, april = desk.runs
    sources = [(s.period, s.month, s.run_id, s.status) for s in analytics_sources(["2026-03"])]
    assert sources == [
        ("2026-03", "2026-03", march.pk, "paid"),
        ("2026-Q1", "2026-03", march.pk, "paid"),
    ]
    assert [(s.run_id, s.status) for s in analytics_sources(["2026-04"])] == [
        (april.pk, "reviewed")
    ]

    # Today a period is in one run at a time (a reviewed or approved run locks it, a draft
    # is replaced); runs kept from before that rule (made here as rows) rank the same way:
    # approved or paid, then reviewed, then draft, the newest first within each.
    def kept(status):
        run = CommissionRun.objects.create(
            periods="2026-04",
            period_first="2026-04",
            period_last="2026-04",
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 4, 30),
            status=status,
            fingerprint="kept",
            engine_version="0",
        )
        Payout.objects.create(
            run=run, payee=desk.rep_east, period="2026-04", amount=D("1.00"), currency="USD"
        )
        return run

    newer_draft = kept(RunStatus.DRAFT)
    assert [s.run_id for s in analytics_sources(["2026-04"])] == [april.pk]
    older_approved = kept(RunStatus.APPROVED)
    kept(RunStatus.DRAFT)
    assert [s.run_id for s in analytics_sources(["2026-04"])] == [older_approved.pk]
    assert newer_draft.pk < older_approved.pk


def test_payout_by_component_plan_and_region(desk):
    report = commission_analytics(first="2026-01", last="2026-05", user=None)
    assert report.months == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert report.months_without_run == ["2026-01", "2026-02", "2026-05"]
    assert report.includes_drafts  # April is only reviewed
    assert _breakdown(report, "by_component") == {
        "currency": "USD",
        "series": ["hardware", "quota-made", "services"],
        "rows": [
            ("2026-03", [D("83.34"), None, D("37.00")], D("120.34")),
            ("2026-04", [D("120.00"), D("100.00"), None], D("220.00")),
        ],
    }
    assert _breakdown(report, "by_plan") == {
        "currency": "USD",
        "series": ["REP-T", "REP-S"],
        "rows": [
            ("2026-03", [D("83.34"), D("37.00")], D("120.34")),
            ("2026-04", [D("220.00"), None], D("220.00")),
        ],
    }
    assert _breakdown(report, "by_region") == {
        "currency": "USD",
        "series": ["North America", "US West"],
        "rows": [
            ("2026-03", [D("83.34"), D("37.00")], D("120.34")),
            ("2026-04", [D("220.00"), None], D("220.00")),
        ],
    }
    (component,) = report.by_component
    assert component.series_total("hardware") == D("203.34")
    assert component.total == D("340.34")
    assert report.notes == [
        "No run covers 2026-01 yet.",
        "No run covers 2026-02 yet.",
        "No run covers 2026-05 yet.",
    ]


def test_a_payee_without_plan_or_territory_is_counted_under_no_plan_and_no_territory(desk):
    PlanAssignment.objects.filter(payee=desk.rep_west).update(valid_to=dt.date(2026, 2, 28))
    TerritoryAssignment.objects.filter(payee=desk.rep_west).delete()
    report = commission_analytics(first="2026-03", last="2026-03", user=None)
    assert _breakdown(report, "by_plan")["series"] == ["REP-T", "No plan"]
    assert _breakdown(report, "by_region")["rows"] == [
        ("2026-03", [D("83.34"), D("37.00")], D("120.34"))
    ]
    assert _breakdown(report, "by_region")["series"] == ["North America", "No territory"]


def test_attainment_bands_for_a_month(desk):
    march = commission_analytics(
        first="2026-03", last="2026-04", attainment_month="2026-03", user=None
    )
    rows = [
        (r.payee_code, r.plan, r.period, r.credited, r.quota, r.attainment, r.band)
        for r in march.attainment.rows
    ]
    assert rows == [
        ("E101", "REP-T", "2026-03", D("1600.00"), D("2000.00"), D("0.8000"), "75% to 100%"),
        ("E102", "REP-S", "2026-Q1", D("370.00"), D("3000.00"), D("0.1233"), "Below 50%"),
    ]
    assert march.attainment.bands == [
        ("Below 50%", 1),
        ("50% to 75%", 0),
        ("75% to 100%", 1),
        ("100% to 125%", 0),
        ("125% and above", 0),
    ]
    # default: the last month a run covers; a quarterly plan does not end in April
    april = commission_analytics(first="2026-03", last="2026-04", user=None)
    assert april.attainment.month == "2026-04"
    assert [(r.payee_code, r.attainment, r.band) for r in april.attainment.rows] == [
        ("E101", D("1.2000"), "100% to 125%")
    ]


def test_exactly_at_quota_is_in_the_100_to_125_band(desk):
    # April: E101 credited 2,400.00 against a quota of 2,400.00
    Quota.objects.create(payee=desk.rep_east, period="2026-04", amount=D("2400.00"))
    report = commission_analytics(first="2026-04", last="2026-04", user=None)
    assert [(r.quota, r.attainment, r.band) for r in report.attainment.rows] == [
        (D("2400.00"), D("1.0000"), "100% to 125%")
    ]


def test_a_payees_own_quota_takes_the_place_of_the_plans(desk):
    Quota.objects.create(payee=desk.rep_west, period="2026-Q1", amount=D("370.00"))
    Quota.objects.create(payee=desk.rep_east, period="2026-02", amount=D("1.00"))  # not March
    report = commission_analytics(first="2026-03", last="2026-03", user=None)
    assert [(r.payee_code, r.quota, r.attainment, r.band) for r in report.attainment.rows] == [
        ("E101", D("2000.00"), D("0.8000"), "75% to 100%"),
        ("E102", D("370.00"), D("1.0000"), "100% to 125%"),
    ]


def test_cost_of_sales_is_commission_over_commissioned_revenue(desk):
    report = commission_analytics(first="2026-03", last="2026-04", user=None)
    rows = [(r.month, r.currency, r.commission, r.revenue, r.ratio) for r in report.cost_of_sales]
    # March: 1,000.00 + 100.00 + 500.00 + 500 CAD x 0.74 = 1,970.00 (not INV-X: not eligible);
    # 120.34 / 1,970.00 = 0.061086 -> 6.11%. April: INV-C 2,400.00 + INV-D 1,000.00 (invoiced
    # in April, though the reviewed run 2 was calculated before it): 220.00 / 3,400.00.
    assert rows == [
        ("2026-03", "USD", D("120.34"), D("1970.00"), D("0.0611")),
        ("2026-04", "USD", D("220.00"), D("3400.00"), D("0.0647")),
    ]


def test_cost_of_sales_takes_credit_memos_off_and_names_a_missing_rate(desk):
    from revdesk.receivables.models import CreditMemo, Invoice

    CreditMemo.objects.create(
        number="CM-B",
        customer=desk.customer_east,
        invoice=Invoice.objects.get(number="INV-A"),
        issued_on=dt.date(2026, 4, 10),
        currency="USD",
        amount=Decimal("540.00"),  # half of INV-A: 500.00 net of its tax
    )
    FxRate.objects.all().delete()
    report = commission_analytics(first="2026-03", last="2026-04", user=None)
    assert [(r.month, r.revenue) for r in report.cost_of_sales] == [
        ("2026-03", D("1600.00")),
        ("2026-04", D("2900.00")),
    ]
    assert report.notes == [
        "No CAD to USD rate on the last day of 2026-03: the CAD amounts of 2026-03 are left out "
        "of cost of sales."
    ]


def test_top_variances_are_the_largest_first_with_their_case(desk):
    report = commission_analytics(first="2026-03", last="2026-04", user=None)
    case = Variance.objects.get(payee=desk.rep_east).case
    rows = [
        (r.payee_code, r.period, r.component, r.calculated, r.paid, r.variance, r.case_number)
        for r in report.variances
    ]
    assert rows == [
        ("E101", "2026-03", "", D("83.34"), D("50.00"), D("33.34"), case.number),
        (
            "E102",
            "2026-Q1",
            "services",
            D("37.00"),
            D("36.99"),
            D("0.01"),
            Variance.objects.get(payee=desk.rep_west).case.number,
        ),
    ]
    top_one = commission_analytics(first="2026-03", last="2026-04", user=None, top=1)
    assert [r.payee_code for r in top_one.variances] == ["E101"]
    assert commission_analytics(first="2026-04", last="2026-04", user=None).variances == []


def test_a_range_written_wrong_is_refused_in_plain_words(desk):
    with pytest.raises(AnalyticsRefused, match="From '2026-13' is not a month: write it as"):
        commission_analytics(first="2026-13", last="2026-04", user=None)
    with pytest.raises(AnalyticsRefused, match=r"starts \(2026-05\) after it ends \(2026-04\)"):
        commission_analytics(first="2026-05", last="2026-04", user=None)


# -- the page ----------------------------------------------------------------------------------

URL = "/commissions/analytics/"


def test_the_page_and_its_address(desk):
    assert reverse("web:commission_analytics") == URL
    assert reverse("web:commission_analytics_excel") == "/commissions/analytics.xlsx"


@pytest.mark.parametrize("username", ["analyst", "admin", "leader"])
def test_analysts_managers_and_administrators_open_it(client, desk, username):
    response = signed_in(client, username).get(URL, {"from": "2026-03", "to": "2026-04"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="component-table-USD"' in text
    assert "120.34" in text
    assert "6.11%" in text
    excel = client.get("/commissions/analytics.xlsx", {"from": "2026-03", "to": "2026-04"})
    assert excel.status_code == 200


@pytest.mark.parametrize("username", ["rep", "collector", "ops", "distributor", "lead"])
def test_everyone_else_gets_not_found(client, desk, username):
    signed_in(client, username)
    assert client.get(URL).status_code == 404
    assert client.get("/commissions/analytics.xlsx").status_code == 404


def test_the_run_list_links_to_it(client, desk):
    text = signed_in(client, "analyst").get("/commissions/runs/").content.decode()
    assert f'href="{URL}"' in text


def test_the_default_range_is_the_year_to_date(client, desk, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2026, 4, 30))
    text = signed_in(client, "analyst").get(URL).content.decode()
    assert 'name="from" value="2026-01"' in text
    assert 'name="to" value="2026-04"' in text
    assert "Where the figures come from: 2026-01 to 2026-04" in text


def test_a_month_written_wrong_is_named_and_nothing_is_shown(client, desk):
    response = signed_in(client, "analyst").get(URL, {"from": "2026-3", "to": "2026-04"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "From &#x27;2026-3&#x27; is not a month: write it as 2026-03." in text
    assert 'data-testid="component"' not in text
    response = client.get(URL, {"from": "2026-05", "to": "2026-04"})
    assert "The range starts (2026-05) after it ends (2026-04)." in response.content.decode()
    excel = client.get("/commissions/analytics.xlsx", {"from": "2026-05", "to": "2026-04"})
    assert excel.status_code == 400


def test_a_manager_of_a_team_sees_only_the_team(client, desk):
    desk.rep_west.manager = None
    desk.rep_west.save()
    response = signed_in(client, "manager").get(URL, {"from": "2026-03", "to": "2026-04"})
    assert response.status_code == 200
    report = response.context["report"]
    assert not report.sees_everyone
    assert _breakdown(report, "by_plan")["rows"] == [
        ("2026-03", [D("83.34")], D("83.34")),
        ("2026-04", [D("220.00")], D("220.00")),
    ]
    assert [r.payee_code for r in report.attainment.rows] == ["E101"]
    assert [r.payee_code for r in report.variances] == ["E101"]
    # revenue of the team's orders only: INV-W (E102) is not theirs
    assert [(r.month, r.revenue) for r in report.cost_of_sales] == [
        ("2026-03", D("1600.00")),
        ("2026-04", D("3400.00")),
    ]
    assert "Your team's payees only." in response.content.decode()


def test_the_excel_workbook_has_one_sheet_per_report_with_numbers(client, desk):
    response = signed_in(client, "analyst").get(
        "/commissions/analytics.xlsx", {"from": "2026-03", "to": "2026-04", "attainment": "2026-03"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="commission-analytics-2026-03-to-2026-04.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Sources",
        "By component",
        "By plan",
        "By region",
        "Attainment",
        "Cost of sales",
        "Top variances",
    ]
    march, april = desk.runs

    def rows(name):
        """The sheet's rows without the empty cells openpyxl pads them with on the right."""
        trimmed = []
        for row in book[name].iter_rows(values_only=True):
            cells = list(row)
            while cells and cells[-1] is None:
                cells.pop()
            trimmed.append(cells)
        return trimmed

    assert rows("Sources") == [
        ["Period", "Reported in", "Run", "Status"],
        ["2026-03", "2026-03", march.pk, "Paid"],
        ["2026-Q1", "2026-03", march.pk, "Paid"],
        ["2026-04", "2026-04", april.pk, "Reviewed"],
    ]
    assert rows("By component") == [
        ["Month", "Currency", "hardware", "quota-made", "services", "Total"],
        ["2026-03", "USD", 83.34, None, 37, 120.34],
        ["2026-04", "USD", 120, 100, None, 220],
        ["Total", "USD", 203.34, 100, 37, 340.34],
    ]
    assert rows("By region")[0] == ["Month", "Currency", "North America", "US West", "Total"]
    sheet = book["By component"]
    assert sheet["C2"].number_format == "#,##0.00"
    assert sheet["F4"].number_format == "#,##0.00"
    assert rows("Attainment") == [
        ["Band", "Payees"],
        ["Below 50%", 1],
        ["50% to 75%", 0],
        ["75% to 100%", 1],
        ["100% to 125%", 0],
        ["125% and above", 0],
        [],
        ["Payee", "Name", "Plan", "Period", "Credited", "Quota", "Currency", "Attainment", "Band"],
        ["E101", "Erin East", "REP-T", "2026-03", 1600, 2000, "USD", 0.8, "75% to 100%"],
        ["E102", "Wes West", "REP-S", "2026-Q1", 370, 3000, "USD", 0.1233, "Below 50%"],
    ]
    assert book["Attainment"]["H9"].number_format == "0.00%"
    assert rows("Cost of sales") == [
        ["Month", "Currency", "Commission", "Commissioned revenue", "Cost of sales"],
        ["2026-03", "USD", 120.34, 1970, 0.0611],
        ["2026-04", "USD", 220, 3400, 0.0647],
    ]
    assert book["Cost of sales"]["C2"].number_format == "#,##0.00"
    variances = rows("Top variances")
    assert variances[0] == [
        "Run",
        "Payee",
        "Name",
        "Period",
        "Component",
        "Currency",
        "Calculated",
        "Paid",
        "Variance",
        "Case",
    ]
    assert variances[1][:9] == [
        march.pk,
        "E101",
        "Erin East",
        "2026-03",
        "total",
        "USD",
        83.34,
        50,
        33.34,
    ]
    assert variances[1][9] == Variance.objects.get(payee=desk.rep_east).case.number
    assert book["Top variances"]["I2"].number_format == "#,##0.00"


# -- the command -------------------------------------------------------------------------------


def test_the_command_prints_json_and_writes_the_workbook(desk, tmp_path, capsys):
    out = tmp_path / "analytics.xlsx"
    code = main(
        [
            "commissions",
            "analytics",
            "--from",
            "2026-03",
            "--to",
            "2026-04",
            "--json",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True
    assert data["by_component"] == [
        {
            "currency": "USD",
            "series": ["hardware", "quota-made", "services"],
            "months": [
                {
                    "month": "2026-03",
                    "amounts": {"hardware": "83.34", "services": "37.00"},
                    "total": "120.34",
                },
                {
                    "month": "2026-04",
                    "amounts": {"hardware": "120.00", "quota-made": "100.00"},
                    "total": "220.00",
                },
            ],
        }
    ]
    assert data["cost_of_sales"][0] == {
        "month": "2026-03",
        "currency": "USD",
        "commission": "120.34",
        "revenue": "1970.00",
        "cost_of_sales": "0.0611",
    }
    assert data["attainment"]["month"] == "2026-04"
    assert [v["variance"] for v in data["top_variances"]] == ["33.34", "0.01"]
    assert load_workbook(out).sheetnames[0] == "Sources"


def test_the_command_prints_tables_and_refuses_a_bad_range(desk, capsys):
    assert main(["commissions", "analytics", "--from", "2026-03", "--to", "2026-04"]) == 0
    text = capsys.readouterr().out
    assert "Payout by component (USD)" in text
    assert "6.11%" in text
    assert main(["commissions", "analytics", "--from", "2026-04", "--to", "2026-13"]) == 1
    assert "Nothing to report: To '2026-13' is not a month" in capsys.readouterr().err
    assert (
        main(["commissions", "analytics", "--from", "2026-03", "--to", "2026-04", "--out", "a.csv"])
        == 1
    )
