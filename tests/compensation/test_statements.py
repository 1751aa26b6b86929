# ruff: noqa: F811  (the run fixtures are imported from test_runs)
"""Commission statements: PDF and Excel read back, lines grouped by component with subtotals,
adjustments and draws explained, the command, and who may download which statement."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from revdesk.cli import main
from revdesk.compensation.models import CommissionRun, Payout, PayoutLine, RunStatus
from revdesk.compensation.runs import run_create, run_move
from revdesk.compensation.statements import (
    statement_build,
    statement_pdf,
    statement_xlsx,
)
from revdesk.testing import signed_in

from .test_runs import march, plan  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(march):
    """Run 2026-03..2026-04 of test_runs' march: E101 58.34 then -50.00, E102 37.00."""
    return run_create("2026-03..2026-04", actor=None)


def approve(run):
    for step in (RunStatus.REVIEWED, RunStatus.APPROVED):
        run = run_move(run, step, actor=None)
    return run


def pdf_text(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def sheet_rows(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet, list(sheet.iter_rows(values_only=True))


def test_the_pdf_says_who_what_and_every_line_with_subtotals(run, world):
    lines = pdf_text(statement_pdf(statement_build(run, world.rep_east)))
    for expected in (
        "Commission statement",
        "Payee Erin East (E101)",
        "Plan(s) Field rep (field-rep)",
        "Period(s) 2026-03, 2026-04",
        f"Run {run.pk} (2026-03..2026-04, draft)",
        "Payout total 8.34 USD",
        "2026-03 58.34 USD",
        "2026-04 -50.00 USD",
        "Component: commission",
        "Period Transaction Credit share Tier Rate Base Amount Kind",
        "2026-03 INV-S/1 1 0.05 33.33 1.67 earning",
        "2026-03 INV-S/2 1 0.1 66.67 6.67 earning",
        "2026-03 INV-T/1 1 0.05 1,000.00 50.00 earning",
        "2026-04 CM-T/1 1 0.05 -1,000.00 -50.00 clawback",
        "Subtotal commission 8.34",
        "Total: 8.34 USD",
    ):
        assert expected in lines, expected
    text = " ".join(" ".join(lines).split())  # justified lines: one space between words
    assert "Clawback: commission taken back because a sale was credited or cancelled" in text
    assert "type 'Commission inquiry', reason 'Question about a statement'" in text


def test_the_workbook_holds_money_as_numbers_with_two_decimals(run, world):
    sheet, rows = sheet_rows(statement_xlsx(statement_build(run, world.rep_east)))
    assert rows[0][0] == "Commission statement"
    assert rows[2][:2] == ("Payee", "Erin East (E101)")
    assert rows[6][:3] == ("Payout total", 8.34, "USD")
    header = rows.index(
        (
            "Component",
            "Period",
            "Transaction",
            "Credit share",
            "Tier",
            "Rate",
            "Base",
            "Amount",
            "Currency",
            "Kind",
            "Note",
        )
    )
    body = rows[header + 1 : header + 5]
    assert [(r[0], r[2], r[5], r[6], r[7], r[8], r[9]) for r in body] == [
        ("commission", "INV-S/1", 0.05, 33.33, 1.67, "USD", "earning"),
        ("commission", "INV-S/2", 0.1, 66.67, 6.67, "USD", "earning"),
        ("commission", "INV-T/1", 0.05, 1000, 50, "USD", "earning"),
        ("commission", "CM-T/1", 0.05, -1000, -50, "USD", "clawback"),
    ]
    assert rows[header + 5][:8] == ("Subtotal commission", *[None] * 6, 8.34)
    amount = sheet.cell(row=header + 2, column=8)
    assert amount.data_type == "n"
    assert amount.number_format == "#,##0.00"
    assert sheet.cell(row=7, column=2).number_format == "#,##0.00"
    assert Decimal(str(sum(r[7] for r in body[:4]))).quantize(Decimal("0.01")) == Decimal("8.34")


@pytest.fixture
def draw_run(world):
    """A run made by hand: a component, an adjustment of a closed period, a recovery and a
    draw, so every kind a rep asks about is on one statement."""
    run = CommissionRun.objects.create(
        periods="2026-05..2026-06",
        period_first="2026-05",
        period_last="2026-06",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 6, 30),
        fingerprint="f" * 64,
        engine_version="0.1.0",
        status=RunStatus.APPROVED,
        totals={"USD": "1500.00"},
    )
    east = world.rep_east
    Payout.objects.create(
        run=run, payee=east, period="2026-05", amount=Decimal("1000.00"), currency="USD"
    )
    Payout.objects.create(
        run=run, payee=east, period="2026-06", amount=Decimal("500.00"), currency="USD"
    )
    for period, txn, component, base, rate, amount, kind in (
        ("2026-05", "", "draw", "1000", None, "880.25", "draw"),
        ("2026-05", "INV-9/1", "commission", "2395", "0.05", "119.75", "earning"),
        ("2026-06", "INV-4/1", "commission", "2000", "0.05", "100.00", "adjustment"),
        ("2026-06", "INV-10/1", "commission", "10000", "0.05", "500.00", "earning"),
        ("2026-06", "", "recovery", "880.25", None, "-100.00", "recovery"),
    ):
        PayoutLine.objects.create(
            run=run,
            payee=east,
            period=period,
            transaction_id=txn,
            credit_share=Decimal("1") if txn else None,
            component=component,
            rate=Decimal(rate) if rate else None,
            base=Decimal(base),
            amount=Decimal(amount),
            currency="USD",
            kind=kind,
        )
    return run


def test_adjustments_draws_and_recoveries_are_grouped_and_explained(draw_run, world):
    statement = statement_build(draw_run, world.rep_east)
    assert [(g.component, g.subtotal) for g in statement.groups] == [
        ("draw", Decimal("880.25")),
        ("commission", Decimal("719.75")),
        ("recovery", Decimal("-100.00")),
    ]
    lines = pdf_text(statement_pdf(statement))
    assert "2026-06 INV-4/1 1 0.05 2,000.00 100.00 adjustment" in lines
    assert "Subtotal commission 719.75" in lines
    assert "Subtotal recovery -100.00" in lines
    assert "Total: 1,500.00 USD" in lines
    text = " ".join(" ".join(lines).split())  # justified lines: one space between words
    assert "Adjustment: an earlier period, already closed, worked out again" in text
    assert "Draw: an advance paid because earnings were below the plan's draw." in text
    assert "Recovery: part of an earlier recoverable draw taken back" in text


def test_the_command_writes_one_file_or_a_folder(run, world, tmp_path, capsys):
    one = tmp_path / "east.pdf"
    assert main(["commissions", "statement", str(run.pk), "E101", "--out", str(one)]) == 0
    assert "Payee Erin East (E101)" in pdf_text(one.read_bytes())
    folder = tmp_path / "all"
    code = main(["commissions", "statement", str(run.pk), "--format", "xlsx", "--out", str(folder)])
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        f"statement-run{run.pk}-E101.xlsx",
        f"statement-run{run.pk}-E102.xlsx",
    ]
    _, rows = sheet_rows((folder / f"statement-run{run.pk}-E102.xlsx").read_bytes())
    assert rows[6][:3] == ("Payout total", 37, "USD")
    capsys.readouterr()
    assert main(["commissions", "statement", str(run.pk), "E999", "--out", str(tmp_path)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert f"No payout in run {run.pk} (2026-03..2026-04) for E999: nothing was written." in out


def url(run, code, fmt="pdf"):
    return f"/commissions/runs/{run.pk}/statements/{code}.{fmt}"


def test_a_rep_downloads_only_their_own_and_only_once_approved(run, world, client):
    signed_in(client, "rep")
    assert client.get(url(run, "E101")).status_code == 404  # a draft: not yet
    run = approve(run)
    response = client.get(url(run, "E101"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="statement-run{run.pk}-E101.pdf"' in response["Content-Disposition"]
    assert "Payee Erin East (E101)" in pdf_text(response.content)
    assert client.get(url(run, "E102")).status_code == 404
    assert client.get(url(run, "E101", "docx")).status_code == 404
    response = client.get(url(run, "E101", "xlsx"))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_who_may_download_which_statement(run, world, client):
    """(username, status while the run is a draft, status once approved)"""
    matrix = (
        ("analyst", 200, 200),
        ("admin", 200, 200),
        ("manager", 404, 200),  # their team, once approved
        ("rep_west", 404, 404),  # not theirs
        ("collector", 404, 404),
        ("ops", 404, 404),
    )
    for username, draft, _ in matrix:
        signed_in(client, username)
        assert client.get(url(run, "E101")).status_code == draft, username
    run = approve(run)
    for username, _, approved in matrix:
        signed_in(client, username)
        assert client.get(url(run, "E101")).status_code == approved, username


def test_every_line_carries_its_note_in_plain_words(run, world):
    lines = pdf_text(statement_pdf(statement_build(run, world.rep_east)))
    for expected in (
        "1,000.00 × 5% = 50.00",
        "33.33 × 5% = 1.67 (rounded to the cent)",
        "takes back what the original sale earned, at its rate: -1,000.00 × 5% = -50.00",
    ):
        assert expected in lines, expected
    _, rows = sheet_rows(statement_xlsx(statement_build(run, world.rep_east)))
    notes = [row[10] for row in rows if len(row) > 10 and row[9] in ("earning", "clawback")]
    assert notes == [
        "33.33 × 5% = 1.67 (rounded to the cent)",
        "66.67 × 10% = 6.67 (rounded to the cent)",
        "1,000.00 × 5% = 50.00",
        "takes back what the original sale earned, at its rate: -1,000.00 × 5% = -50.00",
    ]


def test_the_run_command_explains_a_payee_with_notes(run, world, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    assert main(["commissions", "explain", str(run.pk), "E101"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "note" in out
    assert "1,000.00 × 5% = 50.00" in out
    assert "takes back what the original sale earned, at its rate" in out
