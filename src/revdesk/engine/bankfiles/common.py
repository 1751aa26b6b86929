"""What every bank-file reader shares: the two tables' columns, the error, and a collector
that turns entries into receipts and remittance lines, checks them and builds the tables.

A problem is (file, where, column, message): `where` is a line number (int) for line-based
files and the XML line of the element for camt, or a text such as "segment 12, line 12"
for X12. Nothing is returned from a file with a problem: the reader raises BankFileError
listing every problem it found.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyarrow as pa

from ..commission_inputs import InputError

CENTS = pa.decimal128(38, 2)
CENT = Decimal("0.01")
ZERO = Decimal("0")

RECEIPT_SCHEMA = pa.schema(
    [
        pa.field("receipt", pa.string(), nullable=False),
        pa.field("date", pa.date32(), nullable=False),
        pa.field("amount", CENTS, nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("payer_name", pa.string()),
        pa.field("payer_account", pa.string()),
        pa.field("text", pa.string()),
        pa.field("bank_reference", pa.string()),
        pa.field("format", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
    ]
)
REMITTANCE_SCHEMA = pa.schema(
    [
        pa.field("receipt", pa.string(), nullable=False),
        pa.field("invoice", pa.string()),
        pa.field("paid", CENTS),
        pa.field("invoiced", CENTS),
        pa.field("adjustment", CENTS, nullable=False),
        pa.field("adjustment_reason", pa.string()),
        pa.field("source", pa.string(), nullable=False),
    ]
)
FORMATS = ("bai2", "mt940", "mt942", "camt.053", "camt.054", "x12-820", "csv")

# ISO 4217 currencies whose minor unit is not the cent (BAI2 amounts are in minor units).
MINOR_UNITS = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}
CURRENCY_RE = re.compile(r"[A-Z]{3}")

Where = int | str | None
Problem = tuple[str, Where, str, str]


class BankFileError(InputError):
    """A bank or remittance file that cannot be read as it is: `problems` lists
    (file, where, column, message), where `where` is a line number or a text such as
    "segment 12, line 12". Nothing was read from the file."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems  # type: ignore[assignment]
        shown = "; ".join(problem_text(*p) for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        ValueError.__init__(self, shown + more)


def problem_text(file: str, where: Where, column: str, message: str) -> str:
    if isinstance(where, int):
        place = f"{file}, line {where}"
    elif where:
        place = f"{file}, {where}"
    else:
        place = file
    return f"{place}, {column}: {message}" if column else f"{place}: {message}"


class Stop(Exception):
    """Raised inside a reader when it cannot go on; the collected problems are raised."""


@dataclass(frozen=True)
class Statement:
    """One statement, account report or payment as the file states it, with its balances."""

    id: str
    account: str | None
    currency: str | None
    opening: Decimal | None = None
    closing: Decimal | None = None
    opening_tag: str | None = None
    closing_tag: str | None = None
    credits: int = 0
    debits: int = 0
    source: str = ""


@dataclass(frozen=True)
class Summary:
    format: str
    statements: int
    accounts: int
    credits: int
    debits_skipped: int
    totals: dict[str, Decimal]  # currency -> sum of the receipts
    skipped: int = 0  # entries neither credit nor debit (e.g. not booked), see warnings


@dataclass
class BankFile:
    """A bank or remittance file read in full: receipts (RECEIPT_SCHEMA), remittance
    (REMITTANCE_SCHEMA), the statements as stated, the summary and any warnings (problems
    that do not stop the read, e.g. a balance that does not follow from the movements)."""

    path: str
    format: str
    receipts: pa.Table
    remittance: pa.Table
    summary: Summary
    statements: list[Statement] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def clean_text(*parts: str | None) -> str | None:
    """Free text joined with single spaces; None when there is none."""
    text = " ".join(" ".join(part.split()) for part in parts if part and part.strip())
    return text or None


def decimal_parse(text: str) -> Decimal:
    """A plain decimal number (digits, one point, optional sign); ValueError otherwise."""
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text.strip()):
        raise ValueError(text)
    try:
        return Decimal(text.strip())
    except InvalidOperation as error:  # pragma: no cover - the pattern rules it out
        raise ValueError(text) from error


