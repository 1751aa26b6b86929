"""The engine backend keeps the rules the house assumes (docs/decisions/0004-engine-backend.md)."""

from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from revdesk.engine.backend import connect, money


def test_create_table_writes_valid_sql():
    """Ibis 12 with sqlglot >= 30.18 emits `DROP VIEW IF EXISTS` with no name here."""
    con = connect()
    table = pa.table({"amount": pa.array([Decimal("1.005")], pa.decimal128(18, 3))})
    con.create_table("lines", obj=table)
    con.create_table("lines", obj=table, overwrite=True)
    assert con.table("lines").count().execute() == 1


def test_decimal_arithmetic_is_exact_and_rounds_half_up():
    con = connect()
    table = pa.table(
        {
            "amount": pa.array([Decimal("100.10"), Decimal("0.05")], pa.decimal128(18, 2)),
            "rate": pa.array([Decimal("0.035"), Decimal("0.1")], pa.decimal128(9, 4)),
        }
    )
    lines = con.create_table("lines", obj=table)
    earned = (money(lines.amount) * money(lines.rate)).cast(money(lines.amount).type())
    result = lines.mutate(earned=earned.round(2)).order_by("amount").execute()
    # 0.05 × 0.1 = 0.005 -> 0.01 (half-up); 100.10 × 0.035 = 3.5035 -> 3.50
    assert list(result["earned"]) == [Decimal("0.01"), Decimal("3.50")]
    total = money(lines.amount).sum().execute()
    assert total == Decimal("100.15")


def test_spark_without_pyspark_or_java_is_refused_in_plain_words(monkeypatch, tmp_path, capsys):
    from revdesk.cli import main
    from revdesk.engine import backend

    monkeypatch.setattr(backend, "spark_problem", lambda: "Java is not installed (...)")
    root = Path(__file__).resolve().parents[2]
    case = root / "examples" / "commissions" / "04-payable-on-payment"
    shared = root.parent / "shared" / "examples" / "commissions"
    args = ["calc", "commissions", "--plans", str(case), "--period", "2026-10"]
    args += ["--transactions", str(shared / case.name / "transactions.csv")]
    out = tmp_path / "payouts.csv"
    assert main([*args, "--out", str(out), "--backend", "spark"]) == 2
    assert "--backend spark: Java is not installed" in capsys.readouterr().err
    assert not out.exists()


def test_the_engine_spills_in_a_folder_of_its_own_and_clears_what_dead_processes_left(
    tmp_path, monkeypatch
):
    """DuckDB cleans its spill files up when it closes, not when its process is killed: a
    calculation killed at 10M lines left gigabytes behind. Each process spills into a folder
    named by its process id, and a new connection removes the folders of processes gone."""
    import os
    import subprocess
    import sys

    from revdesk.engine import backend

    monkeypatch.setattr(backend, "spill_root", lambda: tmp_path)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (tmp_path / gone).mkdir()
    (tmp_path / gone / "duckdb_temp_storage-0.tmp").write_bytes(b"x" * 1024)
    (tmp_path / "1").mkdir()  # init: alive, someone else's
    (tmp_path / "notes").mkdir()  # not a process's: left alone

    con = connect()
    folder = con.raw_sql("SELECT current_setting('temp_directory')").fetchone()[0]

    assert Path(folder) == tmp_path / str(os.getpid())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["1", "notes"])
