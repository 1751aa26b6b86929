"""The inputs of a commission calculation, read from files (file mode) or handed over by the
database-backed run: Arrow tables with fixed columns and types, and the plans.

Every table is checked on the way in. A bad value is reported with the file, the line (1 is
the header), the column and what was expected; nothing is calculated from a file with errors.

Columns (optional ones in brackets; CSV or Parquet):

- transactions: id, date, type (invoice | credit_memo | booking | disconnect), payee,
  customer, product_line, sku, units, amount, cost, currency, [original_id, segment,
  territory, mrr, tcv, eligible]
- assignments (plans DIR/assignments.csv): payee, plan, valid_from, [valid_to]
- quotas: payee, period, amount
- payments: invoice_id, date, amount
- fx: period, from, to, rate
- payees: id, name, [manager]
- credits: transaction_id, payee, share (explicit splits; shares of a transaction add to 1)
- claims: claim_id, policy, transaction_id, filed, approved, and one column per role of the
  policy (e.g. specifying, ordering, installing) naming the payee
- policies (plans DIR/policies.yaml): code, title, splits {role: share}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .plans import Plan

DECIMAL = pa.decimal128(38, 6)
CENTS_STEP = Decimal("0.01")


#: One problem with an input: file, line (1 is the header; "row N" in a Parquet file, which
#: has no lines; None for the whole file), column (for a plan file, the field's path such as
#: components.0.rate) and what was expected.
Problem = tuple[str, int | str | None, str, str]


class InputError(ValueError):
    """Bad input: `problems` lists (file, line, column, message); nothing was calculated."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "; ".join(_problem_text(*p) for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(shown + more)


def _problem_text(file: str, line: int | str | None, column: str, message: str) -> str:
    where = f"{file}, {place_text(line)}" if line is not None else file
    return f"{where}, column {column}: {message}" if column else f"{where}: {message}"


# name -> (kind, required)
Columns = dict[str, tuple[str, bool]]

TRANSACTIONS: Columns = {
    "id": ("text", True),
    "date": ("date", True),
    "type": ("text", True),
    "payee": ("text", True),
    "customer": ("text", True),
    "product_line": ("text", True),
    "sku": ("text", True),
    "units": ("decimal", True),
    "amount": ("decimal", True),
    "cost": ("decimal", True),
    "currency": ("currency", True),
    "original_id": ("text", False),
    "segment": ("text", False),
    "territory": ("text", False),
    "mrr": ("decimal", False),
    "tcv": ("decimal", False),
    "eligible": ("bool", False),
}
TRANSACTION_TYPES = {"invoice", "credit_memo", "booking", "disconnect"}
ASSIGNMENTS: Columns = {
    "payee": ("text", True),
    "plan": ("text", True),
    "valid_from": ("date", True),
    "valid_to": ("date", False),
}
QUOTAS: Columns = {"payee": ("text", True), "period": ("period", True), "amount": ("decimal", True)}
PAYMENTS: Columns = {
    "invoice_id": ("text", True),
    "date": ("date", True),
    "amount": ("decimal", True),
}
FX: Columns = {
    "period": ("period", True),
    "from": ("currency", True),
    "to": ("currency", True),
    "rate": ("decimal", True),
}
PAYEES: Columns = {"id": ("text", True), "name": ("text", True), "manager": ("text", False)}
CREDITS: Columns = {
    "transaction_id": ("text", True),
    "payee": ("text", True),
    "share": ("decimal", True),
}
CLAIMS: Columns = {
    "claim_id": ("text", True),
    "policy": ("text", True),
    "transaction_id": ("text", True),
    "filed": ("date", True),
    "approved": ("date", False),
}
ARROW_TYPES = {
    "text": pa.string(),
    "date": pa.date32(),
    "decimal": DECIMAL,
    "cents": pa.decimal128(38, 2),
    "currency": pa.string(),
    "period": pa.string(),
    "bool": pa.bool_(),
}
EXPECTED = {
    "text": "a value",
    "date": "a date written YYYY-MM-DD",
    "decimal": "a number such as 1234.50 (no thousands separators)",
    "cents": "an amount such as 1234.50 (at most two decimals, no thousands separators)",
    "currency": "a three-letter currency code such as USD",
    "period": "a period written YYYY-MM (or YYYY-Qn, YYYY)",
    "bool": "true or false",
}


