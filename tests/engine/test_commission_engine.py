"""Edge cases of the commission engine, each from files written in the documented format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from revdesk.cli import main
from revdesk.engine.commission_inputs import InputError, inputs_read
from revdesk.engine.commissions import calculate, periods_expand

HEADER = "id,date,type,payee,customer,product_line,sku,units,amount,cost,currency,original_id\n"
D = Decimal


def _case(tmp_path: Path, plan: str, transactions: str, assignments: str = "", **files):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "plan.yaml").write_text(plan)
    (plans / "assignments.csv").write_text(
        "payee,plan,valid_from,valid_to\n" + (assignments or "R1,p,2026-01-01,\n")
    )
    (tmp_path / "transactions.csv").write_text(HEADER + transactions)
    paths = {"transactions": tmp_path / "transactions.csv"}
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text)
        paths[name] = tmp_path / f"{name}.csv"
    return plans, paths


def _calc(tmp_path, plan, transactions, period, **files):
    plans, paths = _case(tmp_path, plan, transactions, **files)
    return calculate(inputs_read(plans=plans, **paths), periods=periods_expand(period))


def _payouts(result):
    return [(r["payee"], r["period"], r["amount"]) for r in result.payouts.to_pylist()]


FLAT = """code: p
name: P
valid_from: 2026-01-01
currency: USD
components:
  - code: c
    rate: "0.05"
"""


def test_a_tier_boundary_inside_one_transaction_splits_it_exactly(tmp_path):
    plan = """code: p
name: P
valid_from: 2026-01-01
currency: USD
components:
  - code: c
    tiers:
      measure: basis
      method: incremental
      bands: [{upto: "1000", rate: "0.01"}, {rate: "0.10"}]
"""
    result = _calc(
        tmp_path,
        plan,
        "T1,2026-05-02,invoice,R1,C,UPS,X,1,600.00,0,USD,\n"
        "T2,2026-05-03,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n",
        "2026-05",
    )
    got = [
        (r["transaction_id"], r["tier"], r["base"], r["amount"]) for r in result.lines.to_pylist()
    ]
    assert got == [
        ("T1", 1, D(600), D(6)),
        ("T2", 1, D(400), D(4)),
        ("T2", 2, D(600), D(60)),
    ]
    assert _payouts(result) == [("R1", "2026-05", D(70))]


def test_retroactive_tier_boundary_is_inclusive(tmp_path):
    plan = """code: p
name: P
valid_from: 2026-01-01
currency: USD
quota: "1000"
components:
  - code: c
    tiers:
      bands: [{upto: "1.00", rate: "0.01"}, {rate: "0.10"}]
"""
    result = _calc(tmp_path, plan, "T1,2026-05-02,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n", "2026-05")
    assert _payouts(result) == [("R1", "2026-05", D(10))]


def test_half_up_away_from_zero_on_both_signs(tmp_path):
    plan = FLAT.replace('"0.05"', '"0.5"')
    result = _calc(
        tmp_path,
        plan,
        "T1,2026-05-02,invoice,R1,C,UPS,X,1,1.01,0,USD,\n"
        "T2,2026-06-02,credit_memo,R1,C,UPS,X,1,-1.01,0,USD,\n",
        "2026-05..2026-06",
    )
    assert _payouts(result) == [("R1", "2026-05", D("0.51")), ("R1", "2026-06", D("-0.51"))]


def test_a_credit_memo_without_a_clawback_section_counts_at_the_normal_rate(tmp_path):
    result = _calc(
        tmp_path,
        FLAT,
        "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-12-10,credit_memo,R1,C,UPS,X,-1,-1000.00,0,USD,T1\n",
        "2026-01..2026-12",
    )
    assert _payouts(result) == [("R1", "2026-01", D(50)), ("R1", "2026-12", D(-50))]


def test_an_empty_period_has_no_rows(tmp_path):
    result = _calc(tmp_path, FLAT, "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n", "2026-03")
    assert result.payouts.num_rows == 0
    assert result.lines.num_rows == 0
    assert result.payouts.column_names == ["payee", "period", "amount", "currency"]


def test_transactions_after_the_range_are_not_calculated(tmp_path):
    result = _calc(
        tmp_path,
        FLAT,
        "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-02-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n",
        "2026-01",
    )
    assert _payouts(result) == [("R1", "2026-01", D(50))]


def test_spif_per_unit_and_bonus_at_attainment(tmp_path):
    plan = """code: p
name: P
valid_from: 2026-01-01
currency: USD
quota: "1000"
components:
  - code: c
    rate: "0.01"
spifs:
  - {code: gxt-spif, per: unit, amount: "5", filter: {skus: [GXT]}}
