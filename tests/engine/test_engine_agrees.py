"""The Ibis engine agrees with the row-by-row reference to the cent, per payee and period, on
generated inputs (engine/generate.py: mixed plans, tiers both ways, margin, caps, a draw,
clawbacks in and out of the window, splits, claims, payments, two currencies)."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pyarrow.compute as pc
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


def calculate_in_full(monkeypatch, inputs, periods, check):
    """The calculation with every payee worked out, every period, at every snapshot; `check`
    first looks at the scopes the engine would have used."""
    from revdesk.engine import commissions

    made = commissions._Scopes.of

    def everyone(compiler, snapshots, window_end):
        scopes = made(compiler, snapshots, window_end)
        check(scopes, window_end)
        full = [{}] + [
            {payee: commissions._Showing(index, None) for payee in scopes.everyone}
            for index in range(1, len(snapshots))
        ]
        return commissions._Scopes(
            full, scopes.reports, scopes.everyone, scopes.known, scopes.first_day, window_end
        )

    monkeypatch.setattr(commissions._Scopes, "of", everyone)
    return calculate(inputs, periods=periods)


@pytest.mark.parametrize("seed", [3, 4])
def test_snapshots_work_out_only_what_claims_change_and_lose_nothing(monkeypatch, seed):
    """A snapshot after the first works out again only the payees its new claims move credit
    from or to, and their managers only on the periods of the moved transactions, each only
    as far as the next snapshot working them out again. Working everyone out, every period,
    to the end, at every snapshot gives the same payouts and the same explanation lines, row
    for row."""

    inputs = commission_inputs_generate(lines=1500, payees=30, seed=seed)
    scoped = calculate(inputs, periods=YEAR)

    def check(scopes, window_end):
        showings = [showing for shown in scopes.showings[1:] for showing in shown.values()]
        assert any(showing.tail for showing in showings)  # claims moved credit from a period on
        assert any(not showing.tail for showing in showings)  # managers: those periods alone
        assert any(showing.lookback > scopes.first_day for showing in showings)
        assert all(len(shown) < 30 for shown in scopes.showings[1:])  # never everyone
        # some worked out only part of the year (their reports' rows may go further)
        assert any(scopes.until(0, payee) < window_end for payee in scopes.everyone)

    full = calculate_in_full(monkeypatch, inputs, YEAR, check)
    assert scoped.payouts.num_rows > 300
    assert scoped.payouts.equals(full.payouts)
    assert scoped.lines.num_rows > 1500
    assert scoped.lines.equals(full.lines)


def two_reps_one_claim(tmp_path, plan: str, transactions: str, claim: str):
    """Inputs read from files: R1 and R2 on `plan` (a plan file's text, code from its first
    line) from 1 January, a policy crediting all to the claimant (role `a`), one claim."""
    from revdesk.engine.commission_inputs import inputs_read

    code = plan.splitlines()[0].removeprefix("code: ")
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / f"{code}.yaml").write_text(plan)
    (plans / "policies.yaml").write_text(
        "- code: P\n  title: All to the claimant\n  splits: {a: 1}\n"
    )
    (plans / "assignments.csv").write_text(
        f"payee,plan,valid_from,valid_to\nR1,{code},2026-01-01,\nR2,{code},2026-01-01,\n"
    )
    (tmp_path / "transactions.csv").write_text(transactions)
    (tmp_path / "claims.csv").write_text(
        f"claim_id,policy,transaction_id,filed,approved,a\n{claim}\n"
    )
    return inputs_read(
        plans=plans,
        transactions=tmp_path / "transactions.csv",
        claims=tmp_path / "claims.csv",
    )


TIERED_WITH_CLAWBACK = """code: t
name: Tiers with a clawback
valid_from: 2026-01-01
currency: USD
clawback:
  window_months: 6
components:
  - code: c
    tiers:
      measure: basis
      method: incremental
      bands:
        - upto: 5000
          rate: "0.02"
        - rate: "0.05"
