"""The engine pays the same on Spark as on DuckDB, to the cent and line by line (DESIGN.md: one
test suite runs the engine on every backend it supports; docs/decisions/0004-engine-backend.md).

Every worked case of ../shared/examples/commissions and one generated input run on both; the
payouts and the explanation lines must be the same rows in the same order, every amount to
the sixth decimal. A local Spark session starts once for the module (about 15 s).
The tests run in the SQLite pass only and skip without PySpark or Java (tests/conftest.py).
"""

from __future__ import annotations

import pytest
from test_commission_examples import CASES, PLANS, SHARED, _files

from revdesk.cli import main
from revdesk.engine.backend import spark_connect
from revdesk.engine.commission_inputs import CommissionInputs, inputs_read
from revdesk.engine.commissions import CommissionResult, calculate, periods_expand
from revdesk.engine.generate import commission_inputs_generate

pytestmark = pytest.mark.spark

YEAR = [f"2026-{month:02d}" for month in range(1, 13)]


@pytest.fixture(scope="module")
def spark():
    con = spark_connect()
    yield con
    con.disconnect()


def _assert_same(on_duckdb: CommissionResult, on_spark: CommissionResult) -> None:
    assert on_spark.payouts.schema == on_duckdb.payouts.schema
    assert on_spark.payouts.to_pylist() == on_duckdb.payouts.to_pylist()
    assert on_spark.lines.schema == on_duckdb.lines.schema
    assert on_spark.lines.to_pylist() == on_duckdb.lines.to_pylist()
    assert on_spark.fingerprint == on_duckdb.fingerprint
    assert on_spark.plan_versions == on_duckdb.plan_versions


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_worked_case_pays_the_same_on_spark(case, spark):
    inputs = inputs_read(plans=PLANS / case, **_files(case))
    periods = periods_expand(CASES[case])
    on_duckdb = calculate(inputs, periods=periods)
    on_spark = calculate(inputs, periods=periods, backend=spark)
    _assert_same(on_duckdb, on_spark)
    assert on_spark.payouts.num_rows > 0


def _generated() -> CommissionInputs:
    """Generated inputs (every plan feature, both currencies, payments, clawbacks, a draw)
    with their claims, approved in many months: every snapshot is worked out in the same pass,
    each row keyed by its snapshot, on Spark as on DuckDB."""
    return commission_inputs_generate(lines=2000, payees=20, seed=1)


def test_generated_inputs_pay_the_same_on_spark(spark):
    inputs = _generated()
    on_duckdb = calculate(inputs, periods=YEAR)
    on_spark = calculate(inputs, periods=YEAR, backend=spark)
    _assert_same(on_duckdb, on_spark)
    kinds = set(on_duckdb.lines.column("kind").to_pylist())
    assert {"earning", "clawback", "spif", "override", "adjustment", "cap", "draw"} <= kinds
    months = {day.month for day in inputs.claims.column("approved").to_pylist() if day}
    assert len(months) >= 3  # a snapshot for each, and one before them


def test_the_command_calculates_on_spark(spark, tmp_path, capsys):
    case = "03-split-credit-policy-claim"
    out = tmp_path / "payouts.csv"
    args = ["calc", "commissions", "--plans", str(PLANS / case), "--period", CASES[case]]
    for name, path in _files(case).items():
        args += [f"--{name}", str(path)]
    assert main([*args, "--backend", "spark", "--out", str(out), "--json"]) == 0
    assert '"backend": "spark"' in capsys.readouterr().out
    expected = (SHARED / case / "expected_payouts.csv").read_text().rstrip("\n") + "\n"
    assert out.read_text() == expected
