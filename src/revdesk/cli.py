"""The `revdesk` command.

Each app contributes its subcommands through a `commands.py` module with
`register(subparsers)`; handlers receive the parsed arguments after Django is set up.
Exit codes: 0 done, 1 the input was rejected (a report says why), 2 usage error, 141 the
reader of standard output went away (e.g. `| head`), quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a stage cut short

COMMAND_MODULES = (
    "revdesk.foundation.commands",
    "revdesk.ingest.commands",
    "revdesk.cases.commands",
    "revdesk.quality.commands",
    "revdesk.demo.commands",
    "revdesk.engine.commands",
    "revdesk.compensation.commands",
    "revdesk.receivables.commands",
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revdesk.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="revdesk",
        description="Revdesk: the revenue-operations back office (order, commissions and "
        "collections desks).",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    manage = subparsers.add_parser(
        "manage", help="run a Django management command (migrate, createsuperuser, ...)"
    )
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=_manage)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def _manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["revdesk manage", *args.args])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from revdesk import __version__

        print(f"revdesk {__version__}")
        return 0
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    setup_django()
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`revdesk export ... | head -1`): stop quietly, as a pipe
        # stage should, with the shell's code for SIGPIPE. Point stdout at /dev/null so the
        # interpreter's own last flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
