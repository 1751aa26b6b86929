"""Benchmark: the commission calculation against hand-written SQL and a row-by-row run.

    .venv/bin/python bench/commissions.py --lines 1000000 [--lines 10000000] [--seed 1]
        [--payees 5000] [--reference-lines N] [--json]

For each --lines N: generates N transaction lines (engine/generate.py, seeded: 5,000 payees,
mixed plans with retroactive and incremental tiers, SPIFs, a bonus, caps, a recoverable draw,
paid on payment, a manager override, splits, claims, clawbacks, EUR with FX) or reuses the
Parquet files cached under bench/.data/, then calculates the year's payouts three ways, each
in its own subprocess so peak memory is measured per implementation:

- engine:     revdesk.engine.commissions.calculate (Ibis over DuckDB), the payouts alone
              (`explain=False`: the explanation lines are worked out, since the payouts come
              from them, but not gathered and sorted), as the SQL gives them;
- engine+lines: the same, handing back every explanation line too, in order (what a run
              stored in the database, or `calc commissions --explain`, does);
- sql:        bench/commissions.sql, the same plans hand-written in plain DuckDB SQL (the floor);
- row-by-row: revdesk.engine.reference (plain Python, one transaction at a time, Decimal), as
              tools that calculate through an ORM do.

It checks that the three payout tables agree to the cent (payee, period, currency, amount)
and prints seconds, lines/s, peak RSS, the ratio to the SQL and the speed-up over row-by-row.
The row-by-row run is timed on --reference-lines lines (default: all of them up to 1,000,000)
and its time at N extrapolated linearly when N is larger; the output says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".data"
YEAR = [f"2026-{month:02d}" for month in range(1, 13)]
INPUT_TABLES = (
    "transactions",
    "credits",
    "claims",
    "payments",
    "quotas",
    "fx",
    "payees",
    "assignments",
)
IMPLEMENTATIONS = ("sql", "engine", "engine+lines", "row-by-row")
ENGINES = ("engine", "engine+lines")


# -- inside a subprocess ---------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """User + system CPU time of this process (all its threads): on a shared machine the
    wall-clock figure grows with the others' load, this one much less."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _generate(folder: Path, lines: int, payees: int, seed: int) -> dict:
    import pyarrow.parquet as pq

    from revdesk.engine.generate import commission_inputs_generate

    began = time.perf_counter()
    inputs = commission_inputs_generate(lines=lines, payees=payees, seed=seed)
    seconds = time.perf_counter() - began
    partial = folder.with_suffix(".partial")
    partial.mkdir(parents=True, exist_ok=True)
    for name in INPUT_TABLES:
        pq.write_table(getattr(inputs, name), partial / f"{name}.parquet")
    partial.rename(folder)
    return {"seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def _inputs_load(folder: Path):
    import pyarrow.parquet as pq

    from revdesk.engine.commission_inputs import CommissionInputs
    from revdesk.engine.generate import POLICY, plans_generate

    tables = {name: pq.read_table(folder / f"{name}.parquet") for name in INPUT_TABLES}
    return CommissionInputs(plans=plans_generate(), policies={POLICY.code: POLICY}, **tables)


def _run(implementation: str, folder: Path, out: Path) -> dict:
    """Load the inputs, calculate (timed), write the payouts to `out` (Parquet)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    began = time.perf_counter()
    explained = None  # explanation lines handed back
    if implementation == "sql":
        import duckdb

        sys.path.insert(0, str(HERE))
        from commissions_sql import sql_payouts

        # what does not fit in memory spills under bench/.data, not into the current folder
        con = duckdb.connect(config={"temp_directory": str(CACHE / "duckdb-spill")})
        for name in INPUT_TABLES:
            path = str(folder / f"{name}.parquet").replace("'", "''")
            con.execute(f"CREATE TABLE \"{name}\" AS SELECT * FROM read_parquet('{path}')")
        loaded, cpu = time.perf_counter(), _cpu_seconds()
        payouts = sql_payouts(con)
    else:
        inputs = _inputs_load(folder)
        if implementation in ENGINES:
            from revdesk.engine.backend import connect
            from revdesk.engine.commissions import calculate

            # connected before the clock starts, as the SQL's DuckDB is (not the inputs: the
            # engine's handing them to DuckDB is timed, the SQL's loading is not)
            backend = connect()
        loaded, cpu = time.perf_counter(), _cpu_seconds()
        if implementation in ENGINES:
            explain = implementation == "engine+lines"
            result = calculate(inputs, periods=YEAR, backend=backend, explain=explain)
            payouts = result.payouts
            if result.lines is not None:
                explained = result.lines.num_rows
        else:
            from revdesk.engine.reference import reference_calculate

            rows = reference_calculate(inputs, periods=YEAR).payouts
            payouts = pa.table(
                {
                    "payee": [r.payee for r in rows],
                    "period": [r.period for r in rows],
                    "currency": [r.currency for r in rows],
                    "amount": pa.array([r.amount for r in rows], pa.decimal128(38, 2)),
                }
            )
    done, cpu = time.perf_counter(), _cpu_seconds() - cpu
    payouts = payouts.select(["payee", "period", "currency", "amount"])
    payouts = payouts.cast(
        pa.schema(
            [
                ("payee", pa.string()),
                ("period", pa.string()),
                ("currency", pa.string()),
                ("amount", pa.decimal128(38, 2)),
            ]
        )
    )
    pq.write_table(payouts, out)
    return {
        "load_seconds": loaded - began,
        "seconds": done - loaded,
        "cpu_seconds": cpu,
        "payout_rows": payouts.num_rows,
        "explanation_lines": explained,
        "peak_rss_mb": _peak_rss_mb(),
    }


# -- the parent -------------------------------------------------------------------------------


def _child(*args: str) -> dict:
    """Run this script in a fresh Python process; its last stdout line is a JSON report."""
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"{args[0]} {args[1]} failed (exit {result.returncode})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def dataset(lines: int, payees: int, seed: int, say) -> Path:
    from revdesk.engine.generate import GENERATOR_VERSION

    name = f"commissions-v{GENERATOR_VERSION}-{lines}-lines-{payees}-payees-seed-{seed}"
    folder = CACHE / name
    if not folder.is_dir():
        say(f"generating {lines:,} lines ({payees:,} payees, seed {seed}) into {folder}")
        report = _child("--_generate", str(folder), str(lines), str(payees), str(seed))
        say(f"  generated in {report['seconds']:.1f} s")
    return folder


def differences(left: Path, right: Path) -> tuple[int, int, list[str]]:
    """(rows on the left, rows that differ or exist on one side only, a few of them)."""
    import duckdb

    con = duckdb.connect()
    sql = f"""
        SELECT coalesce(a.payee, b.payee) AS payee, coalesce(a.period, b.period) AS period,
               coalesce(a.currency, b.currency) AS currency, a.amount AS left_amount,
               b.amount AS right_amount
        FROM read_parquet('{left}') a
        FULL OUTER JOIN read_parquet('{right}') b
          ON a.payee = b.payee AND a.period = b.period AND a.currency = b.currency
        WHERE a.amount IS DISTINCT FROM b.amount
        ORDER BY period, payee
    """
    rows = con.sql(sql).fetchall()
    count = con.sql(f"SELECT count(*) FROM read_parquet('{left}')").fetchall()[0][0]
    shown = [f"{p} {q} {c}: {a} vs {b}" for p, q, c, a, b in rows[:10]]
    return count, len(rows), shown


def bench(lines: int, args, say) -> dict:
    folder = dataset(lines, args.payees, args.seed, say)
    results: dict[str, dict] = {}
    outputs: dict[str, Path] = {}
    for implementation in [i for i in ("sql", *ENGINES) if i in args.implementations]:
        say(f"{implementation}: {lines:,} lines ...")
        out = folder / f"payouts-{implementation}.parquet"
        results[implementation] = _child("--_run", implementation, str(folder), str(out))
        results[implementation]["lines"] = lines
        outputs[implementation] = out
        say(f"  {results[implementation]['seconds']:.1f} s")
    reference_lines = min(lines, args.reference_lines)
    subset = reference_lines < lines
    if args.reference_lines > 0 and "row-by-row" in args.implementations:
        reference_folder = dataset(reference_lines, args.payees, args.seed, say)
        say(f"row-by-row: {reference_lines:,} lines ...")
        out = reference_folder / "payouts-row-by-row.parquet"
        report = _child("--_run", "row-by-row", str(reference_folder), str(out))
        report["lines"] = reference_lines
        report["measured_seconds"] = report["seconds"]
        if subset:
            report["seconds"] = report["seconds"] * lines / reference_lines
            report["cpu_seconds"] = report["cpu_seconds"] * lines / reference_lines
            report["extrapolated_from"] = reference_lines
            # agreement on the subset: against the SQL on the same lines
            sql_out = reference_folder / "payouts-sql.parquet"
            _child("--_run", "sql", str(reference_folder), str(sql_out))
            outputs["row-by-row"] = out
            outputs["sql-subset"] = sql_out
        else:
            outputs["row-by-row"] = out
        results["row-by-row"] = report
        say(f"  {report['measured_seconds']:.1f} s")
    checks = []
    pairs = []
    for name in ENGINES:
        if name in outputs:
            pairs.append((name, "sql", outputs[name], outputs["sql"]))
    if "row-by-row" in outputs:
        against = outputs.get("sql-subset", outputs["sql"])
        pairs.append(("row-by-row", "sql", outputs["row-by-row"], against))
    for name, other, left, right in pairs:
        count, wrong, shown = differences(left, right)
        checks.append(
            {
                "left": name,
                "right": other,
                "lines": reference_lines if name == "row-by-row" else lines,
                "payout_rows": count,
                "differences": wrong,
                "examples": shown,
            }
        )
    return {"lines": lines, "results": results, "checks": checks, "subset": subset}


def _table(report: dict) -> list[dict]:
    results = report["results"]
    sql = results["sql"]["seconds"]
    reference = results.get("row-by-row", {}).get("seconds")
    rows = []
    for name in IMPLEMENTATIONS:
        if name not in results:
            continue
        r = results[name]
        note = ""
        if r.get("explanation_lines") is not None:
            note = f"handed back {r['explanation_lines']:,} explanation lines, in order"
        if "extrapolated_from" in r:
            note = (
                f"extrapolated from {r['extrapolated_from']:,} lines "
                f"({r['measured_seconds']:.1f} s measured)"
            )
        rows.append(
            {
                "implementation": name,
                "lines": report["lines"],
                "seconds": r["seconds"],
                "cpu_seconds": r["cpu_seconds"],
                "lines_per_second": report["lines"] / r["seconds"] if r["seconds"] else None,
                "peak_rss_mb": r["peak_rss_mb"],
                "ratio_to_sql": r["seconds"] / sql if sql else None,
                "speed_up_over_row_by_row": reference / r["seconds"] if reference else None,
                "note": note,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--_generate":
        folder, lines, payees, seed = Path(argv[1]), int(argv[2]), int(argv[3]), int(argv[4])
        print(json.dumps(_generate(folder, lines, payees, seed)))
        return 0
    if argv and argv[0] == "--_run":
        print(json.dumps(_run(argv[1], Path(argv[2]), Path(argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, action="append", help="lines (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--payees", type=int, default=5000)
    parser.add_argument(
        "--reference-lines",
        type=int,
        default=1_000_000,
        help="time row-by-row on at most this many lines (0: skip it)",
    )
    parser.add_argument(
        "--implementations",
        type=lambda text: [part.strip() for part in text.split(",")],
        default=list(IMPLEMENTATIONS),
        help="which to run, comma-separated (default: all of sql, engine, engine+lines, "
        "row-by-row; sql always runs)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    sizes = args.lines or [1_000_000]
    unknown = set(args.implementations) - set(IMPLEMENTATIONS)
    if unknown:
        known = ", ".join(IMPLEMENTATIONS)
        parser.error(f"unknown implementation {sorted(unknown)[0]!r} ({known})")
    args.implementations = ["sql", *args.implementations]
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")  # generated data stays out of git

    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=args.json)
    if not console.is_terminal:
        console.width = max(console.width, 120)  # the table whole in a log file

    def say(text: str) -> None:
        console.print(text, highlight=False)

    import duckdb

    machine = {
        "date": dt.date.today().isoformat(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "platform": platform.platform(),
    }
    say(
        f"{machine['date']}: {machine['cpus']} cpus, {machine['memory_gib']} GiB, "
        f"Python {machine['python']}, DuckDB {machine['duckdb']}"
    )
    reports = [bench(lines, args, say) for lines in sizes]
    ok = all(check["differences"] == 0 for report in reports for check in report["checks"])
    if args.json:
        print(
            json.dumps(
                {
                    "machine": machine,
                    "runs": [{**r, "table": _table(r)} for r in reports],
                    "agree": ok,
                },
                indent=2,
            )
        )
        return 0 if ok else 1
    for report in reports:
        table = Table(title=f"Commission calculation, {report['lines']:,} lines, 12 months")
        for column in (
            "implementation",
            "lines",
            "seconds",
            "CPU s",
            "lines/s",
            "peak RSS",
            "× SQL",
            "speed-up over row-by-row",
        ):
            table.add_column(column, justify="left" if column == "implementation" else "right")
        notes = []
        for row in _table(report):
            star = " *" if row["note"] else ""
            table.add_row(
                row["implementation"] + star,
                f"{row['lines']:,}",
                f"{row['seconds']:.1f}",
                f"{row['cpu_seconds']:.1f}",
                f"{row['lines_per_second']:,.0f}",
                f"{row['peak_rss_mb']:,.0f} MB",
                f"{row['ratio_to_sql']:.2f}",
                f"{row['speed_up_over_row_by_row']:.1f}×"
                if row["speed_up_over_row_by_row"]
                else "",
            )
            if row["note"]:
                notes.append(f"* {row['implementation']}: {row['note']}")
        console.print(table)
        for note in notes:
            say(note)
        for check in report["checks"]:
            verdict = (
                "agree to the cent"
                if check["differences"] == 0
                else f"DISAGREE on {check['differences']:,} payout rows"
            )
            say(
                f"{check['left']} vs {check['right']} on {check['lines']:,} lines: "
                f"{check['payout_rows']:,} payout rows, {verdict}"
            )
            for example in check["examples"]:
                say(f"    {example}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
