# ruff: noqa: F811  (the run fixtures are imported from test_runs)
"""What was paid and its reconciliation: the paid import (every bad cell, all or nothing,
never twice, audited), variances to the cent stored once, cases opened once, the command and
the page."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import Workbook

from revdesk.cases.models import Case, CaseSubject
from revdesk.cli import main
from revdesk.compensation.models import (
    CommissionRun,
    PaidImport,
    PaidLine,
    Payout,
    PayoutLine,
    RunStatus,
    Variance,
)
from revdesk.compensation.reconciliation import (
    PaidImportRefused,
    ReconciliationRefused,
    paid_import,
    reconcile,
    reconciliation_build,
    variance_cases_open,
)
from revdesk.compensation.runs import run_create, run_move
from revdesk.foundation.audit import change_history
from revdesk.testing import signed_in

from .test_runs import march, plan  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.django_db

HEADER = "payee,period,component,amount,currency,paid_on,reference\n"
# E101 March paid as a total, 8.34 short; E102 March paid by component, a cent short;
# E101 April (-50.00, the clawback) not in the file at all.
PAID = HEADER + (
    "E101,2026-03,,50.00,USD,2026-04-15,PR-0415\nE102,2026-03,commission,36.99,USD,2026-04-15,PR-0415\n"
)


def approved(run):
    run_move(run, RunStatus.REVIEWED, actor=None)
    return run_move(run, RunStatus.APPROVED, actor=None)


@pytest.fixture
def run(march):
    return approved(run_create("2026-03..2026-04", actor=None))


def write(tmp_path, text, name="paid.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def figures(result):
    return [
        (row.payee.code, row.period, row.component, row.calculated, row.paid, row.variance)
        for row in result.comparisons
    ]


def test_a_good_file_is_loaded_with_its_totals_and_audited(tmp_path, world):
    record = paid_import(write(tmp_path, PAID), actor=None)
    assert (record.file_name, record.row_count, record.totals) == ("paid.csv", 2, {"USD": "86.99"})
    assert list(
        PaidLine.objects.values_list(
            "line_number", "payee__code", "period", "component", "amount", "paid_on", "reference"
        )
    ) == [
        (2, "E101", "2026-03", "", Decimal("50.00"), dt.date(2026, 4, 15), "PR-0415"),
        (3, "E102", "2026-03", "commission", Decimal("36.99"), dt.date(2026, 4, 15), "PR-0415"),
    ]
    assert change_history(record).count() == 1


def test_the_same_file_twice_is_refused_saying_when(tmp_path, world):
    first = paid_import(write(tmp_path, PAID), actor=None)
    when = first.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    with pytest.raises(PaidImportRefused) as refused:
        paid_import(write(tmp_path, PAID, "again.csv"), actor=None)
    assert str(refused.value) == (
        f"again.csv: a file not loaded before: this one was loaded on {when} as paid import "
        f"{first.pk} (paid.csv, 2 line(s)); nothing was loaded again"
    )
    assert PaidImport.objects.count() == 1
    assert PaidLine.objects.count() == 2


def test_the_same_lines_in_another_file_are_refused_naming_where_they_were_loaded(tmp_path, world):
    first = paid_import(write(tmp_path, PAID), actor=None)
    when = first.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    # the same two payroll lines saved again (another column order, the component in capitals,
    # a new line of its own), then the same lines sent as .xlsx
    again = (
        "reference,payee,period,component,amount,currency,paid_on\n"
        "PR-0415,E102,2026-03,COMMISSION,36.99,USD,2026-04-15\n"
        "PR-0430,E102,2026-03,commission,0.01,USD,2026-04-30\n"
        "PR-0415,E101,2026-03,,50.0,USD,2026-04-15\n"
    )
    with pytest.raises(PaidImportRefused) as refused:
        paid_import(write(tmp_path, again, "saved-again.csv"), actor=None)
    earlier = (
        "a line not loaded before: the same payment (payee, period, component, amount, "
        "currency, paid_on, reference) was loaded from paid.csv, line {}, on "
        f"{when} as paid import {first.pk}"
    )
    assert [(p.line, p.expected) for p in refused.value.problems] == [
        (2, earlier.format(3)),
        (4, earlier.format(2)),
    ]
    assert refused.value.problems[0].text("saved-again.csv") == (
        f"saved-again.csv, line 2: {earlier.format(3)}"
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["payee", "period", "component", "amount", "currency", "paid_on", "reference"])
    sheet.append(["E101", "2026-03", None, 50, "USD", dt.datetime(2026, 4, 15), "PR-0415"])
    path = tmp_path / "paid.xlsx"
    workbook.save(path)
    with pytest.raises(PaidImportRefused) as refused:
        paid_import(path, actor=None)
    assert [(p.line, p.expected) for p in refused.value.problems] == [(2, earlier.format(2))]
    assert PaidImport.objects.count() == 1
    assert PaidLine.objects.count() == 2


def test_one_payment_twice_in_a_file_is_refused(tmp_path, world):
    text = PAID + "E101,2026-03,,50.00,USD,2026-04-15,PR-0415\n"
    with pytest.raises(PaidImportRefused) as refused:
        paid_import(write(tmp_path, text), actor=None)
    assert [(p.line, p.expected) for p in refused.value.problems] == [
        (
            4,
            "each payment once: line 2 has the same payee, period, component, amount, currency, "
            "paid_on and reference (give each payment its own reference)",
        )
    ]
    assert not PaidImport.objects.exists()
    # the same amount paid twice with its own reference is two payments
    paid_import(write(tmp_path, PAID + "E101,2026-03,,50.00,USD,2026-04-15,PR-0416\n"), actor=None)
    assert PaidLine.objects.count() == 3


def test_an_amount_with_separators_is_refused_saying_what_to_write(tmp_path, world):
    text = HEADER + (
        'E101,2026-03,,"0,500",USD,2026-04-15,PR-1\n'
        'E101,2026-03,,"1,500",USD,2026-04-15,PR-2\n'
        "E101,2026-03,,0.50,USD,2026-04-15,PR-3\n"
    )
    with pytest.raises(PaidImportRefused) as refused:
        paid_import(write(tmp_path, text), actor=None)
    assert [(p.line, p.value, p.expected) for p in refused.value.problems] == [
        (2, "0,500", f"write 0.50 or 500.00, {WITHOUT_SEPARATORS}"),
        (3, "1,500", f"write 1.50 or 1500.00, {WITHOUT_SEPARATORS}"),
    ]
    assert not PaidLine.objects.exists()


AMOUNT = "an amount such as 1234.56 or -50.00 (a point for decimals, at most 2 decimals)"
DATE = "a date written 2026-11-30 (year-month-day)"
WITHOUT_SEPARATORS = "without separators (a point for decimals, at most 2 decimals)"


def test_every_bad_cell_is_reported_and_nothing_is_loaded(tmp_path, world, capsys):
    bad = HEADER + (
        "E101,2026-03,,50.00,USD,2026-04-15,PR-1\n"
        'E999,2026-13,,"12,34",usd,15/04/2026,PR-2\n'
        "E102,2026-03,commission,1.234,XYZ,2026-02-30,PR-3\n"
        ",2026-03,,1.00,USD,2026-04-15,\n"
        'E101,2026-Q1,,"1,234.50",USD,2026-04-15,PR-4\n'
    )
    path = write(tmp_path, bad)
    with pytest.raises(PaidImportRefused) as refused:
        paid_import(path, actor=None)
    assert [(p.line, p.column, p.value, p.expected) for p in refused.value.problems] == [
        (3, "payee", "E999", "a payee code (employee number) Revdesk knows"),
        (3, "period", "2026-13", "a period such as 2026-10 (or 2026-Q4)"),
        (3, "amount", "12,34", f"write 12.34, {WITHOUT_SEPARATORS}"),
        (3, "paid_on", "15/04/2026", DATE),
        (4, "amount", "1.234", AMOUNT),
        (4, "currency", "XYZ", "a currency code such as USD or EUR"),
        (4, "paid_on", "2026-02-30", DATE),
        (5, "payee", "", "a payee code (employee number)"),
        (6, "amount", "1,234.50", f"write 1234.50, {WITHOUT_SEPARATORS}"),
    ]
    assert refused.value.problems[0].text("paid.csv") == (
        "paid.csv, line 3, column payee: 'E999': a payee code (employee number) Revdesk knows"
    )
    assert not PaidImport.objects.exists()
    assert not PaidLine.objects.exists()
    assert main(["commissions", "paid", "import", str(path)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "Nothing was loaded: 9 problem(s)." in out
    assert not PaidImport.objects.exists()


def test_a_missing_or_unknown_column_is_named(tmp_path, world):
    path = write(tmp_path, "payee,period,amount,currency,paid,note\nE101,2026-03,1.00,USD,x,y\n")
    with pytest.raises(PaidImportRefused) as refused:
        paid_import(path, actor=None)
    assert [problem.text("paid.csv") for problem in refused.value.problems] == [
        "paid.csv, line 1, column paid: 'paid': a column of a paid file: payee, period, "
        "component, amount, currency, paid_on, reference (component and reference may be left "
        "out)",
        "paid.csv, line 1, column note: 'note': a column of a paid file: payee, period, "
        "component, amount, currency, paid_on, reference (component and reference may be left "
        "out)",
        "paid.csv, line 1, column paid_on: a column named paid_on: it is missing",
    ]


def test_an_excel_file_with_dates_and_numbers(tmp_path, world, capsys):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["payee", "period", "amount", "currency", "paid_on"])
    sheet.append(["E101", "2026-03", 58.34, "USD", dt.datetime(2026, 4, 15)])
    sheet.append(["E102", "2026-03", 1234.5, "USD", dt.date(2026, 4, 15)])
    path = tmp_path / "paid.xlsx"
    workbook.save(path)
    assert main(["commissions", "paid", "import", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["lines"], out["totals"]) == (2, {"USD": "1292.84"})
    assert list(PaidLine.objects.values_list("amount", "paid_on")) == [
        (Decimal("58.34"), dt.date(2026, 4, 15)),
        (Decimal("1234.50"), dt.date(2026, 4, 15)),
    ]


def test_variances_to_the_cent_with_the_transactions_behind_them(run, tmp_path):
    paid_import(write(tmp_path, PAID), actor=None)
    result = reconcile(run, actor=None)
    assert figures(result) == [
        ("E101", "2026-03", "", Decimal("58.34"), Decimal("50.00"), Decimal("8.34")),
        ("E102", "2026-03", "commission", Decimal("37.00"), Decimal("36.99"), Decimal("0.01")),
        ("E101", "2026-04", "", Decimal("-50.00"), Decimal("0"), Decimal("-50.00")),
    ]
    east = result.comparisons[0]
    assert [line.transaction_id for line in east.lines] == ["INV-S/1", "INV-S/2", "INV-T/1"]
    assert sum(line.amount for line in east.lines) == Decimal("58.34")
    assert list(
        Variance.objects.order_by("period", "payee__code").values_list(
            "payee__code", "period", "component", "currency", "calculated", "paid"
        )
    ) == [
        ("E101", "2026-03", "", "USD", Decimal("58.34"), Decimal("50.00")),
        ("E102", "2026-03", "commission", "USD", Decimal("37.00"), Decimal("36.99")),
        ("E101", "2026-04", "", "USD", Decimal("-50.00"), Decimal("0.00")),
    ]
    assert result.totals() == {"USD": (Decimal("45.34"), Decimal("86.99"), Decimal("-41.65"))}


def test_reconciling_again_updates_never_duplicates(run, tmp_path):
    paid_import(write(tmp_path, PAID), actor=None)
    reconcile(run, actor=None)
    ids = sorted(Variance.objects.values_list("pk", flat=True))
    reconcile(run, actor=None)
    assert sorted(Variance.objects.values_list("pk", flat=True)) == ids
    # the missing cent is paid later: the variance is settled (same row, equal figures)
    paid_import(
        write(tmp_path, HEADER + "E102,2026-03,commission,0.01,USD,2026-05-15,PR-0515\n", "b.csv"),
        actor=None,
    )
    result = reconcile(run, actor=None)
    assert sorted(Variance.objects.values_list("pk", flat=True)) == ids
    west = Variance.objects.get(payee__code="E102")
    assert (west.calculated, west.paid) == (Decimal("37.00"), Decimal("37.00"))
    assert [row.component for row in result.variances] == ["", ""]


def test_one_case_per_variance_never_twice(run, tmp_path, world):
    paid_import(write(tmp_path, PAID), actor=None)
    opened = variance_cases_open(run, actor=world.users["analyst"])
    assert [(case.title, case.amount, case.currency, case.case_type.code) for case in opened] == [
        (
            "Commission variance E101 Erin East, 2026-03, total: calculated 58.34 USD, paid "
            "50.00 USD",
            Decimal("8.34"),
            "USD",
            "commission_inquiry",
        ),
        (
            "Commission variance E102 Wes West, 2026-03, commission: calculated 37.00 USD, paid "
            "36.99 USD",
            Decimal("0.01"),
            "USD",
            "commission_inquiry",
        ),
        (
            "Commission variance E101 Erin East, 2026-04, total: calculated -50.00 USD, paid "
            "0.00 USD",
            Decimal("-50.00"),
            "USD",
            "commission_inquiry",
        ),
    ]
    first = opened[0]
    assert first.payee == world.rep_east
    assert first.team.code == "commissions"
    assert list(
        CaseSubject.objects.filter(case=first).values_list("content_type", "object_id")
    ) == [(ContentType.objects.get_for_model(world.rep_east).pk, str(world.rep_east.pk))]
    assert "- INV-T/1: share 1, tier , rate 0.05, base 1000, amount 50 (earning)" in (
        first.description
    )
    assert variance_cases_open(run, actor=world.users["analyst"]) == []
    assert Case.objects.filter(case_type__code="commission_inquiry").count() == 3
    assert set(Variance.objects.values_list("case__number", flat=True)) == {
        case.number for case in opened
    }


def test_the_command_prints_and_opens_cases(run, tmp_path, capsys):
    paid_import(write(tmp_path, PAID), actor=None)
    assert main(["commissions", "reconcile", str(run.pk), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(r["payee"], r["period"], r["variance"], r["case"]) for r in out["rows"]] == [
        ("E101", "2026-03", "8.34", None),
        ("E102", "2026-03", "0.01", None),
        ("E101", "2026-04", "-50.00", None),
    ]
    assert [line["transaction_id"] for line in out["rows"][1]["lines"]] == ["INV-W/1"]
    assert main(["commissions", "reconcile", str(run.pk), "--open-cases"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Total USD: calculated 45.34, paid 86.99, variance -41.65" in out
    assert out.count("Opened CASE-") == 3
    assert main(["commissions", "reconcile", str(run.pk), "--open-cases"]) == 0
    assert "No new cases: every variance has its case already." in capsys.readouterr().out
    assert Variance.objects.filter(case__isnull=True).count() == 0


def test_nothing_paid_is_a_variance_of_every_payout(run):
    assert figures(reconciliation_build(run)) == [
        ("E101", "2026-03", "", Decimal("58.34"), Decimal("0"), Decimal("58.34")),
        ("E102", "2026-03", "", Decimal("37.00"), Decimal("0"), Decimal("37.00")),
        ("E101", "2026-04", "", Decimal("-50.00"), Decimal("0"), Decimal("-50.00")),
    ]
    assert not Variance.objects.exists()  # building the page writes nothing


def test_the_page_upload_and_cases_are_for_analysts(run, tmp_path, world, client):
    page = f"/commissions/runs/{run.pk}/reconciliation/"
    for username in ("rep", "manager", "collector"):
        signed_in(client, username)
        assert client.get(page).status_code == 404, username
        assert client.post(f"{page}cases/").status_code == 404, username
    signed_in(client, "analyst")
    assert client.get(page).status_code == 200
    with write(tmp_path, PAID).open("rb") as handle:
        response = client.post(f"{page}paid/", {"file": handle})
    assert response.status_code == 302
    assert Variance.objects.count() == 3
    with write(tmp_path, HEADER + "E101,2026-03,,five,USD,2026-04-15,\n", "bad.csv").open(
        "rb"
    ) as h:
        response = client.post(f"{page}paid/", {"file": h})
    assert response.status_code == 400
    assert b"bad.csv: nothing was loaded" in response.content
    assert PaidImport.objects.count() == 1
    response = client.post(f"{page}cases/")
    assert response.status_code == 302
    assert Variance.objects.filter(case__isnull=False).count() == 3


@pytest.fixture
def thirds(world):
    """An approved run of 2026-05 paying E101 1.00 USD: three components of 0.333 each and the
    0.001 rounding line a plan rounding its period total adds (as the engine stores them)."""
    run = CommissionRun.objects.create(
        periods="2026-05",
        period_first="2026-05",
        period_last="2026-05",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 5, 31),
        status=RunStatus.APPROVED,
        fingerprint="thirds",
        engine_version="test",
    )
    Payout.objects.create(
        run=run, payee=world.rep_east, period="2026-05", amount=Decimal("1.00"), currency="USD"
    )
    for component, amount, kind in (
        ("alpha", "0.333", "earning"),
        ("beta", "0.333", "earning"),
        ("gamma", "0.333", "earning"),
        ("rounding", "0.001", "rounding"),
    ):
        PayoutLine.objects.create(
            run=run,
            payee=world.rep_east,
            period="2026-05",
            transaction_id=f"INV-{component}" if kind == "earning" else "",
            component=component,
            amount=Decimal(amount),
            currency="USD",
            kind=kind,
        )
    return run


def paid_components(tmp_path, amounts, name="thirds.csv"):
    lines = "".join(
        f"E101,2026-05,{component},{amount},USD,2026-06-15,PR-{component}\n"
        for component, amount in zip(("alpha", "beta", "gamma"), amounts, strict=True)
    )
    return paid_import(write(tmp_path, HEADER + lines, name), actor=None)


@pytest.mark.parametrize("split", [("0.34", "0.33", "0.33"), ("0.33", "0.33", "0.34")])
def test_components_are_compared_at_the_payouts_precision(thirds, tmp_path, split):
    """Payroll paid the 1.00 payout as three components, the rounding cent on one of them:
    no variance (rounded one by one they were 0.33 each, and a cent looked missing)."""
    paid_components(tmp_path, split)
    result = reconcile(thirds, actor=None)
    assert figures(result) == [
        ("E101", "2026-05", name, Decimal(amount), Decimal(amount), Decimal("0.00"))
        for name, amount in zip(("alpha", "beta", "gamma"), split, strict=True)
    ]
    assert result.totals() == {"USD": (Decimal("1.00"), Decimal("1.00"), Decimal("0.00"))}
    assert not Variance.objects.exists()


def test_a_cent_really_short_of_the_payout_is_still_a_variance(thirds, tmp_path):
    paid_components(tmp_path, ("0.33", "0.33", "0.33"))
    result = reconcile(thirds, actor=None)
    # the cent goes to the largest remainder, ties by component name
    assert figures(result) == [
        ("E101", "2026-05", "alpha", Decimal("0.34"), Decimal("0.33"), Decimal("0.01")),
        ("E101", "2026-05", "beta", Decimal("0.33"), Decimal("0.33"), Decimal("0.00")),
        ("E101", "2026-05", "gamma", Decimal("0.33"), Decimal("0.33"), Decimal("0.00")),
    ]
    assert result.totals() == {"USD": (Decimal("1.00"), Decimal("0.99"), Decimal("0.01"))}
    assert list(Variance.objects.values_list("component", "calculated", "paid")) == [
        ("alpha", Decimal("0.34"), Decimal("0.33"))
    ]


def test_only_approved_and_paid_runs_are_reconciled(march, tmp_path, world, client, capsys):
    """A draft can be calculated again under the same number: no variances, no cases, and the
    page says why (the same for a reviewed run)."""
    paid_import(write(tmp_path, PAID), actor=None)
    run = run_create("2026-03..2026-04", actor=None)
    draft = (
        f"Run {run.pk} (2026-03..2026-04) is draft: only approved and paid runs are reconciled "
        "with what payroll paid, because until it is approved the run can still change; review "
        "it, then approve it first."
    )
    for attempt in (reconciliation_build, reconcile, variance_cases_open):
        with pytest.raises(ReconciliationRefused) as refused:
            attempt(run) if attempt is reconciliation_build else attempt(run, actor=None)
        assert str(refused.value) == draft
    assert main(["commissions", "reconcile", str(run.pk), "--open-cases", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "ok": False,
        "message": f"Nothing was reconciled: {draft}",
    }
    page = f"/commissions/runs/{run.pk}/reconciliation/"
    signed_in(client, "analyst")
    response = client.get(page)
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert draft in text
    assert "Upload and reconcile" not in text
    assert 'data-testid="reconciliation"' not in text
    with write(tmp_path, PAID.replace("PR-0415", "PR-0416"), "b.csv").open("rb") as handle:
        assert client.post(f"{page}paid/", {"file": handle}).status_code == 400
    assert client.post(f"{page}cases/").status_code == 400
    run_move(run, RunStatus.REVIEWED, actor=None)
    assert (
        "is reviewed: only approved and paid runs are reconciled with what payroll paid, "
        "because until it is approved the run can still change; approve it first."
        in " ".join(client.get(page).content.decode().split())
    )
    assert PaidImport.objects.count() == 1
    assert not Variance.objects.exists()
    assert not Case.objects.exists()
    run_move(run, RunStatus.APPROVED, actor=None)
    assert len(variance_cases_open(run, actor=None)) == 3


def test_upload_and_reconcile_are_one_step(run, tmp_path, world, client, monkeypatch):
    """When reconciling fails after the file was read, the file is not loaded either."""

    def broken(run, *, actor):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("revdesk.web.commission_document_views.reconcile", broken)
    signed_in(client, "analyst")
    with write(tmp_path, PAID).open("rb") as handle, pytest.raises(RuntimeError):
        client.post(f"/commissions/runs/{run.pk}/reconciliation/paid/", {"file": handle})
    assert not PaidImport.objects.exists()
    assert not PaidLine.objects.exists()


def test_a_windows_file_is_refused_saying_its_encoding_then_loads_with_it(tmp_path, world, capsys):
    path = tmp_path / "paid.csv"
    path.write_bytes((HEADER + "E101,2026-03,,50.00,USD,2026-04-15,Prämie März\n").encode("cp1252"))
    with pytest.raises(PaidImportRefused) as refused:
        paid_import(path, actor=None, name="Payroll März.csv")
    (problem,) = refused.value.problems
    assert problem.line is None
    assert problem.text("Payroll März.csv").startswith(
        "Payroll März.csv is not UTF-8: byte 0xE4 on line 2 is not valid UTF-8. "
        "It looks like cp1252"
    )
    assert PaidImport.objects.count() == 0
    assert main(["commissions", "paid", "import", str(path), "--encoding", "cp1252", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lines"] == 1
    assert list(PaidLine.objects.values_list("reference", flat=True)) == ["Prämie März"]


def test_a_workbook_is_read_from_its_paid_sheet_else_its_first(tmp_path, world):
    def book(name, sheets):
        workbook = Workbook()
        workbook.remove(workbook.active)
        for title, amount in sheets:
            sheet = workbook.create_sheet(title)
            sheet.append(["payee", "period", "amount", "currency", "paid_on"])
            sheet.append(["E101", "2026-03", amount, "USD", "2026-04-15"])
        workbook.save(tmp_path / name)
        return tmp_path / name

    named = paid_import(book("named.xlsx", [("notes", 1.0), ("paid", 58.34)]), actor=None)
    first = paid_import(book("first.xlsx", [("April", 12.5), ("notes", 99.0)]), actor=None)
    assert (named.totals, first.totals) == ({"USD": "58.34"}, {"USD": "12.50"})


def test_a_workbook_that_unpacks_to_far_more_than_a_sheet_is_refused(tmp_path, world, settings):
    settings.REVDESK_IMPORT_MAX_BYTES = 100  # so any workbook is a "zip bomb"
    workbook = Workbook()
    workbook.active.append(["payee", "period", "amount", "currency", "paid_on"])
    workbook.save(tmp_path / "paid.xlsx")
    with pytest.raises(PaidImportRefused) as refused:
        paid_import(tmp_path / "paid.xlsx", actor=None)
    assert "paid.xlsx expands to" in str(refused.value)
    assert "the limit is 2.0\xa0KB" in str(refused.value)
    assert PaidImport.objects.count() == 0
