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
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml
from pydantic import ValidationError

from .plans import Plan

DECIMAL = pa.decimal128(38, 6)
CENTS_STEP = Decimal("0.01")


class InputError(ValueError):
    """Bad input: `problems` lists (file, line, column, message); nothing was calculated."""

    def __init__(self, problems: list[tuple[str, int | None, str, str]]):
        self.problems = problems
        shown = "; ".join(_problem_text(*p) for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(shown + more)


def _problem_text(file: str, line: int | None, column: str, message: str) -> str:
    where = f"{file}, line {line}" if line is not None else file
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
    "text": "text",
    "date": "a date written YYYY-MM-DD",
    "decimal": "a number such as 1234.50 (no thousands separators)",
    "cents": "an amount such as 1234.50 (at most two decimals, no thousands separators)",
    "currency": "a three-letter currency code such as USD",
    "period": "a period written YYYY-MM (or YYYY-Qn, YYYY)",
    "bool": "true or false",
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


def _csv_header(path: Path) -> list[str]:
    """The column names of a CSV file's first line, as Arrow reads them."""
    import csv

    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        return next(csv.reader(handle), [])


def table_read(path: Path, columns: Columns, *, extra_ok: bool = False) -> pa.Table:
    """Read a CSV or Parquet file into a table of exactly `columns` (optional ones filled
    with nulls), checking every value; InputError lists every problem."""
    name = path.name
    if not path.is_file():
        raise InputError([(str(path), None, "", "the file does not exist")])
    if path.suffix.lower() == ".parquet":
        raw = pq.read_table(path)
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
            raise InputError([(name, None, "", f"not a readable CSV file: {error}")]) from error
        raw = raw.cast(pa.schema([(n, pa.string()) for n in raw.column_names]))
    problems: list[tuple[str, int | None, str, str]] = []
    header = [c.strip() for c in raw.column_names]
    raw = raw.rename_columns(header)
    missing = [c for c, (_, required) in columns.items() if required and c not in header]
    for column in missing:
        problems.append((name, 1, column, "this column is missing from the header"))
    unknown = [c for c in header if c not in columns]
    if unknown and not extra_ok:
        problems.append((name, 1, unknown[0], f"unknown column (expected: {', '.join(columns)})"))
    if problems:
        raise InputError(problems)
    arrays = {}
    for column, (kind, required) in columns.items():
        if column not in header:
            arrays[column] = pa.nulls(raw.num_rows, ARROW_TYPES[kind])
            continue
        values = []
        for index, text in enumerate(raw.column(column).to_pylist()):
            text = (text or "").strip()
            if not text:
                if required:
                    problems.append((name, index + 2, column, f"empty; expected {EXPECTED[kind]}"))
                values.append(None)
                continue
            try:
                values.append(_convert(kind, text))
            except (ValueError, InvalidOperation):
                problems.append((name, index + 2, column, f"{text!r} is not {EXPECTED[kind]}"))
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
    plans: dict[str, list[Plan]] = {}
    policies: dict[str, Policy] = {}
    problems: list[tuple[str, int | None, str, str]] = []
    if not directory.is_dir():
        raise InputError([(str(directory), None, "", "the plans folder does not exist")])
    for path in sorted(directory.glob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problems.append((path.name, line, "", f"not valid YAML: {error}"))
            continue
        if path.stem == "policies":
            for entry in data or []:
                splits = {role: Decimal(str(share)) for role, share in entry["splits"].items()}
                if sum(splits.values()) != 1:
                    problems.append(
                        (path.name, None, "splits", f"{entry['code']}: shares do not add to 1")
                    )
                policies[entry["code"]] = Policy(
                    entry["code"], entry.get("title", ""), splits, entry.get("text", "")
                )
            continue
        try:
            plan = Plan.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(part) for part in item["loc"])
                problems.append((path.name, None, where, item["msg"]))
            continue
        plans.setdefault(plan.code, []).append(plan)
    if problems:
        raise InputError(problems)
    if not plans:
        raise InputError([(str(directory), None, "", "no plan files (*.yaml) in the folder")])
    for versions in plans.values():
        versions.sort(key=lambda plan: (plan.valid_from, plan.version))
    return plans, policies


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
    """Everything a file-mode calculation needs, checked; InputError names every problem."""
    plan_versions, policies = plans_read(plans)
    assignments_path = plans / "assignments.csv"
    problems: list[tuple[str, int | None, str, str]] = []
    tables: dict[str, pa.Table | None] = {}
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
        if path is None:
            tables[key] = None
            continue
        try:
            tables[key] = table_read(path, columns, extra_ok=extra)
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    transactions_table = tables["transactions"]
    for index, kind in enumerate(transactions_table.column("type").to_pylist()):
        if kind not in TRANSACTION_TYPES:
            problems.append(
                (
                    transactions.name,
                    index + 2,
                    "type",
                    f"{kind!r} is not one of {', '.join(sorted(TRANSACTION_TYPES))}",
                )
            )
    for index, code in enumerate(tables["assignments"].column("plan").to_pylist()):
        if code not in plan_versions:
            problems.append(
                ("assignments.csv", index + 2, "plan", f"no plan file has code {code!r}")
            )
    if tables["claims"] is not None:
        for index, code in enumerate(tables["claims"].column("policy").to_pylist()):
            if code not in policies:
                problems.append(
                    (claims.name, index + 2, "policy", f"{code!r} is not in policies.yaml")
                )
    if problems:
        raise InputError(problems)
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
