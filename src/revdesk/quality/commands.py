"""`revdesk quality ...`: the weekly sample and the accuracy report."""

from __future__ import annotations

import argparse
import json

WEEK_HELP = "the week, as an ISO week (2026-W48) or any date in it (2026-11-23); default: last week"


def register(subparsers) -> None:
    quality = subparsers.add_parser(
        "quality", help="weekly quality review: sample completed work, accuracy report"
    )
    commands = quality.add_subparsers(dest="quality_command", metavar="COMMAND", required=True)
    sample = commands.add_parser(
        "sample",
        help="sample each person's completed work of a week and give each item to a peer "
        "to review (safe to run again: adds nothing already sampled)",
    )
    sample.add_argument("--week", help=WEEK_HELP)
    sample.add_argument(
        "--per-person", type=int, default=5, help="items per person and week (default 5)"
    )
    sample.add_argument(
        "--seed", type=int, default=0, help="the random seed: the same seed picks the same items"
    )
    sample.add_argument("--json", action="store_true", help="print what was sampled as JSON")
    sample.set_defaults(handler=_sample)
    report = commands.add_parser(
        "report", help="accuracy per person and team (passed ÷ reviewed) against the 98%% target"
    )
    report.add_argument("--week", help="the last week of the report; " + WEEK_HELP)
    report.add_argument(
        "--weeks", type=int, default=4, help="how many weeks, ending with --week (default 4)"
    )
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.set_defaults(handler=_report)


def _week(text: str | None):
    from .weeks import last_week, week_parse

    return week_parse(text) if text else last_week()


def _sample(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError
    from rich.console import Console
    from rich.table import Table

    from revdesk.cases.services import person_label

    from .services import quality_sample
    from .weeks import WeekError, week_span

    err = Console(stderr=True)
    try:
        week = _week(args.week)
    except WeekError as error:
        err.print(f"--week {error}")
        return 2
    if args.per_person < 1:
        err.print(f"--per-person must be 1 or more, not {args.per_person}.")
        return 2
    try:
        result = quality_sample(week, per_person=args.per_person, seed=args.seed)
    except ValidationError as error:
        err.print("; ".join(error.messages))
        return 1
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return 0
    console = Console()
    table = Table(title=f"Quality review sample, week {week_span(result.week)}")
    table.add_column("Person")
    table.add_column("Completed", justify="right")
    table.add_column("Sampled before", justify="right")
    table.add_column("Added", justify="right")
    table.add_column("Reviewers of the added items")
    for person in result.people:
        reviewers = sorted(
            {
                person_label(review.reviewer) if review.reviewer else "nobody (leader to assign)"
                for review in person.added
            }
        )
        table.add_row(
            person.name,
            str(person.completed),
            str(person.already),
            str(len(person.added)),
            ", ".join(reviewers) or "—",
        )
    if result.people:
        console.print(table)
    added = len(result.added)
    console.print(
        f"{added} item(s) added to the review, up to {result.per_person} per person, seed "
        f"{result.seed}."
        if result.people
        else f"Nothing was completed in week {week_span(result.week)}: nothing to sample."
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from .selectors import accuracy_report
    from .weeks import WeekError, week_label, weeks_ending

    err = Console(stderr=True)
    try:
        week = _week(args.week)
    except WeekError as error:
        err.print(f"--week {error}")
        return 2
    if not 1 <= args.weeks <= 104:
        err.print(f"--weeks must be between 1 and 104, not {args.weeks}.")
        return 2
    weeks = weeks_ending(week, args.weeks)
    report = accuracy_report(user=None, weeks=weeks)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
        return 0
    console = Console()
    span = (
        f"{week_label(weeks[0])} to {week_label(weeks[-1])}"
        if len(weeks) > 1
        else (week_label(weeks[0]))
    )
    for title, rows in (("Team", report.teams), ("Person", report.people)):
        table = Table(title=f"Accuracy by {title.lower()}, {span} (target {report.target}%)")
        table.add_column(title)
        for label in ("Reviewed", "Passed", "Failed", "Pending", "Accuracy %"):
            table.add_column(label, justify="right")
        table.add_column("")
        for row in rows:
            value = row.accuracy
            table.add_row(
                row.name,
                str(row.reviewed),
                str(row.passed),
                str(row.failed),
                str(row.pending),
                "—" if value is None else str(value),
                "below target" if row.below_target else "",
            )
        console.print(table)
    console.print("Accuracy = passed ÷ reviewed; pending reviews are not counted.")
    return 0
