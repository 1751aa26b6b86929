"""The command line's progress bar for a long job: one look for every command."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

#: the step reached out of how many, under the bar
STEPS = "{task.completed}/{task.total}"


def progress_bar(console: Console, *, quiet: bool, counts: str = STEPS) -> Progress:
    """A bar on `console` (standard error), gone once the job is done; none when the command
    prints JSON (`quiet`) or writes to something other than a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(counts),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    )
