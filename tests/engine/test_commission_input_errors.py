"""What an analyst sees when a commission input file is wrong: the file they named, the line,
the column (for a plan file, the field) and what was expected, every problem at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revdesk.cli import main
from revdesk.engine.commission_inputs import InputError, inputs_read
from revdesk.engine.commissions import calculate

HEADER = "id,date,type,payee,customer,product_line,sku,units,amount,cost,currency\n"
GOOD_LINE = "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD\n"

PLAN = """\
code: p
name: P
valid_from: 2026-01-01
currency: USD
components:
  - code: c
    rate: "0.05"
"""


def _folder(tmp_path: Path, plan: str = PLAN, assignments: str = "R1,p,2026-01-01,\n") -> Path:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "plan.yaml").write_text(plan)
    (plans / "assignments.csv").write_text("payee,plan,valid_from,valid_to\n" + assignments)
    return plans


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _problems(**paths) -> list[tuple]:
    with pytest.raises(InputError) as caught:
        inputs_read(**paths)
    return caught.value.problems


# 1. plan files: the line of the YAML node, the field path and what it must be


TIERED = """\
code: p
name: P
valid_from: 2026-01-01
currency: USD
components:
  - code: c
    rate: "0.05"
  - code: t
    tiers:
      accumulate: yearly
      bands:
        - {upto: 1.0, rate: 0.04}
        - {rate: 0.06}
  - name: no code
    rate: "0.01"
