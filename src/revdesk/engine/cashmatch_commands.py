"""`revdesk calc match`: cash application in file mode, no database, on the same engine as
the database-backed run (engine.cashmatch).

Reads the open items, the bank receipts and optionally the customers, remittance lines,
learnt account links and a reason-code map (CSV or Parquet), matches, writes
applications.csv, unapplied.csv, cases.csv and suggestions.csv into --out DIR and prints a
summary (or with --json the summary as JSON). Bad input: exit 1 with every problem (file,
line, column, what was expected) and nothing written.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import textwrap
from decimal import Decimal, InvalidOperation
from pathlib import Path

GUIDE = "docs/guide/cash-application.md"
OUTPUTS = ("applications", "unapplied", "cases", "suggestions")


def register(jobs: argparse._SubParsersAction) -> None:
    job = jobs.add_parser(
        "match",
        help="cash application: bank receipts matched to open invoices",
        description=textwrap.fill(
            "Match the receipts of --bank to the open invoices of --items: identify the payer "
            "(an invoice reference in the text, the payer's bank account, the payer's name), "
            "apply referenced invoices (small shortfalls written off, larger ones left open "
            "with a short-payment case), remittance lines as given (deductions become cases), "
            "or the one set of open items that adds up to the receipt; below the confidence "
            "threshold a match is only suggested. Writes applications.csv, unapplied.csv, "
            "cases.csv and suggestions.csv into --out.",
            78,
        ),
        epilog="example:\n"
        "  revdesk calc match --items open_items.csv --bank bank.csv \\\n"
        "      --customers customers.csv --out matched/\n\n"
        f"Columns, rules and confidences: {GUIDE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    job.add_argument(
        "--items",
        required=True,
        metavar="FILE",
        help="open invoices: customer, invoice, invoice_date, due_date, open_amount, currency",
    )
    job.add_argument(
        "--bank",
        required=True,
        metavar="FILE",
        help="receipts: receipt, date, amount, currency, [payer_name, payer_account, text, "
        "bank_reference, format, source]",
    )
    job.add_argument(
        "--customers", metavar="FILE", help="customer, [name, bank_account] (a row per account)"
    )
    job.add_argument(
        "--remittance",
        metavar="FILE",
        help="receipt, invoice, paid, [invoiced, adjustment, adjustment_reason]",
    )
    job.add_argument(
        "--links", metavar="FILE", help="payer_account, customer: accounts people confirmed"
    )
    job.add_argument(
        "--reasons",
        metavar="FILE",
        help="external_code, reason_code: the customers' deduction codes mapped to ours "
        "(default: a few X12 ADX codes and our own codes)",
    )
    job.add_argument(
        "--write-off",
        type=_amount,
        default=Decimal("5.00"),
        metavar="AMOUNT",
        help="write off a shortfall of at most this much as a small balance (default 5.00)",
    )
    job.add_argument(
        "--write-off-percent",
        type=_amount,
        metavar="PCT",
        help="and at most this percent of the invoice's open amount (default: no limit)",
    )
    job.add_argument(
        "--threshold",
        type=_amount,
        default=Decimal("0.90"),
        metavar="C",
        help="apply only matches at least this sure, 0 to 1; the rest are suggested (default 0.90)",
    )
    job.add_argument(
        "--max-items",
        type=int,
        default=30,
        metavar="N",
        help="search sets among a customer's N oldest-due open items (default 30)",
    )
    job.add_argument(
        "--max-size",
        type=int,
        default=5,
        metavar="K",
        help="of at most K invoices (default 5)",
    )
    job.add_argument(
        "--equal-amounts",
        choices=("oldest", "suggest"),
        default="oldest",
        help="several open invoices of a receipt's amount, none named: pay the oldest due "
        "not in dispute, or suggest it to a person (default oldest)",
    )
    job.add_argument("--out", required=True, metavar="DIR", help="folder for the four CSV files")
    job.add_argument("--json", action="store_true", help="print the summary as JSON")
    job.set_defaults(handler=_match)


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number such as 5.00") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number such as 5.00")
    return value


def _match(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .cashmatch import MatchSettings, match
    from .cashmatch_inputs import inputs_read
    from .commands import input_rejected, table_write
    from .commission_inputs import InputError
    from .progress import progress_bar

    console, errors = Console(), Console(stderr=True)
    try:
        settings = MatchSettings(
            write_off=args.write_off,
            write_off_percent=args.write_off_percent,
            threshold=args.threshold,
            subset_max_items=args.max_items,
            subset_max_size=args.max_size,
            equal_amounts=args.equal_amounts,
        )
    except ValueError as error:
        errors.print(f"usage: {error}")
        return 2
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        errors.print(f"--out {out}: a folder, not a file")
        return 2
    files = {
        name: Path(getattr(args, name))
        for name in ("items", "bank", "customers", "remittance", "links", "reasons")
        if getattr(args, name, None)
    }
    stages = (
        "reading",
        "finding references",
        "identifying payers",
        "applying references",
        "identifying by name",
        "searching by amount",
        "writing",
    )
    with progress_bar(errors, quiet=args.json) as progress:
        task = progress.add_task("reading", total=len(stages))

        def step(stage: str) -> None:
            done = stages.index(stage) if stage in stages else 0
            progress.update(task, description=stage, completed=done)

        try:
            inputs = inputs_read(**files)
        except InputError as error:
            progress.stop()
            return input_rejected(error, args.json, console, errors)
        if inputs.reasons is not None:
            settings = dataclasses.replace(settings, reasons=inputs.reasons)
        result = match(
            inputs.items,
            inputs.receipts,
            customers=inputs.customers,
            remittance=inputs.remittance,
            links=inputs.links,
            settings=settings,
            progress=step,
        )
        for name in OUTPUTS:
            table_write(getattr(result, name), out / f"{name}.csv")
    summary = {**result.summary(), "out": str(out)}
    if args.json:
        console.print_json(json.dumps(summary))
        return 0
    _show(summary, console)
    return 0


def _show(summary: dict, console) -> None:
    from rich.table import Table

    def amounts(by_currency: dict[str, str]) -> str:
        return ", ".join(f"{Decimal(v):,.2f} {c}" for c, v in by_currency.items()) or "0.00"

    table = Table(title="Cash matching", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_column("amount", justify="right")
    table.add_row("receipts", str(summary["receipts"]), "")
    table.add_row(
        "applied (receipts / applications)",
        f"{summary['receipts_applied']} / {summary['applications']}",
        amounts(summary["applied"]),
    )
    table.add_row("written off", "", amounts(summary["written_off"]))
    for reason, figures in summary["unapplied"].items():
        table.add_row(f"unapplied: {reason}", str(figures["count"]), amounts(figures["amount"]))
    for kind, figures in summary["cases"].items():
        table.add_row(f"case: {kind}", str(figures["count"]), amounts(figures["amount"]))
    table.add_row("suggestions", str(summary["suggestions"]), "")
    console.print(table)
    console.print(f"Written to {summary['out']}: " + ", ".join(f"{n}.csv" for n in OUTPUTS))
