"""`revdesk commissions analytics`: the analytics page's reports on the command line.

    revdesk commissions analytics --from 2026-01 --to 2026-10 [--attainment 2026-10]
        [--top 10] [--json] [--out analytics.xlsx]

Prints one table per report (or all of them as JSON) and, with --out, writes the same Excel
workbook as the page's download. The command line sees every payee.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path

STAGES = (
    "sources",
    "payouts",
    "components",
    "plans and regions",
    "cost of sales",
    "attainment",
    "variances",
)


def register(commands) -> None:
    analytics = commands.add_parser(
        "analytics",
        help="payout by component, plan and region, attainment, cost of sales, top variances",
        description="The commission analytics of the months FROM..TO, from the newest approved "
        "or paid run of each period (else reviewed, else draft; the Sources table says which).",
    )
    analytics.add_argument("--from", dest="first", required=True, metavar="YYYY-MM")
    analytics.add_argument("--to", dest="last", required=True, metavar="YYYY-MM")
    analytics.add_argument(
        "--attainment",
        metavar="YYYY-MM",
        help="month of the attainment distribution (default: the last month a run covers)",
    )
    analytics.add_argument(
        "--top", type=int, default=10, metavar="N", help="how many variances (default 10)"
    )
    analytics.add_argument("--json", action="store_true", help="print every report as JSON")
    analytics.add_argument("--out", type=Path, metavar="FILE.xlsx", help="write the workbook")
    analytics.set_defaults(handler=_analytics)


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value * 100:,.2f}%"


def _analytics(args: argparse.Namespace) -> int:
    from rich.console import Console

    from revdesk.engine.progress import progress_bar

    from .analytics import AnalyticsRefused, analytics_json, analytics_xlsx, commission_analytics

    console = Console()
    errors = Console(stderr=True)
    if args.out is not None and args.out.suffix.lower() != ".xlsx":
        errors.print(f"{args.out.name}: the analytics workbook is written as .xlsx")
        return 1
    if args.top < 1:
        errors.print(f"--top {args.top}: write how many variances to list, 1 or more")
        return 1
    try:
        with progress_bar(errors, quiet=args.json) as progress:
            task = progress.add_task("reading", total=len(STAGES))

            def step(stage: str) -> None:
                progress.update(task, description=stage, completed=STAGES.index(stage) + 1)

            report = commission_analytics(
                first=args.first,
                last=args.last,
                attainment_month=args.attainment,
                user=None,
                top=args.top,
                progress=step,
            )
    except AnalyticsRefused as error:
        message = f"{str(error)[0].upper()}{str(error)[1:]}."
        if args.json:
            console.print_json(json.dumps({"ok": False, "message": message}))
        else:
            errors.print(f"Nothing to report: {message}")
        return 1
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(analytics_xlsx(report))
    if args.json:
        console.print_json(
            json.dumps({"ok": True, **analytics_json(report), "out": _out(args.out)})
        )
        return 0
    _print(report, console)
    if args.out is not None:
        console.print(f"Workbook written to {args.out}")
    return 0


def _out(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _print(report, console) -> None:
    from rich.table import Table

    from .analytics import run_status_label

    sources = Table(title=f"Where the figures come from: {report.first} to {report.last}")
    for column in ("period", "shown in", "run", "status"):
        sources.add_column(column)
    for source in report.sources:
        sources.add_row(
            source.period, source.month, str(source.run_id), run_status_label(source.status)
        )
    console.print(sources)
    for title, breakdowns in (
        ("Payout by component", report.by_component),
        ("Payout by plan", report.by_plan),
        ("Payout by region", report.by_region),
    ):
        for breakdown in breakdowns:
            table = Table(title=f"{title} ({breakdown.currency})")
            table.add_column("month")
            for name in breakdown.series:
                table.add_column(name, justify="right", overflow="fold")
            table.add_column("total", justify="right", overflow="fold")
            for month, amounts, total in breakdown.rows():
                table.add_row(month, *[_money(amount) for amount in amounts], _money(total))
            table.add_row(
                "total",
                *[_money(breakdown.series_total(name)) for name in breakdown.series],
                _money(breakdown.total),
            )
            console.print(table)
    attainment = report.attainment
    if attainment.month is not None:
        bands = Table(title=f"Attainment in {attainment.month}")
        bands.add_column("band")
        bands.add_column("payees", justify="right")
        for label, count in attainment.bands:
            bands.add_row(label, str(count))
        console.print(bands)
    cost = Table(title=f"Cost of sales ({report.reporting_currency})")
    for column in ("month", "commission", "commissioned revenue", "cost of sales"):
        cost.add_column(column, justify="left" if column == "month" else "right")
    for row in report.cost_of_sales:
        cost.add_row(row.month, _money(row.commission), _money(row.revenue), _percent(row.ratio))
    console.print(cost)
    if report.variances:
        variances = Table(title="Top variances")
        for column in ("payee", "period", "component", "calculated", "paid", "variance", "case"):
            variances.add_column(
                column, justify="right" if column in ("calculated", "paid", "variance") else "left"
            )
        for row in report.variances:
            variances.add_row(
                row.payee_code,
                row.period,
                row.component or "total",
                f"{_money(row.calculated)} {row.currency}",
                f"{_money(row.paid)} {row.currency}",
                f"{_money(row.variance)} {row.currency}",
                row.case_number or "",
            )
        console.print(variances)
    else:
        console.print("No variances in these months.")
    for note in report.notes:
        console.print(f"Note: {note}")
