"""/api/cases with bearer tokens: the same rows and timeline visibility as the pages, and
every refusal as {detail, errors}."""

from __future__ import annotations

import pytest
from django.test import Client

from revdesk.cases import services
from revdesk.cases.choices import Visibility
from revdesk.cases.models import Case, Notification
from revdesk.foundation.services import api_token_create
from revdesk.testing import ROLES

from .desk import desk_build


class Api:
    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path, **params):
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def post(self, path, body):
        return self.client.post(
            f"/api{path}", body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def desk(world, teams, ledger):
    return desk_build(world, ledger)


@pytest.fixture
def api(world):
    tokens = {
        name: api_token_create(user=user, name="tests", actor=None)[1]
        for name, user in world.users.items()
    }
    return {name: Api(token) for name, token in tokens.items()}


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["number"] for item in response.json()["items"])


def test_list_per_role_is_the_scope(api, desk):
    d = desk
    everything = sorted(c.number for c in (d.dispute, d.west, d.old, d.claim, d.defect))
    got = {name: numbers(api[name].get("/cases")) for name in ROLES}
    assert got["admin"] == got["ops"] == got["leader"] == everything
    # the API lists every case in scope (the page's queue narrows to one's teams)
    assert got["collector"] == sorted([d.dispute.number, d.west.number, d.old.number])
    assert got["rep"] == sorted([d.dispute.number, d.old.number, d.claim.number])
    assert got["rep_west"] == sorted([d.west.number, d.defect.number])
    assert got["distributor"] == []


def test_list_filters_like_the_queue(api, desk, world):
    services.case_assign(desk.west, actor=world.users["lead"], owner=world.users["collector2"])
    admin = api["admin"]
    assert numbers(admin.get("/cases", team="collections", breached="true")) == [desk.old.number]
    assert numbers(admin.get("/cases", case_type="order_defect")) == [desk.defect.number]
    assert numbers(admin.get("/cases", owner="collector2")) == [desk.west.number]
    assert numbers(api["collector2"].get("/cases", owner="me")) == [desk.west.number]
    assert numbers(admin.get("/cases", status="open", q="pacific")) == [desk.west.number]
    assert numbers(admin.get("/cases", clock="first_response_breached")) == [desk.old.number]
    response = admin.get("/cases", status="sleeping")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_one_case_with_subjects_and_timeline_as_the_person_may_see_it(api, desk, world):
    collector = world.users["collector"]
    services.comment_add(desk.dispute, actor=collector, body="Internal note")
    services.comment_add(
        desk.dispute, actor=collector, body="Reply to Acme", visibility=Visibility.EXTERNAL
    )
    staff = api["collector"].get(f"/cases/{desk.dispute.number}").json()
    assert staff["subjects"] == [
        {"kind": "invoice", "id": staff["subjects"][0]["id"], "label": "INV-1"}
    ]
    assert (staff["amount"], staff["currency"], staff["customer"], staff["team"]) == (
        "200.00",
        "USD",
        "C-1000",
        "collections",
    )
    assert [e["kind"] for e in staff["timeline"]] == ["created", "routed", "comment", "comment"]
    rep = api["rep"].get(f"/cases/{desk.dispute.number}").json()
    assert [(e["kind"], e["body"]) for e in rep["timeline"]] == [("comment", "Reply to Acme")]
    missing = api["rep_west"].get(f"/cases/{desk.dispute.number}")
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": f"No case with number {desk.dispute.number} among the records you may see."
    }


def test_open_a_case(api, desk, world):
    response = api["collector"].post(
        "/cases",
        {
            "case_type": "ar_dispute",
            "title": "Short shipped",
            "reason": "quantity",
            "amount": "120.00",
            "subjects": [{"kind": "invoice", "number": "INV-2"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert (case.source, case.customer, case.currency, str(case.amount)) == (
        "api",
        world.customer_east,
        "USD",
        "120.00",
    )
    assert [s["label"] for s in body["subjects"]] == ["INV-2"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"case_type": "nope", "title": "x"}, "case_type", "'nope' is not a case type."),
        (
            {"case_type": "ar_dispute", "title": "x", "reason": "split_credit"},
            "reason",
            "'split_credit' is not a reason of AR dispute",
        ),
        (
            {"case_type": "ar_dispute", "title": "x", "customer": "C-2000"},
            "customer",
            "C-2000 is not a customer you may see.",
        ),
        (
            {
                "case_type": "ar_dispute",
                "title": "x",
                "subjects": [{"kind": "invoice", "number": "INV-5"}],
            },
            "subjects.0.number",
            "INV-5 is not an invoice you may see.",
        ),
        (
            {"case_type": "ar_dispute", "title": "x", "amount": 12.5},
            "amount",
            'send the amount as a string, e.g. "12.5", so it stays exact',
        ),
    ],
)
def test_open_refusals_open_nothing(api, desk, body, field, message):
    before = Case.objects.count()
    response = api["collector"].post("/cases", body)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == field
    assert error["message"].startswith(message)
    assert Case.objects.count() == before


def test_transition_assign_and_comment(api, desk, world):
    lead = api["lead"]
    number = desk.dispute.number
    response = lead.post(f"/cases/{number}/transition", {"status": "resolved", "outcome": "rebill"})
    assert response.status_code == 422
    refused = "Write the resolution: what was decided and why."
    assert response.json() == {
        "detail": refused,
        "errors": [{"field": "status", "message": refused, "value": None}],
    }
    response = lead.post(f"/cases/{number}/transition", {"status": "in_progress"})
    assert (response.status_code, response.json()["status"]) == (200, "in_progress")
    response = lead.post(f"/cases/{number}/assign", {"owner": "collector2"})
    assert (response.status_code, response.json()["owner"]) == (200, "collector2")
    response = lead.post(f"/cases/{number}/assign", {"owner": "analyst"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "owner",
            "message": "analyst is not a member of the Collections team.",
            "value": "analyst",
        }
    ]
    response = lead.post(f"/cases/{number}/comments", {"body": "@collector please call them"})
    assert response.status_code == 201
    assert response.json()["visibility"] == "internal"
    assert (
        Notification.objects.filter(user=world.users["collector"], case=desk.dispute).count() == 1
    )


def test_reps_add_external_comments_only(api, desk):
    rep = api["rep"]
    number = desk.dispute.number
    assert rep.post(f"/cases/{number}/transition", {"status": "triage"}).status_code == 403
    assert rep.post(f"/cases/{number}/assign", {"owner": None}).status_code == 403
    response = rep.post(f"/cases/{number}/comments", {"body": "Any news?"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "visibility"
    response = rep.post(
        f"/cases/{number}/comments", {"body": "Any news?", "visibility": "external"}
    )
    assert response.status_code == 201
    assert api["rep_west"].post(f"/cases/{number}/comments", {"body": "x"}).status_code == 404
