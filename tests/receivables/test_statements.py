"""Statements of account: the figures, the PDF and Excel, the e-mail with its template, the
batch, and the timeline."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from receivables.examples import example_01_build
from revdesk.cli import main
from revdesk.parties.models import BillingContact
from revdesk.receivables.choices import ActivityKind
from revdesk.receivables.models import Activity
from revdesk.receivables.statements import (
    statement_build,
    statement_pdf,
    statement_send,
    statement_xlsx,
    statements_send,
)

OCT_31 = dt.date(2026, 10, 31)
D = Decimal

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REVDESK_REMITTANCE = "Pay to IBAN DE00 1234, reference: the invoice numbers."
    found = example_01_build(world)
    BillingContact.objects.create(
        customer=found["C2"], name="Ada Payable", email="ap@c2.example", is_primary=True
    )
    return found


def test_the_statement_is_the_aging_of_the_account(customers):
    statement = statement_build(customer=customers["C2"], on=OCT_31)
    (total,) = statement.aging
    assert (total["net"], total["past_due"], total["open_credits"]) == (
        D("18300.00"),
        D("18800.00"),
        D("-500.00"),
    )
    assert [line["document"] for line in statement.lines] == [
        "INV-7",
        "INV-8",
        "INV-6",
        "INV-5",
        "CM-1",
    ]  # by due date
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(statement_pdf(statement))).pages
    )
    assert "Statement of account" in text
    assert "18,300.00" in text
    assert "Pay to IBAN DE00 1234" in text
    sheet = load_workbook(io.BytesIO(statement_xlsx(statement)))["Open items"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Document", "Type")
    assert (rows[1][0], rows[1][6], rows[1][7]) == ("INV-7", 121, 7000)


def test_a_statement_is_emailed_with_its_files_and_recorded(customers, world):
    activity = statement_send(actor=world.users["collector2"], customer=customers["C2"], on=OCT_31)
    (sent,) = mail.outbox
    assert sent.to == ["ap@c2.example"]
    assert sent.subject == "Statement of account C2 on 2026-10-31"
    assert "Dear Ada Payable" in sent.body
    assert "Open: 18,300.00 USD, of which past due: 18,800.00 USD." in sent.body
    assert [name for name, _, _ in sent.attachments] == [
        "statement-C2-2026-10-31.pdf",
        "statement-C2-2026-10-31.xlsx",
    ]
    assert activity.kind == ActivityKind.STATEMENT
    assert activity.subject == "Statement of 2026-10-31 sent to ap@c2.example"
    assert activity.body == "18,300.00 USD open, 18,800.00 USD past due"


def test_no_address_no_statement_and_the_batch_goes_on(customers, world):
    with pytest.raises(ValidationError, match="C1 has no billing contact with an e-mail"):
        statement_send(actor=None, customer=customers["C1"], on=OCT_31)
    results = statements_send(actor=None, customers=[customers["C1"], customers["C2"]], on=OCT_31)
    assert [(r.customer.code, r.activity is not None, r.problem[:20]) for r in results] == [
        ("C1", False, "C1 has no billing co"),
        ("C2", True, ""),
    ]
    assert len(mail.outbox) == 1
    assert Activity.objects.filter(kind=ActivityKind.STATEMENT).count() == 1


def test_statements_from_the_command_line(customers, tmp_path, capsys):
    assert (
        main(
            ["collections", "statements", "C1", "C2", "--on", "2026-10-31", "--out", str(tmp_path)]
        )
        == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "statement-C1-2026-10-31.pdf",
        "statement-C1-2026-10-31.xlsx",
        "statement-C2-2026-10-31.pdf",
        "statement-C2-2026-10-31.xlsx",
    ]
    assert main(["collections", "statements", "C1", "C2", "--send"]) == 1  # C1 has no address
    out = capsys.readouterr().out
    assert "C1: not sent" in out
    assert "2 statements, 1 sent, 1 not" in out


def test_the_pdf_prints_any_name_as_written(customers):
    customer = customers["C2"]
    customer.name = "Łódź Centrum Danych Sp. z o.o. / Ακμή / Δата – “Nord”"
    customer.save()
    statement = statement_build(customer=customer, on=OCT_31)
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(statement_pdf(statement))).pages
    )
    assert "Łódź Centrum Danych Sp. z o.o. / Ακμή / Δата – “Nord”" in text
    # what the font has no shape for is a '?', never a hole in the text
    customer.name = "東京 Data"
    customer.save()
    statement = statement_build(customer=customer, on=OCT_31)
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(statement_pdf(statement))).pages
    )
    assert "?? Data" in text
