"""`revdesk calc commissions ...`: the commission calculation in file mode, no database (the
collections jobs, `calc aging | top-past-due | kpis | promises`, are in receivables_commands;
cash application, `calc match`, in cashmatch_commands).

Reads the plans folder (plan *.yaml, assignments.csv, policies.yaml) and the input files (CSV
or Parquet), calculates the periods asked for on the engine and writes the payouts (CSV or
Parquet by the suffix of --out) and, with --explain, every explanation line with a last column
`note` saying it in plain words (line_notes.py). Bad input: exit 1
with every problem (file, line, column, what was expected). What is allowed but probably a
mistake (payments naming no transaction) is a warning on stderr, and in the --json summary.
"""

from __future__ import annotations

import argparse
import csv
import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import cashmatch_commands, receivables_commands

GUIDE = "docs/guide/plans.md"
INPUT_FILES = ("transactions", "credits", "quotas", "payments", "fx", "payees", "claims")


def register(subparsers: argparse._SubParsersAction) -> None:
    calc = subparsers.add_parser(
        "calc",
        help="run an engine calculation from files (no database)",
        description="Run an engine calculation on CSV/Parquet/YAML files, without a database.",
    )
    jobs = calc.add_subparsers(dest="job", metavar="JOB")
    commissions = jobs.add_parser(
        "commissions",
        help="commission payouts for a period or a range of periods",
        description=textwrap.fill(
            "Calculate every payee's commission for --period (2026-10, or a range such as "
            "2026-01..2026-04, calculated in order) under the plans in --plans. Earlier periods "
            "count as closed: what they paid stays paid and differences become adjustments.",
            78,
        ),
        epilog="example:\n"
        "  revdesk calc commissions --plans examples/commissions/01-flat-rates-and-clawback \\\n"
        "      --transactions transactions.csv --period 2026-03..2026-11 \\\n"
        "      --out payouts.csv --explain lines.csv\n\n"
        f"The plan format and every input column: {GUIDE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commissions.add_argument(
        "--plans",
        required=True,
        metavar="DIR",
        help="folder with the plan files (*.yaml), assignments.csv and policies.yaml",
    )
    commissions.add_argument("--transactions", required=True, metavar="FILE")
    for name in INPUT_FILES[1:]:
        commissions.add_argument(f"--{name}", metavar="FILE")
    commissions.add_argument(
        "--period", required=True, metavar="P", help="2026-10, 2026-Q4, 2026 or FROM..TO"
    )
    commissions.add_argument(
        "--out", required=True, metavar="FILE", help="payouts (.csv or .parquet)"
    )
    commissions.add_argument(
        "--explain",
        metavar="FILE",
        help="also write every explanation line, with a note in plain words (.csv or .parquet)",
    )
    commissions.add_argument(
        "--backend",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="where to calculate: DuckDB in this process (default) or a local Spark session "
        "(needs the spark extra and Java 17; about 15 s to start)",
    )
    commissions.add_argument(
        "--json", action="store_true", help="print a JSON summary instead of a table"
    )
    commissions.set_defaults(handler=_commissions)
    receivables_commands.register(jobs)
    cashmatch_commands.register(jobs)
    calc.set_defaults(handler=lambda args: _usage(calc))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def table_write(table: pa.Table, path: Path) -> None:
    """CSV or Parquet by the suffix; decimals written as plain text (1100.00)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        pq.write_table(table, path)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.column_names)
        for batch in table.to_batches(max_chunksize=65536):
            for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                writer.writerow(["" if value is None else _text(value) for value in row])


def _text(value: object) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _commissions(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from .backend import BackendUnavailable, spark_connect
    from .commission_inputs import InputError, inputs_read, payments_warning
    from .commissions import STAGES, calculate, periods_expand
    from .progress import progress_bar

    console = Console()
    errors = Console(stderr=True)
    try:
        periods = periods_expand(args.period)
    except ValueError as error:
        errors.print(f"--period: {error}")
        return 2
    out = Path(args.out)
    explain = Path(args.explain) if args.explain else None
    for path in (out, explain):
        if path is not None and path.suffix.lower() not in (".csv", ".parquet"):
            errors.print(f"{path}: write .csv or .parquet")
            return 2
    files = {name: Path(getattr(args, name)) for name in INPUT_FILES if getattr(args, name, None)}
    try:
        inputs = inputs_read(plans=Path(args.plans), **files)
    except InputError as error:
        return input_rejected(error, args.json, console, errors)
    warnings = [text for text in (payments_warning(inputs),) if text]
    for text in warnings:
        errors.print(f"Warning: {text}", markup=False, highlight=False, soft_wrap=True)
    backend = None
    if args.backend == "spark":
        try:
            with errors.status("starting Spark", spinner="dots"):
                backend = spark_connect()
        except BackendUnavailable as error:
            errors.print(f"--backend spark: {error}")
            return 2
    try:
        with progress_bar(errors, quiet=args.json) as progress:
            task = progress.add_task("reading", total=len(STAGES))
            seen: set[str] = set()

            def step(stage: str) -> None:
                if stage not in seen:
                    seen.add(stage)
                    progress.update(task, description=stage, completed=len(seen))

            result = calculate(
                inputs,
                periods=periods,
                backend=backend,
                progress=step,
                explain=explain is not None,
            )
    except InputError as error:
        return input_rejected(error, args.json, console, errors)
    table_write(result.payouts, out)
    if explain is not None and result.lines is not None:
        with progress_bar(
            errors, quiet=args.json, counts="{task.completed:,}/{task.total:,} lines"
        ) as progress:
            task = progress.add_task("notes", total=result.lines.num_rows)

            def noted(done: int) -> None:
                progress.update(task, completed=done)

            table_write(explained(result.lines, inputs, progress=noted), explain)
    summary = {
        "periods": result.periods,
        "payouts": result.payouts.num_rows,
        # (the lines are gathered only for --explain)
        "lines": None if result.lines is None else result.lines.num_rows,
        "totals": _totals(result.payouts),
        "fingerprint": result.fingerprint,
        "engine_version": result.engine_version,
        "backend": args.backend,
        "plan_versions": result.plan_versions,
        "out": str(out),
        "explain": str(explain) if explain else None,
        "warnings": warnings,
    }
    if args.json:
        console.print_json(json.dumps(summary))
        return 0
    shown = Table(title=f"Commissions {args.period}")
    for column in ("payee", "period", "amount", "currency"):
        shown.add_column(column, justify="right" if column == "amount" else "left")
    for row in result.payouts.to_pylist():
        shown.add_row(row["payee"], row["period"], f"{row['amount']:,.2f}", row["currency"])
    console.print(shown)
    console.print(f"Written to {out}" + (f" (explanation lines: {explain})" if explain else ""))
    console.print(f"Input fingerprint {result.fingerprint[:16]}, engine {result.engine_version}")
    return 0


def explained(lines: pa.Table, inputs, *, progress=None) -> pa.Table:
    """The explanation lines with a last column `note`: each line in plain words
    (line_notes.py), from the plan version in force for its payee and period; `progress` is
    told how many lines are noted so far."""
    from .line_notes import line_notes

    notes = line_notes(
        lines,
        inputs.plans,
        inputs.assignments,
        quotas=inputs.quotas,
        transactions=inputs.transactions,
        progress=progress,
    )
    return lines.append_column("note", notes)


def _totals(payouts: pa.Table) -> dict[str, str]:
    totals: dict[str, object] = {}
    for row in payouts.to_pylist():
        totals[row["currency"]] = totals.get(row["currency"], 0) + row["amount"]
    return {currency: format(amount, "f") for currency, amount in sorted(totals.items())}


def input_rejected(error, as_json: bool, console, errors) -> int:
    from rich.table import Table

    if as_json:
        problems = [
            {"file": file, "line": line, "column": column, "message": message}
            for file, line, column, message in error.problems
        ]
        console.print_json(json.dumps({"ok": False, "problems": problems}))
        return 1
    table = Table(title="The input was rejected: nothing was calculated")
    for column in ("file", "line", "column", "problem"):
        table.add_column(column)
    for file, line, column, message in error.problems:
        table.add_row(str(file), "" if line is None else str(line), column, message)
    errors.print(table)
    return 1
