"""Connecting the engine to a backend: DuckDB in memory by default, Spark (or any Ibis backend)
when data outgrows one machine (docs/decisions/0004-engine-backend.md)."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import pyarrow as pa

#: The one decimal type money arithmetic is cast to before every multiply, divide and sum.
MONEY = dt.Decimal(38, 6)


def connect(url: str | None = None) -> ibis.BaseBackend:
    """An Ibis connection: `duckdb://` (in memory) unless a URL names another backend."""
    return ibis.connect(url or "duckdb://")


#: The same type, not nullable: casting through it keeps a cast Ibis would otherwise drop.
_MONEY_STRICT = dt.Decimal(38, 6, nullable=False)


def money(column: ibis.Value) -> ibis.Value:
    """Cast to the engine's money type: Ibis does no decimal promotion of its own.

    Ibis types DECIMAL(38, 6) × DECIMAL(38, 6) as DECIMAL(38, 6) and then drops a cast to
    that type as a no-op, while DuckDB really gives DECIMAL(38, 12) (and DOUBLE once a
    division or a float is involved, which a UNION then spreads to every line). Casting
    through the non-nullable twin of MONEY is never dropped, so the SQL always says
    CAST(... AS DECIMAL(38, 6)) and the rounding to 6 places (half away from zero) happens
    where the reference does it."""
    return column.cast(_MONEY_STRICT).cast(MONEY)


#: Backends whose compiled SQL the engine runs itself, compiled once for every snapshot.
SQL_BACKENDS = ("duckdb", "pyspark")


def table_put(con: ibis.BaseBackend, name: str, table: pa.Table) -> None:
    """Put `table` under `name` for this connection only, replacing what was there.

    DuckDB keeps it as a temporary table; Spark (whose Ibis backend has no temporary tables)
    as a temporary view of a DataFrame made straight from Arrow."""
    if con.name == "pyspark":
        con._session.createDataFrame(table).createOrReplaceTempView(name)  # type: ignore[attr-defined]
    else:
        con.create_table(name, table, temp=True, overwrite=True)


def inputs_put(con: ibis.BaseBackend, exprs: list[ibis.Table]) -> None:
    """Register the in-memory input tables the expressions read, once, before running their SQL.

    Ibis registers them on Spark through pandas, which fails on a decimal column with a null
    (and converts every value twice): the engine hands Spark the Arrow tables itself."""
    if con.name != "pyspark":
        for expr in exprs:
            con._run_pre_execute_hooks(expr)
        return
    found = {op for expr in exprs for op in expr.op().find(ops.InMemoryTable)}
    for op in sorted(found, key=lambda op: op.name):
        table_put(con, op.name, op.data.to_pyarrow(op.schema))


def sql_run(con: ibis.BaseBackend, sql: str) -> pa.Table:
    """Run SQL compiled by `con.compile` and return the result as Arrow, without pandas."""
    if con.name == "pyspark":
        return con._session.sql(sql).toArrow()  # type: ignore[attr-defined]
    return con.con.sql(sql).to_arrow_table()  # type: ignore[attr-defined]
