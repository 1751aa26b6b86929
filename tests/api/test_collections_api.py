"""/api/collections: the worklist, the reports and logging, for the collections desk only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from receivables.examples import example_01_build
from revdesk.receivables.models import Activity, PromiseToPay
from revdesk.receivables.worklist import worklist_refresh
from revdesk.testing import ledger_build


@pytest.fixture
def desk(world):
    built = ledger_build(world)
    worklist_refresh()
    return built


def _post(client, path, body):
    return client.client.post(path, body, content_type="application/json", headers=client.headers)


def test_the_worklist_through_the_api(as_role, desk):
    response = as_role["collector"].get("/api/collections/worklist")
    assert response.status_code == 200
    body = response.json()
    assert [row["customer"] for row in body["items"]] == ["C-1000", "C-1001"]
    first = body["items"][0]
    assert first["score"] == "38.4"
    assert ["key account", "5"] in first["parts"]
    assert first["items"][0]["number"] == "INV-6"
    assert as_role["rep"].get("/api/collections/worklist").status_code == 403
    assert as_role["collector2"].get("/api/collections/worklist").json()["items"][0][
        "customer"
    ] == ("C-2000")


def test_the_reports_through_the_api(as_role, world):
    example_01_build(world)
    aging = as_role["admin"].get("/api/collections/aging", as_of="2026-10-31", by="company")
    assert aging.json() == [
        {
            "currency": "USD",
            "current": "3000.00",
            "1-30": "7000.00",
            "31-60": "5000.00",
            "61-90": "6000.00",
            "91-120": "800.00",
            "over-120": "7000.00",
            "open_credits": "-500.00",
            "net": "28300.00",
            "past_due": "25800.00",
            "items": 9,
        }
    ]
    bad = as_role["admin"].get("/api/collections/aging", buckets="60,30")
    assert bad.status_code == 422
    top = as_role["admin"].get("/api/collections/top-past-due", as_of="2026-10-31").json()
    assert [(r["rank"], r["customer"], r["past_due"]) for r in top] == [
        (1, "C2", "18800.00"),
        (2, "C1", "7000.00"),
    ]


def test_logging_and_promising_through_the_api(as_role, desk, world):
    collector = as_role["collector"]
    logged = _post(
        collector,
        "/api/collections/activities",
        {
            "customer": "C-1000",
            "kind": "call",
            "subject": "AP on holiday",
            "outcome": "voicemail",
            "invoice": "INV-1",
        },
    )
    assert logged.status_code == 201
    assert Activity.objects.get().invoice.number == "INV-1"
    promised_on = (timezone.localdate() + dt.timedelta(days=4)).isoformat()
    promise = _post(
        collector,
        "/api/collections/promises",
        {
            "customer": "C-1000",
            "amount": "1000.00",
            "promised_on": promised_on,
            "invoices": ["INV-1"],
        },
    )
    assert promise.status_code == 201
    assert promise.json()["status"] == "open"
    assert PromiseToPay.objects.get().invoices.get().number == "INV-1"
    # not in the collector's portfolio: as if it did not exist
    other = _post(collector, "/api/collections/activities", {"customer": "C-2000", "subject": "x"})
    assert other.status_code == 404
    wrong = _post(
        collector,
        "/api/collections/activities",
        {"customer": "C-1000", "subject": "x", "invoice": "INV-5"},
    )
    assert wrong.status_code == 422


def test_the_kpis_and_their_trend_through_the_api(as_role, world):
    """The hand-worked ledger of receivables.examples.example_kpis_build."""
    from receivables.examples import example_kpis_build

    example_kpis_build(world)
    query = {"first": "2026-07", "last": "2026-09", "by": "collector"}
    rows = as_role["admin"].get("/api/collections/kpis", **query).json()
    assert [row["key"] for row in rows] == ["", "collector", "collector2"]
    collector2 = rows[2]
    assert (
        collector2["ar_end_receivable"],
        collector2["unapplied_cash"],
        collector2["figures"]["current_percent"],
    ) == ("7000.00", "1500.00", "42.86")
    assert collector2["disputes"] == {
        "count": 2,
        "amount": "2500.00",
        "average_age_days": "76.00",
        "oldest_days": 121,
        "buckets": {"0-30": "0.00", "31-60": "2000.00", "61-90": "0.00", "over-90": "500.00"},
    }
    (company,) = (
        as_role["admin"].get("/api/collections/kpis", first="2026-07", last="2026-09").json()
    )
    # with U-1, the receipt of no known customer (K1's DSO is the 02-kpis case's, with K2's sales)
    assert (company["unapplied_cash"], company["figures"]["current_percent"]) == (
        "4000.00",
        "59.53",
    )
    # a collector: their portfolio only
    mine = as_role["collector2"].get("/api/collections/kpis", **query).json()
    assert [(row["key"], row["unapplied_cash"]) for row in mine] == [("collector2", "1500.00")]

    trend = (
        as_role["admin"]
        .get("/api/collections/kpis/trend", last="2026-10", count=2, by="region")
        .json()
    )
    assert (trend["months"], trend["by"]) == (["2026-09", "2026-10"], "region")
    west = next(line for line in trend["lines"] if line["key"] == "US-WEST")
    assert [month["disputed_amount"] for month in west["figures"]] == ["2500.00", "2800.00"]
    assert (
        as_role["admin"]
        .get("/api/collections/kpis/trend", last="2026-10", by="customer")
        .status_code
        == 422
    )
    assert as_role["rep"].get("/api/collections/kpis/trend", last="2026-10").status_code == 403