#: What a commission input column holds, in the analyst's words: said when a cell is empty.
MEANING: dict[str, dict[str, str]] = {
    "transactions": {
        "id": "a transaction id such as INV-1001 (payments and credits name it)",
        "type": "a transaction type: invoice, credit_memo, booking or disconnect",
        "payee": "a payee code (as in assignments.csv)",
        "customer": "a customer code or name",
        "product_line": "a product line (the plans' rates_by_product_line and filters use it)",
        "sku": "a SKU (the product code)",
        "units": "the number of units, such as 2 (write 0 if none)",
        "amount": "the amount, such as 1234.50 (negative for a credit memo)",
        "cost": "the cost, such as 800.00 (write 0 if none)",
    },
    "assignments": {
        "payee": "a payee code",
        "plan": "a plan code (the 'code:' of a plan file)",
        "valid_from": "the first day of the assignment, written YYYY-MM-DD",
    },
    "quotas": {
        "payee": "a payee code",
        "amount": "the quota for the period, such as 50000.00",
    },
    "payments": {
        "invoice_id": "the id of the transaction paid",
        "amount": "the amount paid, such as 1234.50",
    },
    "fx": {"rate": "the rate: how many 'to' units one 'from' unit buys, such as 1.0850"},
    "payees": {"id": "a payee code", "name": "the payee's name"},
    "credits": {
        "transaction_id": "the id of the transaction credited",
        "payee": "a payee code",
        "share": "the payee's share of the transaction, such as 0.5",
    },
    "claims": {
        "claim_id": "a claim id",
        "policy": "a policy code from policies.yaml",
        "transaction_id": "the id of the transaction claimed",
        "filed": "the day the claim was filed, written YYYY-MM-DD",
    },
}


@dataclass(frozen=True)
class Policy:
    """A numbered crediting policy: a written rule and its machine-readable split by role."""

    code: str
    title: str
    splits: dict[str, Decimal]
    text: str = ""


@dataclass
class CommissionInputs:
    plans: dict[str, list[Plan]]  # code -> versions, oldest first
    assignments: pa.Table
    transactions: pa.Table
    quotas: pa.Table | None = None
    payments: pa.Table | None = None
    fx: pa.Table | None = None
    payees: pa.Table | None = None
    credits: pa.Table | None = None
    claims: pa.Table | None = None
    policies: dict[str, Policy] = field(default_factory=dict)
    #: What closed periods actually paid: the explanation lines of approved or paid runs
    #: (LINE_SCHEMA of engine.commissions), and the periods those runs closed. A closed
    #: period is never recalculated into a payout: whatever differs from what it paid is an
    #: adjustment in the next open period.
    settled: pa.Table | None = None
    closed: frozenset[str] = frozenset()
    #: The file each table was read from, as the user named it (transactions -> tx.csv), so
    #: the checks made later (missing FX rates) name the user's file and its lines; empty for
    #: a database run.
    paths: dict[str, Path] = field(default_factory=dict)

    def source(self, table: str) -> str:
        """The file name a table came from, or the table's name if it came from no file."""
        return self.paths[table].name if table in self.paths else table

    def places(self, table: str) -> Callable[[int], int | str]:
        """Where each row of a table is in the file it came from (`row_places`)."""
        return row_places(self.paths.get(table))


def _convert(kind: str, text: str) -> object:
    if kind in ("text",):
        return text
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "decimal":
        if "," in text or not text.strip():
            raise ValueError
        value = Decimal(text.strip())
        if not value.is_finite():
            raise ValueError
        return value
    if kind == "cents":
        value = _convert("decimal", text)
        if value != value.quantize(CENTS_STEP):  # type: ignore[union-attr]
            raise ValueError
        return value.quantize(CENTS_STEP)  # type: ignore[union-attr]
    if kind == "currency":
        if len(text) != 3 or not text.isalpha() or not text.isupper():
            raise ValueError
        return text
    if kind == "period":
        period_parse(text)
        return text
    if kind == "bool":
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes", "y"):
            return True
        if lowered in ("false", "0", "no", "n"):
            return False
        raise ValueError
    raise AssertionError(kind)


