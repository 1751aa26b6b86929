"""`revdesk commissions run|runs|explain|review|approve|pay|reopen`: calculation runs."""

from __future__ import annotations

import argparse
import json
from decimal import Decimal

MOVES = {
    "review": ("reviewed", "mark a draft run reviewed"),
    "approve": ("approved", "approve a reviewed run (locks its periods)"),
    "pay": ("paid", "mark an approved run paid"),
    "reopen": ("draft", "send a reviewed run back to draft"),
}


def register(commands) -> None:
    run = commands.add_parser(
        "run",
        help="calculate every payee for a period (or a range) from the database and keep it",
        description="Calculate every payee's commission for --period (2026-10, or a range "
        "such as 2026-07..2026-09) and store the payouts and every explanation line as a "
        "draft run. A draft over the same periods is replaced; approved or paid periods are "
        "locked.",
    )
    run.add_argument("--period", required=True, metavar="P", help="2026-10, 2026-Q4 or FROM..TO")
    run.add_argument("--explain", metavar="PAYEE", help="also print this payee's lines")
    run.add_argument("--json", action="store_true", help="print a JSON summary")
    run.set_defaults(handler=_run)
    runs = commands.add_parser("runs", help="list calculation runs")
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(handler=_runs)
    explain = commands.add_parser("explain", help="print a payee's lines in a stored run")
    explain.add_argument("run", type=int, metavar="RUN")
    explain.add_argument("payee", metavar="PAYEE", help="payee code (employee number)")
    explain.set_defaults(handler=_explain_command)
    for name, (status, text) in MOVES.items():
        move = commands.add_parser(name, help=text)
        move.add_argument("run", type=int, metavar="RUN")
        move.set_defaults(handler=_move, to_status=status)


def _money(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return ""
    return f"{value:,.{places}f}"


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from revdesk.engine.commissions import STAGES
    from revdesk.engine.progress import progress_bar
    from revdesk.foundation.context import acting_as

    from .runs import RunRefused, run_create

    console = Console()
    errors = Console(stderr=True)
    stages = ("reading", *STAGES, "saving")
    try:
        with (
            acting_as(None, "cli"),
            progress_bar(errors, quiet=args.json) as progress,
        ):
            task = progress.add_task("reading", total=len(stages))
            seen: set[str] = set()

            def step(stage: str) -> None:
                if stage not in seen:
                    seen.add(stage)
                    progress.update(task, description=stage, completed=len(seen))

            run = run_create(args.period, actor=None, progress=step)
    except RunRefused as error:
        if args.json:
            console.print_json(json.dumps({"ok": False, "message": str(error)}))
        else:
            errors.print(f"Nothing was calculated: {error}")
        return 1
    summary = _summary(run)
    if args.json:
        console.print_json(json.dumps({"ok": True, **summary}))
    else:
        table = Table(title=f"Run {run.pk}: commissions {run.periods} (draft)")
        table.add_column("currency")
        table.add_column("payees", justify="right")
        table.add_column("total", justify="right")
        for currency, (count, total) in _by_currency(run).items():
            table.add_row(currency, str(count), _money(total))
        console.print(table)
        for note in run.notes:
            console.print(f"Note: {note}")
        console.print(
            f"{run.line_count} explanation line(s). Input fingerprint {run.fingerprint[:16]}, "
            f"engine {run.engine_version}, plans {', '.join(run.plan_versions) or 'none'}"
        )
    if args.explain:
        return _explain(run, args.explain, console)
    return 0


def _by_currency(run) -> dict[str, tuple[int, Decimal]]:
    payees: dict[str, set[int]] = {}
    totals: dict[str, Decimal] = {}
    for payee, currency, amount in run.payouts.values_list("payee_id", "currency", "amount"):
        payees.setdefault(currency, set()).add(payee)
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    return {c: (len(payees[c]), totals[c]) for c in sorted(totals)}


def _summary(run) -> dict[str, object]:
    return {
        "run": run.pk,
        "periods": run.periods,
        "status": run.status,
        "payees": run.payee_count,
        "lines": run.line_count,
        "totals": run.totals,
        "fingerprint": run.fingerprint,
        "engine_version": run.engine_version,
        "plan_versions": run.plan_versions,
        "notes": run.notes,
    }


def _explain(run, payee: str, console) -> int:
    from rich.table import Table

    from .selectors import payout_lines_noted, run_lines

    lines = list(run_lines(run, payee))
    if lines:
        payout_lines_noted(lines[0].payee_id, lines)
    payouts = list(run.payouts.filter(payee__code=payee).order_by("period"))
    if not lines and not payouts:
        console.print(f"{payee} has no lines in run {run.pk} ({run.periods}).")
        return 1
    table = Table(title=f"{payee} in run {run.pk} ({run.periods})")
    for column in ("period", "transaction", "share", "component", "tier", "rate", "base"):
        table.add_column(
            column,
            justify="right" if column in ("share", "rate", "base") else "left",
            overflow="fold",
        )
    table.add_column("amount", justify="right", overflow="fold")
    table.add_column("kind", overflow="fold")
    table.add_column("note", overflow="fold")
    for line in lines:
        table.add_row(
            line.period,
            line.transaction_id,
            "" if line.credit_share is None else f"{line.credit_share.normalize():f}",
            line.component,
            "" if line.tier is None else str(line.tier),
            "" if line.rate is None else f"{line.rate.normalize():f}",
            _money(line.base),
            _money(line.amount),
            line.kind,
            line.note,
        )
    console.print(table)
    for payout in payouts:
        console.print(f"Total {payee} {payout.period}: {_money(payout.amount)} {payout.currency}")
    return 0


def _explain_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .models import CommissionRun

    console = Console()
    run = CommissionRun.objects.filter(pk=args.run).first()
    if run is None:
        console.print(f"There is no run {args.run} (revdesk commissions runs lists them).")
        return 1
    return _explain(run, args.payee, console)


def _runs(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from .selectors import run_list

    console = Console()
    runs = list(run_list())
    if args.json:
        console.print_json(json.dumps([_summary(run) for run in runs]))
        return 0
    if not runs:
        console.print("No runs yet: revdesk commissions run --period 2026-10")
        return 0
    table = Table(title="Commission runs")
    for column in ("run", "periods", "status", "payees", "totals", "calculated"):
        table.add_column(column)
    for run in runs:
        table.add_row(
            str(run.pk),
            run.periods,
            run.status,
            str(run.payee_count),
            ", ".join(f"{_money(Decimal(v))} {c}" for c, v in run.totals.items()),
            run.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        )
    console.print(table)
    return 0


def _move(args: argparse.Namespace) -> int:
    from rich.console import Console

    from revdesk.foundation.context import acting_as

    from .models import CommissionRun
    from .runs import RunRefused, run_move

    console = Console()
    run = CommissionRun.objects.filter(pk=args.run).first()
    if run is None:
        console.print(f"There is no run {args.run} (revdesk commissions runs lists them).")
        return 1
    try:
        with acting_as(None, "cli"):
            run = run_move(run, args.to_status, actor=None)
    except RunRefused as error:
        console.print(str(error))
        return 1
    console.print(f"Run {run.pk} ({run.periods}) is now {run.status}.")
    return 0
