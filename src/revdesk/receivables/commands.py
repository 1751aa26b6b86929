"""`revdesk collections ...`: the desk's daily job, the worklist, and portfolio moves."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def register(subparsers) -> None:
    collections = subparsers.add_parser(
        "collections", help="the collections desk: daily job, worklists, portfolios"
    )
    commands = collections.add_subparsers(dest="collections_command", metavar="COMMAND")
    commands.required = True
    daily = commands.add_parser(
        "daily",
        help="evaluate promises to pay (a broken one becomes a task) and predict every open "
        "invoice's pay date; run it once a day",
    )
    daily.add_argument("--on", type=_date, metavar="DATE", help="the day (default today)")
    daily.add_argument(
        "--every",
        type=int,
        metavar="SECONDS",
        help="keep running, once every SECONDS (a day is 86400)",
    )
    daily.add_argument("--json", action="store_true", help="print what was done as JSON")
    daily.set_defaults(handler=_daily)

    work = commands.add_parser("worklist", help="a collector's worklist for a day, ranked")
    work.add_argument("--collector", required=True, metavar="LOGIN")
    work.add_argument("--on", type=_date, metavar="DATE", help="the day (default today)")
    work.add_argument("--top", type=int, default=25, metavar="N", help="rows shown (default 25)")
    work.add_argument("--json", action="store_true", help="print the rows as JSON")
    work.set_defaults(handler=_worklist)

    assign = commands.add_parser(
        "assign", help="give customers (with --hierarchy, their whole trees) to a collector"
    )
    assign.add_argument("customers", nargs="+", metavar="CODE")
    assign.add_argument("--collector", required=True, metavar="LOGIN")
    assign.add_argument("--on", type=_date, metavar="DATE", help="from this day (default today)")
    assign.add_argument("--hierarchy", action="store_true", help="every customer under each")
    assign.set_defaults(handler=_assign)
    _statements_register(commands)
    _cash_register(subparsers)


def _cash_register(subparsers) -> None:
    cash = subparsers.add_parser(
        "cash", help="cash application: read bank and remittance files, apply the receipts"
    )
    commands = cash.add_subparsers(dest="cash_command", metavar="COMMAND")
    commands.required = True
    apply = commands.add_parser(
        "apply",
        help="read a bank or remittance file (BAI2, MT940/942, camt.053/054, X12 820, CSV) "
        "and apply its receipts to the open invoices: what is sure is applied, the rest is "
        "suggested or left unapplied with why",
    )
    apply.add_argument("file", type=Path, metavar="FILE")
    apply.add_argument(
        "--profile", type=Path, metavar="YAML", help="column mapping of a lockbox CSV file"
    )
    apply.add_argument(
        "--write-off",
        metavar="AMOUNT",
        help="a shortfall up to this is written off as a small balance (default 5.00)",
    )
    apply.add_argument(
        "--threshold",
        metavar="CONFIDENCE",
        help="below this confidence (0 to 1) a match is a suggestion (default 0.90)",
    )
    apply.add_argument("--json", action="store_true", help="print what was done as JSON")
    apply.set_defaults(handler=_cash_apply)


def _cash_apply(args: argparse.Namespace) -> int:
    from decimal import Decimal, InvalidOperation

    from django.core.exceptions import ValidationError
    from rich.console import Console

    from revdesk.engine.bankfiles import BankFileError, profile_load
    from revdesk.engine.cashmatch import MatchSettings
    from revdesk.foundation.context import acting_as

    from .cash import cash_apply, deduction_reasons

    console, errors = Console(), Console(stderr=True)
    if not args.file.is_file():
        errors.print(f"{args.file}: no such file")
        return 2
    options = {}
    try:
        if args.write_off is not None:
            options["write_off"] = Decimal(args.write_off)
        if args.threshold is not None:
            options["threshold"] = Decimal(args.threshold)
        settings = MatchSettings(reasons=deduction_reasons(), **options)
    except (InvalidOperation, ValueError) as error:
        errors.print(f"--write-off / --threshold: {error or 'not a number'}")
        return 2
    try:
        profile = profile_load(args.profile) if args.profile else None
        with (
            acting_as(None, "cli"),
            errors.status("cash application", spinner="dots") as status,
        ):
            run = cash_apply(
                path=args.file,
                actor=None,
                profile=profile,
                settings=settings,
                progress=lambda stage: status.update(f"cash application: {stage}"),
            )
    except BankFileError as error:
        errors.print(f"[red]{args.file.name} was not read[/] (nothing was written):")
        for file, line, column, message in error.problems:
            where = f"{file}, line {line}" if line is not None else file
            errors.print(f"  {where}, {column}: {message}" if column else f"  {where}: {message}")
        return 1
    except ValidationError as error:
        errors.print(" ".join(error.messages))
        return 1
    if args.json:
        console.print_json(json.dumps({"file": run.bank_file.name, **run.summary}))
        return 0
    summary = run.summary
    console.print(
        f"{run.bank_file.name} ({summary['format']}): {summary['receipts']} receipts, "
        f"{summary['receipts_applied']} applied to {summary['applications']} invoices"
    )
    for currency, amount in summary["applied"].items():
        console.print(f"  applied {amount} {currency}")
    for currency, amount in summary["written_off"].items():
        if Decimal(amount):
            console.print(f"  written off (small balances) {amount} {currency}")
    for reason, figures in summary["unapplied"].items():
        amounts = ", ".join(f"{a} {c}" for c, a in figures["amount"].items())
        console.print(f"  unapplied, {reason.replace('_', ' ')}: {figures['count']} ({amounts})")
    for kind, figures in summary["cases"].items():
        console.print(f"  {kind.replace('_', ' ')} cases opened: {figures['count']}")
    if summary["suggestions"]:
        console.print(f"  suggestions to confirm: {summary['suggestions']}")
    for warning in summary["warnings"]:
        errors.print(f"[yellow]warning[/]: {warning}")
    return 0


def _statements_register(commands) -> None:
    statements = commands.add_parser(
        "statements",
        help="statements of account: write them as PDF and Excel, or e-mail them (--send)",
    )
    statements.add_argument("customers", nargs="*", metavar="CODE")
    statements.add_argument(
        "--collector", metavar="LOGIN", help="every account of this collector with something open"
    )
    statements.add_argument("--on", type=_date, metavar="DATE", help="the day (default today)")
    statements.add_argument("--out", type=Path, metavar="DIR", help="write PDF and Excel here")
    statements.add_argument(
        "--send", action="store_true", help="e-mail each to its billing contact (recorded)"
    )
    statements.set_defaults(handler=_statements)


def _statements(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from rich.console import Console
    from rich.progress import track

    from revdesk.foundation.context import acting_as
    from revdesk.parties.models import Customer

    from .models import Invoice
    from .statements import statement_build, statement_pdf, statement_send, statement_xlsx

    console, errors = Console(), Console(stderr=True)
    if not args.out and not args.send:
        errors.print("say what to do: --out DIR (write the files) or --send (e-mail them)")
        return 2
    customers = list(Customer.objects.filter(code__in=args.customers))
    unknown = sorted(set(args.customers) - {c.code for c in customers})
    if unknown:
        errors.print(f"no customer {', '.join(unknown)}: nothing was done")
        return 1
    if args.collector:
        collector = get_user_model().objects.filter(username=args.collector).first()
        if collector is None:
            errors.print(f"--collector: no login {args.collector!r}")
            return 2
        owing = Invoice.objects.filter(Invoice.open_q(), customer__collector=collector)
        customers += list(
            Customer.objects.filter(pk__in=owing.values("customer_id")).exclude(
                pk__in=[c.pk for c in customers]
            )
        )
    customers.sort(key=lambda c: c.code)
    failed = 0
    for customer in track(customers, description="statements", console=errors, transient=True):
        if args.out:
            statement = statement_build(customer=customer, on=args.on)
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{statement.file_stem}.pdf").write_bytes(statement_pdf(statement))
            (args.out / f"{statement.file_stem}.xlsx").write_bytes(statement_xlsx(statement))
        if args.send:
            from django.core.exceptions import ValidationError

            try:
                with acting_as(None, "cli"):
                    activity = statement_send(actor=None, customer=customer, on=args.on)
                console.print(f"{customer.code}: {activity.subject}")
            except ValidationError as error:
                failed += 1
                console.print(f"{customer.code}: [red]not sent[/]: {' '.join(error.messages)}")
    console.print(
        f"{len(customers)} statements"
        + (f" written to {args.out}" if args.out else "")
        + (f", {len(customers) - failed} sent, {failed} not" if args.send else "")
    )
    return 1 if failed else 0


def _day_summary(day) -> dict:
    return {
        "day": day.day.isoformat(),
        "promises_kept": day.promises_kept,
        "promises_broken": day.promises_broken,
        "tasks_created": day.tasks_created,
        "predictions": day.predictions,
        "trained_on": day.trained_on,
        "held_out": day.held_out,
        "model_error_days": None if day.model_error_days is None else str(day.model_error_days),
        "fallback_error_days": (
            None if day.fallback_error_days is None else str(day.fallback_error_days)
        ),
        "new_customer_error_days": (
            None if day.new_customer_error_days is None else str(day.new_customer_error_days)
        ),
    }


def _daily(args: argparse.Namespace) -> int:
    from rich.console import Console

    from revdesk.foundation.context import acting_as

    from .worklist import collections_daily

    console, errors = Console(), Console(stderr=True)
    while True:
        with (
            acting_as(None, "cli"),
            errors.status("collections daily job", spinner="dots") as status,
        ):
            day = collections_daily(
                on=args.on, step=lambda text: status.update(f"collections daily: {text}")
            )
        summary = _day_summary(day)
        if args.json:
            console.print_json(json.dumps(summary))
        else:
            console.print(
                f"{summary['day']}: {day.promises_kept} promises kept, {day.promises_broken} "
                f"broken ({day.tasks_created} follow-up tasks); {day.predictions} pay dates "
                f"predicted from {day.trained_on} paid invoices"
            )
            if day.model_error_days is not None:
                console.print(
                    f"  prediction error on {day.held_out} held-out invoices: "
                    f"{day.model_error_days} days (customer history), "
                    f"{day.fallback_error_days} days by segment alone"
                    + (
                        f", {day.new_customer_error_days} days for new customers"
                        if day.new_customer_error_days is not None
                        else ""
                    )
                )
        if not args.every:
            return 0
        time.sleep(args.every)


def _worklist(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from rich.console import Console
    from rich.table import Table

    from .worklist import worklist

    console, errors = Console(), Console(stderr=True)
    user = get_user_model().objects.filter(username=args.collector).first()
    if user is None:
        errors.print(f"--collector: no login {args.collector!r}")
        return 2
    rows = worklist(user=user, on=args.on)[: args.top]
    if args.json:
        console.print_json(
            json.dumps(
                [
                    {
                        "customer": row.customer.code,
                        "score": str(row.score),
                        "parts": [[label, str(points)] for label, points in row.parts],
                        "next_action": row.next_action,
                        "why": row.why,
                        "overdue": {c: str(a) for c, a in row.overdue.items()},
                        "coming_due": {c: str(a) for c, a in row.coming_due.items()},
                        "invoices": [item.number for item in row.items],
                    }
                    for row in rows
                ]
            )
        )
        return 0
    table = Table(title=f"Worklist of {args.collector}")
    for column in ("score", "customer", "next action", "why"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for row in rows:
        table.add_row(
            str(row.score), f"{row.customer.code} {row.customer.name}", row.next_action, row.why
        )
    console.print(table)
    return 0


def _assign(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from revdesk.foundation.context import acting_as
    from revdesk.parties.models import Customer

    from .activities import portfolio_assign

    collector = get_user_model().objects.filter(username=args.collector).first()
    if collector is None:
        print(f"--collector: no login {args.collector!r}")
        return 2
    found = {c.code: c for c in Customer.objects.filter(code__in=args.customers)}
    unknown = [code for code in args.customers if code not in found]
    if unknown:
        print(f"no customer {', '.join(unknown)}: nothing was assigned")
        return 1
    with acting_as(None, "cli"):
        changed = portfolio_assign(
            actor=None,
            customers=found.values(),
            collector=collector,
            on=args.on,
            hierarchy=args.hierarchy,
        )
    print(
        f"{len(changed)} customers now with {args.collector}: {', '.join(c.code for c in changed)}"
    )
    return 0
