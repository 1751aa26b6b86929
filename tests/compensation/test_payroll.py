# ruff: noqa: F811  (the run fixtures are imported from test_runs)
"""The payroll export: approved or paid runs only, one row per payee, period and currency,
adding up to the run's totals; CSV and Excel; the command and the download."""

import csv
import io

import pytest
from openpyxl import load_workbook

from revdesk.cli import main
from revdesk.compensation.models import CommissionRun, RunStatus
from revdesk.compensation.payroll import PayrollRefused, payroll_rows
from revdesk.compensation.runs import run_move
from revdesk.testing import signed_in

from .test_runs import march, plan  # noqa: F401  (the fixtures)
from .test_statements import approve, run  # noqa: F401  (the run of march, approving it)

pytestmark = pytest.mark.django_db


EXPECTED = [
    ["payee", "name", "period", "currency", "amount", "run"],
    ["E101", "Erin East", "2026-03", "USD", "58.34", "{run}"],
    ["E102", "Wes West", "2026-03", "USD", "37.00", "{run}"],
    ["E101", "Erin East", "2026-04", "USD", "-50.00", "{run}"],
]


def expected(run):
    return [[cell.format(run=run.pk) for cell in row] for row in EXPECTED]


def test_a_draft_is_refused_in_plain_words_and_nothing_is_written(run, tmp_path, capsys):
    target = tmp_path / "payroll.csv"
    assert main(["commissions", "payroll", str(run.pk), "--out", str(target)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert out == (
        f"Nothing was written: Run {run.pk} (2026-03..2026-04) is draft: only approved or paid "
        f"runs go to payroll; review it, then approve it (revdesk commissions review {run.pk}, "
        f"then approve {run.pk})."
    )
    assert not target.exists()
    run = run_move(run, RunStatus.REVIEWED, actor=None)
    with pytest.raises(PayrollRefused, match="is reviewed: only approved or paid runs"):
        payroll_rows(run)


def test_csv_one_row_per_payee_period_currency_adding_up_to_the_run(run, tmp_path, capsys):
    run = approve(run)
    target = tmp_path / "payroll.csv"
    assert main(["commissions", "payroll", str(run.pk), "--out", str(target)]) == 0
    assert list(csv.reader(io.StringIO(target.read_text(encoding="utf-8")))) == expected(run)
    out = " ".join(capsys.readouterr().out.split())
    assert "3 row(s), 45.34 USD (equal to the run's totals)." in out
    run = run_move(run, RunStatus.PAID, actor=None)
    assert len(payroll_rows(run)) == 3  # a paid run still exports


def test_excel_amounts_are_numbers_with_two_decimals(run, tmp_path, capsys):
    run = approve(run)
    target = tmp_path / "payroll.xlsx"
    assert main(["commissions", "payroll", str(run.pk), "--out", str(target), "--json"]) == 0
    assert '"totals": {\n    "USD": "45.34"' in capsys.readouterr().out
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        ("payee", "name", "period", "currency", "amount", "run"),
        ("E101", "Erin East", "2026-03", "USD", 58.34, run.pk),
        ("E102", "Wes West", "2026-03", "USD", 37, run.pk),
        ("E101", "Erin East", "2026-04", "USD", -50, run.pk),
    ]
    assert sheet["E2"].data_type == "n"
    assert sheet["E2"].number_format == "#,##0.00"


def test_payouts_that_do_not_add_up_to_the_run_are_refused(run):
    run = approve(run)
    CommissionRun.objects.filter(pk=run.pk).update(totals={"USD": "45.35"})
    run.refresh_from_db()
    with pytest.raises(PayrollRefused) as refused:
        payroll_rows(run)
    assert str(refused.value) == (
        f"Run {run.pk}'s payouts add up to 45.34 USD, but the run's totals say 45.35 USD: "
        "nothing was written. Ask an administrator to look at the run."
    )


def test_the_download_is_for_analysts(run, world, client):
    url = f"/commissions/runs/{run.pk}/payroll.csv"
    signed_in(client, "analyst")
    response = client.get(url)
    assert response.status_code == 302  # a draft: back to the run page with the reason
    run = approve(run)
    response = client.get(url)
    assert response.status_code == 200
    assert f'filename="payroll-run{run.pk}.csv"' in response["Content-Disposition"]
    assert list(csv.reader(io.StringIO(response.content.decode()))) == expected(run)
    for username in ("rep", "manager", "collector"):
        signed_in(client, username)
        assert client.get(url).status_code == 404, username
