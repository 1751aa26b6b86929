# ruff: noqa: F811  (the fixtures are imported from test_pages)
"""A payee's commissions page links the statement (PDF and Excel) of every approved or paid
run it shows; a rep downloads their own and gets "not found" for anyone else's."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from revdesk.testing import signed_in

from .test_pages import immediate_tasks, rows, runs, sales  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.django_db


def page(client, code="E101"):
    return client.get(reverse("web:commission_payee", args=[code]) + "?year=2026")


def statement_links(response) -> list[str]:
    return re.findall(r'href="(/commissions/runs/\d+/statements/[^"]+)"', response.content.decode())


def test_a_rep_downloads_their_own_statements_from_their_page(client, runs):
    march, _april = runs
    signed_in(client, "rep")
    response = page(client)
    assert rows(response, "statement-table") == [
        ["Run", "Period(s)", "Status", "Statement"],
        [f"Run {march.pk}", "2026-03", "Approved", "PDF · Excel"],
    ]  # April is a draft: not shown to a rep at all
    assert statement_links(response) == [
        f"/commissions/runs/{march.pk}/statements/E101.pdf",
        f"/commissions/runs/{march.pk}/statements/E101.xlsx",
    ]
    pdf, xlsx = (client.get(link) for link in statement_links(response))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert f'filename="statement-run{march.pk}-E101.pdf"' in pdf["Content-Disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Payee Erin East (E101)" in text
    assert "Payout total 58.34 USD" in text
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    # another payee's statement of the same run (E102 has 37.00 in it) is not found
    assert client.get(f"/commissions/runs/{march.pk}/statements/E102.pdf").status_code == 404
    assert client.get(f"/commissions/runs/{march.pk}/statements/E102.xlsx").status_code == 404
    assert page(client, "E102").status_code == 404


def test_staff_see_a_draft_run_without_a_statement_until_approved(client, runs):
    march, april = runs
    response = page(signed_in(client, "analyst"))
    assert rows(response, "statement-table")[1:] == [
        [f"Run {march.pk}", "2026-03", "Approved", "PDF · Excel"],
        [f"Run {april.pk}", "2026-04", "Draft", "once the run is approved"],
    ]
    assert statement_links(response) == [
        f"/commissions/runs/{march.pk}/statements/E101.pdf",
        f"/commissions/runs/{march.pk}/statements/E101.xlsx",
    ]


def test_a_manager_downloads_their_teams_statement_from_the_page(client, runs):
    march, _ = runs
    signed_in(client, "manager")
    links = statement_links(page(client))
    assert links == [
        f"/commissions/runs/{march.pk}/statements/E101.pdf",
        f"/commissions/runs/{march.pk}/statements/E101.xlsx",
    ]
    assert all(client.get(link).status_code == 200 for link in links)


def test_a_year_without_payouts_shows_no_statements(client, runs):
    signed_in(client, "rep")
    response = client.get(reverse("web:commission_payee", args=["E101"]) + "?year=2025")
    assert response.status_code == 200
    assert 'data-testid="statement-table"' not in response.content.decode()
