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