bonuses:
  - {code: club, attainment_at_least: "1.00", amount: "100"}
"""
    result = _calc(
        tmp_path,
        plan,
        "T1,2026-05-02,invoice,R1,C,UPS,GXT,3,600.00,0,USD,\n"
        "T2,2026-05-03,invoice,R1,C,UPS,OTHER,1,400.00,0,USD,\n"
        "T3,2026-06-03,invoice,R1,C,UPS,OTHER,1,400.00,0,USD,\n",
        "2026-05..2026-06",
    )
    kinds = [(r["period"], r["kind"], r["amount"]) for r in result.lines.to_pylist()]
    assert ("2026-05", "spif", D(15)) in kinds
    assert ("2026-05", "bonus", D(100)) in kinds
    assert not any(k == "bonus" for p, k, _ in kinds if p == "2026-06")
    assert _payouts(result) == [("R1", "2026-05", D(125)), ("R1", "2026-06", D(4))]


def test_a_non_recoverable_draw_tops_up_and_owes_nothing(tmp_path):
    plan = FLAT + 'draw: {amount: "100", recoverable: false}\n'
    result = _calc(
        tmp_path,
        plan,
        "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-02-10,invoice,R1,C,UPS,X,1,4000.00,0,USD,\n",
        "2026-01..2026-02",
    )
    assert _payouts(result) == [("R1", "2026-01", D(100)), ("R1", "2026-02", D(200))]


def test_a_plan_version_in_force_on_the_transaction_date(tmp_path):
    plans, paths = _case(
        tmp_path,
        FLAT.replace("valid_from: 2026-01-01", "valid_from: 2026-01-01\nvalid_to: 2026-05-15"),
        "T1,2026-05-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-05-20,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n",
    )
    (plans / "plan-v2.yaml").write_text(
        FLAT.replace("version: 1", "")
        .replace("valid_from: 2026-01-01", "version: 2\nvalid_from: 2026-05-16")
        .replace('"0.05"', '"0.10"')
    )
    result = calculate(inputs_read(plans=plans, **paths), periods=["2026-05"])
    got = {r["transaction_id"]: r["rate"] for r in result.lines.to_pylist()}
    assert got == {"T1": D("0.05"), "T2": D("0.10")}


def test_a_missing_fx_rate_is_reported_with_the_line(tmp_path):
    with pytest.raises(InputError) as caught:
        _calc(tmp_path, FLAT, "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,EUR,\n", "2026-01")
    ((file, line, column, message),) = caught.value.problems
    assert (file, line, column) == ("transactions.csv", 2, "currency")
    assert message == (
        "no FX rate from EUR to USD for 2026-01 "
        "(give the rates in a file with --fx: period,from,to,rate)"
    )


def test_only_the_lines_whose_month_has_no_rate_are_reported(tmp_path):
    transactions = (
        "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-01-12,invoice,R1,C,UPS,X,1,1000.00,0,EUR,\n"
        "T3,2026-02-03,invoice,R1,C,UPS,X,1,500.00,0,EUR,\n"
        "T4,2026-02-04,invoice,R2,C,UPS,X,1,500.00,0,GBP,\n"  # R2 has no plan: no rate needed
        "T5,2026-03-09,invoice,R1,C,UPS,X,1,500.00,0,GBP,\n"
    )
    fx = "period,from,to,rate\n2026-01,EUR,USD,1.10\n2026-03,EUR,USD,1.12\n"
    with pytest.raises(InputError) as caught:
        _calc(tmp_path, FLAT, transactions, "2026-01..2026-03", fx=fx)
    assert caught.value.problems == [
        (
            "transactions.csv",
            4,
            "currency",
            "no FX rate from EUR to USD for 2026-02 (add it to fx.csv)",
        ),
        (
            "transactions.csv",
            6,
            "currency",
            "no FX rate from GBP to USD for 2026-03 (add it to fx.csv)",
        ),
    ]


def test_bad_input_exits_1_listing_every_problem(tmp_path, capsys):
    plans, paths = _case(
        tmp_path,
        FLAT,
        "T1,2026-13-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-01-10,invoice,R1,C,UPS,X,1,1 000,0,USD,\n",
    )
    code = main(
        [
            "calc",
            "commissions",
            "--plans",
            str(plans),
            "--transactions",
            str(paths["transactions"]),
            "--period",
            "2026-01",
            "--out",
            str(tmp_path / "out.csv"),
            "--json",
        ]
    )
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    got = [(p["file"], p["line"], p["column"]) for p in report["problems"]]
    assert got == [("transactions.csv", 2, "date"), ("transactions.csv", 3, "amount")]
    assert "YYYY-MM-DD" in report["problems"][0]["message"]
    assert not (tmp_path / "out.csv").exists()


def test_a_bad_plan_names_the_file_and_field(tmp_path):
    plans, paths = _case(tmp_path, FLAT.replace('rate: "0.05"', 'rate: "five"'), "")
    with pytest.raises(InputError) as caught:
        inputs_read(plans=plans, **paths)
    assert caught.value.problems == [
        (
            "plan.yaml",
            7,
            "components.0.rate",
            "rate must be a number such as 0.05 or 1500.00, not 'five'",
        )
    ]


def test_parquet_out_and_json_summary(tmp_path, capsys):
    plans, paths = _case(tmp_path, FLAT, "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n")
    out = tmp_path / "out.parquet"
    args = ["calc", "commissions", "--plans", str(plans), "--transactions"]
    assert (
        main(
            [
                *args,
                str(paths["transactions"]),
                "--period",
                "2026-01..2026-02",
                "--out",
                str(out),
                "--json",
            ]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["totals"] == {"USD": "50.00"}
    assert summary["periods"] == ["2026-01", "2026-02"]
    assert (summary["explain"], summary["lines"]) == (None, None)  # not gathered unasked
    import pyarrow.parquet as pq

    assert pq.read_table(out).to_pylist() == [
        {"payee": "R1", "period": "2026-01", "amount": D("50.00"), "currency": "USD"}
    ]


def test_payouts_alone_are_the_same_payouts_without_the_lines(tmp_path):
    plan = CLAWBACK.replace(
        "components:", 'draw:\n  amount: "100.00"\n  recoverable: true\ncomponents:'
    )
    plans, paths = _case(
        tmp_path,
        plan,
        "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-02-10,invoice,R1,C,UPS,X,1,3000.00,0,USD,\n"
        "T3,2026-03-02,credit_memo,R1,C,UPS,X,1,-1000.00,0,USD,T1\n",
    )
    inputs = inputs_read(plans=plans, **paths)
    periods = periods_expand("2026-01..2026-03")
    full = calculate(inputs, periods=periods)
    alone = calculate(inputs, periods=periods, explain=False)
    assert alone.lines is None
    assert alone.payouts.equals(full.payouts)
    assert alone.fingerprint == full.fingerprint
    assert _payouts(alone) == [
        ("R1", "2026-01", D("100.00")),  # earned 50.00, topped up by a 50.00 draw
        ("R1", "2026-02", D("100.00")),  # earned 150.00, 50.00 of it repays the draw
        ("R1", "2026-03", D("100.00")),  # -50.00 clawback, topped up by 150.00
    ]
    assert [line["kind"] for line in full.lines.to_pylist() if line["period"] == "2026-01"] == [
        "earning",
        "draw",
    ]


def test_period_ranges():
    assert periods_expand("2026-11..2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert periods_expand("2026-Q3..2026-Q4") == ["2026-Q3", "2026-Q4"]
    with pytest.raises(ValueError, match="ends before it starts"):
        periods_expand("2026-05..2026-01")


CLAWBACK = FLAT.replace("components:", "clawback:\n  window_months: 3\ncomponents:")


def test_a_half_cent_rounds_up_away_from_zero_next_to_a_clawback(tmp_path):
    # the clawback's pro-rata share once made every line a DOUBLE, rounding 215.355 down
    plan = CLAWBACK.replace('"0.05"', '"0.035"').replace(
        "currency: USD", "currency: USD\nrounding: line"
    )
    result = _calc(
        tmp_path,
        plan,
        "T1,2026-05-02,invoice,R1,C,UPS,X,1,6153.00,0,USD,\n"
        "T2,2026-06-02,invoice,R1,C,UPS,X,1,8000.00,0,USD,\n"
        "T3,2026-06-20,credit_memo,R1,C,UPS,X,0,-4136.71,0,USD,T2\n",
        "2026-05..2026-06",
    )
    amounts = {r["transaction_id"]: r["amount"] for r in result.lines.to_pylist()}
    assert amounts["T1"] == D("215.36")
    assert amounts["T3"] == D("-144.78")  # -144.78485
    assert _payouts(result) == [("R1", "2026-05", D("215.36")), ("R1", "2026-06", D("135.22"))]


def test_a_clawback_takes_the_rate_of_the_originals_plan_version(tmp_path):
    plans, paths = _case(
        tmp_path,
        CLAWBACK.replace("valid_from: 2026-01-01", "valid_from: 2026-01-01\nvalid_to: 2026-06-30"),
        "T1,2026-06-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-08-10,credit_memo,R1,C,UPS,X,-1,-1000.00,0,USD,T1\n",
    )
    (plans / "plan-v2.yaml").write_text(
        CLAWBACK.replace("valid_from: 2026-01-01", "version: 2\nvalid_from: 2026-07-01").replace(
            '"0.05"', '"0.10"'
        )
    )
    result = calculate(
        inputs_read(plans=plans, **paths), periods=periods_expand("2026-06..2026-08")
    )
    (line,) = [r for r in result.lines.to_pylist() if r["transaction_id"] == "T2"]
    assert (line["kind"], line["rate"], line["amount"]) == ("clawback", D("0.05"), D(-50))


SPIF = (
    CLAWBACK
    + """spifs:
  - code: deal
    per: deal
    amount: "100"
