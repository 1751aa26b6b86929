"""Progress of an import written to its ImportRun, for the web page that polls it."""

from __future__ import annotations

from .importer import Progress
from .services import import_run_progress

EVERY_ROWS = 5000  # write to the database at most once per this many rows


class ImportRunProgress(Progress):
    """Records phase, rows done / total and per cent on the ImportRun, at most every
    `every` rows. While the load's transaction is open, what it writes is only seen when
    the transaction commits; the page says "saving" for that phase."""

    def __init__(self, run, every: int = EVERY_ROWS):
        self.run = run
        self.every = every
        self.name = ""
        self.rows_total = 0
        self.total = 0
        self.done = 0
        self.written = -1

    def _write(self, count: int) -> None:
        percent = int(100 * self.done / self.total) if self.total else 0
        import_run_progress(
            run=self.run,
            phase=self.name,
            rows_done=count,
            rows_total=self.rows_total,
            percent=min(percent, 100),
        )
        self.written = count

    def phase(self, name: str, rows_total: int) -> None:
        self.name = name
        self.rows_total = rows_total
        self.total = self.done = 0
        self._write(0)

    def start(self, description: str, total: int) -> None:
        self.total = total
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done

    def rows(self, count: int) -> None:
        if count - self.written >= self.every or (self.total and self.done >= self.total):
            self._write(count)
