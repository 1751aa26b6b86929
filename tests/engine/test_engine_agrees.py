"""The Ibis engine agrees with the row-by-row reference to the cent, per payee and period, on
generated inputs (engine/generate.py: mixed plans, tiers both ways, margin, caps, a draw,
clawbacks in and out of the window, splits, claims, payments, two currencies)."""

from collections import Counter
from decimal import Decimal

import pytest

from revdesk.engine.commissions import calculate
from revdesk.engine.generate import commission_inputs_generate
from revdesk.engine.reference import reference_calculate

YEAR = [f"2026-{month:02d}" for month in range(1, 13)]


def payouts_engine(inputs, periods):
    rows = calculate(inputs, periods=periods).payouts.to_pylist()
    return [(r["payee"], r["period"], Decimal(r["amount"]), r["currency"]) for r in rows]


def payouts_reference(inputs, periods):
    rows = reference_calculate(inputs, periods=periods).payouts
    return [(r.payee, r.period, r.amount, r.currency) for r in rows]


def differences(engine, reference) -> list[str]:
    by_engine = {(p, q, c): a for p, q, a, c in engine}
    by_reference = {(p, q, c): a for p, q, a, c in reference}
    out = []
    for key in sorted(set(by_engine) | set(by_reference)):
        left, right = by_engine.get(key), by_reference.get(key)
        if left != right:
            out.append(f"{key[0]} {key[1]}: engine {left}, reference {right}")
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_engine_and_reference_pay_the_same_to_the_cent(seed):
    inputs = commission_inputs_generate(lines=1200, payees=20, seed=seed)
    engine = payouts_engine(inputs, YEAR)
    reference = payouts_reference(inputs, YEAR)
    assert differences(engine, reference) == []
    assert engine == reference  # and in the same order: period, then payee


def test_a_later_range_pays_what_the_whole_year_pays_for_it():
    """Periods before the range are closed history: run Q4 alone, get the year's Q4 rows."""
    inputs = commission_inputs_generate(lines=1200, payees=20, seed=7)
    autumn = YEAR[9:]
    engine = payouts_engine(inputs, autumn)
    reference = payouts_reference(inputs, autumn)
    assert differences(engine, reference) == []


def test_reference_pays_a_later_range_as_the_whole_year_does():
    inputs = commission_inputs_generate(lines=1200, payees=20, seed=7)
    autumn = YEAR[9:]
    whole = [row for row in payouts_reference(inputs, YEAR) if row[1] in autumn]
    assert payouts_reference(inputs, autumn) == whole


def test_generated_inputs_exercise_every_kind_of_line():
    inputs = commission_inputs_generate(lines=3000, payees=40, seed=1)
    kinds = Counter(line.kind for line in reference_calculate(inputs, periods=YEAR).lines)
    for kind in (
        "earning",
        "clawback",
        "spif",
        "bonus",
        "override",
        "adjustment",
        "draw",
        "recovery",
        "cap",
    ):
        assert kinds[kind] > 0, kind
    clawbacks = [
        line for line in reference_calculate(inputs, periods=YEAR).lines if line.kind == "clawback"
    ]
    assert any(line.amount == 0 for line in clawbacks)  # outside the window
    assert any(line.amount < 0 for line in clawbacks)  # inside it


def test_generation_is_seeded():
    one = commission_inputs_generate(lines=500, payees=12, seed=5)
    two = commission_inputs_generate(lines=500, payees=12, seed=5)
    assert one.transactions.equals(two.transactions)
    assert one.credits.equals(two.credits)
    assert one.payments.equals(two.payments)
    assert not one.transactions.equals(
        commission_inputs_generate(lines=500, payees=12, seed=6).transactions
    )


def test_snapshots_work_out_only_the_payees_claims_move_and_lose_nothing(monkeypatch):
    """A snapshot after the first works out again only the payees its new claims move credit
    from or to (and their managers, for overrides), and only as far as the next snapshot
    showing them. Working everyone out to the end at every snapshot gives the same payouts
    and the same explanation lines, row for row."""
    from revdesk.engine import commissions

    inputs = commission_inputs_generate(lines=1500, payees=30, seed=3)
    scoped = calculate(inputs, periods=YEAR)
    made = commissions._Scopes.of

    def everyone(compiler, snapshots, window_end):
        scopes = made(compiler, snapshots, window_end)
        assert any(shown for shown in scopes.shown[1:])  # claims were approved: some moved
        assert all(len(shown) < 30 for shown in scopes.shown[1:])  # but never everyone
        assert scopes.table(1)["until"].to_pylist() != [window_end] * len(scopes.needed[1])
        return commissions._Scopes([None] * len(snapshots), [scopes.needed[0]] * len(snapshots))

    monkeypatch.setattr(commissions._Scopes, "of", everyone)
    full = calculate(inputs, periods=YEAR)
    assert scoped.payouts.num_rows > 300
    assert scoped.payouts.equals(full.payouts)
    assert scoped.lines.num_rows > 1500
    assert scoped.lines.equals(full.lines)
