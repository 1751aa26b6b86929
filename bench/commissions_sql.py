"""The hand-written DuckDB SQL of the generated plans (bench/commissions.sql), run on inputs.

    con = duckdb.connect()
    inputs_register(con, inputs)          # or tables loaded from the cached Parquet files
    payouts = sql_payouts(con)            # payee, period, currency, amount (DECIMAL(38, 2))

Used by bench/commissions.py (the "floor" of the benchmark) and tests/engine/test_bench_sql.py
(the SQL agrees with the engine to the cent on a small generated set, so it does not rot).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

SQL = Path(__file__).with_name("commissions.sql")

#: The input tables the SQL reads (CommissionInputs attributes of the same names).
TABLES = ("transactions", "credits", "claims", "payments", "quotas", "fx", "payees", "assignments")


def inputs_register(con: duckdb.DuckDBPyConnection, inputs) -> None:
    """Make the inputs' Arrow tables the SQL's input tables (copied into DuckDB)."""
    for name in TABLES:
        table = getattr(inputs, name)
        con.register(f"_{name}_arrow", table)
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM "_{name}_arrow"')
        con.unregister(f"_{name}_arrow")


def statements() -> list[str]:
    text = SQL.read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [part.strip() for part in code.split(";") if part.strip()]


def sql_payouts(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Run bench/commissions.sql; the payouts by period then payee."""
    *setup, final = statements()
    for statement in setup:
        con.execute(statement)
    return con.sql(final).to_arrow_table()