"""
TRANSACTIONS = (
    "id,date,type,payee,customer,product_line,sku,units,amount,cost,currency,original_id\n"
    "T1,2026-01-15,invoice,R1,C,UPS,X,1,8000.00,0,USD,\n"
    "T2,2026-03-05,invoice,R2,C,UPS,X,1,1000.00,0,USD,\n"
    "M1,2026-03-10,credit_memo,R1,C,UPS,X,1,-4000.00,0,USD,T1\n"
)


def test_a_claim_keeps_the_originals_a_clawback_reverses_in_scope(tmp_path, monkeypatch):
    """R1's claim on T2 (March) works R1 out again from March; the March memo reverses the
    January sale at its own tier slices, so January's transactions must go in too. Scoped or
    worked out in full, the same lines."""
    inputs = two_reps_one_claim(
        tmp_path, TIERED_WITH_CLAWBACK, TRANSACTIONS, "CL-1,P,T2,2026-03-12,2026-03-20,R1"
    )
    scoped = calculate(inputs, periods=YEAR[:4])

    def check(scopes, window_end):
        assert sorted(scopes.showings[1]) == ["R1", "R2"]  # credit moved from R2 to R1
        showing = scopes.showings[1]["R1"]
        assert showing.spans == [(dt.date(2026, 3, 1), dt.date(2026, 4, 30))]  # from March
        assert showing.lookback == dt.date(2026, 1, 15)  # with January's sale

    full = calculate_in_full(monkeypatch, inputs, YEAR[:4], check)
    march = [
        (r["payee"], r["transaction_id"], r["tier"], r["amount"])
        for r in scoped.lines.to_pylist()
        if r["period"] == "2026-03"
    ]
    # the memo takes back half of January's slices: 2,500 at 2% and 1,500 at 5%
    assert sorted(march) == [
        ("R1", "M1", 1, Decimal("-50.000000")),
        ("R1", "M1", 2, Decimal("-75.000000")),
        ("R1", "T2", 1, Decimal("20.000000")),
    ]
    assert scoped.lines.equals(full.lines)
    assert scoped.payouts.equals(full.payouts)


FLAT_WITH_CLAWBACK = """code: f
name: Flat with a clawback
valid_from: 2026-01-01
currency: USD
clawback:
  window_months: 6
components:
  - code: c
    rate: "0.05"
