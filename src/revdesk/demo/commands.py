"""`revdesk demo` (build the demo company, print the logins, serve) and `revdesk serve`."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--scale wants a number such as 1, 10 or 0.1, got {text!r}"
        ) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"--scale must be more than 0, got {text!r}")
    return value


def _as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--as-of wants a date written YYYY-MM-DD such as 2026-11-29, got {text!r}"
        ) from None


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"--port wants a number from 1 to 65535, got {text!r}")
    return int(text)


def _add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; other addresses must be listed "
        "in REVDESK_ALLOWED_HOSTS)",
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a background worker and the case clock beside the web server (run "
        "`revdesk worker` and `revdesk cases tick --every 300` yourself, e.g. as services)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("REVDESK_PROCESSES", "1")),
        metavar="N",
        help="web processes sharing the port (default 1, or REVDESK_PROCESSES): one Python "
        "process answers on one core, so give a busy server one per core",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="build a realistic demo company in the database, print the logins and serve it",
        description="Creates (or reuses) the database, migrates it, generates a year of a "
        "demo company's orders, invoices and payments ending on --as-of (the same seed and "
        "the same date always give the same data), creates one login per role and serves the "
        "web app.",
    )
    demo.add_argument(
        "--scale",
        type=_scale,
        default=1.0,
        help="multiplies customers, orders, invoices and payments (1 = 500 customers; 0.1 and "
        "10 work too)",
    )
    demo.add_argument("--seed", type=int, default=None, help="random seed (default 2026)")
    demo.add_argument(
        "--as-of",
        type=_as_of,
        default=None,
        metavar="YYYY-MM-DD",
        help="the demo's today: the year of history ends on it (default: today's date, the "
        "one the web app counts from)",
    )
    demo.add_argument("--reset", action="store_true", help="empty the database and rebuild")
    demo.add_argument("--no-serve", action="store_true", help="build and stop; do not serve")
    demo.add_argument("--json", action="store_true", help="print a JSON summary instead")
    _add_server_arguments(demo)
    demo.set_defaults(handler=_demo)

    serve = subparsers.add_parser(
        "serve", help="serve the web app with waitress (static files through whitenoise)"
    )
    _add_server_arguments(serve)
    serve.set_defaults(handler=_serve)

    worker = subparsers.add_parser(
        "worker",
        help="run background work (imports uploaded on the web) until stopped",
        description="Takes tasks queued in the database (REVDESK_TASKS_BACKEND=database, the "
        "default) one at a time. `revdesk serve` starts one for you; in production run one "
        "or more as services of their own and serve with --no-worker.",
    )
    worker.add_argument("--batch", action="store_true", help="run what is queued now, then stop")
    worker.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="seconds between two looks at an empty queue (default 1)",
    )
    worker.set_defaults(handler=_worker)


class _RichReporter:
    """Shows each generation stage as its own progress bar."""

    def __init__(self, progress) -> None:
        self.progress = progress
        self.task = None
        self.total = 0

    def finish(self) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.total)

    def stage(self, name: str, total: int) -> None:
        self.finish()
        self.total = max(total, 1)
        self.task = self.progress.add_task(name, total=self.total)

    def advance(self, steps: int = 1) -> None:
        self.progress.advance(self.task, steps)


def _database_label() -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"SQLite file {database['NAME']}"
    return f"{database['ENGINE'].rsplit('.', 1)[-1]} database {database['NAME']!r}"


def _demo(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.utils import timezone
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table

    from . import data
    from .generator import DEFAULT_SEED, company_build, customers_for_scale
    from .selectors import (
        demo_build_read,
        demo_company_exists,
        demo_fingerprint,
        demo_logins,
        demo_other_logins,
        table_counts,
    )

    quiet = args.json
    console = Console(quiet=quiet)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 120  # CI logs and pipes: do not fold the login table at 80 columns
    seed = DEFAULT_SEED if args.seed is None else args.seed
    today = timezone.localdate()
    as_of = args.as_of or today
    console.print(f"Database: {_database_label()}")
    with console.status("Creating or upgrading the database…"):
        call_command("migrate", interactive=False, verbosity=0)
    if args.reset and demo_company_exists():
        with console.status("Emptying the database (--reset)…"):
            call_command("flush", interactive=False, verbosity=0)

    summary = None
    if demo_company_exists():
        counts = table_counts()
        build = demo_build_read()
        if build is None:
            console.print(
                f"The database already holds a company ({counts['Customer']:,} customers, "
                f"{counts['Invoice']:,} invoices): reusing it. Use --reset to rebuild it."
            )
        else:
            as_of = build.as_of
            console.print(
                f"Reusing the demo company built for {_day(as_of)} with seed {build.seed} "
                f"({counts['Customer']:,} customers, {counts['Invoice']:,} invoices). "
                "Use --reset to rebuild it."
            )
            if as_of != today:
                console.print(
                    f"[yellow]Its history ends on {_day(as_of)} but today is {_day(today)}: "
                    "the web app counts from today, so its figures differ from the ones below. "
                    "`revdesk demo --reset` builds a year ending today.[/]"
                )
        if args.seed is not None or args.scale != 1.0 or args.as_of is not None:
            console.print(
                "[yellow]--seed, --scale and --as-of only apply when the company is built.[/]"
            )
    else:
        customers = customers_for_scale(args.scale)
        console.print(
            f"Building {data.COMPANY_NAME}: {customers:,} customers, seed {seed}, "
            f"a year of history ending on {_day(as_of)}."
        )
        if as_of != today:
            console.print(
                f"[yellow]The web app counts from today ({_day(today)}), not from "
                f"{_day(as_of)}: its overdue and this-month figures will differ.[/]"
            )
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<38}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
        ) as progress:
            reporter = _RichReporter(progress)
            summary = company_build(seed=seed, as_of=as_of, scale=args.scale, reporter=reporter)
            reporter.finish()
        counts = summary.counts
        console.print(f"Built in {summary.seconds:.1f} s.")

    logins = demo_logins(as_of=as_of)
    others = demo_other_logins()
    if quiet:
        print(
            json.dumps(
                {
                    "database": _database_label(),
                    "built": summary is not None,
                    "seed": summary.seed if summary else None,
                    "as_of": as_of.isoformat(),
                    "scale": summary.scale if summary else None,
                    "seconds": round(summary.seconds, 2) if summary else None,
                    "counts": counts,
                    "fingerprint": demo_fingerprint()["all"],
                    "password": data.DEMO_PASSWORD,
                    "logins": [
                        {"username": row.username, "role": row.role, "sees": row.sees}
                        for row in logins
                    ],
                    "more_collectors": others,
                },
                indent=2,
            )
        )
    else:
        rows = Table(title="Rows per table", show_header=True, header_style="bold")
        rows.add_column("table")
        rows.add_column("rows", justify="right")
        for name, count in counts.items():
            rows.add_row(name, f"{count:,}")
        console.print(rows)
        table = Table(
            title=f"Demo logins, one per role (password for all: {data.DEMO_PASSWORD})",
            show_header=True,
            header_style="bold",
        )
        table.add_column("username", style="bold cyan")
        table.add_column("role")
        table.add_column(f"what they see on {_day(as_of)}", overflow="fold")
        for row in logins:
            table.add_row(row.username, row.role, row.sees)
        console.print(table)
        if others:
            console.print(
                f"{len(others)} more collectors ({', '.join(others)}) have the same password."
            )
        shown = f"[{args.host}]" if ":" in args.host else args.host
        url = f"http://{shown}:{args.port}"
        start = "Run `revdesk serve`, then open" if args.no_serve else "Open"
        console.print(
            "\n[bold]Next:[/]\n"
            f"  • {start} {url}/ and sign in as one of the users above.\n"
            f"  • The API and its docs are at {url}/api/docs; create a token with "
            "`revdesk token create USER`.\n"
            "  • Import your own data with `revdesk import KIND FILE` "
            "(see docs/guide/importing.md).",
            highlight=False,
        )
    if args.no_serve:
        return 0
    return serve(
        host=args.host,
        port=args.port,
        console=console,
        worker=not args.no_worker,
        processes=args.processes,
    )


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _serve(args: argparse.Namespace) -> int:
    from rich.console import Console

    if args.processes < 1:
        print("--processes: 1 or more", file=sys.stderr)
        return 2
    return serve(
        host=args.host,
        port=args.port,
        console=Console(),
        worker=not args.no_worker,
        processes=args.processes,
    )


def _worker(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    if not _tasks_wait_in_database():
        print(
            "REVDESK_TASKS_BACKEND is not 'database': tasks run where they are queued, there is "
            "nothing for a worker to do.",
            file=sys.stderr,
        )
        return 2
    options = ["--no-reload", "--no-startup-delay", f"--interval={args.interval}"]
    if args.batch:
        options.append("--batch")
    call_command("db_worker", *options, verbosity=1)
    return 0


def _tasks_wait_in_database() -> bool:
    from django.conf import settings

    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")


def worker_start() -> subprocess.Popen | None:
    """A `revdesk worker` process beside the web server (same settings, same environment)."""
    if not _tasks_wait_in_database():
        return None
    return subprocess.Popen([sys.executable, "-m", "revdesk.cli", "worker"])


TICK_SECONDS = 300  # how often `revdesk serve` applies the cases' SLA clocks


def clock_start() -> subprocess.Popen:
    """`revdesk cases tick --every 300` beside the web server: breaches and escalations happen
    while the app runs, with no cron to set up (production may use cron instead)."""
    return subprocess.Popen(
        [sys.executable, "-m", "revdesk.cli", "cases", "tick", "--every", str(TICK_SECONDS)]
    )


def worker_stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()  # the worker finishes the task in hand, then stops
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


REQUEST_BODY_MARGIN = 1024 * 1024  # bytes beyond REVDESK_IMPORT_MAX_BYTES for a request


def serve(*, host: str, port: int, console, worker: bool = True, processes: int = 1) -> int:
    """Serve the web app until interrupted, with a background worker beside it. With several
    `processes`, the listening socket is opened once and each process (forked, Linux and
    macOS) accepts on it: one Python process answers on one core at a time."""
    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from waitress import serve as waitress_serve

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        console.print(
            "[yellow]The database is not up to date: run `revdesk migrate` "
            "(or `revdesk demo`) first.[/]"
        )
        return 1
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns otherwise
    if not settings.WHITENOISE_USE_FINDERS:
        call_command("collectstatic", interactive=False, verbosity=0)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Revdesk is at [bold]http://{shown}:{port}/[/] (Ctrl+C stops it).")
    # `kill` / a service manager's stop: leave through `finally` so the worker stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    process = worker_start() if worker else None
    if process is not None:
        console.print(f"Background worker started (process {process.pid}).")
    clock = clock_start() if worker else None
    if clock is not None:
        console.print(
            f"Case clocks ticking every {TICK_SECONDS // 60} minutes (process {clock.pid})."
        )
    options = {
        "threads": 8,
        "ident": "revdesk",
        # the largest upload the import page takes, plus room for the form's other fields
        "max_request_body_size": settings.REVDESK_IMPORT_MAX_BYTES + REQUEST_BODY_MARGIN,
    }
    children: list[int] = []
    try:
        if processes > 1:
            listening = _listening_socket(host, port)
            options["sockets"] = [listening]
            connection.close()  # a forked process opens its own database connection
            for _ in range(processes - 1):
                pid = os.fork()
                if pid == 0:  # the child: serve until the parent stops it
                    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
                    waitress_serve(get_wsgi_application(), **options)
                    os._exit(0)
                children.append(pid)
            console.print(f"{processes} web processes share the port.")
        else:
            options.update(host=host, port=port)
        waitress_serve(get_wsgi_application(), **options)
    except KeyboardInterrupt:
        pass
    except OSError as error:
        console.print(f"[red]Cannot listen on {host}:{port}: {error.strerror or error}.[/]")
        return 1
    finally:
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
        worker_stop(clock)
        worker_stop(process)
    return 0


def _listening_socket(host: str, port: int):
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind((host, port))
    listening.listen(1024)
    listening.setblocking(False)
    return listening
