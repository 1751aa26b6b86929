"""Lockbox and bank-export CSV files, read through a mapping profile.

A profile says which of the file's columns holds each receipt column, how dates are written
and which decimal separator amounts use. Without one, the file has the canonical columns:
receipt,date,amount,currency,payer_name,payer_account,text (dates YYYY-MM-DD, amounts
1234.56). A profile is a dict or a YAML file:

    columns:            # our column: their header (text may list several headers)
      receipt: Item ID
      date: Deposit Date
      amount: Amount
      payer_name: Remitter
      text: [Memo, Invoice Numbers]
    currency: USD       # when the file has no currency column
    date_format: "%m/%d/%Y"
    decimal_separator: "."
    thousands_separator: ","
    delimiter: ","

A negative amount is a debit: skipped and counted. Every bad line is reported with its
number (1 is the header) and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .common import BankFileError, Collector, Statement, decimal_parse

COLUMNS = ("receipt", "date", "amount", "currency", "payer_name", "payer_account", "text")
REQUIRED = ("date", "amount")
SETTINGS = {
    "columns",
    "currency",
    "date_format",
    "decimal_separator",
    "thousands_separator",
    "delimiter",
    "encoding",
}


@dataclass(frozen=True)
class CsvProfile:
    """How a CSV's columns map to the receipt columns (see the module's text)."""

    columns: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    currency: str | None = None
    date_format: str = "%Y-%m-%d"
    decimal_separator: str = "."
    thousands_separator: str = ""
    delimiter: str = ","
    encoding: str = "utf-8"

    def header_of(self, column: str) -> tuple[str, ...]:
        mapped = self.columns.get(column, column)
        return (mapped,) if isinstance(mapped, str) else tuple(mapped)


def profile_load(profile: CsvProfile | dict | str | Path | None) -> CsvProfile:
    """A CsvProfile from a dict, a YAML file or None (the canonical columns)."""
    if profile is None:
        return CsvProfile()
    if isinstance(profile, CsvProfile):
        return profile
    name = "profile"
    if isinstance(profile, (str, Path)):
        path = Path(profile)
        name = path.name
        try:
            profile = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise BankFileError([(name, None, "", f"cannot be read as YAML: {error}")]) from None
    if not isinstance(profile, dict):
        raise BankFileError([(name, None, "", "expected a mapping of settings")])
    problems = []
    for key in profile:
        if key not in SETTINGS:
            problems.append(
                (name, None, str(key), f"unknown setting (known: {', '.join(sorted(SETTINGS))})")
            )
    columns = profile.get("columns") or {}
    if not isinstance(columns, dict):
        problems.append((name, None, "columns", "expected our column: their header"))
        columns = {}
    for key, value in columns.items():
        if key not in COLUMNS:
            problems.append(
                (name, None, f"columns.{key}", f"not a receipt column ({', '.join(COLUMNS)})")
            )
        elif not isinstance(value, (str, list)) or (key != "text" and isinstance(value, list)):
            problems.append((name, None, f"columns.{key}", "expected a column header"))
    separator = profile.get("decimal_separator", ".")
    if separator not in (".", ","):
        problems.append((name, None, "decimal_separator", f"{separator!r}; expected . or ,"))
    currency = profile.get("currency")
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", str(currency)):
        problems.append((name, None, "currency", f"{currency!r} is not a currency code"))
    if problems:
        raise BankFileError(problems)
    return CsvProfile(
        columns={k: tuple(v) if isinstance(v, list) else v for k, v in columns.items()},
        currency=currency,
        date_format=str(profile.get("date_format", "%Y-%m-%d")),
        decimal_separator=separator,
        thousands_separator=str(profile.get("thousands_separator", "")),
        delimiter=str(profile.get("delimiter", ",")),
        encoding=str(profile.get("encoding", "utf-8")),
    )


def _written(date_format: str) -> str:
    for code, shown in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD"), ("%y", "YY")):
        date_format = date_format.replace(code, shown)
    return date_format


def read(data: bytes, out: Collector, profile: CsvProfile) -> None:
    try:
        text = data.decode(
            "utf-8-sig" if profile.encoding.lower() in ("utf-8", "utf8") else profile.encoding
        )
    except (UnicodeDecodeError, LookupError) as error:
        raise out.stop(
            None,
            "",
            f"not {profile.encoding} text ({error}); save it as UTF-8 "
            "or name its encoding in the profile",
        ) from None
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=profile.delimiter)
    header: list[str] | None = None
    index: dict[str, list[int]] = {}
    line = 1
    for row in rows:
        start, line = line, rows.line_num + 1
        if header is None:
            header = [cell.strip() for cell in row]
            index = _index(out, header, profile)
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            out.problem(start, "", f"{len(row)} fields; the header has {len(header)}")
            continue
        _row(out, start, row, index, profile)
    if header is None:
        raise out.stop(1, "", "the file is empty (expected a header line)")
    out.statements.append(Statement(id=out.file, account=None, currency=profile.currency))


def _index(out: Collector, header: list[str], profile: CsvProfile) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for column in COLUMNS:
        headers = profile.header_of(column)
        found = [header.index(h) for h in headers if h in header]
        explicit = column in profile.columns
        required = column in REQUIRED or (column == "currency" and profile.currency is None)
        if len(found) < len(headers) and (required or explicit):
            missing = [h for h in headers if h not in header]
            out.problem(
                1,
                column,
                f"the column {', '.join(map(repr, missing))} is missing "
                f"from the header (found: {', '.join(header)})",
            )
        index[column] = found
    if out.problems:
        raise out.stop(1, "", "the header does not match the profile")
    return index


def _row(out: Collector, line: int, row: list[str], index, profile: CsvProfile) -> None:
    def cell(column: str) -> str:
        return " ".join(row[i].strip() for i in index[column] if row[i].strip())

    bad = len(out.problems)
    date_text = cell("date")
    date = None
    try:
        date = dt.datetime.strptime(date_text, profile.date_format).date()
    except ValueError:
        what = "empty" if not date_text else f"{date_text!r} is not a date"
        out.problem(
            line, "date", f"{what}; expected a date written {_written(profile.date_format)}"
        )
    amount_text = cell("amount")
    amount = None
    try:
        plain = (
            amount_text.replace(profile.thousands_separator, "")
            if profile.thousands_separator
            else amount_text
        )
        amount = decimal_parse(
            plain.replace(profile.decimal_separator, ".")
            if profile.decimal_separator == ","
            else plain
        )
    except ValueError:
        what = "empty" if not amount_text else f"{amount_text!r} is not an amount"
        example = "1234,56" if profile.decimal_separator == "," else "1234.56"
        out.problem(line, "amount", f"{what}; expected an amount such as {example}")
    currency = cell("currency") or profile.currency or ""
    if not re.fullmatch(r"[A-Z]{3}", currency):
        what = "empty" if not currency else f"{currency!r} is not a currency code"
        out.problem(line, "currency", f"{what}; expected a three-letter code such as USD")
    if amount is not None and amount == 0:
        out.problem(line, "amount", "0: a receipt has an amount")
    if len(out.problems) > bad or date is None or amount is None:
        return
    if amount < 0:
        out.debits += 1
        return
    out.receipt(
        where=line,
        fallback_id=f"{out.file}:{line}",
        date=date,
        amount=amount,
        currency=currency,
        payer_name=cell("payer_name") or None,
        payer_account=cell("payer_account") or None,
        text=cell("text") or None,
        receipt=cell("receipt") or None if index["receipt"] else None,
    )