"""
)


def test_a_per_deal_spif_goes_back_only_with_the_whole_deal_inside_the_window(tmp_path):
    result = _calc(
        tmp_path,
        SPIF,
        "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-01-11,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T3,2026-01-12,invoice,R1,C,UPS,X,1,1000.00,0,USD,\n"
        "T4,2026-02-10,credit_memo,R1,C,UPS,X,0,-500.00,0,USD,T1\n"
        "T5,2026-02-11,credit_memo,R1,C,UPS,X,-1,-1000.00,0,USD,T2\n"
        "T6,2026-12-12,credit_memo,R1,C,UPS,X,-1,-1000.00,0,USD,T3\n",
        "2026-01..2026-12",
    )
    spifs = {
        r["transaction_id"]: r["amount"] for r in result.lines.to_pylist() if r["kind"] == "spif"
    }
    assert spifs == {"T1": D(100), "T2": D(100), "T3": D(100), "T5": D(-100), "T6": D(0)}


def test_the_reversal_of_an_ineligible_invoice_is_ineligible_too(tmp_path):
    header = HEADER.strip() + ",eligible\n"
    plans, paths = _case(tmp_path, CLAWBACK, "")
    paths["transactions"].write_text(
        header + "T1,2026-01-10,invoice,R1,C,UPS,X,1,1000.00,0,USD,,false\n"
        "T2,2026-01-11,invoice,R1,C,UPS,X,1,1000.00,0,USD,,\n"
        "T3,2026-02-10,credit_memo,R1,C,UPS,X,-1,-1000.00,0,USD,T1,\n"
    )
    result = calculate(
        inputs_read(plans=plans, **paths), periods=periods_expand("2026-01..2026-02")
    )
    assert _payouts(result) == [("R1", "2026-01", D(50))]
    assert {r["transaction_id"] for r in result.lines.to_pylist()} == {"T2"}


def test_payment_factors_are_exact_to_twelve_places_half_away_from_zero():
    """A payment's share of its invoice, worked out in 128-bit millionths: thirds and
    sevenths to 12 places half away from zero, exactly 1 once paid in full, refunds negative,
    payments after the window or on unknown or zero invoices left out."""
    import datetime as dt

    import pyarrow as pa

    from revdesk.engine.commission_inputs import DECIMAL
    from revdesk.engine.commissions import _payment_factors

    tx = pa.table(
        {
            "id": ["I1", "I2", "I3", "I0", "I4"],
            "amount": pa.array(
                [D("300.000000"), D("7.000000"), D("-90.000000"), D(0), D(7)], DECIMAL
            ),
        }
    )
    pay = pa.table(
        {
            "invoice_id": ["I1", "I1", "I1", "I2", "I2", "I3", "I0", "I9", "I1", "I4"],
            "date": [dt.date(2026, m, d) for m, d in [(1, 5), (2, 5), (3, 5), (1, 9), (1, 9)]]
            + [dt.date(2026, 2, 1), dt.date(2026, 1, 1), dt.date(2026, 1, 1), dt.date(2027, 1, 1)]
            + [dt.date(2026, 4, 1)],
            "amount": pa.array(
                [D(100), D(100), D(100), D(3), D(1), D(-30), D(5), D(5), D(1), D(-4)], DECIMAL
            ),
        }
    )
    rows = [
        (r["p_id"], r["p_date"].isoformat(), str(r["p_previous"]), str(r["p_factor"]))
        for r in _payment_factors(tx, pay, dt.date(2026, 12, 31)).to_pylist()
    ]
    assert rows == [
        ("I1", "2026-01-05", "0E-12", "0.333333333333"),
        ("I1", "2026-02-05", "0.333333333333", "0.666666666667"),
        ("I1", "2026-03-05", "0.666666666667", "1.000000000000"),
        ("I2", "2026-01-09", "0E-12", "0.142857142857"),
        ("I2", "2026-01-09", "0.142857142857", "0.571428571429"),
        ("I3", "2026-02-01", "0E-12", "0.333333333333"),
        ("I4", "2026-04-01", "0E-12", "-0.571428571429"),  # -0.5714285714285..., away from 0
    ]
