"""The row-by-row reference reproduces every worked case of ../shared/examples/commissions to
the cent, from the same plan files as the engine: the repo's examples/commissions/<case>/."""

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from revdesk.engine.commission_inputs import inputs_read, period_parse
from revdesk.engine.reference import months_before, reference_calculate

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT.parent / "shared" / "examples" / "commissions"
NAMES = [
    "01-flat-rates-and-clawback",
    "02-tiers-retroactive-vs-incremental",
    "03-split-credit-policy-claim",
    "04-payable-on-payment",
    "05-cap-and-recoverable-draw",
    "06-margin-and-manager-override",
    "07-currencies-and-rounding",
]


def plans_folder(name: str) -> Path:
    return ROOT / "examples" / "commissions" / name


def months(first: str, last: str) -> list[str]:
    keys, (year, month) = [], (int(first[:4]), int(first[5:7]))
    while f"{year:04d}-{month:02d}" <= last:
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def case_run(name: str):
    folder = CASES / name
    assert folder.is_dir(), f"the worked cases are not beside the repository ({CASES})"
    optional = {
        key: folder / f"{key}.csv"
        for key in ("quotas", "payments", "fx", "payees", "credits", "claims")
        if (folder / f"{key}.csv").is_file()
    }
    inputs = inputs_read(
        plans=plans_folder(name), transactions=folder / "transactions.csv", **optional
    )
    expected = pacsv.read_csv(
        folder / "expected_payouts.csv",
        convert_options=pacsv.ConvertOptions(column_types={"amount": "string"}),
    ).to_pylist()
    periods = sorted({row["period"] for row in expected}, key=lambda p: period_parse(p)[1])
    result = reference_calculate(inputs, periods=months(periods[0], periods[-1]))
    return result, expected


@pytest.mark.parametrize("name", NAMES)
def test_reference_reproduces_the_worked_case(name):
    result, expected = case_run(name)
    got = [(r.payee, r.period, r.amount, r.currency) for r in result.payouts]
    want = [(r["payee"], r["period"], Decimal(r["amount"]), r["currency"]) for r in expected]
    assert got == want
    for row in result.payouts:
        assert row.amount == row.amount.quantize(Decimal("0.01"))


def test_incremental_and_retroactive_lines_explain_each_deal():
    """Case 02 states the explanation per transaction for both reps."""
    result, _ = case_run("02-tiers-retroactive-vs-incremental")
    per_deal = defaultdict(Decimal)
    slices = defaultdict(list)
    for line in result.lines:
        per_deal[line.transaction_id] += line.amount
        slices[line.transaction_id].append((line.base, line.rate, line.tier))
    assert {k: per_deal[k] for k in ("A1", "A2", "A3", "B1", "B2", "B3")} == {
        "A1": Decimal("5600.00"),
        "A2": Decimal("4000.00"),
        "A3": Decimal("3200.00"),
        "B1": Decimal("2800.00"),
        "B2": Decimal("2400.00"),
        "B3": Decimal("2600.00"),
    }
    assert slices["B2"] == [
        (Decimal("30000.00"), Decimal("0.04"), "1"),
        (Decimal("20000.00"), Decimal("0.06"), "2"),
    ]
    assert slices["B3"] == [
        (Decimal("30000.00"), Decimal("0.06"), "2"),
        (Decimal("10000.00"), Decimal("0.08"), "3"),
    ]


def test_claim_after_close_is_paid_as_adjustments_in_the_next_period():
    result, _ = case_run("03-split-credit-policy-claim")
    october = [line for line in result.lines if line.period == "2026-10"]
    assert {(line.payee, line.amount, line.kind) for line in october} == {
        ("A", Decimal("500.00"), "adjustment"),
        ("B", Decimal("-1000.00"), "adjustment"),
        ("C", Decimal("500.00"), "adjustment"),
    }


def test_a_single_period_run_pays_what_the_range_pays_for_it():
    """Earlier periods are worked out as closed history, not paid again."""
    name = "05-cap-and-recoverable-draw"
    folder = CASES / name
    assert folder.is_dir(), f"the worked cases are not beside the repository ({CASES})"
    inputs = inputs_read(plans=plans_folder(name), transactions=folder / "transactions.csv")
    april = reference_calculate(inputs, periods=["2026-04"]).payouts
    assert [(r.payee, r.period, r.amount) for r in april] == [("R1", "2026-04", Decimal("2000.00"))]
    february = reference_calculate(inputs, periods=["2026-02"]).payouts
    assert [r.amount for r in february] == [Decimal("2500.00")]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-11-15", 6, "2026-05-15"),
        ("2026-08-31", 6, "2026-02-28"),
        ("2026-03-31", 3, "2025-12-31"),
    ],
)
def test_clawback_window_counts_calendar_months(day, months, expected):
    import datetime as dt

    assert months_before(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)
