"""/api/cash: a bank file read through the API (once; a broken one refused with its line),
the unapplied queue per role, a receipt applied by hand, suggestions accepted and rejected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from receivables.test_cash_application import CASE, example_ledger  # noqa: F401
from revdesk.receivables.models import CashSuggestion, Invoice, Payment, PaymentApplication

pytestmark = pytest.mark.django_db
D = Decimal


def _post_file(client, name, content):
    return client.client.post(
        "/api/cash/files",
        {"file": SimpleUploadedFile(name, content, "text/csv")},
        headers=client.headers,
    )


def _post(client, path, body=None):
    return client.client.post(
        path, body or {}, content_type="application/json", headers=client.headers
    )


def test_read_a_file_then_work_the_queue(as_role, example_ledger):  # noqa: F811
    content = (CASE / "bank.csv").read_bytes()
    assert _post_file(as_role["collector"], "bank.csv", content).status_code == 403
    response = _post_file(as_role["ops"], "bank.csv", content)
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["format"], body["receipts"]) == ("bank.csv", "csv", 8)
    assert body["summary"]["unapplied"]["unidentified"] == {
        "count": 1,
        "amount": {"USD": "1234.56"},
    }
    again = _post_file(as_role["ops"], "again.csv", content)
    assert again.status_code == 409
    assert "already in (nothing done)" in again.json()["detail"]

    queue = as_role["ops"].get("/api/cash/unapplied").json()
    assert [(r["number"], r["customer"], r["status"], r["unapplied"]) for r in queue["items"]] == [
        ("P6", "C2", "on_account", "500.00"),
        ("P7", None, "unidentified", "1234.56"),
    ]
    assert as_role["ops"].get("/api/cash/unapplied", status="unidentified").json()["count"] == 1
    assert as_role["lead"].get("/api/cash/unapplied").json()["count"] == 1  # P7 only
    assert as_role["collector"].get("/api/cash/unapplied").json()["count"] == 0
    assert as_role["analyst"].get("/api/cash/unapplied").status_code == 403

    invoice = Invoice.objects.create(
        number="20015",
        customer=example_ledger["C2"],
        issued_on=dt.date(2026, 10, 15),
        due_on=dt.date(2026, 11, 14),
        currency="USD",
        amount=D("1200.00"),
        balance=D("1200.00"),
    )
    p6 = Payment.objects.get(number="P6")
    path = f"/api/cash/receipts/{p6.pk}/applications"
    too_much = _post(
        as_role["ops"], path, {"applications": [{"invoice": "20015", "amount": "600"}]}
    )
    assert too_much.status_code == 422
    assert (
        "600.00 USD is more than receipt P6 has left to apply (500.00 USD)"
        in (too_much.json()["detail"])
    )
    assert _post(as_role["collector"], path, {"applications": []}).status_code == 404
    done = _post(as_role["ops"], path, {"applications": [{"invoice": "20015", "amount": "500"}]})
    assert done.status_code == 201
    assert done.json() == {
        "receipt": "P6",
        "status": "applied",
        "applied": [["20015", "500.00"]],
        "unapplied": "0.00",
        "currency": "USD",
        "cases": [],
        "learnt_account": None,
    }
    invoice.refresh_from_db()
    assert invoice.balance == D("700.00")


def test_suggestions_through_the_api(as_role, example_ledger, world, tmp_path):  # noqa: F811
    from revdesk.receivables.cash import cash_apply

    bank = tmp_path / "bank.csv"
    bank.write_bytes((CASE / "bank.csv").read_bytes())
    cash_apply(path=bank, actor=world.users["ops"])
    p6 = Payment.objects.get(number="P6")
    invoice = Invoice.objects.create(
        number="20015",
        customer=example_ledger["C2"],
        issued_on=dt.date(2026, 10, 15),
        due_on=dt.date(2026, 11, 14),
        currency="USD",
        amount=D("250.00"),
        balance=D("250.00"),
    )
    first, second = (
        CashSuggestion.objects.create(
            payment=p6,
            invoice=invoice,
            amount=D("250.00"),
            rule="open_items_sum",
            confidence=D("0.8"),
            explanation="fits",
        )
        for _ in range(2)
    )
    assert (
        _post(as_role["collector"], f"/api/cash/suggestions/{first.pk}/accept").status_code == 404
    )
    accepted = _post(as_role["ops"], f"/api/cash/suggestions/{first.pk}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["unapplied"] == "250.00"
    assert PaymentApplication.objects.get(payment=p6).rule == "open_items_sum"
    rejected = _post(as_role["ops"], f"/api/cash/suggestions/{second.pk}/reject")
    assert rejected.json() == {"id": second.pk, "status": "rejected"}
    again = _post(as_role["ops"], f"/api/cash/suggestions/{second.pk}/reject")
    assert again.status_code == 422
    assert "already rejected by ops" in again.json()["detail"]


def test_a_broken_file_is_refused_with_its_line(as_role, example_ledger):  # noqa: F811
    lines = (CASE / "bank.csv").read_text().splitlines()
    lines[3] = lines[3].replace("24750.00", "24750.0O")
    response = _post_file(as_role["ops"], "bank.csv", ("\n".join(lines) + "\n").encode())
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "bank.csv was not read (nothing was saved)"
    assert body["errors"][0]["field"] == "amount"
    assert body["errors"][0]["message"].startswith("bank.csv, line 4: ")
    assert not Payment.objects.exists()
