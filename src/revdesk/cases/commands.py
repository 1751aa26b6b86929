"""`revdesk cases ...`: the scheduled clock tick, and the team inboxes (mail_commands.py)."""

from __future__ import annotations

import argparse

from . import mail_commands


def register(subparsers) -> None:
    cases = subparsers.add_parser("cases", help="cases: SLA clock tick, team inboxes")
    commands = cases.add_subparsers(dest="cases_command", metavar="COMMAND", required=True)
    tick = commands.add_parser(
        "tick",
        help="apply SLA clocks: record breaches, fire escalation rules, notify (run it every "
        "few minutes from cron or a scheduler)",
    )
    tick.add_argument(
        "--now",
        help="act as if it were this moment (ISO 8601, e.g. 2026-12-03T10:00+00:00); for "
        "catching up and for tests",
    )
    tick.add_argument("--json", action="store_true", help="print what was done as JSON")
    tick.add_argument(
        "--every",
        type=int,
        metavar="SECONDS",
        help="keep ticking, once every SECONDS (what `revdesk serve` runs beside the web app); "
        "Ctrl+C stops it",
    )
    tick.set_defaults(handler=_tick)
    mail_commands.register(commands)


def _tick(args: argparse.Namespace) -> int:
    from .escalation import tick_command

    return tick_command(args)
