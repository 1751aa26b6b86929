"""SWIFT MT940 customer statements and MT942 interim transaction reports.

A statement runs from its :20: to the next :20: (a file may hold many, each wrapped in bank
headers and ended by "-"). Tags read: :20: reference, :25: account, :28C: statement number,
:60F:/:60M: opening balance, :61: entry, :86: details of the entry before it (or of the
statement after its closing balance), :62F:/:62M: closing balance, :64:/:65: available
balances, and for MT942 :34F: floor limit, :13D: date and time, :90D:/:90C: number and sum
of the debit and credit entries.

The tags are read here, with their lines, and strictly: the PyPI `mt-940` parser reads a
mistyped amount such as "2X7,00" as 2 without complaint, and keeps no line numbers nor
statement boundaries. Its reader of the German/SEPA structured :86: details (?00 posting
text, ?20-?29 purpose, ?31 account, ?32-?33 name) is used for the payer and the text.

Checks: for MT942 the :90D:/:90C: counts and sums (an error when they differ); within each
statement, opening balance + credits - debits = closing balance, only as a warning: five of
the real sample files (ABN AMRO, ING, Knab, Rabobank, Triodos) do not tie out. Balances are
never compared across statements: a bank's next opening balance may differ from the last
closing one (the ABN AMRO sample).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from mt940 import models as mt940_models
from mt940 import processors as mt940_processors
from mt940 import tags as mt940_tags
from mt940.options import Options

from .common import ZERO, Collector, Statement, clean_text

TAG = re.compile(r"^:(\d{2}[A-Z]?|NS):(.*)$")
BALANCE = re.compile(r"(?P<mark>[DC])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d+(,\d*)?)")
ENTRY = re.compile(
    r"(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d+(,\d*)?)(?P<type>[NSF][A-Z0-9]{3})(?P<reference>.*)"
)
SUM = re.compile(r"(?P<count>\d+)(?P<currency>[A-Z]{3})(?P<amount>\d+(,\d*)?)")
ONCE = {"20", "21", "25", "28", "28C", "13D", "60F", "60M", "60", "62F", "62M", "62", "64"}
ONCE |= {"90D", "90C"}
HEADER = {"20", "21", "25", "28", "28C"}
EXPECTED_BALANCE = (
    "D or C, a date YYMMDD, a currency code and an amount with a decimal comma "
    "(e.g. C240131EUR1234,56)"
)
EXPECTED_ENTRY = (
    "a value date YYMMDD, an optional entry date MMDD, D, C, RD or RC, an optional funds "
    "code, an amount with a decimal comma (e.g. 1234,56) and a transaction type such as NTRF"
)


@dataclass
class Tag:
    name: str
    line: int
    lines: list[str]

    @property
    def value(self) -> str:
        return "\n".join(self.lines).strip()


@dataclass
class Entry:
    line: int
    value_date: dt.date
    mark: str
    amount: Decimal
    bank_reference: str | None
    details: list[str] = field(default_factory=list)

    @property
    def is_credit(self) -> bool:
        return self.mark in ("C", "RD")


@dataclass
class Block:
    line: int
    tags: dict[str, Tag] = field(default_factory=dict)
    balances: dict[str, tuple[Tag, str, Decimal]] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    currencies: set[str] = field(default_factory=set)
    closed: bool = False  # a closing balance was read: :86: now belongs to the statement

    def has_opening(self) -> bool:
        return any(name.startswith("60") for name in self.tags)


def tags_split(text: str) -> list[Tag]:
    """Tags with their lines; bank headers before a message and "-" ends are dropped."""
    found: list[Tag] = []
    current: Tag | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", raw).rstrip()
        if not line.strip():
            continue
        match = TAG.match(line)
        if match:
            current = Tag(match.group(1), number, [match.group(2)])
            found.append(current)
        elif line.startswith("-") and len(line.strip()) <= 4:
            current = None  # end of a message ("-", "-}", "-XXX")
        elif current is not None:
            current.lines.append(line)
        # else: a bank's header line before the message (e.g. "ABNANL2A", "940", ":940:")
    return found


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%y%m%d").date()


def read(text: str, out: Collector) -> None:
    blocks: list[Block] = []
    block: Block | None = None
    for tag in tags_split(text):
        name = tag.name
        if (
            block is None
            or name == "20"
            or (name.startswith("60") and (block.has_opening() or block.entries or block.closed))
        ):
            block = Block(tag.line)
            blocks.append(block)
        if name in ONCE and name in block.tags:
            out.problem(
                tag.line,
                f":{name}:",
                f"appears a second time in the statement that began on line {block.line} "
                f"(first on line {block.tags[name].line}); expected one per statement",
            )
            continue
        if name in HEADER and (block.entries or block.closed):
            out.problem(
                tag.line,
                f":{name}:",
                f"after the statement's entries (statement from line {block.line}); "
                "expected :61: or :86: here",
            )
            continue
        if name in ONCE:
            block.tags[name] = tag
        if name[:2] in ("60", "62", "64"):
            _balance(out, block, tag)
        elif name == "61":
            if block.closed:
                out.problem(tag.line, ":61:", "an entry after the closing balance")
                continue
            _entry(out, block, tag)
        elif name == "86":
            if block.entries and not block.closed:
                block.entries[-1].details.append(tag.value)
        elif name == "34F":
            match = re.match(r"([A-Z]{3})", tag.value)
            if match:
                block.currencies.add(match.group(1))
        elif name in ("90D", "90C"):
            match = SUM.fullmatch(tag.value)
            if match is None:
                out.problem(
                    tag.line,
                    f":{name}:",
                    f"{tag.value!r} is not a number of entries, "
                    "a currency code and an amount (e.g. 3EUR1234,56)",
                )
            else:
                block.currencies.add(match.group("currency"))
    if out.problems:
        return
    is_942 = any("34F" in b.tags or "13D" in b.tags for b in blocks) and not any(
        b.has_opening() for b in blocks
    )
    out.format = "mt942" if is_942 else "mt940"
    details_context = mt940_models.Transactions(options=Options(applicant_iban=True))
    for index, block in enumerate(blocks, start=1):
        _finish(out, block, index, details_context)


def _balance(out: Collector, block: Block, tag: Tag) -> None:
    match = BALANCE.fullmatch(tag.value)
    if match is None:
        out.problem(tag.line, f":{tag.name}:", f"{tag.value!r}; expected {EXPECTED_BALANCE}")
        return
    try:
        _date(match.group("date"))
    except ValueError:
        out.problem(tag.line, f":{tag.name}: date", f"{match.group('date')!r} is not a date")
        return
    amount = _amount(match.group("amount"))
    if match.group("mark") == "D":
        amount = -amount
    block.balances[tag.name] = (tag, match.group("currency"), amount)
    block.currencies.add(match.group("currency"))
    if tag.name.startswith("62"):
        block.closed = True


def _entry(out: Collector, block: Block, tag: Tag) -> None:
    first, *rest = tag.value.split("\n")
    match = ENTRY.fullmatch(first.strip())
    if match is None:
        out.problem(tag.line, ":61:", f"{first.strip()!r}; expected {EXPECTED_ENTRY}")
        return
    try:
        value_date = _date(match.group("value"))
    except ValueError:
        out.problem(tag.line, ":61: value date", f"{match.group('value')!r} is not a date YYMMDD")
        return
    entry = match.group("entry")
    if entry and not _entry_date_valid(value_date, entry):
        out.problem(tag.line, ":61: entry date", f"{entry!r} is not a date MMDD")
        return
    reference = match.group("reference")
    bank_reference = reference.split("//", 1)[1].strip() if "//" in reference else None
    block.entries.append(
        Entry(
            tag.line,
            value_date,
            match.group("mark"),
            _amount(match.group("amount")),
            bank_reference or None,
        )
    )
    del rest  # supplementary details: the bank's words, not the payer's


def _entry_date_valid(value_date: dt.date, mmdd: str) -> bool:
    for year in (value_date.year, value_date.year + 1, value_date.year - 1):
        try:
            dt.date(year, int(mmdd[:2]), int(mmdd[2:]))
            return True
        except ValueError:
            continue
    return False


def _finish(out: Collector, block: Block, index: int, context) -> None:
    account = block.tags["25"].value if "25" in block.tags else None
    number = block.tags["28C"].value if "28C" in block.tags else None
    number = number or (block.tags["28"].value if "28" in block.tags else None)
    reference = block.tags["20"].value if "20" in block.tags else None
    if len(block.currencies) > 1:
        out.problem(
            block.line,
            "currency",
            f"the statement mixes currencies {', '.join(sorted(block.currencies))}",
        )
        return
    currency = next(iter(block.currencies), None)
    if block.entries and currency is None:
        out.problem(
            block.line,
            "currency",
            "the statement has entries but no balance (:60F:, :62F:) or :34F: giving its currency",
        )
        return
    if account:
        out.accounts.add(account)
    opening = next((block.balances[n] for n in ("60F", "60M", "60") if n in block.balances), None)
    closing = next((block.balances[n] for n in ("62F", "62M", "62") if n in block.balances), None)
    movement = sum((e.amount if e.is_credit else -e.amount for e in block.entries), ZERO)
    if opening and closing and opening[2] + movement != closing[2]:
        # A warning, not an error: five of the real sample statements (ABN AMRO, ING, Knab,
        # Rabobank, Triodos) do not tie out, so a mismatch does not prove the file wrong.
        out.warn(
            closing[0].line,
            f":{closing[0].name}:",
            f"the closing balance is {closing[2]} but the opening balance {opening[2]} "
            f"(line {opening[0].line}) and the entries ({movement:+}) give {opening[2] + movement}",
        )
    for name, is_credit in (("90C", True), ("90D", False)):
        if name not in block.tags:
            continue
        match = SUM.fullmatch(block.tags[name].value)
        picked = [e for e in block.entries if e.is_credit == is_credit]
        count, total = len(picked), sum((e.amount for e in picked), ZERO)
        if match and (int(match.group("count")), _amount(match.group("amount"))) != (count, total):
            out.problem(
                block.tags[name].line,
                f":{name}:",
                f"states {int(match.group('count'))} entries for {_amount(match.group('amount'))}"
                f" but the statement has {count} for {total}",
            )
    prefix = "/".join(part for part in (account, number) if part) or reference
    prefix = prefix or f"statement {index}"
    credits = 0
    for position, entry in enumerate(block.entries, start=1):
        if not entry.is_credit:
            out.debits += 1
            continue
        credits += 1
        payer_name, payer_account, text = _details(entry.details, context)
        out.receipt(
            where=entry.line,
            fallback_id=f"{prefix}/{position}",
            date=entry.value_date,
            amount=entry.amount,
            currency=currency or "",
            payer_name=payer_name,
            payer_account=payer_account,
            text=text,
            bank_reference=entry.bank_reference,
        )
    out.statements.append(
        Statement(
            id=reference or prefix,
            account=account,
            currency=currency,
            opening=opening[2] if opening else None,
            closing=closing[2] if closing else None,
            opening_tag=opening[0].name if opening else None,
            closing_tag=closing[0].name if closing else None,
            credits=credits,
            debits=len(block.entries) - credits,
            source=out.source(block.line),
        )
    )


def _details(details: list[str], context) -> tuple[str | None, str | None, str | None]:
    """Payer name, payer account and free text of an entry's :86: details."""
    joined = "\n".join(details)
    if re.match(r"^\d{3}\?\d{2}", joined):
        parsed = mt940_processors.transaction_details_post_processor(
            context,
            mt940_tags.TransactionDetails(),
            {"transaction_details": joined},
            {"transaction_details": joined},
        )
        return (
            parsed.get("applicant_name"),
            parsed.get("applicant_iban"),
            clean_text(parsed.get("purpose"), parsed.get("additional_purpose")),
        )
    return None, None, clean_text(*details)
