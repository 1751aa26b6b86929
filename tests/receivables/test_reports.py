"""The worked receivables cases through the database-backed reports (receivables.reports):
the ledger as saved, aged by the engine on any day, to the cent, for whom may see it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from receivables.examples import (
    SHARED,
    csv_rows,
    example_01_build,
    example_02_build,
    example_kpis_build,
)
from revdesk.cases.models import Case, CaseType, Team
from revdesk.engine.kpis import DAYS_KPIS, KPI_NAMES, Kpis
from revdesk.receivables.reports import (
    aging_items,
    aging_report,
    kpi_report,
    kpi_trend,
    top_past_due_report,
)

OCT_31 = dt.date(2026, 10, 31)
D = Decimal

pytestmark = pytest.mark.django_db


def test_01_aging_and_top_past_due_from_the_ledger(world):
    example_01_build(world)
    admin = world.users["admin"]
    report = aging_report(user=admin, as_of=OCT_31, by="company")
    (row,) = report.rows
    expected = {
        r["bucket"]: D(r["amount"])
        for r in csv_rows(SHARED / "01-aging-and-top-past-due" / "expected_buckets.csv")
    }
    assert {label: row[label] for label in expected} == expected
    assert report.totals == report.rows

    top = top_past_due_report(user=admin, as_of=OCT_31)
    got = [
        {
            "rank": str(r.rank),
            "customer": r.code,
            "past_due": str(r.past_due),
            "oldest_days_past_due": str(r.oldest_days_past_due),
            "net_open": str(r.net_open),
        }
        for r in top.rows
    ]
    assert got == csv_rows(SHARED / "01-aging-and-top-past-due" / "expected_top_past_due.csv")
    assert [(r.name, r.is_key_account, r.collector) for r in top.rows] == [
        ("Customer C2", True, "collector2"),
        ("Customer C1", False, "collector"),
    ]


def test_aging_on_an_earlier_day_is_that_days_aging(world):
    example_01_build(world)
    admin = world.users["admin"]
    # on 19 October the payment on INV-8 had not come: 1500.00 open, 108 days past due,
    # beside INV-7 (7000.00, 109 days: not yet over 120)
    rows = aging_report(user=admin, as_of=dt.date(2026, 10, 19)).rows
    c2 = next(r for r in rows if r["customer"] == "C2")
    assert (c2["91-120"], c2["over-120"], c2["open_credits"], c2["net"]) == (
        D("8500.00"),
        D("0.00"),
        D("-500.00"),
        D("19000.00"),
    )
    # INV-1 (issued 16 October) did not exist on 15 October
    c1 = next(
        r
        for r in aging_report(user=admin, as_of=dt.date(2026, 10, 15)).rows
        if r["customer"] == "C1"
    )
    assert (c1["net"], c1["items"]) == (D("9000.00"), 3)


def test_a_collector_sees_their_portfolio_only(world):
    example_01_build(world)
    rows = aging_report(user=world.users["collector"], as_of=OCT_31).rows
    assert [(r["customer"], r["net"]) for r in rows] == [("C1", D("10000.00"))]
    # the senior collector leads `collector`: C1; collector2 is on no team
    rows = aging_report(user=world.users["lead"], as_of=OCT_31, by="collector").rows
    assert [(r["collector"], r["past_due"]) for r in rows] == [("collector", D("7000.00"))]
    assert top_past_due_report(user=world.users["rep"], as_of=OCT_31).rows == []


def test_every_aging_figure_lists_its_items(world):
    example_01_build(world)
    admin = world.users["admin"]
    items = aging_items(user=admin, as_of=OCT_31, by="customer", key="C2", bucket="91-120")
    assert [(i["document"], i["amount"], i["days_past_due"]) for i in items] == [
        ("INV-8", D("800.00"), 120)
    ]
    everything = aging_items(user=admin, as_of=OCT_31, by="company", key="", bucket=None)
    assert sum(i["amount"] for i in everything) == D("28300.00")


def test_top_past_due_shows_open_disputes(world):
    customers = example_01_build(world)
    from revdesk.cases.registry import case_types_sync

    case_types_sync()
    dispute = CaseType.objects.get(code="ar_dispute")
    team = Team.objects.first() or dispute.default_team
    Case.objects.create(
        number="CS-1",
        case_type=dispute,
        title="Price on INV-6",
        team=team,
        customer=customers["C2"],
        amount=D("1200.00"),
        currency="USD",
        opened_at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC),
    )
    (c2, c1) = top_past_due_report(user=world.users["admin"], as_of=OCT_31).rows
    assert (c2.disputed, c2.open_disputes) == (D("1200.00"), 1)
    assert (c1.disputed, c1.open_disputes) == (D("0.00"), 0)


def test_02_kpis_from_the_ledger(world):
    example_02_build(world)
    (row,) = kpi_report(user=world.users["admin"], first="2026-07", last="2026-09")
    expected = {r["kpi"]: D(r["value"]) for r in csv_rows(SHARED / "02-kpis" / "expected.csv")}
    assert {name: row.figures.values[name] for name in expected} == expected
    assert (row.currency, row.sales, row.ar_begin, row.ar_end, row.ar_end_current) == (
        "USD",
        D("360000.00"),
        D("200000.00"),
        D("250000.00"),
        D("150000.00"),
    )
    (mine,) = kpi_report(
        user=world.users["collector"], first="2026-07", last="2026-09", by="collector"
    )
    assert (mine.key, mine.figures.values["dso_countback"]) == ("collector", D("63.58"))


#: the figures at the period's end, beside the days of DSO, ADD and CEI
NEW_KPIS = tuple(name for name in KPI_NAMES if name not in DAYS_KPIS)


def _new(row) -> tuple:
    values = row.values if isinstance(row, Kpis) else row.figures.values
    return tuple(values[name] for name in NEW_KPIS)


def test_current_unapplied_and_dispute_aging_per_company_collector_and_region(world):
    """The hand-worked ledger of examples.example_kpis_build, at the end of September."""
    example_kpis_build(world)
    admin = world.users["admin"]
    (company,) = kpi_report(user=admin, first="2026-07", last="2026-09")
    assert _new(company) == (
        D("59.53"),
        D("4000.00"),
        D("4"),
        D("4150.25"),
        D("57.25"),
        D("121"),
        D("1200.00"),
        D("2000.00"),
        D("450.25"),
        D("500.00"),
    )
    assert (company.ar_end_current, company.ar_end_receivable) == (
        D("153000.00"),
        D("257000.00"),
    )
    # the old figures of K1 are untouched by K2 in the group of their collector
    none, collector, collector2 = kpi_report(
        user=admin, first="2026-07", last="2026-09", by="collector"
    )
    assert (none.key, none.sales, none.unapplied_cash) == ("", D("0.00"), D("2500.00"))
    assert none.figures.values["dso_countback"] is None
    assert none.figures.values["current_percent"] is None
    assert none.figures.values["disputes_open"] == D("0")
    assert collector.key == "collector"
    assert collector.figures.values["dso_countback"] == D("63.58")
    assert _new(collector) == (
        D("60.00"),
        D("0.00"),
        D("2"),
        D("1650.25"),
        D("38.50"),
        D("77"),
        D("1200.00"),
        D("0.00"),
        D("450.25"),
        D("0.00"),
    )
    assert collector2.key == "collector2"
    assert _new(collector2) == (
        D("42.86"),
        D("1500.00"),
        D("2"),
        D("2500.00"),
        D("76.00"),
        D("121"),
        D("0.00"),
        D("2000.00"),
        D("0.00"),
        D("500.00"),
    )
    # W-1 10,000 + W-2 3,000 sold; 5,500 net open at the end (7,000 less RW-1's 1,500)
    assert (collector2.sales, collector2.ar_end, collector2.ar_end_current) == (
        D("13000.00"),
        D("5500.00"),
        D("3000.00"),
    )
    regions = kpi_report(user=admin, first="2026-07", last="2026-09", by="region")
    assert [(r.key, _new(r)) for r in regions] == [
        ("", _new(none)),
        ("US-EAST", _new(collector)),
        ("US-WEST", _new(collector2)),
    ]
    customers = kpi_report(user=admin, first="2026-07", last="2026-09", by="customer")
    assert [(r.key, r.figures.values["disputed_amount"]) for r in customers] == [
        ("", D("0.00")),
        ("K1", D("1650.25")),
        ("K2", D("2500.00")),
    ]


def test_a_collector_s_kpis_are_their_portfolio_s(world):
    example_kpis_build(world)
    for by in ("company", "collector", "region"):
        (mine,) = kpi_report(user=world.users["collector2"], first="2026-07", last="2026-09", by=by)
        # no K1, and no receipt of an unknown customer (U-1)
        assert mine.key == {"company": "", "collector": "collector2", "region": "US-WEST"}[by]
        assert (mine.sales, mine.unapplied_cash, mine.disputes.count) == (
            D("13000.00"),
            D("1500.00"),
            2,
        )
        assert mine.figures.values["current_percent"] == D("42.86")
    # the senior collector sees the team: the collector's portfolio only, here
    team = kpi_report(user=world.users["lead"], first="2026-07", last="2026-09", by="collector")
    assert [r.key for r in team] == ["collector"]


def test_the_trend_per_collector_has_a_line_each(world):
    example_kpis_build(world)
    trend = kpi_trend(user=world.users["admin"], last="2026-10", count=2, by="collector")
    assert trend.months == ["2026-09", "2026-10"]
    lines = trend.series["USD"]
    assert list(lines) == ["", "collector", "collector2"]
    september, october = lines["collector2"]
    assert _new(september)[:4] == (D("42.86"), D("1500.00"), D("2"), D("2500.00"))
    # at the end of October: W-1 4,000 and W-2 2,000 (1,000 applied on 3 Oct, due 20 Oct)
    # past due, none current; RW-1 500 and RW-2 2,000 unapplied; CS-5 open 30 days, CS-2 62,
    # CS-3 152: (30 + 62 + 152) / 3 = 81.33
    assert _new(october) == (
        D("0.00"),
        D("2500.00"),
        D("3"),
        D("2800.00"),
        D("81.33"),
        D("152"),
        D("300.00"),
        D("0.00"),
        D("2000.00"),
        D("500.00"),
    )
    assert lines["collector"][0].values["dso_countback"] == D("63.58")
    with pytest.raises(ValueError, match="a trend is by company, collector, region"):
        kpi_trend(user=world.users["admin"], last="2026-10", by="customer")


def test_top_past_due_kept_per_period_shows_the_movement(world):
    from revdesk.receivables.models import Invoice, TopPastDueSnapshot
    from revdesk.receivables.reports import top_past_due_keep, top_past_due_movements
    from revdesk.receivables.worklist import collections_daily

    example_01_build(world)
    september = top_past_due_keep(period="2026-09", actor=world.users["admin"])
    assert september.as_of == dt.date(2026, 9, 30)
    # on 30 September: C2's INV-5 (due that day) was current, INV-8 fully open (1,500.00):
    # 7,000 + 6,000 + 1,500 past due; C1's INV-4 (due 1 October) not yet
    assert [(line.rank, line.customer.code, line.past_due) for line in september.lines.all()] == [
        (1, "C2", D("14500.00"))
    ]
    # the daily job keeps October's (and nothing on other days)
    collections_daily(on=dt.date(2026, 10, 30))
    assert not TopPastDueSnapshot.objects.filter(period="2026-10").exists()
    collections_daily(on=OCT_31)
    assert TopPastDueSnapshot.objects.filter(period="2026-10").exists()
    report = top_past_due_report(user=world.users["admin"], as_of=OCT_31)
    before, movements = top_past_due_movements(report, user=world.users["admin"])
    assert before == "2026-09"
    c2, c1 = (movements[(code, "USD")] for code in ("C2", "C1"))
    assert (c2.rank, c2.change(D("18800.00"))) == (1, D("4300.00"))
    assert c1.rank is None  # new on the list
    # keeping a period again replaces it
    Invoice.objects.filter(number="INV-4").delete()
    again = top_past_due_keep(period="2026-09")
    assert TopPastDueSnapshot.objects.filter(period="2026-09").count() == 1
    assert again.pk != september.pk


def test_a_receipt_that_came_back_is_no_unapplied_cash_from_that_day(world):
    from revdesk.receivables.models import Payment
    from revdesk.receivables.services import payment_reverse

    example_kpis_build(world)
    admin = world.users["admin"]
    payment_reverse(
        payment=Payment.objects.get(number="U-1"),
        on=dt.date(2026, 9, 28),
        reason="Recalled by the payer's bank",
        actor=admin,
    )
    (company,) = kpi_report(user=admin, first="2026-07", last="2026-09")
    assert company.unapplied_cash == D("1500.00")  # RW-1's 7,500.00 less 6,000.00 applied
    (august,) = kpi_report(user=admin, first="2026-06", last="2026-08")
    assert august.unapplied_cash == D("0.00")
    none = kpi_report(user=admin, first="2026-07", last="2026-09", by="collector")[0]
    assert (none.key, none.unapplied_cash) == ("", D("0.00"))  # U-1 had no customer
