"""`revdesk commissions statement|payroll|paid import|reconcile`: a run's documents, what was
paid, and the reconciliation of the two."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path


def register(commands) -> None:
    statement = commands.add_parser(
        "statement",
        help="write commission statements (PDF or Excel) for payees of a run",
        description="One payee's statement for a run: the payout, every line behind it grouped "
        "by component with subtotals, and how to ask a question. With one payee --out is the "
        "file; with several payees, or none (every payee of the run), --out is a folder.",
    )
    statement.add_argument("run", type=int, metavar="RUN")
    statement.add_argument("payees", nargs="*", metavar="PAYEE", help="payee codes (default: all)")
    statement.add_argument("--format", choices=("pdf", "xlsx"), default="pdf")
    statement.add_argument("--out", type=Path, required=True, metavar="PATH")
    statement.add_argument("--json", action="store_true", help="print what was written as JSON")
    statement.set_defaults(handler=_statement)
    payroll = commands.add_parser(
        "payroll",
        help="write the payroll file of an approved or paid run (.csv or .xlsx)",
        description="One row per payee, period and currency: payee code, name, period, "
        "currency, amount and the run number, checked to add up to the run's totals. Draft and "
        "reviewed runs are refused.",
    )
    payroll.add_argument("run", type=int, metavar="RUN")
    payroll.add_argument("--out", type=Path, required=True, metavar="FILE")
    payroll.add_argument("--json", action="store_true")
    payroll.set_defaults(handler=_payroll)
    paid = commands.add_parser("paid", help="what payroll actually paid")
    paid_commands = paid.add_subparsers(dest="paid_command", metavar="COMMAND")
    paid_commands.required = True
    load = paid_commands.add_parser(
        "import",
        help="load a file of what was paid (CSV or .xlsx); all or nothing, never twice",
        description="Columns: payee, period, component (optional), amount, currency, paid_on, "
        "reference (optional). Every bad line is listed with its line, column, value and what "
        "was expected, and nothing is loaded. The same file is refused a second time.",
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument(
        "--encoding",
        metavar="NAME",
        help="the CSV's text encoding when it is not UTF-8, e.g. cp1252 (what Excel calls "
        "'ANSI' or 'Western European (Windows)')",
    )
    load.add_argument("--json", action="store_true")
    load.set_defaults(handler=_paid_import)
    reconcile = commands.add_parser(
        "reconcile",
        help="compare what an approved or paid run calculated with what was paid; store the "
        "variances",
        description="Approved and paid runs only (a draft or reviewed run can still change). "
        "By payee, period and component: calculated, paid and the variance "
        "(calculated - paid), with the transactions behind each variance. Variances are kept "
        "(running it again updates them); --open-cases opens one commission inquiry per "
        "variance, never twice.",
    )
    reconcile.add_argument("run", type=int, metavar="RUN")
    reconcile.add_argument(
        "--open-cases", action="store_true", help="open a commission inquiry case per variance"
    )
    reconcile.add_argument("--json", action="store_true")
    reconcile.set_defaults(handler=_reconcile)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _run_or_none(number: int, console):
    from .models import CommissionRun

    run = CommissionRun.objects.filter(pk=number).first()
    if run is None:
        console.print(f"There is no run {number} (revdesk commissions runs lists them).")
    return run


def _fail(args, console, message: str, **extra) -> int:
    if args.json:
        console.print_json(json.dumps({"ok": False, "message": message, **extra}))
    else:
        console.print(message)
    return 1


# -- statement -------------------------------------------------------------------------------


def _statement(args: argparse.Namespace) -> int:
    from rich.console import Console

    from revdesk.engine.progress import progress_bar

    from .statements import (
        statement_build,
        statement_file_name,
        statement_payees,
        statement_render,
    )

    console = Console()
    errors = Console(stderr=True)
    run = _run_or_none(args.run, console)
    if run is None:
        return 1
    known = {payee.code: payee for payee in statement_payees(run)}
    if args.payees:
        missing = [code for code in args.payees if code not in known]
        if missing:
            return _fail(
                args,
                console,
                f"No payout in run {run.pk} ({run.periods}) for {', '.join(missing)}: nothing "
                "was written.",
            )
        chosen = [known[code] for code in dict.fromkeys(args.payees)]
    else:
        chosen = list(known.values())
    if not chosen:
        return _fail(args, console, f"Run {run.pk} has no payouts: nothing was written.")
    single = len(chosen) == 1 and bool(args.payees) and not args.out.is_dir()
    if single:
        targets = [args.out]
        args.out.parent.mkdir(parents=True, exist_ok=True)
    else:
        if args.out.exists() and not args.out.is_dir():
            return _fail(
                args,
                console,
                f"{args.out} is a file: with several payees --out must be a folder.",
            )
        args.out.mkdir(parents=True, exist_ok=True)
        targets = [args.out / statement_file_name(run, payee, args.format) for payee in chosen]
    written = []
    with progress_bar(errors, quiet=args.json) as progress:
        task = progress.add_task("statements", total=len(chosen))
        for payee, target in zip(chosen, targets, strict=True):
            progress.update(task, description=payee.code)
            target.write_bytes(statement_render(statement_build(run, payee), args.format))
            written.append({"payee": payee.code, "file": str(target)})
            progress.advance(task)
    if args.json:
        console.print_json(json.dumps({"ok": True, "run": run.pk, "statements": written}))
    elif single:
        console.print(f"Statement of {chosen[0].code} for run {run.pk} written to {targets[0]}")
    else:
        console.print(f"{len(written)} statement(s) of run {run.pk} written to {args.out}")
    return 0


# -- payroll ---------------------------------------------------------------------------------


def _payroll(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .payroll import PayrollRefused, payroll_totals, payroll_write

    console = Console()
    run = _run_or_none(args.run, console)
    if run is None:
        return 1
    try:
        rows = payroll_write(run, args.out)
    except PayrollRefused as error:
        return _fail(args, console, f"Nothing was written: {error}")
    totals = payroll_totals(rows)
    if args.json:
        console.print_json(
            json.dumps(
                {
                    "ok": True,
                    "run": run.pk,
                    "file": str(args.out),
                    "rows": len(rows),
                    "totals": {c: format(t, "f") for c, t in totals.items()},
                }
            )
        )
    else:
        shown = ", ".join(f"{_money(t)} {c}" for c, t in totals.items()) or "nothing"
        console.print(
            f"Payroll file of run {run.pk} ({run.periods}) written to {args.out}: {len(rows)} "
            f"row(s), {shown} (equal to the run's totals)."
        )
    return 0


# -- paid import -----------------------------------------------------------------------------


def _paid_import(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from revdesk.foundation.context import acting_as

    from .reconciliation import PaidImportRefused, paid_import

    console = Console()
    try:
        with acting_as(None, "cli"):
            record = paid_import(args.file, actor=None, encoding=args.encoding)
    except PaidImportRefused as error:
        if args.json:
            console.print_json(
                json.dumps(
                    {
                        "ok": False,
                        "file": error.name,
                        "problems": [problem.as_dict() for problem in error.problems],
                    }
                )
            )
            return 1
        if len(error.problems) == 1 and error.problems[0].line is None:
            console.print(f"Nothing was loaded: {error.problems[0].text(error.name)}.")
            return 1
        table = Table(title=f"{error.name}: nothing was loaded", title_justify="left")
        for column in ("Line", "Column", "Value", "Expected"):
            table.add_column(column, overflow="fold")
        for problem in error.problems:
            table.add_row(
                "file" if problem.line is None else str(problem.line),
                problem.column,
                problem.value,
                problem.expected,
            )
        console.print(table)
        console.print(f"Nothing was loaded: {len(error.problems)} problem(s).")
        return 1
    if args.json:
        console.print_json(
            json.dumps(
                {
                    "ok": True,
                    "paid_import": record.pk,
                    "file": record.file_name,
                    "lines": record.row_count,
                    "totals": record.totals,
                    "sha256": record.sha256,
                }
            )
        )
    else:
        shown = ", ".join(f"{_money(Decimal(v))} {c}" for c, v in record.totals.items())
        console.print(
            f"Paid import {record.pk}: {record.row_count} line(s) of {record.file_name} loaded, "
            f"{shown}."
        )
    return 0


# -- reconcile -------------------------------------------------------------------------------


def _reconcile(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from revdesk.foundation.context import acting_as

    from .reconciliation import ReconciliationRefused, reconcile, variance_cases_open

    console = Console()
    run = _run_or_none(args.run, console)
    if run is None:
        return 1
    try:
        with acting_as(None, "cli"):
            opened = (
                variance_cases_open(run, actor=None, source="system") if args.open_cases else []
            )
            result = reconcile(run, actor=None)
    except ReconciliationRefused as error:
        return _fail(args, console, f"Nothing was reconciled: {error}")
    if args.json:
        console.print_json(json.dumps(_reconciliation_json(result, opened)))
        return 0
    table = Table(title=f"Run {run.pk} ({run.periods}, {run.status}): calculated and paid")
    for column in ("payee", "name", "period", "component", "currency"):
        table.add_column(column, overflow="fold")
    for column in ("calculated", "paid", "variance"):
        table.add_column(column, justify="right")
    table.add_column("case")
    for row in result.comparisons:
        record = row.variance_record
        table.add_row(
            row.payee.code,
            row.payee.name,
            row.period,
            row.component_label,
            row.currency,
            _money(row.calculated),
            _money(row.paid),
            _money(row.variance) if row.variance else "",
            record.case.number if record is not None and record.case_id else "",
        )
    console.print(table)
    for currency, (calculated, paid, variance) in result.totals().items():
        console.print(
            f"Total {currency}: calculated {_money(calculated)}, paid {_money(paid)}, "
            f"variance {_money(variance)}"
        )
    variances = result.variances
    if not variances:
        console.print("No variances: everything calculated was paid, to the cent.")
    for row in variances:
        console.print(
            f"\n{row.payee.code} {row.period} {row.component_label}: calculated "
            f"{_money(row.calculated)}, paid {_money(row.paid)}, variance {_money(row.variance)} "
            f"{row.currency}. Behind the calculated figure:"
        )
        for line in row.lines:
            console.print(
                f"  {line.transaction_id or line.kind}  {line.component}  "
                f"{_money(line.base) if line.base is not None else ''} x "
                f"{line.rate.normalize() if line.rate is not None else ''} = "
                f"{line.amount.normalize():f} ({line.kind})",
                highlight=False,
            )
    for case in opened:
        console.print(f"Opened {case.number}: {case.title}", highlight=False)
    if args.open_cases and not opened:
        console.print("No new cases: every variance has its case already.")
    return 0


def _reconciliation_json(result, opened) -> dict[str, object]:
    def text(value):
        return None if value is None else format(value, "f")

    return {
        "ok": True,
        "run": result.run.pk,
        "rows": [
            {
                "payee": row.payee.code,
                "period": row.period,
                "component": row.component,
                "currency": row.currency,
                "calculated": text(row.calculated),
                "paid": text(row.paid),
                "variance": text(row.variance),
                "case": row.variance_record.case.number
                if row.variance_record is not None and row.variance_record.case_id
                else None,
                "lines": [
                    {
                        "transaction_id": line.transaction_id,
                        "credit_share": text(line.credit_share),
                        "component": line.component,
                        "tier": line.tier,
                        "rate": text(line.rate),
                        "base": text(line.base),
                        "amount": text(line.amount),
                        "kind": line.kind,
                    }
                    for line in row.lines
                ]
                if row.variance
                else [],
            }
            for row in result.comparisons
        ],
        "totals": {
            currency: {"calculated": text(a), "paid": text(b), "variance": text(c)}
            for currency, (a, b, c) in result.totals().items()
        },
        "cases_opened": [case.number for case in opened],
    }
