"""`revdesk calc aging | top-past-due | kpis | promises`: the collections figures in file mode,
no database, on the same code as the database-backed reports (engine.aging, engine.kpis,
engine.promises).

Each reads CSV or Parquet, prints a table (or with --json the figures as JSON) and with --out
writes them as CSV, Parquet or JSON by the suffix. Bad input: exit 1 with every problem (file,
line, column, what was expected) and nothing written.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

GUIDE = "docs/guide/collections.md"
OUT_SUFFIXES = (".csv", ".parquet", ".json")


def register(jobs: argparse._SubParsersAction) -> None:
    aging = _job(
        jobs,
        "aging",
        "the aging of open items on a date, by customer, parent, collector, region or company",
        "Sum the open items of --items into aging buckets on --as-of: Current, 1-30, 31-60, "
        "61-90, 91-120 and over 120 days past due (or by invoice date), with open credits "
        "apart and netted in the total, per customer (or --by) and currency.",
        "revdesk calc aging --items open_items.csv --as-of 2026-10-31 --out aging.csv",
    )
    _items_arguments(aging)
    aging.add_argument(
        "--buckets",
        default="30,60,90,120",
        metavar="DAYS",
        help="each bucket's upper limit in days (default 30,60,90,120)",
    )
    aging.add_argument(
        "--basis",
        choices=("due", "invoice"),
        default="due",
        help="age by due date (days past due, the default) or by invoice date",
    )
    aging.add_argument(
        "--by",
        choices=("customer", "parent", "collector", "region", "company"),
        default="customer",
        help="one row per customer (default), top-most parent, collector, region, or "
        "the whole company (per currency)",
    )
    aging.add_argument(
        "--explain",
        metavar="FILE",
        help="also write every item with its days past due and bucket (.csv, .parquet, .json)",
    )
    aging.set_defaults(handler=_aging)

    top = _job(
        jobs,
        "top-past-due",
        "the customers with the most past due on a date, ranked",
        "Rank the customers (or top-most parents) of --items by their past-due amount on "
        "--as-of (everything after Current), with the oldest item's days past due and the "
        "net open balance after open credits.",
        "revdesk calc top-past-due --items open_items.csv --as-of 2026-10-31 --top 20",
    )
    _items_arguments(top)
    top.add_argument("--top", type=int, default=20, metavar="N", help="how many (default 20)")
    top.add_argument(
        "--by", choices=("customer", "parent"), default="customer", help="rank customers or parents"
    )
    top.set_defaults(handler=_top_past_due)

    kpis = _job(
        jobs,
        "kpis",
        "DSO, best possible DSO, ADD, CEI, % current, unapplied cash and dispute aging",
        "Work out the collection KPIs of a period from its credit sales by month and its "
        "receivables at the start and the end (--inputs: rows item,value with sales_YYYY-MM "
        "per month, ar_begin, ar_end, ar_end_current; ar_end_receivable for % current and "
        "unapplied_cash are optional), and with --disputes the disputes open at the end of "
        "the last month: how many, how much, their average and oldest age, by age bucket.",
        "revdesk calc kpis --inputs kpi_inputs.csv --disputes disputes.csv --json",
    )
    kpis.add_argument("--inputs", required=True, metavar="FILE", help="item,value (CSV/Parquet)")
    kpis.add_argument(
        "--disputes",
        metavar="FILE",
        help="disputes: number, amount, currency, opened_on, [closed_on, customer, parent, "
        "collector, region] (CSV/Parquet; one currency)",
    )
    kpis.add_argument(
        "--explain",
        metavar="FILE",
        help="with --disputes, also write every dispute open at the end with its age and "
        "bucket (.csv, .parquet, .json)",
    )
    _out_arguments(kpis)
    kpis.set_defaults(handler=_kpis)

    promises = _job(
        jobs,
        "promises",
        "promises to pay on a date: kept, broken or open",
        "Evaluate the promises of --promises against the payments of --payments at the end "
        "of --as-of: kept the day the amount is reached by the promised date plus the grace "
        "days, broken the day after that deadline, open until then.",
        "revdesk calc promises --promises promises.csv --payments payments.csv \\\n"
        "      --as-of 2026-10-31 --grace 2",
    )
    promises.add_argument("--promises", required=True, metavar="FILE")
    promises.add_argument("--payments", required=True, metavar="FILE")
    promises.add_argument("--as-of", required=True, metavar="DATE", type=_date)
    promises.add_argument(
        "--grace",
        type=int,
        default=2,
        metavar="DAYS",
        help="grace days after the promised date where the file gives none (default 2)",
    )
    _out_arguments(promises)
    promises.set_defaults(handler=_promises)


def _job(jobs, name: str, short: str, description: str, example: str) -> argparse.ArgumentParser:
    return jobs.add_parser(
        name,
        help=short,
        description=textwrap.fill(description, 78),
        epilog=f"example:\n  {example}\n\nColumns and conventions: {GUIDE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _items_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--items",
        required=True,
        metavar="FILE",
        help="open items: customer, document, type, invoice_date, due_date, open_amount, "
        "currency, [original_amount, parent, collector, region] (CSV/Parquet)",
    )
    parser.add_argument("--as-of", required=True, metavar="DATE", type=_date)
    _out_arguments(parser)


def _out_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="FILE", help="write the figures (.csv, .parquet, .json)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def output_write(table: pa.Table, path: Path) -> None:
    """CSV, Parquet or JSON (a list of rows; amounts as text, 1100.00) by the suffix."""
    from .commands import table_write

    if path.suffix.lower() == ".json":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_records(table), indent=2) + "\n", encoding="utf-8")
    else:
        table_write(table, path)


def _records(table: pa.Table) -> list[dict]:
    return [{key: _plain(value) for key, value in row.items()} for row in table.to_pylist()]


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _outputs_checked(args: argparse.Namespace, errors, *names: str) -> bool:
    for name in names:
        value = getattr(args, name, None)
        if value and Path(value).suffix.lower() not in OUT_SUFFIXES:
            errors.print(f"--{name} {value}: write .csv, .parquet or .json")
            return False
    return True


def _show(table: pa.Table, title: str, args: argparse.Namespace, console) -> None:
    from rich.table import Table

    if args.json:
        console.print_json(json.dumps(_records(table)))
        return
    shown = Table(title=title)
    for field in table.schema:
        numeric = pa.types.is_decimal(field.type) or pa.types.is_integer(field.type)
        shown.add_column(field.name, justify="right" if numeric else "left")
    for row in table.to_pylist():
        shown.add_row(*(_cell(value) for value in row.values()))
    console.print(shown)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(_plain(value))


def _finish(table: pa.Table, title: str, args: argparse.Namespace, console) -> int:
    if args.out:
        output_write(table, Path(args.out))
    _show(table, title, args, console)
    if args.out and not args.json:
        console.print(f"Written to {args.out}")
    return 0


def _consoles():
    from rich.console import Console

    return Console(), Console(stderr=True)


def _aging(args: argparse.Namespace) -> int:
    from .aging import Buckets, aging, explain, items_read
    from .commands import input_rejected
    from .commission_inputs import InputError

    console, errors = _consoles()
    if not _outputs_checked(args, errors, "out", "explain"):
        return 2
    try:
        buckets = Buckets.parse(args.buckets, args.basis)
    except ValueError as error:
        errors.print(f"--buckets: {error}")
        return 2
    try:
        items = items_read(Path(args.items))
    except InputError as error:
        return input_rejected(error, args.json, console, errors)
    table = aging(items, args.as_of, buckets=buckets, by=args.by)
    if args.explain:
        output_write(explain(items, args.as_of, buckets=buckets), Path(args.explain))
    return _finish(table, f"Aging on {args.as_of} by {args.by}", args, console)


def _top_past_due(args: argparse.Namespace) -> int:
    from .aging import items_read, top_past_due
    from .commands import input_rejected
    from .commission_inputs import InputError

    console, errors = _consoles()
    if not _outputs_checked(args, errors, "out"):
        return 2
    if args.top < 1:
        errors.print("--top: a number of customers, 1 or more")
        return 2
    try:
        items = items_read(Path(args.items))
    except InputError as error:
        return input_rejected(error, args.json, console, errors)
    table = top_past_due(items, args.as_of, top=args.top, by=args.by)
    return _finish(table, f"Top {args.top} past due on {args.as_of}", args, console)


def _kpis(args: argparse.Namespace) -> int:
    from .commands import input_rejected
    from .commission_inputs import InputError
    from .dispute_aging import OpenDisputes, dispute_aging, disputes_read, open_disputes_explain
    from .kpis import kpi_inputs_read, kpis

    console, errors = _consoles()
    if not _outputs_checked(args, errors, "out", "explain"):
        return 2
    if args.explain and not args.disputes:
        errors.print("--explain lists the open disputes: give --disputes too")
        return 2
    try:
        inputs = kpi_inputs_read(Path(args.inputs))
        disputes = disputes_read(Path(args.disputes)) if args.disputes else None
        currencies = set() if disputes is None else set(disputes.column("currency").to_pylist())
        if len(currencies) > 1:
            raise InputError(
                [(Path(args.disputes).name, None, "currency", "one currency per file, as the KPIs")]
            )
    except InputError as error:
        return input_rejected(error, args.json, console, errors)
    if disputes is not None:
        opened = dispute_aging(disputes, inputs.end, by="company")
        found = next(iter(opened.values()), OpenDisputes())
        inputs = dataclasses.replace(inputs, disputes=found)
        if args.explain:
            output_write(open_disputes_explain(disputes, inputs.end), Path(args.explain))
    result = kpis(inputs)
    table = pa.table(
        {
            "kpi": pa.array(list(result.values), pa.string()),
            "value": pa.array(list(result.values.values()), pa.decimal128(38, 2)),
        }
    )
    for note in result.notes:
        errors.print(f"note: {note}")
    title = f"KPIs {inputs.months[0]}..{inputs.months[-1]} ({inputs.days} days)"
    return _finish(table, title, args, console)


def _promises(args: argparse.Namespace) -> int:
    from .commands import input_rejected
    from .commission_inputs import InputError
    from .promises import evaluate, outcomes_table, payments_read, promises_read

    console, errors = _consoles()
    if not _outputs_checked(args, errors, "out"):
        return 2
    if args.grace < 0:
        errors.print("--grace: a number of days, 0 or more")
        return 2
    try:
        promises = promises_read(Path(args.promises), args.grace)
        payments = payments_read(Path(args.payments))
    except InputError as error:
        return input_rejected(error, args.json, console, errors)
    table = outcomes_table(evaluate(promises, payments, args.as_of))
    return _finish(table, f"Promises to pay at the end of {args.as_of}", args, console)
