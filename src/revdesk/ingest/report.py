"""The problems found in a file, as data: shown as a table, written as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.table import Table

from revdesk.foundation.spreadsheet import csv_text

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One bad cell, line or file. line is the row number as Excel shows it (header = 1);
    None for a problem with the whole file."""

    line: int | None
    column: str
    value: str
    expected: str
    severity: str = ERROR

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


REPORT_FIELDS = ("line", "column", "value", "expected", "severity")


def problems_table(problems: list[Problem], *, title: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("Line", justify="right")
    table.add_column("Column")
    table.add_column("Value")
    table.add_column("Problem (what was expected)")
    table.add_column("Severity")
    for problem in problems:
        table.add_row(
            "file" if problem.line is None else str(problem.line),
            problem.column,
            problem.value,
            problem.expected,
            problem.severity,
        )
    return table


def problems_write(problems: list[Problem], path: str | Path) -> None:
    """Write the report as JSON (path ending .json) or CSV (anything else)."""
    target = Path(path)
    if target.suffix.lower() == ".json":
        target.write_text(
            json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        return
    target.write_text(problems_csv(problems), encoding="utf-8-sig")


def problems_csv(problems: list[Problem], *, bom: bool = False) -> str:
    """The report as CSV text: one row per problem, a blank line number for the whole file.
    bom=True starts it with a byte-order mark, so Excel opens it as UTF-8. Text Excel would run
    as a formula (a value from the file such as =HYPERLINK(...)) starts with an apostrophe."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=REPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for problem in problems:
        row = {
            name: csv_text(value) if isinstance(value, str) else value
            for name, value in problem.as_dict().items()
        }
        writer.writerow({**row, "line": problem.line or ""})
    return buffer.getvalue()
