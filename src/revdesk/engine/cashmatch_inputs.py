"""The inputs of cash matching read from files (`revdesk calc match`), checked on the way in.

A bad value is reported with the file, the line (1 is the header), the column and what was
expected; nothing is matched from files with errors (InputError lists every problem).

Columns (optional ones in brackets; CSV or Parquet):

- items (open invoices): customer, invoice, invoice_date, due_date, open_amount, currency,
  [disputed] (true: in dispute, never chosen by amount alone)
- bank (receipts): receipt, date, amount, currency, [payer_name, payer_account, text,
  bank_reference, format, source]
- customers: customer, [name, bank_account] (a customer with several accounts: one row each)
- remittance: receipt, invoice, paid, [invoiced, adjustment, adjustment_reason]
- links (payer accounts people confirmed before): payer_account, customer
- reasons (the customer's deduction codes mapped to ours): external_code, reason_code
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .cashmatch import (
    CUSTOMERS_SCHEMA,
    ITEMS_SCHEMA,
    LINKS_SCHEMA,
    RECEIPTS_SCHEMA,
    REMITTANCE_SCHEMA,
)
from .commission_inputs import Columns, InputError, table_read

ITEMS: Columns = {
    "customer": ("text", True),
    "invoice": ("text", True),
    "invoice_date": ("date", True),
    "due_date": ("date", True),
    "open_amount": ("cents", True),
    "currency": ("currency", True),
    "disputed": ("bool", False),
}
RECEIPTS: Columns = {
    "receipt": ("text", True),
    "date": ("date", True),
    "amount": ("cents", True),
    "currency": ("currency", True),
    "payer_name": ("text", False),
    "payer_account": ("text", False),
    "text": ("text", False),
    "bank_reference": ("text", False),
    "format": ("text", False),
    "source": ("text", False),
}
CUSTOMERS: Columns = {
    "customer": ("text", True),
    "name": ("text", False),
    "bank_account": ("text", False),
}
REMITTANCE: Columns = {
    "receipt": ("text", True),
    "invoice": ("text", True),
    "paid": ("cents", True),
    "invoiced": ("cents", False),
    "adjustment": ("cents", False),
    "adjustment_reason": ("text", False),
}
LINKS: Columns = {"payer_account": ("text", True), "customer": ("text", True)}
REASONS: Columns = {"external_code": ("text", True), "reason_code": ("text", True)}

Problems = list[tuple[str, int | None, str, str]]


@dataclass
class MatchInputs:
    items: pa.Table
    receipts: pa.Table
    customers: pa.Table | None = None
    remittance: pa.Table | None = None
    links: pa.Table | None = None
    reasons: dict[str, str] | None = None


def items_read(path: Path) -> pa.Table:
    """Open invoices (`ITEMS`): one row per customer and invoice, due on or after the invoice
    date."""
    table = table_read(path, ITEMS)
    problems: Problems = []
    seen: dict[tuple[str, str], int] = {}
    rows = table.select(["customer", "invoice", "invoice_date", "due_date"]).to_pylist()
    for line, row in enumerate(rows, start=2):
        key = (row["customer"], row["invoice"])
        if key in seen:
            problems.append(
                (path.name, line, "invoice", f"{row['invoice']!r} of {row['customer']!r} is "
                 f"already on line {seen[key]}")
            )  # fmt: skip
        seen.setdefault(key, line)
        if row["due_date"] < row["invoice_date"]:
            problems.append(
                (path.name, line, "due_date", f"{row['due_date']} is before the invoice date")
            )
    if problems:
        raise InputError(problems)
    return table.cast(ITEMS_SCHEMA)


def receipts_read(path: Path) -> pa.Table:
    """Bank receipts from CSV or Parquet in our columns (`RECEIPTS`): money in, more than 0,
    each receipt once."""
    table = table_read(path, RECEIPTS)
    problems: Problems = []
    seen: dict[str, int] = {}
    rows = table.select(["receipt", "amount"]).to_pylist()
    for line, row in enumerate(rows, start=2):
        if row["receipt"] in seen:
            problems.append(
                (path.name, line, "receipt", f"{row['receipt']!r} is already on line "
                 f"{seen[row['receipt']]}")
            )  # fmt: skip
        seen.setdefault(row["receipt"], line)
        if row["amount"] <= 0:
            problems.append(
                (path.name, line, "amount", f"{row['amount']} is not money in (more than 0)")
            )
    if problems:
        raise InputError(problems)
    return table.cast(RECEIPTS_SCHEMA)


def bank_read(path: Path) -> tuple[pa.Table, pa.Table | None]:
    """The receipts of a bank file and the remittance lines it carries (None: none).

    Parquet in our columns (`receipts_read`); anything else through the bank-file readers
    (engine.bankfiles: BAI2, MT940/942, camt.053/054, X12 820, or CSV in our columns), the
    format told from the content. Their errors are InputErrors too (file, line, column)."""
    if path.suffix.lower() == ".parquet":
        return receipts_read(path), None
    from .bankfiles import read_bank_file

    bank_file = read_bank_file(path)
    remittance = bank_file.remittance
    if not remittance.num_rows:
        return bank_file.receipts.select(list(RECEIPTS_SCHEMA.names)), None
    # a document named without an amount pays nothing we can apply as given
    paid = pc.fill_null(remittance["paid"], pa.scalar(Decimal("0.00"), remittance["paid"].type))
    remittance = remittance.set_column(remittance.schema.get_field_index("paid"), "paid", paid)
    return (
        bank_file.receipts.select(list(RECEIPTS_SCHEMA.names)),
        remittance.select(list(REMITTANCE_SCHEMA.names)),
    )


def customers_read(path: Path) -> pa.Table:
    return table_read(path, CUSTOMERS).cast(CUSTOMERS_SCHEMA)


def links_read(path: Path) -> pa.Table:
    return table_read(path, LINKS).cast(LINKS_SCHEMA)


def remittance_read(path: Path) -> pa.Table:
    """Remittance lines: what the customer says it pays on each invoice (paid, 0 or more) and
    any amount it took off (adjustment, with its own reason code)."""
    table = table_read(path, REMITTANCE)
    problems: Problems = []
    for line, paid in enumerate(table.column("paid").to_pylist(), start=2):
        if paid < 0:
            problems.append((path.name, line, "paid", f"{paid} is below 0"))
    if problems:
        raise InputError(problems)
    return table.cast(REMITTANCE_SCHEMA)


def reasons_read(path: Path) -> dict[str, str]:
    """The customer's deduction reason codes mapped to ours, one row per code."""
    table = table_read(path, REASONS)
    found: dict[str, str] = {}
    problems: Problems = []
    for line, row in enumerate(table.to_pylist(), start=2):
        code = row["external_code"].strip()
        if code in found:
            problems.append((path.name, line, "external_code", f"{code!r} is mapped twice"))
        found[code] = row["reason_code"].strip()
    if problems:
        raise InputError(problems)
    return found


