"""`revdesk import KIND FILE` and `revdesk export KIND`."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

KIND_NAMES = (
    "customers",
    "distributors",
    "payees",
    "territories",
    "products",
    "orders",
    "invoices",
    "credit-memos",
    "payments",
)


GUIDE = "docs/guide/importing.md"
HELP_WIDTH = 78


def _import_epilog() -> str:
    from .profiles import shipped_profiles

    profiles = "\n".join(f"  {path.stem}" for path in shipped_profiles()) or "  (none)"
    return (
        "examples:\n"
        "  revdesk import customers customers.csv --dry-run\n"
        "  revdesk import invoices ar_open_items.csv \\\n"
        "      --profile oracle-receivables-invoices --report problems.csv\n\n"
        f"profiles shipped with Revdesk (--profile NAME):\n{profiles}\n\n"
        f"The columns of each kind, profiles and error reports: {GUIDE}"
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    load = subparsers.add_parser(
        "import",
        help="import a CSV or .xlsx file (all or nothing; re-running it is safe)",
        description=textwrap.fill(
            "Validate the whole file, then load it in one transaction. A bad file writes "
            "nothing and gets a report of every bad line (exit code 1).",
            HELP_WIDTH,
        ),
        epilog=_import_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument("kind", choices=KIND_NAMES, metavar="KIND", help=", ".join(KIND_NAMES))
    load.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    load.add_argument("--profile", help="column mapping profile (YAML file or shipped name)")
    load.add_argument("--dry-run", action="store_true", help="check and count, save nothing")
    load.add_argument("--json", action="store_true", help="print the outcome as JSON")
    load.add_argument("--encoding", help="the CSV file's encoding when not UTF-8 (e.g. cp1252)")
    load.add_argument("--sheet", help="the workbook sheet to read (default: the kind's name)")
    load.add_argument("--report", metavar="FILE", help="also write the problems to a .csv/.json")
    load.add_argument("--user", help="who is importing (their name goes in the audit log)")
    load.set_defaults(handler=_import)

    dump = subparsers.add_parser(
        "export",
        help="export a kind in the shape its import reads back",
        description=textwrap.fill(
            "Write every row of one kind (or only what --user may see) as CSV, JSON or Excel, "
            "with exactly the columns `revdesk import` reads, so an edited export imports back "
            "and changes only the rows you changed. Without --out, CSV and JSON go to standard "
            "output.",
            HELP_WIDTH,
        ),
        epilog="examples:\n"
        "  revdesk export customers --out customers.xlsx\n"
        "  revdesk export invoices --format json --user collector | jq length\n\n"
        f"Columns of each kind: {GUIDE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dump.add_argument("kind", choices=KIND_NAMES, metavar="KIND", help=", ".join(KIND_NAMES))
    dump.add_argument(
        "--format",
        choices=("csv", "xlsx", "json"),
        default=None,
        help="file format (default: from the --out suffix, else csv)",
    )
    dump.add_argument("--out", metavar="FILE", help="file to write (default: standard output)")
    dump.add_argument("--user", help="export only what this user may see")
    dump.set_defaults(handler=_export)


def _user(name: str | None):
    from django.contrib.auth import get_user_model

    if name is None:
        return None, None
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        return None, f"No user named {name!r}."
    return user, None


def _import(args: argparse.Namespace) -> int:
    from django.db import DatabaseError
    from rich.console import Console

    from .importer import file_import, import_stopped_message
    from .profiles import ProfileError, profile_load
    from .report import problems_table, problems_write

    console = Console()
    errors = Console(stderr=True)
    actor, problem = _user(args.user)
    if problem:
        errors.print(problem)
        return 2
    profile = None
    if args.profile:
        try:
            profile = profile_load(args.profile)
        except ProfileError as error:
            errors.print(str(error), markup=False)
            return 2
        if profile.kind and profile.kind != args.kind:
            errors.print(
                f"Profile {profile.name} is for {profile.kind}, not {args.kind}.", markup=False
            )
            return 2
    # A progress bar only where someone watches: redirected, it would leave blank lines.
    progress = _RichProgress(errors) if not args.json and errors.is_terminal else None
    try:
        result = file_import(
            kind=args.kind,
            path=args.file,
            actor=actor,
            profile=profile,
            dry_run=args.dry_run,
            encoding=args.encoding,
            sheet=args.sheet,
            progress=progress,
        )
    except DatabaseError as error:
        # The run is recorded as failed with this same message; a fault in Revdesk's own code
        # still raises, with its traceback.
        errors.print(
            import_stopped_message(Path(args.file).name, error), markup=False, soft_wrap=True
        )
        return 1
    if args.report:
        problems_write(result.problems, args.report)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return 0 if result.ok else 1
    if result.problems:
        title = (
            f"{result.file_name}: {len(result.errors)} error(s), nothing was saved"
            if result.errors
            else f"{result.file_name}: {len(result.warnings)} warning(s)"
        )
        console.print(problems_table(result.problems, title=title))
    if not result.ok:
        return 1
    verb = "Checked (dry run, nothing saved)" if result.dry_run else "Imported"
    console.print(
        f"{verb} {result.file_name}: {result.rows} rows — {result.created} created, "
        f"{result.updated} updated, {result.unchanged} unchanged.",
        markup=False,
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from .exporter import export_file

    user, problem = _user(args.user)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    fmt = args.format
    if fmt is None:
        suffix = (args.out or "").rsplit(".", 1)[-1].lower()
        fmt = suffix if suffix in ("csv", "xlsx", "json") else "csv"
    if fmt == "xlsx" and not args.out:
        print("An .xlsx export needs --out FILE.", file=sys.stderr)
        return 2
    count = export_file(kind=args.kind, fmt=fmt, out=args.out, user=user)
    if args.out:
        print(f"Wrote {count} {_kind_noun(args.kind, count)} to {args.out}.", file=sys.stderr)
    return 0


def _kind_noun(kind: str, count: int) -> str:
    """customers -> '500 customers' / '1 customer'; credit-memos -> 'credit memos'."""
    plural = kind.replace("-", " ")
    if count == 1:
        return plural[:-3] + "y" if plural.endswith("ies") else plural[:-1]
    return plural


class _RichProgress:
    """A rich progress bar on standard error, one per pass."""

    def __init__(self, console):
        self.console = console
        self.bar = None
        self.task = None

    def phase(self, name: str, rows_total: int) -> None:
        pass

    def rows(self, count: int) -> None:
        pass

    def start(self, description: str, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(description, total=total or None)

    def update(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
