"""The hand-written SQL of the benchmark (bench/commissions.sql) pays what the engine pays, to the
cent, on generated inputs: so the benchmark's floor keeps calculating the same thing."""

import importlib.util
from pathlib import Path

import duckdb

from revdesk.engine.commissions import calculate
from revdesk.engine.generate import commission_inputs_generate

BENCH = Path(__file__).resolve().parents[2] / "bench" / "commissions_sql.py"
YEAR = [f"2026-{month:02d}" for month in range(1, 13)]


def _bench_sql():
    spec = importlib.util.spec_from_file_location("bench_commissions_sql", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(table):
    return [(r["payee"], r["period"], r["currency"], r["amount"]) for r in table.to_pylist()]


def test_hand_written_sql_pays_what_the_engine_pays():
    inputs = commission_inputs_generate(lines=6_000, payees=60, seed=3)
    bench = _bench_sql()
    con = duckdb.connect()
    bench.inputs_register(con, inputs)
    sql = _rows(bench.sql_payouts(con))
    engine = _rows(calculate(inputs, periods=YEAR).payouts)
    by_sql = {row[:3]: row[3] for row in sql}
    by_engine = {row[:3]: row[3] for row in engine}
    wrong = [
        f"{key}: sql {by_sql.get(key)}, engine {by_engine.get(key)}"
        for key in sorted(set(by_sql) | set(by_engine))
        if by_sql.get(key) != by_engine.get(key)
    ]
    assert wrong == []
    assert sql == engine  # the same rows in the same order: period, then payee
    assert len(sql) == 720  # 60 payees × 12 months, every one active
    # the set has what the SQL hand-codes: splits, and claims approved in a later month than
    # their invoice (restating a closed month), besides tiers, caps, clawbacks and the draw
    assert inputs.credits.num_rows > 0
    late = con.sql(
        "SELECT count(*) FROM claims c JOIN transactions t ON t.id = c.transaction_id "
        "WHERE c.approved <= DATE '2026-12-31' AND month(c.approved) > month(t.date)"
    ).fetchall()[0][0]
    assert late > 0