def inputs_read(
    *,
    items: Path,
    bank: Path,
    customers: Path | None = None,
    remittance: Path | None = None,
    links: Path | None = None,
    reasons: Path | None = None,
) -> MatchInputs:
    """Every file of a matching run, checked: InputError names every problem of every file."""
    problems: Problems = []
    found: dict[str, object] = {}
    readers = (
        ("items", items, items_read),
        ("bank", bank, bank_read),
        ("customers", customers, customers_read),
        ("remittance", remittance, remittance_read),
        ("links", links, links_read),
        ("reasons", reasons, reasons_read),
    )
    for key, path, reader in readers:
        if path is None:
            found[key] = None
            continue
        try:
            found[key] = reader(path)
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    receipts, carried = found["bank"]  # type: ignore[misc]
    lines = found["remittance"]
    if carried is not None:
        lines = carried if lines is None else pa.concat_tables([carried, lines])
    if lines is not None and remittance is not None:
        known = set(receipts.column("receipt").to_pylist())
        for line, receipt in enumerate(lines.column("receipt").to_pylist(), start=2):
            if receipt not in known:
                problems.append(
                    (remittance.name, line, "receipt", f"{receipt!r} is not in {bank.name}")
                )
    if problems:
        raise InputError(problems)
    return MatchInputs(
        items=found["items"],  # type: ignore[arg-type]
        receipts=receipts,
        customers=found["customers"],  # type: ignore[arg-type]
        remittance=lines,  # type: ignore[arg-type]
        links=found["links"],  # type: ignore[arg-type]
        reasons=found["reasons"],  # type: ignore[arg-type]
    )
