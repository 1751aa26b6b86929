"""/api/commissions: runs and payouts by scope (a rep sees only approved figures of their
own), a payee's explanation lines to the micro-unit, and claims filed through the API."""

import datetime as dt
import json

import pytest
from django.test import Client

from revdesk.compensation.models import CreditClaim, RunStatus
from revdesk.compensation.runs import run_create, run_move
from revdesk.compensation.services import crediting_policy_save, plan_version_save
from revdesk.foundation.services import api_token_create
from revdesk.parties.models import PlanAssignment

from .test_runs import PLAN, invoice, order

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user):
        self.client = Client()
        token = api_token_create(user=user, name="tests", actor=None)[1]
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path, **params):
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def post(self, path, body):
        return self.client.post(
            f"/api{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def run(world):
    """March: E101 invoices 4,000.00 of UPS (5% = 200.00), E102 500.00 CAD of fibre at 0.74
    (370.00 USD x 10% = 37.00)."""
    from decimal import Decimal

    from revdesk.catalog.models import FxRate

    plan_version_save(PLAN, actor=None)
    for payee in (world.rep_east, world.rep_west):
        PlanAssignment.objects.create(
            payee=payee, plan_code="field-rep", valid_from=dt.date(2025, 1, 1)
        )
    made = order(
        "SO-1", world.customer_east, dt.date(2026, 3, 1), [(world.product_ups, "1", "4000")]
    )
    invoice("INV-1", made, dt.date(2026, 3, 10), "4000.00")
    west = order(
        "SO-2", world.customer_west, dt.date(2026, 3, 1), [(world.product_fibre, "1", "500")]
    )
    invoice("INV-2", west, dt.date(2026, 3, 12), "500.00")
    FxRate.objects.create(
        currency="CAD", quote_currency="USD", valid_on=dt.date(2026, 3, 1), rate=Decimal("0.74")
    )
    return run_create("2026-03", actor=world.users["analyst"])


def test_runs_and_payouts_by_scope(world, run):
    analyst, rep = Api(world.users["analyst"]), Api(world.users["rep"])
    listed = analyst.get("/commissions/runs").json()
    assert [(r["id"], r["status"], r["totals"]) for r in listed["items"]] == [
        (run.pk, "draft", {"USD": "237.00"})
    ]
    assert rep.get("/commissions/runs").json() == {"items": [], "count": 0}  # a draft
    assert rep.get(f"/commissions/runs/{run.pk}").status_code == 404
    run_move(run, RunStatus.REVIEWED, actor=world.users["analyst"])
    run_move(run, RunStatus.APPROVED, actor=world.users["leader"])
    (mine,) = rep.get("/commissions/runs").json()["items"]
    # a rep sees the run over their own payouts only, not the company's totals
    assert (mine["totals"], mine["payee_count"], mine["line_count"], mine["notes"]) == (
        {"USD": "200.00"},
        1,
        1,
        [],
    )
    whole = analyst.get(f"/commissions/runs/{run.pk}").json()
    assert (whole["totals"], whole["payee_count"]) == ({"USD": "237.00"}, 2)
    # sales operations sees every record elsewhere, but commission figures are not theirs
    ops = Api(world.users["ops"])
    assert ops.get("/commissions/runs").status_code == 403
    assert ops.get(f"/commissions/runs/{run.pk}/payouts").status_code == 403
    payouts = rep.get(f"/commissions/runs/{run.pk}/payouts").json()["items"]
    assert payouts == [
        {
            "payee": "E101",
            "payee_name": "Erin East",
            "period": "2026-03",
            "amount": "200.00",
            "currency": "USD",
        }
    ]
    everyone = analyst.get(f"/commissions/runs/{run.pk}/payouts").json()["items"]
    assert [(p["payee"], p["amount"]) for p in everyone] == [("E101", "200.00"), ("E102", "37.00")]
    explained = rep.get(f"/commissions/runs/{run.pk}/payees/E101").json()
    assert explained["lines"] == [
        {
            "period": "2026-03",
            "transaction_id": "INV-1/1",
            "credit_share": "1.000000",
            "component": "commission",
            "tier": None,
            "rate": "0.050000",
            "base": "4000.000000",
            "amount": "200.000000",
            "currency": "USD",
            "kind": "earning",
        }
    ]
    assert rep.get(f"/commissions/runs/{run.pk}/payees/E102").status_code == 404
    assert (
        analyst.get(f"/commissions/runs/{run.pk}/payees/E102").json()["lines"][0]["base"]
        == "370.000000"
    )


def test_a_claim_filed_through_the_api(world, run):
    crediting_policy_save(
        actor=None,
        number="Policy 100",
        title="Split",
        text="25/50/25",
        splits={"specifying": "0.25", "ordering": "0.50", "installing": "0.25"},
        valid_from=dt.date(2025, 1, 1),
    )
    west = Api(world.users["rep_west"])
    body = {
        "policy": "Policy 100",
        "invoices": ["INV-1"],
        "roles": {"specifying": "E102", "ordering": "E101", "installing": "E102"},
        "description": "I specified it and installed it.",
    }
    answer = west.post("/commissions/claims", body)
    assert answer.status_code == 201, answer.content
    claim = CreditClaim.objects.get()
    assert answer.json() == {
        "case": claim.case.number,
        "policy": "Policy 100",
        "invoices": ["INV-1"],
        "roles": {"installing": "E102", "ordering": "E101", "specifying": "E102"},
        "claimant": "E102",
        "filed_on": claim.filed_on.isoformat(),
        "decision": "pending",
        "decided_on": None,
    }
    assert west.post("/commissions/claims", {**body, "claimant": "E101"}).status_code == 403
    wrong = west.post("/commissions/claims", {**body, "invoices": ["INV-404"]})
    assert wrong.status_code == 422
    assert "No invoice is numbered INV-404" in wrong.json()["detail"]
    assert Api(world.users["collector"]).post("/commissions/claims", body).status_code == 403
    assert [
        c["case"] for c in Api(world.users["rep"]).get("/commissions/claims").json()["items"]
    ] == [
        claim.case.number  # E101 is named as the ordering rep
    ]
