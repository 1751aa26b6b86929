"""The cash-application metrics (engine.cashmatch_metrics) on a hand-made truth, every figure
worked out by hand; and the generator, the engine and the scorer together on a small set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from revdesk.engine.cashmatch import (
    APPLICATIONS_SCHEMA,
    RECEIPTS_SCHEMA,
    SUGGESTIONS_SCHEMA,
    UNAPPLIED_SCHEMA,
    MatchResult,
    MatchSettings,
    match,
)
from revdesk.engine.cashmatch_generate import APPLIED_KINDS, MIX, TRUTH_SCHEMA, cash_inputs_generate
from revdesk.engine.cashmatch_metrics import cash_metrics

D = Decimal
DAY = dt.date(2026, 11, 2)


def _table(schema: pa.Schema, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(
        [{name: row.get(name) for name in schema.names} for row in rows], schema=schema
    )


def _app(receipt, customer, invoice, applied, rule="reference"):
    return {
        "receipt": receipt,
        "customer": customer,
        "invoice": invoice,
        "applied": D(applied),
        "write_off": D("0.00"),
        "rule": rule,
        "confidence": D("1.00"),
        "explanation": "",
        "currency": "USD",
        "identified_by": "reference",
    }


def _unapplied(receipt, customer, amount, reason):
    return {
        "receipt": receipt,
        "customer": customer,
        "amount": D(amount),
        "reason": reason,
        "explanation": "",
        "currency": "USD",
    }


def _truth(receipt, kind, outcome, customer, invoice, amount):
    return {
        "receipt": receipt,
        "kind": kind,
        "outcome": outcome,
        "customer": customer,
        "invoice": invoice,
        "amount": D(amount),
    }


# Eight receipts; the truth:
#   R1 pays I1 100.00                      engine: I1 100.00            -> correct
#   R2 pays I2 50.00 and I3 70.00          engine: I2 50.00 only        -> partly applied
#   R3 pays I4 80.00 (short of 100.00)     engine: I4 100.00            -> wrong (amount)
#   R4 pays I5 30.00                       engine: I6 30.00             -> wrong (invoice)
#   R5 pays I7 40.00                       engine: suggests I7 40.00    -> suggested, right
#   R6 pays I8 60.00                       engine: suggests I9 60.00    -> suggested, not right
#   R7 on account of C1 (25.00)            engine: on account           -> rightly unapplied
#   R8 unidentified (12.00)                engine: unidentified         -> rightly unapplied
TRUTH = _table(
    TRUTH_SCHEMA,
    [
        _truth("R1", "exact", "apply", "C1", "I1", "100.00"),
        _truth("R2", "combined", "apply", "C1", "I2", "50.00"),
        _truth("R2", "combined", "apply", "C1", "I3", "70.00"),
        _truth("R3", "partial", "apply", "C2", "I4", "80.00"),
        _truth("R4", "mistyped", "apply", "C2", "I5", "30.00"),
        _truth("R5", "no_reference", "apply", "C3", "I7", "40.00"),
        _truth("R6", "lookalike", "apply", "C3", "I8", "60.00"),
        _truth("R7", "on_account", "on_account", "C1", None, "25.00"),
        _truth("R8", "unknown", "unidentified", None, None, "12.00"),
    ],
)
RECEIPTS = _table(
    RECEIPTS_SCHEMA,
    [
        {"receipt": r, "date": DAY + dt.timedelta(days=n), "amount": D(a), "currency": "USD"}
        for n, (r, a) in enumerate(
            [
                ("R1", "100.00"),
                ("R2", "120.00"),
                ("R3", "80.00"),
                ("R4", "30.00"),
                ("R5", "40.00"),
                ("R6", "60.00"),
                ("R7", "25.00"),
                ("R8", "12.00"),
            ]
        )
    ],
)


def _result() -> MatchResult:
    applications = _table(
        APPLICATIONS_SCHEMA,
        [
            _app("R1", "C1", "I1", "100.00"),
            _app("R2", "C1", "I2", "50.00"),
            _app("R3", "C2", "I4", "80.00"),  # R3 twice on I4: 80.00 + 20.00 = 100.00
            _app("R3", "C2", "I4", "20.00"),
            _app("R4", "C2", "I6", "30.00"),
        ],
    )
    unapplied = _table(
        UNAPPLIED_SCHEMA,
        [
            _unapplied("R2", "C1", "70.00", "on_account"),
            _unapplied("R5", "C3", "40.00", "suggestion"),
            _unapplied("R6", "C3", "60.00", "suggestion"),
            _unapplied("R7", "C1", "25.00", "on_account"),
            _unapplied("R8", None, "12.00", "unidentified"),
        ],
    )
    suggestions = _table(
        SUGGESTIONS_SCHEMA,
        [
            {"receipt": "R5", "customer": "C3", "invoice": "I7", "amount": D("40.00")},
            {"receipt": "R6", "customer": "C3", "invoice": "I9", "amount": D("60.00")},
        ],
    )
    return MatchResult(
        applications=applications,
        unapplied=unapplied,
        cases=pa.table({}),
        suggestions=suggestions,
        receipts=8,
        settings=MatchSettings(),
    )


def test_the_metrics_on_a_hand_made_truth():
    m = cash_metrics(_result(), TRUTH, RECEIPTS, as_of=dt.date(2026, 11, 12))
    assert m["receipts"] == 8
    assert m["receipts_to_apply"] == 6  # R1-R6
    assert m["auto_applied_correctly"] == 1  # R1
    assert m["auto_application_rate"] == round(1 / 6, 6)
    assert m["wrong_applications"] == 2  # R3 (amount), R4 (invoice)
    assert m["wrong_rate"] == 0.25
    assert m["partly_applied"] == 1  # R2
    # invoices the truth pays: I1, I2, I3, I4, I5, I7, I8; exactly their amount: I1, I2
    assert (m["invoices_to_pay"], m["invoice_hits"]) == (7, 2)
    assert m["invoice_hit_rate"] == round(2 / 7, 6)
    # applications (receipt, invoice), lines summed: R1/I1 right, R2/I2 right, R3/I4 100.00
    # where the truth has 80.00, R4/I6 not in the truth
    assert (m["application_lines"], m["application_lines_right"]) == (4, 2)
    assert m["application_accuracy"] == 0.5
    assert (m["suggested_receipts"], m["suggestions_right"]) == (2, 1)
    assert (m["payer_suggestions"], m["payer_suggestions_right"]) == (0, 0)
    # unapplied: ages at 2026-11-12 from R2 (11-03), R7 (11-08); R5 (11-06), R6 (11-07); R8
    assert m["unapplied"] == {
        "on_account": {
            "receipts": 2,
            "amount": {"USD": "95.00"},
            "of_which_truth_applies": {"USD": "70.00"},
            "age_days_mean": 6.5,
            "age_days_oldest": 9,
        },
        "suggestion": {
            "receipts": 2,
            "amount": {"USD": "100.00"},
            "of_which_truth_applies": {"USD": "100.00"},
            "age_days_mean": 5.5,
            "age_days_oldest": 6,
        },
        "unidentified": {
            "receipts": 1,
            "amount": {"USD": "12.00"},
            "of_which_truth_applies": {},
            "age_days_mean": 3.0,
            "age_days_oldest": 3,
        },
    }
    assert m["by_kind"]["exact"] == {
        "auto_applied": 1,
        "correct": 1,
        "receipts": 1,
        "to_apply": 1,
    }
    assert m["by_kind"]["lookalike"] == {"receipts": 1, "suggested": 1, "to_apply": 1}
    assert m["by_kind"]["no_reference"]["suggested_right"] == 1
    assert m["by_kind"]["on_account"] == {
        "left_unapplied": 1,
        "receipts": 1,
        "rightly_unapplied": 1,
    }
    assert m["as_of"] == "2026-11-12"


def test_nothing_applied_is_never_wrong():
    empty = MatchResult(
        applications=APPLICATIONS_SCHEMA.empty_table(),
        unapplied=UNAPPLIED_SCHEMA.empty_table(),
        cases=pa.table({}),
        suggestions=SUGGESTIONS_SCHEMA.empty_table(),
        receipts=8,
        settings=MatchSettings(),
    )
    m = cash_metrics(empty, TRUTH, RECEIPTS)
    assert (m["auto_applied_correctly"], m["wrong_applications"]) == (0, 0)
    assert m["auto_application_rate"] == 0
    assert m["application_accuracy"] is None
    assert m["invoice_hits"] == 0


def truth_kind(truth: list[dict], receipt: str) -> str:
    return next(t["kind"] for t in truth if t["receipt"] == receipt)


# -- generator, engine and scorer together -----------------------------------------------------


def test_generated_set_engine_and_naive_matcher_scored_by_the_definitions():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
    from cash_match import naive_match

    cash = cash_inputs_generate(invoices=2_000, receipts=300, seed=3)
    receipts = cash.receipts.column("receipt").to_pylist()
    assert len(receipts) == len(set(receipts)) == 300
    truth = cash.truth.to_pylist()
    assert {row["kind"] for row in truth} <= set(MIX)
    # the truth pays each receipt's amount in full, or leaves all of it unapplied
    amounts = dict(zip(receipts, cash.receipts.column("amount").to_pylist(), strict=True))
    paid: dict[str, Decimal] = {}
    for row in truth:
        paid[row["receipt"]] = paid.get(row["receipt"], D(0)) + row["amount"]
        assert (row["outcome"] == "apply") == (row["kind"] in APPLIED_KINDS)
    assert paid == amounts
    # no invoice is paid by two receipts, and none beyond what it has open
    opened = {(r["customer"], r["invoice"]): r["open_amount"] for r in cash.items.to_pylist()}
    applied_invoices = [(r["customer"], r["invoice"]) for r in truth if r["outcome"] == "apply"]
    assert len(applied_invoices) == len(set(applied_invoices))
    for row in truth:
        if row["outcome"] == "apply":
            assert row["amount"] <= opened[(row["customer"], row["invoice"])]

    engine = cash_metrics(
        match(cash.items, cash.receipts, customers=cash.customers, remittance=cash.remittance),
        cash.truth,
        cash.receipts,
    )
    naive_result = naive_match(cash.items, cash.receipts)
    naive = cash_metrics(naive_result, cash.truth, cash.receipts)
    for m in (engine, naive):
        assert m["receipts"] == 300
        assert m["receipts_to_apply"] == sum(1 for r in receipts if any(
            t["receipt"] == r and t["outcome"] == "apply" for t in truth
        ))  # fmt: skip
        counted = sum(
            c.get(k, 0)
            for c in m["by_kind"].values()
            for k in ("auto_applied", "suggested", "left_unapplied")
        )
        assert counted == 300  # each receipt is applied, suggested or left, once
        assert m["auto_applied_correctly"] + m["wrong_applications"] + m["partly_applied"] == sum(
            c.get("auto_applied", 0) for c in m["by_kind"].values()
        )
    # the naive matcher applies only receipts that name one invoice as issued at its amount:
    # a subset of the truth's exact single references (one invoice paid in full, its number
    # as issued in the text: kinds exact, and written where a customer writes it so), each
    # right
    texts = dict(zip(receipts, cash.receipts.column("text").to_pylist(), strict=True))
    exact_single = set()
    for r in receipts:
        rows = [t for t in truth if t["receipt"] == r]
        if len(rows) == 1 and rows[0]["outcome"] == "apply":
            full = rows[0]["amount"] == opened[(rows[0]["customer"], rows[0]["invoice"])]
            if full and rows[0]["invoice"] in (texts[r] or ""):
                exact_single.add(r)
    assert {r for r in exact_single if truth_kind(truth, r) == "exact"} == {
        r for r in receipts if truth_kind(truth, r) == "exact"
    }
    naive_applied = set(naive_result.applications.column("receipt").to_pylist())
    assert naive_applied <= exact_single
    assert naive["wrong_applications"] == 0
    assert naive["auto_applied_correctly"] == len(naive_applied)
    assert naive["suggested_receipts"] == 0
    # the engine does at least what the naive matcher does, and more
    assert engine["auto_applied_correctly"] > naive["auto_applied_correctly"]
