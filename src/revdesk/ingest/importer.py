"""Import one file of one kind: validate it all, then load it all, or nothing.

Pass 1 streams the file and checks every cell, every row rule, duplicate keys, references and
repeated order/payment headers, keeping only keys (never rows). If anything is wrong the report
lists every bad line and nothing is written. Pass 2 streams the file again and loads it in
batches through the apps' bulk services, inside one transaction.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import DatabaseError, transaction

from revdesk.foundation.bulk import Outcome
from revdesk.foundation.context import acting_as
from revdesk.foundation.sources import FileProblem, source_open

from .kinds import KINDS, LoadRefused, Resolver
from .profiles import Profile
from .report import ERROR, WARNING, Problem
from .services import import_run_begin, import_run_fail, import_run_finish, import_run_start
from .spec import BadValue, ColumnType, KindSpec

VALIDATE_CHUNK = 2000
LOAD_BATCH = 1000
PROGRESS_STEP = 1000  # rows between two progress reports


class Progress:
    """What the importer tells a progress bar. The default shows nothing.

    Per pass: phase(name, rows_total) once ("checking" with rows_total 0 as the count is not
    known yet, then "loading" with the number of rows, before the load's transaction opens),
    start(description, total) with total in the source's own unit (bytes of a CSV, rows of a
    sheet), then update(done) in that unit and rows(count) with the data rows read so far,
    every PROGRESS_STEP rows and at the end, then stop().
    """

    def phase(self, name: str, rows_total: int) -> None:
        pass

    def start(self, description: str, total: int) -> None:
        pass

    def update(self, done: int) -> None:
        pass

    def rows(self, count: int) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class ImportResult:
    kind: str
    file_name: str
    sha256: str
    dry_run: bool
    status: str = "failed"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    run_id: int | None = None
    sheet: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "file": self.file_name,
            "sha256": self.sha256,
            "status": self.status,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "import_run": self.run_id,
        }


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class HeaderMap:
    """Where each of our columns comes from: a source column index, or a profile default."""

    index: dict[str, int]
    constants: dict[str, str]


def header_map(
    spec: KindSpec, header: list[str], profile: Profile | None, file_name: str, sheet: str | None
) -> tuple[HeaderMap | None, list[Problem]]:
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    for position, name in enumerate(header):
        key = _norm(name)
        if not key:
            continue
        if key in positions:
            problems.append(
                Problem(
                    1,
                    name,
                    name,
                    f"each column once: '{name}' appears in columns {positions[key] + 1} and "
                    f"{position + 1}",
                )
            )
            continue
        positions[key] = position
    mapped = profile.columns if profile is not None else {}
    defaults = profile.defaults if profile is not None else {}
    index: dict[str, int] = {}
    for column in spec.columns:
        source = mapped.get(column.name)
        for candidate in (source, column.name):
            if candidate is not None and _norm(candidate) in positions:
                index[column.name] = positions[_norm(candidate)]
                break
    missing = [
        column.name
        for column in spec.columns
        if column.required and column.name not in index and column.name not in defaults
    ]
    found = ", ".join(name for name in header if name.strip()) or "(none)"
    where = f"{file_name} (sheet '{sheet}')" if sheet else file_name
    if missing:
        described = ", ".join(
            f"{name} (from source column {mapped[name]})" if name in mapped else name
            for name in missing
        )
        problems.append(
            Problem(
                None,
                ", ".join(missing),
                "",
                f"{where} has no column {described}, which {spec.name} need. Columns found: "
                f"{found}. Required columns: {', '.join(spec.required_columns)}.",
            )
        )
    used = set(index.values())
    for position, name in enumerate(header):
        if name.strip() and position not in used and _norm(name) in positions:
            if positions[_norm(name)] != position:
                continue
            problems.append(
                Problem(
                    1,
                    name,
                    "",
                    f"not one of the {spec.name} columns: ignored. Known columns: "
                    f"{', '.join(spec.column_names)}",
                    WARNING,
                )
            )
    if any(p.severity == ERROR for p in problems):
        return None, problems
    constants = {name: value for name, value in defaults.items() if name not in index}
    return HeaderMap(index=index, constants=constants), problems


class _Rows:
    """Parses source rows into typed values with the header map and profile."""

    def __init__(self, spec: KindSpec, header: HeaderMap, profile: Profile | None):
        self.spec = spec
        self.header = header
        self.profile = profile
        self.value_maps = {
            name: {**mapping, **{k.lower(): v for k, v in mapping.items()}}
            for name, mapping in (profile.values if profile is not None else {}).items()
        }

    def texts(self, cells: list[str]) -> dict[str, str]:
        texts: dict[str, str] = {}
        for column in self.spec.columns:
            position = self.header.index.get(column.name)
            if position is not None:
                text = cells[position].strip() if position < len(cells) else ""
            else:
                text = self.header.constants.get(column.name, "")
            mapping = self.value_maps.get(column.name)
            if mapping and text:
                text = mapping.get(text, mapping.get(text.lower(), text))
            texts[column.name] = text
        return texts

    def parse(
        self, line: int, cells: list[str], validate: bool = True
    ) -> tuple[dict[str, object], list[Problem]]:
        values: dict[str, object] = {}
        problems: list[Problem] = []
        texts = self.texts(cells)
        for column in self.spec.columns:
            try:
                values[column.name] = column.parse(texts[column.name], self.profile, validate)
            except BadValue as error:
                problems.append(Problem(line, column.name, texts[column.name], error.expected))
                values[column.name] = None
        if validate and not problems:
            for check in self.spec.row_checks:
                for name, expected in check(values):
                    problems.append(Problem(line, name, texts.get(name, ""), expected))
        return values, problems


class _Validation:
    """Pass 1 state: keys seen, references pending, repeated headers. Never whole rows."""

    def __init__(self, spec: KindSpec):
        self.spec = spec
        self.problems: list[Problem] = []
        self.keys: dict[object, int] = {}
        self.parents: dict[object, object] = {}
        self.self_pending: list[tuple[int, str, str]] = []
        self.groups: dict[str, list] = {}
        self.last_group: tuple[object, int] | None = None  # (group, its last line so far)
        self.new_lines: dict[str, tuple[str, int]] = {}
        self.resolver = Resolver()
        self.rows = 0

    def key_of(self, values: dict[str, object]) -> object:
        if len(self.spec.key) == 1:
            return values[self.spec.key[0]]
        return tuple(values[name] for name in self.spec.key)

    def check_chunk(self, chunk: list[tuple[int, dict[str, object]]]) -> None:
        spec = self.spec
        references = [c for c in spec.columns if c.type is ColumnType.REFERENCE]
        for column in references:
            self.resolver.resolve(column.ref, (values[column.name] for _, values in chunk))
        for line, values in chunk:
            for column in references:
                key = values[column.name]
                if not key or self.resolver.get(column.ref, key) is not None:
                    continue
                if column.name == spec.self_ref:
                    self.self_pending.append((line, column.name, key))
                elif column.create_with is not None:
                    self._new_reference(line, column, key, values[column.create_with])
                else:
                    self.problems.append(
                        Problem(
                            line,
                            column.name,
                            key,
                            f"{_label(column.ref)} that exists in Revdesk: there is no "
                            f"{_noun(column.ref)} '{key}'",
                        )
                    )

    def _new_reference(self, line: int, column, key: str, name: object) -> None:
        if not name:
            self.problems.append(
                Problem(
                    line,
                    column.name,
                    key,
                    f"{_label(column.ref)} that exists, or a {column.create_with} to create "
                    f"'{key}' with",
                )
            )
            return
        seen = self.new_lines.get(key)
        if seen is None:
            self.new_lines[key] = (str(name), line)
        elif seen[0] != name:
            self.problems.append(
                Problem(
                    line,
                    column.create_with,
                    str(name),
                    f"the same name for new {_noun(column.ref)} '{key}' as on line {seen[1]} "
                    f"('{seen[0]}')",
                )
            )

    def check_row(self, line: int, values: dict[str, object], bad_columns: set[str]) -> None:
        spec = self.spec
        if bad_columns.intersection(spec.key):
            return
        key = self.key_of(values)
        first = self.keys.get(key)
        if first is not None:
            shown = " + ".join(str(values[name] or "") for name in spec.key)
            self.problems.append(
                Problem(
                    line,
                    " + ".join(spec.key),
                    shown,
                    f"each {' + '.join(spec.key)} once in a file: already on line {first}",
                )
            )
        else:
            self.keys[key] = line
        if spec.self_ref and values[spec.self_ref]:
            self.parents[key] = values[spec.self_ref]
        if spec.group and not bad_columns:
            self._check_group(line, values)

    def _check_group(self, line: int, values: dict[str, object]) -> None:
        spec = self.spec
        number = values[spec.group]
        header = tuple(values[c.name] for c in spec.header_columns)
        state = self.groups.get(number)
        if state is not None and self.last_group is not None and self.last_group[0] != number:
            # loaded in batches that never cut a group: its lines must follow one another
            self.problems.append(
                Problem(
                    line,
                    spec.group,
                    str(number),
                    f"the lines of {spec.group} {number} one after another: it began on line "
                    f"{state[0]}, and line {self.last_group[1]} is of another",
                )
            )
        self.last_group = (number, line)
        if state is None:
            state = self.groups[number] = [line, header, Decimal(0)]
        elif state[1] != header:
            for column, mine, theirs in zip(spec.header_columns, header, state[1], strict=True):
                if mine != theirs:
                    self.problems.append(
                        Problem(
                            line,
                            column.name,
                            "" if mine is None else str(mine),
                            f"the same {column.name} as line {state[0]} of {spec.group} "
                            f"{number} ('{'' if theirs is None else theirs}'): the header "
                            "columns repeat on every line",
                        )
                    )
        if spec.group_sum is not None:
            part = values[spec.group_sum[0]]
            if part is not None:
                state[2] += part

    def finish(self) -> dict[object, int]:
        """End-of-file checks; returns the load level of rows whose parent is in the file."""
        spec = self.spec
        for line, name, key in self.self_pending:
            if key not in self.keys:
                self.problems.append(
                    Problem(
                        line,
                        name,
                        key,
                        f"{_label(spec.name)} that exists in Revdesk or in this file: there is "
                        f"no {_noun(spec.name)} '{key}'",
                    )
                )
        if spec.group_sum is not None:
            part, whole = spec.group_sum
            limit_column = spec.column(whole)
            index = spec.header_columns.index(limit_column)
            for number, (line, header, total) in self.groups.items():
                limit = header[index]
                if limit is not None and total > limit:
                    self.problems.append(
                        Problem(
                            line,
                            part,
                            f"{total:f}",
                            f"the {part} lines of {spec.group} {number} to add up to no more "
                            f"than its {whole} ({limit:f})",
                        )
                    )
        return self._levels()

    def _levels(self) -> dict[object, int]:
        levels: dict[object, int] = {}
        in_file = self.parents
        for start in in_file:
            path: list[object] = []
            node = start
            while node in in_file and node not in levels and node not in path:
                path.append(node)
                node = in_file[node]
            if node in path:
                cycle = path[path.index(node) :]
                shown = " → ".join(str(k) for k in [*cycle, node])
                self.problems.append(
                    Problem(
                        self.keys[cycle[0]],
                        self.spec.self_ref,
                        str(in_file[cycle[0]]),
                        f"a parent chain that ends: this one loops ({shown})",
                    )
                )
                for key in path:
                    levels.setdefault(key, 0)
                continue
            base = levels.get(node, 0) if node in self.keys else -1
            for key in reversed(path):
                base += 1
                levels[key] = base
        return {key: level for key, level in levels.items() if level > 0}


def _noun(ref: str) -> str:
    return {
        "customers": "customer",
        "distributors": "distributor",
        "payees": "payee",
        "territories": "territory",
        "products": "product",
        "orders": "order",
        "invoices": "invoice",
        "users": "user",
        "product-lines": "product line",
        "billing-codes": "billing code",
        "credit-memos": "credit memo",
        "payments": "payment",
    }.get(ref, ref)


def _label(ref: str) -> str:
    from .spec import REFERENCE_LABELS

    return REFERENCE_LABELS.get(ref, ref)


def _data_rows(source, progress: Progress, description: str) -> Iterator[tuple[int, list[str]]]:
    progress.start(description, source.total)
    rows = source.rows()
    next(rows, None)  # the header
    count = 0
    for count, item in enumerate(rows, start=1):
        yield item
        if count % PROGRESS_STEP == 0:
            progress.update(source.done)
            progress.rows(count)
    progress.update(source.total)
    progress.rows(count)
    progress.stop()


def file_import(
    *,
    kind: str,
    path: str | Path,
    actor=None,
    profile: Profile | None = None,
    dry_run: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    batch_size: int = LOAD_BATCH,
    run=None,
) -> ImportResult:
    """Validate then load one file; all or nothing. The ImportRun records what happened.

    run: an ImportRun already queued (an upload from the web) to carry on, instead of a new one.

    On success the run's final state commits in the load's own transaction, with the rows and
    their change records. Any exception other than a problem with the file rolls the load back,
    records the run as failed (in a transaction of its own) with a plain message, and is
    raised again for the caller to show.
    """
    spec = KINDS[kind]
    path = Path(path)
    progress = progress or Progress()
    result = ImportResult(
        kind=kind,
        file_name=path.name,
        sha256=file_sha256(path) if path.exists() else "",
        dry_run=dry_run,
    )
    if run is not None:
        import_run_begin(run=run, sha256=result.sha256)
    else:
        run = import_run_start(
            kind=kind,
            file_name=path.name,
            sha256=result.sha256,
            actor=actor,
            profile=profile.name if profile is not None else "",
            dry_run=dry_run,
        )
    result.run_id = run.pk

    def finish() -> None:
        if result.errors:
            result.status = "failed"
            result.created = result.updated = result.unchanged = 0
        else:
            result.status = "dry_run" if dry_run else "succeeded"
        import_run_finish(run=run, result=result)

    try:
        try:
            finished = _import(
                spec,
                path,
                result,
                actor,
                profile,
                dry_run,
                encoding,
                sheet,
                progress,
                batch_size,
                finish,
            )
        except FileProblem as error:
            result.problems.append(Problem(None, "", "", str(error)))
            finished = False
        if not finished:
            with transaction.atomic():
                finish()
    except Exception as error:
        progress.stop()
        result.status = "failed"
        result.created = result.updated = result.unchanged = 0
        with transaction.atomic():
            import_run_fail(run=run, message=import_stopped_message(path.name, error))
        raise
    return result


def import_stopped_message(file_name: str, error: BaseException) -> str:
    """What a person reads when an import stopped for a reason that is not in the file."""
    if isinstance(error, DatabaseError):
        return (
            f"The database refused to save {file_name} ({type(error).__name__}: {error}). "
            "Nothing from this file was saved. Try again; if it happens again, tell your "
            "administrator."
        )
    return (
        f"Revdesk stopped while importing {file_name} ({type(error).__name__}: {error}). "
        "Nothing from this file was saved. This is a fault in Revdesk, not in your file: tell "
        "your administrator."
    )


def _import(
    spec, path, result, actor, profile, dry_run, encoding, sheet, progress, batch_size, finish
) -> bool:
    """Check then load the file into result. True when the load ran and finish() was called
    inside its transaction; False when the caller still has to call finish()."""
    profile_encoding = profile.encoding if profile is not None else None
    source = source_open(
        path,
        kind=spec.name,
        encoding=encoding or profile_encoding,
        delimiter=profile.delimiter if profile is not None else None,
        sheet=sheet or (profile.sheet if profile is not None else None),
    )
    result.sheet = source.sheet
    first = next(source.rows(), None)
    if first is None:
        raise FileProblem(f"{path.name} is empty: it has no header row and no data.")
    header, problems = header_map(spec, first[1], profile, path.name, source.sheet)
    result.problems.extend(problems)
    if header is None:
        return False
    parser = _Rows(spec, header, profile)

    # Pass 1: validate everything, keep only keys.
    progress.phase("checking", 0)
    validation = _Validation(spec)
    chunk: list[tuple[int, dict[str, object]]] = []
    for line, cells in _data_rows(source, progress, f"Checking {path.name}"):
        validation.rows += 1
        values, row_problems = parser.parse(line, cells)
        validation.problems.extend(row_problems)
        validation.check_row(line, values, bad_columns={p.column for p in row_problems})
        chunk.append((line, values))
        if len(chunk) >= VALIDATE_CHUNK:
            validation.check_chunk(chunk)
            chunk = []
    if chunk:
        validation.check_chunk(chunk)
    levels = validation.finish()
    result.rows = validation.rows
    order = {name: position for position, name in enumerate(spec.column_names)}
    validation.problems.sort(key=lambda p: (p.line or 0, order.get(p.column, len(order))))
    result.problems.extend(validation.problems)
    if result.errors:
        return False
    if result.rows == 0:
        result.problems.append(
            Problem(
                None, "", "", f"{path.name} has a header but no data rows: nothing to do.", WARNING
            )
        )
        return False

    # Pass 2: load in batches, one transaction, through the services.
    resolver = validation.resolver
    resolver.forget_missing()
    del validation
    counts: dict[Outcome, int] = defaultdict(int)
    state: dict[str, object] = {}
    references = [c for c in spec.columns if c.type is ColumnType.REFERENCE]
    key_names = spec.key
    depth = max(levels.values(), default=0)
    progress.phase("loading", result.rows)
    try:
        with acting_as(actor, f"import:{path.name}"), transaction.atomic():
            for level in range(depth + 1):
                batch: list[dict[str, object]] = []
                lines: list[int] = []
                for line, cells in _data_rows(source, progress, f"Loading {path.name}"):
                    values, _ = parser.parse(line, cells, validate=False)
                    key = values[key_names[0]] if len(key_names) == 1 else None
                    if levels and levels.get(key, 0) != level:
                        continue
                    # a full batch is loaded, but never between two lines of one group (an
                    # order's lines, an invoice's instalments: the services see them whole)
                    if len(batch) >= batch_size and (
                        spec.group is None or values[spec.group] != batch[-1][spec.group]
                    ):
                        _load_batch(spec, batch, lines, resolver, references, actor, state, counts)
                        batch, lines = [], []
                    batch.append(values)
                    lines.append(line)
                if batch:
                    _load_batch(spec, batch, lines, resolver, references, actor, state, counts)
            result.created = counts[Outcome.CREATED]
            result.updated = counts[Outcome.UPDATED]
            result.unchanged = counts[Outcome.UNCHANGED]
            if dry_run:
                transaction.set_rollback(True)
            else:
                finish()  # the run's final state commits with the rows
    except _Refused as refused:
        # A service refused rows for a rule that needs what is saved (e.g. an invoice amount
        # below what is already paid): the transaction is rolled back, nothing is written.
        progress.stop()
        result.created = result.updated = result.unchanged = 0
        result.problems.extend(refused.problems)
        return False
    return not dry_run


class _Refused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} row(s) refused")
        self.problems = problems


def _load_batch(spec, batch, lines, resolver, references, actor, state, counts) -> None:
    for column in references:
        resolver.resolve(column.ref, (values[column.name] for values in batch))
    try:
        outcomes = spec.load(spec, batch, resolver, actor, state)
    except LoadRefused as refused:
        raise _Refused(
            [
                Problem(lines[position], column, value, expected)
                for position, column, value, expected in refused.problems
            ]
        ) from refused
    for outcome in outcomes:
        counts[outcome] += 1