@dataclass
class Collector:
    """Gathers one file's receipts, remittance lines, statements, problems and warnings."""

    file: str
    format: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    receipts: list[dict] = field(default_factory=list)
    remittance: list[dict] = field(default_factory=list)
    debits: int = 0
    skipped: int = 0
    accounts: set[str] = field(default_factory=set)

    def problem(self, where: Where, column: str, message: str) -> None:
        self.problems.append((self.file, where, column, message))

    def warn(self, where: Where, column: str, message: str) -> None:
        self.warnings.append((self.file, where, column, message))

    def stop(self, where: Where, column: str, message: str) -> Stop:
        self.problem(where, column, message)
        return Stop()

    def source(self, where: Where) -> str:
        if isinstance(where, int):
            return f"{self.file}:{where}"
        return f"{self.file}:{where}" if where else self.file

    def receipt(
        self,
        *,
        where: Where,
        fallback_id: str,
        date: dt.date,
        amount: Decimal,
        currency: str,
        payer_name: str | None = None,
        payer_account: str | None = None,
        text: str | None = None,
        bank_reference: str | None = None,
        receipt: str | None = None,
    ) -> dict:
        """Add a receipt. Its id is `receipt` when given (a CSV's own column), else the bank
        reference when it is unique among the file's receipts, else `fallback_id` (built from
        the file's own positions). Returns the row, whose "receipt" is final only after
        `tables()`."""
        if amount != amount.quantize(CENT):
            self.problem(
                where, "amount", f"{amount} has more than two decimals (receipts are in cents)"
            )
        row = {
            "receipt": receipt,
            "date": date,
            "amount": amount.quantize(CENT) if amount == amount.quantize(CENT) else amount,
            "currency": currency,
            "payer_name": clean_text(payer_name),
            "payer_account": clean_text(payer_account),
            "text": clean_text(text),
            "bank_reference": clean_text(bank_reference),
            "format": self.format,
            "source": self.source(where),
            "_fallback": fallback_id,
            "_where": where,
            "_explicit": receipt is not None,
        }
        self.receipts.append(row)
        return row

    def remit(
        self,
        receipt: dict,
        *,
        where: Where,
        invoice: str | None,
        paid: Decimal | None,
        invoiced: Decimal | None = None,
        adjustment: Decimal = ZERO,
        adjustment_reason: str | None = None,
    ) -> None:
        for name, value in (("paid", paid), ("invoiced", invoiced), ("adjustment", adjustment)):
            if value is not None and value != value.quantize(CENT):
                self.problem(where, name, f"{value} has more than two decimals")
        self.remittance.append(
            {
                "_receipt": receipt,
                "invoice": invoice,
                "paid": paid,
                "invoiced": invoiced,
                "adjustment": adjustment,
                "adjustment_reason": adjustment_reason,
                "source": self.source(where),
            }
        )

    def raise_problems(self) -> None:
        if self.problems:
            raise BankFileError(self.problems)

    def _assign_ids(self) -> None:
        references: dict[str, int] = {}
        for row in self.receipts:
            if not row["_explicit"] and row["bank_reference"]:
                references[row["bank_reference"]] = references.get(row["bank_reference"], 0) + 1
        seen: dict[str, str] = {}
        for row in self.receipts:
            if not row["_explicit"]:
                reference = row["bank_reference"]
                unique = reference and references[reference] == 1
                row["receipt"] = reference if unique else row["_fallback"]
            if row["receipt"] in seen:
                self.problem(
                    row["_where"],
                    "receipt",
                    f"{row['receipt']!r} is used twice (first at {seen[row['receipt']]})",
                )
            seen.setdefault(row["receipt"], row["source"])

    def build(self, path: str) -> BankFile:
        self.raise_problems()
        self._assign_ids()
        self.raise_problems()
        receipts = pa.Table.from_pylist(
            [{name: row[name] for name in RECEIPT_SCHEMA.names} for row in self.receipts],
            schema=RECEIPT_SCHEMA,
        )
        remittance = pa.Table.from_pylist(
            [
                {"receipt": row["_receipt"]["receipt"], **{k: row[k] for k in row if k[0] != "_"}}
                for row in self.remittance
            ],
            schema=REMITTANCE_SCHEMA,
        )
        totals: dict[str, Decimal] = {}
        for row in self.receipts:
            totals[row["currency"]] = totals.get(row["currency"], ZERO) + row["amount"]
        summary = Summary(
            format=self.format,
            statements=len(self.statements),
            accounts=len(self.accounts),
            credits=len(self.receipts),
            debits_skipped=self.debits,
            totals=dict(sorted(totals.items())),
            skipped=self.skipped,
        )
        return BankFile(
            path=path,
            format=self.format,
            receipts=receipts,
            remittance=remittance,
            summary=summary,
            statements=list(self.statements),
            warnings=list(self.warnings),
        )
