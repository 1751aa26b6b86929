"""Connecting the engine to a backend: DuckDB in memory by default, Spark (or any Ibis backend)
when data outgrows one machine (docs/decisions/0004-engine-backend.md)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import pyarrow as pa

#: The one decimal type money arithmetic is cast to before every multiply, divide and sum.
MONEY = dt.Decimal(38, 6)


#: DuckDB's share of the machine's memory for a calculation (REVDESK_ENGINE_MEMORY overrides it,
#: in DuckDB's words: "8GB"): beyond it DuckDB spills to disk, leaving the rest to the inputs
#: and the results, which Python holds as Arrow. DuckDB's own default, 80%, leaves too little
#: at 10M lines; 30% spilled there (210 s against 175 s at 40%, 12.9 GB at peak of 24 GiB).
DUCKDB_MEMORY_SHARE = 0.4


def connect(url: str | None = None) -> ibis.BaseBackend:
    """An Ibis connection: `duckdb://` (in memory) unless a URL names another backend."""
    con = ibis.connect(url or "duckdb://")
    if con.name == "duckdb":
        limit = os.environ.get("REVDESK_ENGINE_MEMORY") or _memory_share(DUCKDB_MEMORY_SHARE)
        if limit:
            con.raw_sql(f"SET memory_limit = '{limit}'")
        # not a .tmp in the current folder; one folder per process, so that what a process
        # that was killed left behind (gigabytes at 10M lines) can be told and cleared
        spill = spill_root() / str(os.getpid())
        _clear_abandoned(spill.parent)
        # DuckDB makes the last folder of the path only, when it first spills
        spill.parent.mkdir(parents=True, exist_ok=True)
        con.raw_sql(f"SET temp_directory = '{spill}'")
    return con


def spill_root() -> Path:
    """Where the engine's DuckDB spills what does not fit its memory limit."""
    return Path(tempfile.gettempdir()) / "revdesk-engine"


def _clear_abandoned(root: Path) -> None:
    """Remove the spill folders of processes that are gone (named by their process id)."""
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if not folder.name.isdigit() or _alive(int(folder.name)):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's, or not knowable: left alone
    return True


def _memory_share(share: float) -> str | None:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None  # not knowable here: DuckDB's default
    return f"{max(1, int(total * share / 2**20))}MB"


class BackendUnavailable(RuntimeError):
    """A backend asked for cannot start here (its package or Java is missing)."""


#: The Spark settings for a local session (`spark_connect`): small data, no web UI, quiet.
SPARK_LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.session.timeZone": "UTC",
    # Working out every filter's implied constraints takes most of the planning time of the
    # commission pipeline's many CASE expressions, and gains nothing on it.
    "spark.sql.constraintPropagation.enabled": "false",
}


def spark_problem() -> str | None:
    """Why a local Spark session cannot start here, in plain words (None when it can)."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install 'revdesk[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and not shutil.which("java"):
        return "Java is not installed (Spark needs Java 17: apt-get install openjdk-17-jre)"
    return None


def spark_connect(master: str = "local[2]") -> ibis.BaseBackend:
    """An Ibis connection to a Spark session on this machine (`master` may name a cluster).

    Spark takes about 15 seconds to start; the session is shared by every connection made
    in the same process."""
    problem = spark_problem()
    if problem:
        raise BackendUnavailable(problem)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("revdesk")
    for key, value in SPARK_LOCAL_SETTINGS.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


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


#: 64-bit decimals: DuckDB rescales and rounds DECIMAL(18, _) in 64-bit integers, DECIMAL(38, _)
#: by 128-bit division, bit by bit (about half a microsecond a value, ten times slower)
_NARROW_PRODUCT = dt.Decimal(18, 12)
_NARROW_MONEY = dt.Decimal(18, 6)
#: what DECIMAL(18, 12) holds (below a million) and DECIMAL(18, 6) (below 10^12)
_PRODUCT_BELOW = Decimal(10**6)
_MONEY_BELOW = Decimal(10**12)


def product(left: ibis.Value, right: ibis.Value) -> ibis.Value:
    """left × right in the engine's money type, rounded to 6 places half away from zero:
    `money(left × right)`, both cast to MONEY first, so the exact product has 12 places.

    Rounding it back to 6 places is the dear part on DuckDB (see `_NARROW_PRODUCT`): a
    product under a million, nearly every one, goes through DECIMAL(18, 12) (exact, the same
    12 places) to DECIMAL(18, 6), rounded in 64 bits, to the same value."""
    exact = left.cast(MONEY) * right.cast(MONEY)
    narrow = exact.cast(_NARROW_PRODUCT).cast(_NARROW_MONEY).cast(MONEY)
    small = exact.abs() < ibis.literal(_PRODUCT_BELOW, type=MONEY)
    return ibis.cases((small, narrow), else_=money(exact))


def cents(amount: ibis.Value) -> ibis.Value:
    """An amount of the money type (DECIMAL(38, 6), not a wider scale) rounded to the cent,
    half away from zero, as the money type: below 10^12 in 64 bits (`_NARROW_MONEY`), the
    same value as rounding the DECIMAL(38, 6)."""
    narrow = amount.cast(_NARROW_MONEY).round(2).cast(MONEY)
    small = amount.abs() < ibis.literal(_MONEY_BELOW, type=MONEY)
    return ibis.cases((small, narrow), else_=amount.round(2).cast(MONEY))


#: Backends whose compiled SQL the engine runs itself, compiled once for every snapshot.
SQL_BACKENDS = ("duckdb", "pyspark")

#: Backends that plan a table read by several later steps once per reader: Spark inlines every
#: common table expression, so the commission pipeline's plan doubled with each stage that
#: reads the lines twice (300 generated lines took four minutes to plan). There the engine
#: stores the intermediate stages (`stage_store`); DuckDB shares them by itself.
STAGED_BACKENDS = ("pyspark", "duckdb")


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


def stage_store(con: ibis.BaseBackend, name: str, sql: str) -> Callable[[], None]:
    """Run SQL and keep its result under `name` for the SQL that reads it; returns what frees it.

    On Spark the result stays on the cluster, checkpointed so that what reads it plans from
    the stored rows, not from the steps that made them."""
    if con.name == "pyspark":
        frame = con._session.sql(sql).localCheckpoint()  # type: ignore[attr-defined]
        frame.createOrReplaceTempView(name)
        return frame.unpersist
    con.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')  # type: ignore[attr-defined]
    return lambda: con.con.execute(f'DROP TABLE IF EXISTS "{name}"')  # type: ignore[attr-defined]
