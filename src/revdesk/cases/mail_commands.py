"""`revdesk cases inbox read INBOX` and `revdesk cases inbox load PATH --team CODE`."""

from __future__ import annotations

import argparse
import json
import textwrap

GUIDE = "docs/guide/cases-inbox.md"


def register(commands) -> None:
    inbox = commands.add_parser(
        "inbox",
        help="read team inboxes into cases (IMAP, Maildir or a folder of .eml files)",
        description="Read e-mail into cases: replies thread onto their case, new mail opens "
        f"a case. See {GUIDE}.",
    )
    actions = inbox.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)
    read = actions.add_parser(
        "read",
        help="read a configured inbox (an Inbox row: IMAP or a folder)",
        description=textwrap.fill(
            "Read the inbox's unread mail: IMAP messages not yet seen (each marked seen once it "
            "is on a case), or the inbox's Maildir or folder. Reading again is safe: a message "
            "already on a case is recognised by its Message-ID and skipped.",
            78,
        ),
        epilog="examples:\n  revdesk cases inbox read collections\n"
        "  revdesk cases inbox read commissions --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    read.add_argument("inbox", metavar="INBOX_NAME", help="the inbox's name (see the admin)")
    read.add_argument("--json", action="store_true", help="print the outcome as JSON")
    read.set_defaults(handler=_read)
    load = actions.add_parser(
        "load",
        help="load a Maildir, a folder of .eml files or one .eml file (no inbox needed)",
        description=textwrap.fill(
            "Load saved e-mail into cases without configuring an inbox (for an air-gapped "
            "site or a test). Mail no keyword or routing rule places goes to --team's queue. "
            "The files are only read, never moved.",
            78,
        ),
        epilog="examples:\n  revdesk cases inbox load ~/Maildir/collections --team collections\n"
        "  revdesk cases inbox load claim.eml --team commissions --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument("path", metavar="PATH", help="a Maildir, a folder of .eml files or a file")
    load.add_argument(
        "--team", required=True, metavar="CODE", help="the team whose queue takes unplaced mail"
    )
    load.add_argument("--json", action="store_true", help="print the outcome as JSON")
    load.set_defaults(handler=_load)


def _read(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .mail import inbox_read
    from .models import Inbox

    inbox = Inbox.objects.select_related("team").filter(name=args.inbox).first()
    if inbox is None:
        names = ", ".join(Inbox.objects.values_list("name", flat=True)) or "none configured yet"
        Console(stderr=True).print(
            f"There is no inbox named {args.inbox!r} (inboxes: {names}).", markup=False
        )
        return 2
    return _run(args, lambda start, advance: inbox_read(inbox, start=start, advance=advance))


def _load(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .mail import mail_load
    from .models import Team

    team = Team.objects.filter(code=args.team).first()
    if team is None:
        codes = ", ".join(Team.objects.order_by("code").values_list("code", flat=True))
        Console(stderr=True).print(
            f"There is no team {args.team!r}; use one of: {codes}.", markup=False
        )
        return 2
    return _run(
        args, lambda start, advance: mail_load(args.path, team=team, start=start, advance=advance)
    )


def _run(args, read) -> int:
    from rich.console import Console

    console = Console()
    errors = Console(stderr=True)
    # A progress bar only where someone watches: redirected, it would leave blank lines.
    bar = _Bar(errors) if not args.json and errors.is_terminal else None
    try:
        summary = read(bar.start if bar else None, bar.advance if bar else None)
    finally:
        if bar:
            bar.stop()
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))
        return 0 if summary.ok else 1
    console.print(summary_table(summary))
    problems = problems_table(summary)
    if problems is not None:
        console.print(problems)
    if summary.error:
        errors.print(summary.error, markup=False, soft_wrap=True)
    return 0 if summary.ok else 1


SUMMARY_ROWS = (
    ("read", "Messages read"),
    ("new_cases", "New cases"),
    ("threaded", "Threaded onto their case"),
    ("duplicates_skipped", "Duplicates skipped (already on a case)"),
    ("with_problems", "With problems (kept, see below)"),
    ("failed", "Not kept (read again next time)"),
)


def summary_table(summary):
    from rich.table import Table

    table = Table(title=f"Mail read from {summary.where}", title_justify="left")
    table.add_column("Messages")
    table.add_column("Count", justify="right")
    data = summary.as_dict()
    for key, label in SUMMARY_ROWS:
        table.add_row(label, str(data[key]))
    return table


def problems_table(summary):
    from rich.table import Table

    rows = summary.with_problems
    if not rows:
        return None
    table = Table(title="Messages with problems (kept on their case)", title_justify="left")
    table.add_column("Message")
    table.add_column("Case")
    table.add_column("Problem")
    for result in rows:
        name = result.source.rsplit("/", 1)[-1] or result.message_id
        table.add_row(
            f"{name}\n{result.subject}", result.case_number or "(none)", "\n".join(result.problems)
        )
    return table


class _Bar:
    def __init__(self, console):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("Reading mail"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        )
        self.task = None

    def start(self, total: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("mail", total=total)

    def advance(self) -> None:
        if self.task is not None:
            self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()