"""


def test_a_claim_on_a_flat_plan_works_out_only_the_moved_months(tmp_path, monkeypatch):
    """A flat plan is worked out month by month (its clawbacks read the rate from the plan
    file, not from the original's lines): a claim approved in May on a March sale works R1
    and R2 out again on March and April alone (April holds R2's memo reversing the sale,
    which follows its original's claim), from those months' transactions alone. Scoped or
    in full, the same lines and payouts."""
    inputs = two_reps_one_claim(
        tmp_path,
        FLAT_WITH_CLAWBACK,
        "id,date,type,payee,customer,product_line,sku,units,amount,cost,currency,original_id\n"
        "T1,2026-03-05,invoice,R2,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-04-10,invoice,R2,C,UPS,X,1,500.00,0,USD,\n"
        "M1,2026-04-20,credit_memo,R2,C,UPS,X,1,-400.00,0,USD,T1\n"
        "T3,2026-05-02,invoice,R1,C,UPS,X,1,200.00,0,USD,\n",
        "CL-1,P,T1,2026-05-12,2026-05-20,R1",
    )
    scoped = calculate(inputs, periods=YEAR[:5])

    def check(scopes, window_end):
        months = [
            (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
            (dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
        ]
        for payee in ("R1", "R2"):
            showing = scopes.showings[1][payee]
            assert not showing.tail
            assert showing.spans == months
        rows = scopes.table(1).filter(pc.equal(scopes.table(1)["role"], "rows")).to_pylist()
        assert {(r["payee"], r["since"], r["until"]) for r in rows} == {
            ("R1", dt.date(2026, 3, 1), dt.date(2026, 4, 30)),
            ("R2", dt.date(2026, 3, 1), dt.date(2026, 4, 30)),
        }

    full = calculate_in_full(monkeypatch, inputs, YEAR[:5], check)
    payouts = {(r["payee"], r["period"]): r["amount"] for r in scoped.payouts.to_pylist()}
    assert payouts == {
        ("R2", "2026-03"): Decimal("50.00"),  # T1 at 5%
        ("R2", "2026-04"): Decimal("5.00"),  # T2 25.00, M1 clawed back at March's 5%: -20.00
        # T3 10.00; T1 restated to R1: 50.00, and its memo M1 with it: -20.00
        ("R1", "2026-05"): Decimal("40.00"),
        ("R2", "2026-05"): Decimal("-30.00"),  # T1 and M1 restated away
    }
    assert scoped.lines.equals(full.lines)
    assert scoped.payouts.equals(full.payouts)


def test_payees_worked_out_in_batches_give_the_same_lines(monkeypatch):
    """Above `PASS_TRANSACTIONS` the payees are worked out in batches, each with its reports'
    transactions for the managers' overrides: the same payouts and lines, row for row."""
    from revdesk.engine import commissions

    inputs = commission_inputs_generate(lines=1500, payees=30, seed=4)
    whole = calculate(inputs, periods=YEAR)
    assert commissions._batches({"a", "b"}, 1500) == [None]
    monkeypatch.setattr(commissions, "PASS_TRANSACTIONS", 400)
    passes = []
    made = commissions._scope
    monkeypatch.setattr(commissions, "_scope", lambda *args: passes.append(args[-1]) or made(*args))
    batched = calculate(inputs, periods=YEAR)
    assert len(passes) == 4
    assert sum(len(batch) for batch in passes) == len(set().union(*passes))  # each in one
    assert set().union(*passes) >= set(whole.payouts["payee"].to_pylist())
    assert pc.sum(pc.equal(batched.lines["kind"], "override")).as_py() > 100
    assert batched.payouts.equals(whole.payouts)
    assert batched.lines.equals(whole.lines)


PAID_ON_PAYMENT = """code: p
name: Flat, payable as the invoice is paid
valid_from: 2026-01-01
currency: USD
payable_on: payment
components:
  - code: c
    rate: "0.06"
"""


def test_a_claim_on_a_plan_paid_on_payment_carries_the_other_lines_over(tmp_path, monkeypatch):
    """Each line of a flat plan paid on payment stands on its own transaction: a claim
    approved in May on a March sale paid in April and June works out that sale alone, from
    March to the end of the window (its releases), and carries R2's other March sale, paid
    in March and July, over from the first snapshot. Scoped or in full, the same lines and
    payouts."""
    payments = tmp_path / "payments.csv"
    payments.write_text(
        "invoice_id,date,amount\n"
        "T1,2026-04-10,500.00\nT1,2026-06-10,500.00\n"
        "T2,2026-03-20,100.00\nT2,2026-07-20,300.00\n"
    )
    two_reps_one_claim(
        tmp_path,
        PAID_ON_PAYMENT,
        "id,date,type,payee,customer,product_line,sku,units,amount,cost,currency,original_id\n"
        "T1,2026-03-05,invoice,R2,C,UPS,X,1,1000.00,0,USD,\n"
        "T2,2026-03-06,invoice,R2,C,UPS,X,1,400.00,0,USD,\n",
        "CL-1,P,T1,2026-05-12,2026-05-20,R1",
    )
    from revdesk.engine.commission_inputs import inputs_read

    inputs = inputs_read(
        plans=tmp_path / "plans",
        transactions=tmp_path / "transactions.csv",
        claims=tmp_path / "claims.csv",
        payments=payments,
    )
    scoped = calculate(inputs, periods=YEAR)

    def check(scopes, window_end):
        for payee in ("R1", "R2"):
            showing = scopes.showings[1][payee]
            assert showing.spans == [(dt.date(2026, 3, 1), window_end)]
            assert showing.carried == {f"2026-{month:02d}" for month in range(3, 13)}
        carried = scopes.carried().to_pylist()
        assert {"_snap": 1, "payee": "R2", "period": "2026-07"} in carried
        assert scopes.moved == [set(), {"T1"}]

    full = calculate_in_full(monkeypatch, inputs, YEAR, check)
    payouts = {(r["payee"], r["period"]): r["amount"] for r in scoped.payouts.to_pylist()}
    assert payouts[("R2", "2026-04")] == Decimal("30.00")  # half of T1's 60.00, R2's then
    assert payouts[("R1", "2026-05")] == Decimal("30.00")  # restated to R1
    assert payouts[("R2", "2026-05")] == Decimal("-30.00")
    assert payouts[("R1", "2026-06")] == Decimal("30.00")
    assert payouts[("R2", "2026-07")] == Decimal("18.00")  # T2, carried: 300 of 400 × 6%
    assert scoped.lines.equals(full.lines)
    assert scoped.payouts.equals(full.payouts)
