"""The worked commission cases of ../shared/examples/commissions, run in file mode.

Each case's plan lives in examples/commissions/NN-*/ (plan files, assignments.csv and, where
needed, policies.yaml); its inputs and expected payouts stay in the shared folder. Every payout
must match expected_payouts.csv to the cent, in the same row order, through the Python API, and
through `revdesk calc commissions` for every case as well.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from revdesk.cli import main
from revdesk.engine.commission_inputs import inputs_read
from revdesk.engine.commissions import calculate, periods_expand

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "examples" / "commissions"
SHARED = ROOT.parent / "shared" / "examples" / "commissions"
INPUTS = ("quotas", "payments", "fx", "payees", "credits", "claims")

CASES = {
    "01-flat-rates-and-clawback": "2026-03..2026-11",
    "02-tiers-retroactive-vs-incremental": "2026-10",
    "03-split-credit-policy-claim": "2026-09..2026-10",
    "04-payable-on-payment": "2026-09..2026-11",
    "05-cap-and-recoverable-draw": "2026-01..2026-04",
    "06-margin-and-manager-override": "2026-10",
    "07-currencies-and-rounding": "2026-10",
}

# The worked cases live beside the repository (../shared), for developers and CI alike: a
# missing folder is a broken checkout, never a reason to skip the acceptance tests.
assert SHARED.is_dir(), f"the shared worked cases are not beside the repository: {SHARED}"


def _files(case: str) -> dict[str, Path]:
    files = {"transactions": SHARED / case / "transactions.csv"}
    for name in INPUTS:
        path = SHARED / case / f"{name}.csv"
        if path.is_file():
            files[name] = path
    return files


def _expected(case: str) -> list[dict[str, str]]:
    with (SHARED / case / "expected_payouts.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _run(case: str, period: str | None = None):
    inputs = inputs_read(plans=PLANS / case, **_files(case))
    return calculate(inputs, periods=periods_expand(period or CASES[case]))


def _lines(result, payee: str, **match) -> list[dict]:
    return [
        row
        for row in result.lines.to_pylist()
        if row["payee"] == payee and all(row[k] == v for k, v in match.items())
    ]


@pytest.mark.parametrize("case", sorted(CASES))
def test_payouts_match_the_expected_to_the_cent(case):
    result = _run(case)
    got = [
        {
            "payee": row["payee"],
            "period": row["period"],
            "amount": format(row["amount"], "f"),
            "currency": row["currency"],
        }
        for row in result.payouts.to_pylist()
    ]
    assert got == _expected(case)


@pytest.mark.parametrize("case", sorted(CASES))
def test_explanation_lines_add_up_to_each_payout(case):
    result = _run(case)
    totals: dict[tuple[str, str], Decimal] = {}
    for row in result.lines.to_pylist():
        key = (row["payee"], row["period"])
        totals[key] = totals.get(key, Decimal(0)) + row["amount"]
    for row in result.payouts.to_pylist():
        assert totals.get((row["payee"], row["period"]), Decimal(0)) == row["amount"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_command_writes_the_expected_file(case, tmp_path, capsys):
    out = tmp_path / "payouts.csv"
    explain = tmp_path / "lines.csv"
    args = ["calc", "commissions", "--plans", str(PLANS / case), "--period", CASES[case]]
    for name, path in _files(case).items():
        args += [f"--{name}", str(path)]
    assert main([*args, "--out", str(out), "--explain", str(explain)]) == 0
    assert (
        out.read_text() == (SHARED / case / "expected_payouts.csv").read_text().rstrip("\n") + "\n"
    )
    assert explain.read_text().startswith(
        "payee,period,transaction_id,credit_share,component,tier,rate,base,amount,currency,kind,"
        "note\n"
    )
    with explain.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    assert all(row["note"] for row in rows)  # every line says itself in words


def test_rerun_gives_identical_results_and_fingerprint():
    first, second = _run("03-split-credit-policy-claim"), _run("03-split-credit-policy-claim")
    assert first.payouts.equals(second.payouts)
    assert first.lines.equals(second.lines)
    assert first.fingerprint == second.fingerprint
    assert len(first.fingerprint) == 64
    assert first.fingerprint != _run("01-flat-rates-and-clawback").fingerprint


def test_01_clawback_inside_the_window_at_the_original_rate_and_none_outside():
    result = _run("01-flat-rates-and-clawback")
    (t3,) = _lines(result, "R1", transaction_id="T3")
    assert (t3["kind"], t3["rate"], t3["amount"]) == ("clawback", Decimal("0.05"), Decimal(-100))
    (t6,) = _lines(result, "R1", transaction_id="T6")
    assert (t6["kind"], t6["period"], t6["amount"]) == ("clawback", "2026-11", Decimal(0))
    assert _lines(result, "R1", transaction_id="T4") == []  # Rack earns nothing


def test_02_incremental_tiers_per_transaction_for_b():
    result = _run("02-tiers-retroactive-vs-incremental")
    slices = {
        tid: [
            (row["base"], row["rate"], row["amount"])
            for row in _lines(result, "B", transaction_id=tid)
        ]
        for tid in ("B1", "B2", "B3")
    }
    D = Decimal
    assert slices == {
        "B1": [(D("70000"), D("0.04"), D("2800"))],
        "B2": [(D("30000"), D("0.04"), D("1200")), (D("20000"), D("0.06"), D("1200"))],
        "B3": [(D("30000"), D("0.06"), D("1800")), (D("10000"), D("0.08"), D("800"))],
    }
    per_deal = {tid: sum(s[2] for s in parts) for tid, parts in slices.items()}
    assert per_deal == {"B1": D("2800"), "B2": D("2400"), "B3": D("2600")}


def test_02_retroactive_tiers_every_deal_at_the_reached_rate_for_a():
    result = _run("02-tiers-retroactive-vs-incremental")
    got = {row["transaction_id"]: (row["tier"], row["amount"]) for row in _lines(result, "A")}
    assert got == {
        "A1": (3, Decimal("5600")),
        "A2": (3, Decimal("4000")),
        "A3": (3, Decimal("3200")),
    }


def test_03_the_closed_period_stays_and_october_pays_adjustments():
    result = _run("03-split-credit-policy-claim")
    september = [row for row in result.lines.to_pylist() if row["period"] == "2026-09"]
    assert [(r["payee"], r["amount"], r["kind"]) for r in september] == [
        ("B", Decimal(2000), "earning")
    ]
    october = {
        r["payee"]: (r["credit_share"], r["amount"], r["kind"])
        for r in result.lines.to_pylist()
        if r["period"] == "2026-10"
    }
    assert october == {
        "A": (Decimal("0.25"), Decimal(500), "adjustment"),
        "B": (Decimal("-0.5"), Decimal(-1000), "adjustment"),  # credit 1 -> 0.5
        "C": (Decimal("0.25"), Decimal(500), "adjustment"),
    }


def test_03_october_alone_counts_september_as_closed():
    result = _run("03-split-credit-policy-claim", "2026-10")
    got = [(r["payee"], r["period"], r["amount"]) for r in result.payouts.to_pylist()]
    assert got == [
        ("A", "2026-10", Decimal(500)),
        ("B", "2026-10", Decimal(-1000)),
        ("C", "2026-10", Decimal(500)),
    ]


def test_04_commission_released_as_the_invoice_is_paid():
    result = _run("04-payable-on-payment")
    got = [(r["period"], r["transaction_id"], r["amount"]) for r in result.lines.to_pylist()]
    assert got == [
        ("2026-10", "I1", Decimal(240)),
        ("2026-10", "I2", Decimal(150)),
        ("2026-11", "I1", Decimal(360)),
    ]


def test_05_cap_then_draw_and_recovery():
    result = _run("05-cap-and-recoverable-draw")
    got = [
        (r["period"], r["kind"], r["amount"])
        for r in result.lines.to_pylist()
        if r["kind"] in ("cap", "draw", "recovery")
    ]
    assert got == [
        ("2026-01", "draw", Decimal(500)),
        ("2026-02", "recovery", Decimal(-500)),
        ("2026-03", "cap", Decimal(-1200)),
        ("2026-04", "draw", Decimal(2000)),
    ]


def test_06_override_on_the_team_amount():
    result = _run("06-margin-and-manager-override")
    got = [(r["transaction_id"], r["base"], r["amount"]) for r in _lines(result, "M")]
    assert got == [("G1", Decimal(100000), Decimal(1000)), ("G2", Decimal(50000), Decimal(500))]


def test_07_fx_before_the_rate_and_rounding_where_the_plan_says():
    result = _run("07-currencies-and-rounding")
    r1 = {r["transaction_id"]: (r["base"], r["amount"]) for r in _lines(result, "R1")}
    assert r1 == {
        "X1": (Decimal("10850"), Decimal("542.5")),
        "X2": (Decimal("6350"), Decimal("317.5")),
        "X3": (Decimal("1000"), Decimal("50")),
    }
    assert [r["amount"] for r in _lines(result, "R3")] == [Decimal("0.51")] * 3
    r2 = _lines(result, "R2")
    assert [r["amount"] for r in r2 if r["kind"] == "earning"] == [Decimal("0.505")] * 3
    assert [(r["kind"], r["amount"]) for r in r2 if r["kind"] != "earning"] == [
        ("rounding", Decimal("0.005"))
    ]