def period_parse(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period: 2026-10 (month), 2026-Q4 (quarter), 2026 (year)."""
    text = text.strip()
    try:
        if len(text) == 4 and text.isdigit():
            year = int(text)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if len(text) == 7 and text[4:6] == "-Q" and text[6] in "1234":
            year, quarter = int(text[:4]), int(text[6])
            first = dt.date(year, 3 * quarter - 2, 1)
            last = _month_end(dt.date(year, 3 * quarter, 1))
            return first, last
        if len(text) == 7 and text[4] == "-":
            first = dt.date(int(text[:4]), int(text[5:7]), 1)
            return first, _month_end(first)
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a period (write 2026-10, 2026-Q4 or 2026)")


def _month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def row_places(path: Path | None) -> Callable[[int], int | str]:
    """Where row `index` of a table read from `path` is, said in a problem: for a CSV file
    the physical line its record starts on (Arrow skips blank lines and reads a quoted value
    over several lines as one record, so it is not always index + 2); "row N" for a Parquet
    file, which has no lines; index + 2 for a table that came from no file. For problems
    only: the first line asked of a CSV file reads the whole file again."""
    if path is None:
        return lambda index: index + 2
    if path.suffix.lower() == ".parquet":
        return lambda index: f"row {index + 1}"
    mtime = path.stat().st_mtime_ns

    def line(index: int) -> int:
        starts = _record_lines(path, mtime)
        return starts[index] if index < len(starts) else index + 2

    return line


def place_text(place: int | str) -> str:
    """A place from `row_places` in words: "line 4" or "row 3"."""
    return f"line {place}" if isinstance(place, int) else place


@functools.lru_cache(maxsize=4)
def _record_lines(path: Path, mtime: int) -> array:
    """The physical line each data record of a CSV file starts on (the table's row 0 first),
    read as Arrow reads the file: blank lines skipped. `mtime` keys the cache: a file
    written again is read again."""
    import csv

    starts = array("q")
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        start = 1
        for record in reader:
            if record:  # a blank line comes back as []
                starts.append(start)
            start = reader.line_num + 1
    del starts[:1]  # the header
    return starts


def _csv_header(path: Path) -> list[str]:
    """The column names of a CSV file's first line, as Arrow reads them."""
    import csv

    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        return next(csv.reader(handle), [])


#: At most this many lines with the wrong number of columns are listed one by one.
SHAPE_PROBLEMS_LISTED = 50


def _csv_unreadable(path: Path, columns: Columns, error: pa.ArrowInvalid) -> list[Problem]:
    """Why Arrow could not read a CSV file, at its line: Arrow says "Expected 11 columns,
    got 12" without a line, so the file is read again with Python's csv module, which counts
    physical lines (a quoted value may span several)."""
    import csv

    name = path.name
    text = str(error)
    if "Empty CSV file" in text:
        return [
            (
                name,
                None,
                "",
                f"the file is empty; expected a header line: {', '.join(columns)}",
            )
        ]
    if "UTF8" in text or "UTF-8" in text:
        return _not_utf8(path) or [(name, None, "", "not UTF-8 text: save it as 'CSV UTF-8'")]
    problems: list[Problem] = []
    header: int | None = None
    bad = 0
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        start = 1
        for record in reader:
            line, start = start, reader.line_num + 1
            if not record:  # a blank line: Arrow skips it too
                continue
            if header is None:
                header = len(record)
                continue
            if len(record) != header:
                bad += 1
                if bad <= SHAPE_PROBLEMS_LISTED:
                    found = f"expected {header} columns (the header's), found {len(record)}"
                    if len(record) > header:
                        found += " (a value with a comma in it needs quotes)"
                    problems.append((name, line, "", found))
    if bad > SHAPE_PROBLEMS_LISTED:
        problems.append(
            (
                name,
                None,
                "",
                f"and {bad - SHAPE_PROBLEMS_LISTED} more lines with another number of columns "
                "than the header",
            )
        )
    return problems or [(name, None, "", f"not a readable CSV file: {error}")]


def _not_utf8(path: Path) -> list[Problem]:
    """The first line that is not UTF-8 text, and its column if the line is a whole record."""
    import csv

    with path.open("rb") as handle:
        header = next(csv.reader([handle.readline().decode("utf-8-sig", "replace")]), [])
        handle.seek(0)
        for number, raw in enumerate(handle, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                values = next(csv.reader([raw.decode("utf-8", "replace")]), [])
                column = next(
                    (
                        header[index].strip()
                        for index, value in enumerate(values)
                        if "\ufffd" in value and index < len(header)
                    ),
                    "",
                )
                return [
                    (
                        path.name,
                        number,
                        column,
                        "not UTF-8 text (an accented letter saved in another encoding): "
                        "save the file as 'CSV UTF-8'",
                    )
                ]
    return []


def table_read(
    path: Path,
    columns: Columns,
    *,
    extra_ok: bool = False,
    meaning: dict[str, str] | None = None,
) -> pa.Table:
    """Read a CSV or Parquet file into a table of exactly `columns` (optional ones filled
    with nulls), checking every value; InputError lists every problem. `meaning` says what a
    column holds in the analyst's words (said when a required cell is empty)."""
    name = path.name
    meaning = meaning or {}
    if not path.is_file():
        raise InputError([(str(path), None, "", "the file does not exist")])
    if path.suffix.lower() == ".parquet":
        try:
            raw = pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as error:
            raise InputError([(name, None, "", f"not a readable Parquet file: {error}")]) from None
        raw = raw.cast(pa.schema([(n, pa.string()) for n in raw.column_names]))
    else:
        try:
            raw = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    # every column read as written: an invoice 0900 stays 0900, not 900
                    column_types=dict.fromkeys(_csv_header(path), pa.string()),
                    strings_can_be_null=False,
                    auto_dict_encode=False,
                    check_utf8=True,
                ),
                read_options=pacsv.ReadOptions(autogenerate_column_names=False),
            )
        except pa.ArrowInvalid as error:
            raise InputError(_csv_unreadable(path, columns, error)) from None
        raw = raw.cast(pa.schema([(n, pa.string()) for n in raw.column_names]))
    problems: list[Problem] = []
    header = [c.strip() for c in raw.column_names]
    raw = raw.rename_columns(header)
    if len(header) == 1 and ";" in header[0]:
        raise InputError(
            [
                (
                    name,
                    1,
                    "",
                    "the columns are separated by ';': expected commas "
                    "(in Excel: Save As, 'CSV UTF-8 (Comma delimited)')",
                )
            ]
        )
    missing = [c for c, (_, required) in columns.items() if required and c not in header]
    for column in missing:
        problems.append((name, 1, column, "this column is missing from the header"))
    unknown = [c for c in header if c not in columns]
    if unknown and not extra_ok:
        problems.append((name, 1, unknown[0], f"unknown column (expected: {', '.join(columns)})"))
    if problems:
        raise InputError(problems)
    arrays = {}
    place = row_places(path)
    for column, (kind, required) in columns.items():
        if column not in header:
            arrays[column] = pa.nulls(raw.num_rows, ARROW_TYPES[kind])
            continue
        values = []
        for index, text in enumerate(raw.column(column).to_pylist()):
            text = (text or "").strip()
            if not text:
                if required:
                    expected = meaning.get(column, EXPECTED[kind])
                    problems.append((name, place(index), column, f"empty; expected {expected}"))
                values.append(None)
                continue
            try:
                values.append(_convert(kind, text))
            except (ValueError, InvalidOperation):
                problems.append((name, place(index), column, f"{text!r} is not {EXPECTED[kind]}"))
                values.append(None)
        arrays[column] = pa.array(values, type=ARROW_TYPES[kind])
    if problems:
        raise InputError(problems)
    if extra_ok:
        for column in unknown:
            arrays[column] = raw.column(column)
    return pa.table(arrays)


def plans_read(directory: Path) -> tuple[dict[str, list[Plan]], dict[str, Policy]]:
    """Every *.yaml plan in the folder (policies.yaml holds the crediting policies)."""
    plans, policies, problems, _ = _plans_collect(directory)
    if problems:
        raise InputError(problems)
    return plans, policies


def _plans_collect(
    directory: Path,
) -> tuple[dict[str, list[Plan]], dict[str, Policy] | None, list[Problem], set[str]]:
    """The plans and policies of a folder, every problem of every file, and the codes the
    plan files that have problems give themselves (so an assignment to one of them is not
    reported again as naming no plan). Policies are None if policies.yaml has problems."""
    from .plan_files import plan_code_written, plan_parse, policies_parse

    plans: dict[str, list[Plan]] = {}
    policies: dict[str, Policy] | None = {}
    problems: list[Problem] = []
    refused: set[str] = set()
    if not directory.is_dir():
        problems.append((str(directory), None, "", "the plans folder does not exist"))
        return plans, None, problems, refused
    for path in sorted(directory.glob("*.y*ml")):
        text = path.read_text(encoding="utf-8")
        try:
            if path.stem == "policies":
                policies = policies_parse(text, path.name)
                continue
            plan = plan_parse(text, path.name)
        except InputError as error:
            problems.extend(error.problems)
            if path.stem == "policies":
                policies = None
            else:
                refused.add(plan_code_written(text))
            continue
        plans.setdefault(plan.code, []).append(plan)
    if not plans and not refused:
        problems.append((str(directory), None, "", "no plan files (*.yaml) in the folder"))
    for versions in plans.values():
        versions.sort(key=lambda plan: (plan.valid_from, plan.version))
    return plans, policies, problems, refused


def inputs_read(
    *,
    plans: Path,
    transactions: Path,
    quotas: Path | None = None,
    payments: Path | None = None,
    fx: Path | None = None,
    payees: Path | None = None,
    credits: Path | None = None,
    claims: Path | None = None,
) -> CommissionInputs:
    """Everything a file-mode calculation needs, checked; InputError names every problem of
    every file at once: the plan files, every input file, then what the files say of each
    other (transaction types, assignments naming plans, claims naming policies, FX rates).
    A check that needs a file that could not be read is left out (an assignment to a plan
    whose file has problems is not reported again; FX rates are checked once the plans,
    assignments, transactions and fx files are all readable)."""
    plan_versions, policies, problems, refused = _plans_collect(plans)
    assignments_path = plans / "assignments.csv"
    tables: dict[str, pa.Table | None] = {}
    unread: set[str] = set()
    for key, path, columns, extra in (
        ("assignments", assignments_path, ASSIGNMENTS, False),
        ("transactions", transactions, TRANSACTIONS, False),
        ("quotas", quotas, QUOTAS, False),
        ("payments", payments, PAYMENTS, False),
        ("fx", fx, FX, False),
        ("payees", payees, PAYEES, False),
        ("credits", credits, CREDITS, False),
        ("claims", claims, CLAIMS, True),
    ):
        tables[key] = None
        if path is None:
            continue
        if key == "assignments" and not plans.is_dir():  # already said: no plans folder
            unread.add(key)
            continue
        try:
            tables[key] = table_read(path, columns, extra_ok=extra, meaning=MEANING.get(key))
        except InputError as error:
            problems.extend(error.problems)
            unread.add(key)
    paths = {
        key: path
        for key, path in (
            ("assignments", assignments_path),
            ("transactions", transactions),
            ("quotas", quotas),
            ("payments", payments),
            ("fx", fx),
            ("payees", payees),
            ("credits", credits),
            ("claims", claims),
        )
        if path is not None
    }
    transactions_table = tables["transactions"]
    if transactions_table is not None:
        place = row_places(transactions)
        for index, kind in enumerate(transactions_table.column("type").to_pylist()):
            if kind not in TRANSACTION_TYPES:
                problems.append(
                    (
                        transactions.name,
                        place(index),
                        "type",
                        f"{kind!r} is not a transaction type: expected invoice, credit_memo, "
                        "booking or disconnect",
                    )
                )
    if tables["assignments"] is not None:
        known = ", ".join(sorted(plan_versions)) or "none could be read"
        place = row_places(assignments_path)
        for index, code in enumerate(tables["assignments"].column("plan").to_pylist()):
            if code not in plan_versions and code not in refused:
                problems.append(
                    (
                        assignments_path.name,
                        place(index),
                        "plan",
                        f"no plan file has code {code!r} (the plan codes: {known})",
                    )
                )
    if tables["claims"] is not None and policies is not None:
        known = ", ".join(sorted(policies)) or "none"
        place = row_places(paths["claims"])
        for index, code in enumerate(tables["claims"].column("policy").to_pylist()):
            if code not in policies:
                problems.append(
                    (
                        paths["claims"].name,
                        place(index),
                        "policy",
                        f"{code!r} is not a policy in policies.yaml (the policies: {known})",
                    )
                )
    if problems:
        problems.extend(_fx_problems(plan_versions, tables, paths, refused, unread))
    if problems:
        raise InputError(problems)
    assert transactions_table is not None
    assert tables["assignments"] is not None
    assert policies is not None
    return CommissionInputs(
        plans=plan_versions,
        assignments=tables["assignments"],
        transactions=transactions_table,
        quotas=tables["quotas"],
        payments=tables["payments"],
        fx=tables["fx"],
        payees=tables["payees"],
        credits=tables["credits"],
        claims=tables["claims"],
        policies=policies,
        paths=paths,
    )


def _fx_problems(
    plans: dict[str, list[Plan]],
    tables: dict[str, pa.Table | None],
    paths: dict[str, Path],
    refused: set[str],
    unread: set[str],
) -> list[Problem]:
    """The missing FX rates, when other problems stop the run before the calculation would
    find them (it checks them itself otherwise), so they are in the same report: only when
    every plan, the assignments, the transactions and the fx file could be read."""
    if refused or unread & {"assignments", "transactions", "fx"}:
        return []
    if tables["assignments"] is None or tables["transactions"] is None:
        return []
    from .commissions import fx_problems

    inputs = CommissionInputs(
        plans=plans,
        assignments=tables["assignments"],
        transactions=tables["transactions"],
        fx=tables["fx"],
        paths=paths,
    )
    return fx_problems(inputs)


def payments_unmatched(inputs: CommissionInputs) -> list[tuple[int | str, str]]:
    """The payments (place in the payments file, invoice_id) that name no transaction: they
    are legitimate (a payment for an invoice that earns no commission) and release nothing,
    but a mistyped id would silently hold commission back, so the file mode warns of them."""
    if inputs.payments is None or not inputs.payments.num_rows:
        return []
    ids = inputs.payments.column("invoice_id")
    known = pc.is_in(ids, value_set=pc.unique(inputs.transactions.column("id")))
    rows = pc.indices_nonzero(pc.invert(known)).to_pylist()
    place = inputs.places("payments")
    return [(place(row), ids[row].as_py()) for row in rows]


def payments_warning(inputs: CommissionInputs, *, shown: int = 5) -> str | None:
    """The file mode's warning of payments that name no transaction, or None."""
    unmatched = payments_unmatched(inputs)
    if not unmatched:
        return None
    count = len(unmatched)
    listed = ", ".join(f"{place_text(at)}: {invoice}" for at, invoice in unmatched[:shown])
    if count > shown:
        listed += f" and {count - shown} more"
    noun = "payment names" if count == 1 else "payments name"
    return (
        f"{inputs.source('payments')}: {count} {noun} no transaction in "
        f"{inputs.source('transactions')} ({listed}); they release nothing"
    )


#: the transaction types that reverse another (`original_id`)
REVERSAL_TYPES = ("credit_memo", "disconnect")


def memos_follow_originals(inputs: CommissionInputs) -> CommissionInputs:
    """The inputs with every credit memo and disconnect credited as its original: a memo with
    no `credits` rows of its own takes its original's split, and one named in no claim takes
    its original's claims (the same claim, policy, dates and payees), so a return takes
    credit back from whoever the sale credited. The database run writes those rows itself
    (compensation.selectors); a memo's own rows always win."""
    tx = inputs.transactions
    memos = tx.filter(
        pc.and_(
            pc.is_in(tx["type"], value_set=pa.array(REVERSAL_TYPES, pa.string())),
            pc.is_valid(tx["original_id"]),
        )
    ).select(["id", "original_id"])
    if not memos.num_rows:
        return inputs
    followed = {}
    for name in ("credits", "claims"):
        table = getattr(inputs, name)
        if table is None:
            continue
        bare = memos.filter(pc.invert(pc.is_in(memos["id"], value_set=table["transaction_id"])))
        if not bare.num_rows:
            continue
        copies = table.join(
            bare, keys="transaction_id", right_keys="original_id", join_type="inner"
        )
        if not copies.num_rows:
            continue
        copies = copies.set_column(
            copies.column_names.index("transaction_id"), "transaction_id", copies["id"]
        )
        second = "payee" if name == "credits" else "claim_id"
        copies = copies.sort_by([("transaction_id", "ascending"), (second, "ascending")])
        followed[name] = pa.concat_tables([table, copies.select(table.column_names)])
    return dataclasses.replace(inputs, **followed) if followed else inputs