"""


def test_a_plan_file_mistake_is_at_its_line_with_the_field_and_what_it_must_be(tmp_path):
    plans = _folder(tmp_path, TIERED)
    tx = _write(tmp_path, "tx.csv", HEADER + GOOD_LINE)
    assert _problems(plans=plans, transactions=tx) == [
        (
            "plan.yaml",
            10,
            "components.1.tiers.accumulate",
            "accumulate must be period or ytd, not 'yearly'",
        ),
        # a missing field: the first line of the entry that lacks it
        ("plan.yaml", 14, "components.2.code", "required: add 'code: ...' to components.2"),
    ]


def test_a_rule_of_the_plan_reads_without_pydantics_prefix(tmp_path):
    plans = _folder(tmp_path, PLAN + '    tiers: {bands: [{rate: "0.01"}]}\n')
    tx = _write(tmp_path, "tx.csv", HEADER + GOOD_LINE)
    assert _problems(plans=plans, transactions=tx) == [
        (
            "plan.yaml",
            6,
            "components.0",
            "component 'c' needs exactly one of rate, rates_by_product_line or tiers "
            "(it has rate, tiers)",
        )
    ]


def test_a_misspelt_plan_field_lists_the_fields_expected_there(tmp_path):
    plans = _folder(tmp_path, PLAN + "clawback: {window_month: 6}\n")
    tx = _write(tmp_path, "tx.csv", HEADER + GOOD_LINE)
    assert _problems(plans=plans, transactions=tx) == [
        (
            "plan.yaml",
            8,
            "clawback.window_months",
            "required: add 'window_months: ...' to clawback",
        ),
        (
            "plan.yaml",
            8,
            "clawback.window_month",
            "'window_month' is not a field of a clawback (check the spelling): "
            "expected one of window_months",
        ),
    ]


def test_a_policy_whose_shares_do_not_add_to_one_is_at_its_line(tmp_path):
    plans = _folder(tmp_path)
    (plans / "policies.yaml").write_text(
        "- code: P100\n"
        "  title: Split\n"
        "  splits: {specifying: 0.25, ordering: 0.5}\n"
        "- code: P200\n"
        "  title: Half\n"
        "  splits:\n"
        "    ordering: half\n"
    )
    tx = _write(tmp_path, "tx.csv", HEADER + GOOD_LINE)
    assert _problems(plans=plans, transactions=tx) == [
        ("policies.yaml", 3, "0.splits", "P100: the shares add to 0.75, not 1"),
        (
            "policies.yaml",
            7,
            "1.splits.ordering",
            "ordering must be a share such as 0.25, not 'half'",
        ),
    ]


# 2. a line with another number of columns than the header


def test_a_line_with_an_extra_column_is_named_by_its_physical_line(tmp_path):
    tx = _write(
        tmp_path,
        "tx.csv",
        HEADER
        + 'T1,2026-01-10,invoice,R1,"Acme\nWest",UPS,X,1,1000.00,0,USD\n'  # lines 2 and 3
        + "\n"  # a blank line: skipped
        + "T2,2026-01-11,invoice,R1,Acme, Inc,UPS,X,1,1000.00,0,USD\n"  # line 5
        + "T3,2026-01-12,invoice,R1,C,UPS,X,1,1000.00,USD\n",  # line 6
    )
    assert _problems(plans=_folder(tmp_path), transactions=tx) == [
        (
            "tx.csv",
            5,
            "",
            "expected 11 columns (the header's), found 12 "
            "(a value with a comma in it needs quotes)",
        ),
        ("tx.csv", 6, "", "expected 11 columns (the header's), found 10"),
    ]


def test_an_empty_file_a_semicolon_file_and_a_file_not_in_utf8(tmp_path):
    plans = _folder(tmp_path)
    empty = _write(tmp_path, "empty.csv", "")
    (problem,) = _problems(plans=plans, transactions=empty)
    assert problem == (
        "empty.csv",
        None,
        "",
        "the file is empty; expected a header line: id, date, type, payee, customer, "
        "product_line, sku, units, amount, cost, currency, original_id, segment, territory, "
        "mrr, tcv, eligible",
    )
    semicolons = _write(
        tmp_path, "semi.csv", HEADER.replace(",", ";") + GOOD_LINE.replace(",", ";")
    )
    assert _problems(plans=plans, transactions=semicolons) == [
        (
            "semi.csv",
            1,
            "",
            "the columns are separated by ';': expected commas "
            "(in Excel: Save As, 'CSV UTF-8 (Comma delimited)')",
        )
    ]
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + GOOD_LINE + GOOD_LINE.replace(",C,", ",Zoë,")).encode("latin-1"))
    assert _problems(plans=plans, transactions=latin) == [
        (
            "latin.csv",
            3,
            "customer",
            "not UTF-8 text (an accented letter saved in another encoding): "
            "save the file as 'CSV UTF-8'",
        )
    ]


# 3. the missing FX rate names the transactions file the user gave


def test_a_missing_fx_rate_names_the_users_files(tmp_path):
    tx = _write(tmp_path, "tx.csv", HEADER + GOOD_LINE + GOOD_LINE.replace("USD", "EUR"))
    rates = _write(tmp_path, "rates.csv", "period,from,to,rate\n2026-02,EUR,USD,1.10\n")
    inputs = inputs_read(plans=_folder(tmp_path), transactions=tx, fx=rates)
    with pytest.raises(InputError) as caught:
        calculate(inputs, periods=["2026-01"])
    assert caught.value.problems == [
        ("tx.csv", 3, "currency", "no FX rate from EUR to USD for 2026-01 (add it to rates.csv)")
    ]


# 4. every problem of every file in one report


def test_plan_files_and_input_files_are_reported_together(tmp_path):
    plans = _folder(
        tmp_path,
        PLAN.replace("valid_from: 2026-01-01", "valid_from: 2026-13-01"),
        assignments="R1,p,2026-01-01,\nR2,q,2026-01-01,\n",
    )
    tx = _write(
        tmp_path,
        "tx.csv",
        HEADER + GOOD_LINE + "T2,2026-01-11,sale,R1,C,UPS,X,1,1000.00,0,USD\n",
    )
    quotas = _write(tmp_path, "quotas.csv", "payee,period,amount\nR1,2026-01,50 000\n")
    assert _problems(plans=plans, transactions=tx, quotas=quotas) == [
        (
            "plan.yaml",
            3,
            "valid_from",
            "valid_from must be a date written YYYY-MM-DD, not '2026-13-01'",
        ),
        (
            "quotas.csv",
            2,
            "amount",
            "'50 000' is not a number such as 1234.50 (no thousands separators)",
        ),
        (
            "tx.csv",
            3,
            "type",
            "'sale' is not a transaction type: "
            "expected invoice, credit_memo, booking or disconnect",
        ),
        # the plan 'p' whose file has a problem is not reported again; 'q' has no file
        (
            "assignments.csv",
            3,
            "plan",
            "no plan file has code 'q' (the plan codes: none could be read)",
        ),
    ]


def test_a_missing_fx_rate_joins_the_report_when_other_problems_stop_the_run(tmp_path):
    tx = _write(tmp_path, "tx.csv", HEADER + GOOD_LINE.replace("USD", "EUR"))
    quotas = _write(tmp_path, "quotas.csv", "payee,period,amount\nR1,2026-13,100\n")
    assert _problems(plans=_folder(tmp_path), transactions=tx, quotas=quotas) == [
        (
            "quotas.csv",
            2,
            "period",
            "'2026-13' is not a period written YYYY-MM (or YYYY-Qn, YYYY)",
        ),
        (
            "tx.csv",
            2,
            "currency",
            "no FX rate from EUR to USD for 2026-01 "
            "(give the rates in a file with --fx: period,from,to,rate)",
        ),
    ]


# 5. an empty cell says what belongs there in the desk's words


def test_an_empty_cell_says_what_belongs_there(tmp_path):
    tx = _write(tmp_path, "tx.csv", HEADER + "T1,2026-01-10,invoice,,C,UPS,X,,1000.00,0,USD\n")
    credits = _write(tmp_path, "credits.csv", "transaction_id,payee,share\nT1,R1,\n")
    assert _problems(plans=_folder(tmp_path), transactions=tx, credits=credits) == [
        ("tx.csv", 2, "payee", "empty; expected a payee code (as in assignments.csv)"),
        ("tx.csv", 2, "units", "empty; expected the number of units, such as 2 (write 0 if none)"),
        (
            "credits.csv",
            2,
            "share",
            "empty; expected the payee's share of the transaction, such as 0.5",
        ),
    ]


# 6. payments naming no transaction: calculated as before, with a warning


def _payments_run(tmp_path, payments: str, *extra: str):
    plans = _folder(tmp_path, PLAN + "payable_on: payment\n")
    tx = _write(tmp_path, "tx.csv", HEADER + GOOD_LINE)
    paid = _write(tmp_path, "payments.csv", "invoice_id,date,amount\n" + payments)
    out = tmp_path / "out.csv"
    args = ["calc", "commissions", "--plans", str(plans), "--transactions", str(tx)]
    args += ["--payments", str(paid), "--period", "2026-01", "--out", str(out), *extra]
    return main(args), out


def test_payments_naming_no_transaction_are_a_warning_and_release_nothing(tmp_path, capsys):
    code, out = _payments_run(
        tmp_path,
        "T1,2026-01-20,500.00\nINV-7,2026-01-21,100.00\nT1,2026-01-22,500.00\nINV-9,2026-01-23,1.00\n",
    )
    assert code == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "Warning: payments.csv: 2 payments name no transaction in tx.csv "
        "(line 3: INV-7, line 5: INV-9); they release nothing"
    ]
    assert out.read_text() == "payee,period,amount,currency\nR1,2026-01,50.00,USD\n"


def test_many_unknown_payments_are_counted_after_the_first_five(tmp_path, capsys):
    payments = "".join(f"X{n},2026-01-20,1.00\n" for n in range(1, 8))
    code, _ = _payments_run(tmp_path, payments, "--json")
    assert code == 0
    captured = capsys.readouterr()
    warning = (
        "payments.csv: 7 payments name no transaction in tx.csv (line 2: X1, line 3: X2, "
        "line 4: X3, line 5: X4, line 6: X5 and 2 more); they release nothing"
    )
    assert captured.err.strip() == f"Warning: {warning}"
    assert json.loads(captured.out)["warnings"] == [warning]


def test_no_warning_when_every_payment_names_a_transaction(tmp_path, capsys):
    code, _ = _payments_run(tmp_path, "T1,2026-01-20,1000.00\n")
    assert code == 0
    assert capsys.readouterr().err == ""


# 7. the line is the physical line of the file: Arrow skips blank lines and reads a quoted
# value over several lines as one record, so the row number alone would be off


BLANK_AND_QUOTED = (
    GOOD_LINE  # line 2
    + "\n"  # line 3: blank, skipped
    + 'T2,2026-01-11,invoice,R1,"Acme\nWest",UPS,X,1,1000.00,0,USD\n'  # lines 4 and 5
)


def test_a_bad_date_after_a_blank_line_and_a_quoted_value_is_at_its_physical_line(tmp_path):
    tx = _write(
        tmp_path,
        "tx.csv",
        HEADER + BLANK_AND_QUOTED + "T3,2026-02-30,invoice,R1,C,UPS,X,1,1000.00,0,USD\n",
    )
    assert _problems(plans=_folder(tmp_path), transactions=tx) == [
        ("tx.csv", 6, "date", "'2026-02-30' is not a date written YYYY-MM-DD")
    ]


def test_a_bad_transaction_type_after_a_blank_line_and_a_quoted_value(tmp_path):
    tx = _write(
        tmp_path,
        "tx.csv",
        HEADER + BLANK_AND_QUOTED + "T3,2026-01-12,sale,R1,C,UPS,X,1,1000.00,0,USD\n",
    )
    assert _problems(plans=_folder(tmp_path), transactions=tx) == [
        (
            "tx.csv",
            6,
            "type",
            "'sale' is not a transaction type: "
            "expected invoice, credit_memo, booking or disconnect",
        )
    ]


def test_an_assignment_to_an_unknown_plan_after_a_blank_line(tmp_path):
    plans = _folder(tmp_path, assignments="R1,p,2026-01-01,\n\nR2,q,2026-01-01,\n")
    tx = _write(tmp_path, "tx.csv", HEADER + GOOD_LINE)
    assert _problems(plans=plans, transactions=tx) == [
        ("assignments.csv", 4, "plan", "no plan file has code 'q' (the plan codes: p)")
    ]


def test_a_missing_fx_rate_after_a_blank_line(tmp_path):
    tx = _write(tmp_path, "tx.csv", HEADER + GOOD_LINE + "\n" + GOOD_LINE.replace("USD", "EUR"))
    rates = _write(tmp_path, "rates.csv", "period,from,to,rate\n2026-02,EUR,USD,1.10\n")
    inputs = inputs_read(plans=_folder(tmp_path), transactions=tx, fx=rates)
    with pytest.raises(InputError) as caught:
        calculate(inputs, periods=["2026-01"])
    assert caught.value.problems == [
        ("tx.csv", 4, "currency", "no FX rate from EUR to USD for 2026-01 (add it to rates.csv)")
    ]


def test_a_payment_naming_no_transaction_after_a_blank_line(tmp_path, capsys):
    code, _ = _payments_run(tmp_path, "T1,2026-01-20,500.00\n\nINV-7,2026-01-21,100.00\n")
    assert code == 0
    assert capsys.readouterr().err.splitlines() == [
        "Warning: payments.csv: 1 payment names no transaction in tx.csv "
        "(line 4: INV-7); they release nothing"
    ]


def test_a_parquet_file_has_no_lines_so_a_problem_is_at_its_row(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    names, good = HEADER.strip().split(","), GOOD_LINE.strip().split(",")
    rows = [good, ["T2", "2026-02-30", *good[2:]]]
    tx = tmp_path / "tx.parquet"
    pq.write_table(pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows]), tx)
    assert _problems(plans=_folder(tmp_path), transactions=tx) == [
        ("tx.parquet", "row 2", "date", "'2026-02-30' is not a date written YYYY-MM-DD")
    ]
