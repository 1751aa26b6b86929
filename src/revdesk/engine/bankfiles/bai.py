"""BAI2 cash-management files (Bank Administration Institute, version 2).

Records: 01 file header, 02 group header, 03 account identifier and summary, 16 transaction
detail, 88 continuation of the record before it, 49 account trailer, 98 group trailer,
99 file trailer. Amounts are whole numbers of the currency's minor unit (cents), without a
decimal point. Every trailer's control total (the sum of the amounts it closes, summary
amounts of 03 records included) and record count (physical records, 88s included) is
checked.

The records are read here, line by line, so every problem names its line and field: the
PyPI `bai2` parser reports neither, and it refuses a file holding any type code missing from
its table (banks use their own 9xx codes). Its table of type codes is used to tell credits
from debits; a code it does not know is placed by the BAI ranges (100-399 credit, 400-699
debit).

**The payer** is read from the detail text (the 16 record's text and its 88 continuations)
when the bank writes it in one of these tagged forms; the text itself is kept whole. A tag
is recognised in upper or mixed case; its value runs to the next tag this reader knows.

- US ACH credits (the NACHA company batch header, as Chase and others print it:
  `ORIG CO NAME:PALLISTER MFG INC ORIG ID:9215550143 DESC DATE:... CO ENTRY DESCR:PAYABLES
  SEC:CCD TRACE#:... IND NAME:NORTHWIND SYSTEMS INC`): `ORIG CO NAME` is the payer's name
  (the originator's 16-character company name, as its bank knows it), `ORIG ID` the payer's
  account (the originator's 10-character company identification). `IND NAME` and `IND ID`
  are *not* read as the payer: in the NACHA entry detail they name the *receiver* of the
  entry (on a credit to us: ourselves, or our vendor number at the payer).
- Fedwire credits as Chase writes them (`FEDWIRE CREDIT VIA: FIRST BANK/107005047 B/O:
  ROLLA BOYS, L.L.C. CENTENNIAL CO 80122 REF: CHASE NYC/CTR/BNF=...`): `B/O:` ("by order
  of") is the payer's name, up to `REF:`; the bank writes the payer's city and state after
  it, and they stay in the name (there is nothing to tell them apart). No account.
- Citi's tagged wire and Faster Payments text (the Citi fixture: `OB:111111 BUCKINGHAM
  PALACE OB3:BARCLAYS BANK PLC BO:11111111 BO1:DOE JO`): `BO:` (by order of) is the payer's
  account and `BO1:` its name. `OB:`/`OB1:`-`OB4:` are the *ordering bank* (its sort code,
  branch and name), not the payer, and are not read.

Other banks' forms (`ORG=`, `ORIGINATOR:` and the like) are not read: no file or
documentation at hand shows how they are written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from bai2.constants import TypeCodes, TypeCodeTransaction

from .common import MINOR_UNITS, Collector, Statement, Stop

CODES = {"01", "02", "03", "16", "49", "88", "98", "99"}
NAMES = {
    "01": "file header",
    "02": "group header",
    "03": "account identifier",
    "16": "transaction detail",
    "49": "account trailer",
    "98": "group trailer",
    "99": "file trailer",
}
FUNDS_TYPES = {"", "Z", "0", "1", "2", "S", "V", "D"}
INTEGER = re.compile(r"[+-]?\d+")
#: tags of the detail text whose values end where the next one starts (see the docstring)
TEXT_TAGS = re.compile(
    r"(?<![A-Z0-9])(ORIG CO NAME|ORIG ID|DESC DATE|CO ENTRY DESCR|SEC|TRACE#|EED|IND ID|IND NAME"
    r"|TRN|B/O|REF|IMAD|OBI|BBI|RFB|BNF|BO[1-4]?|OB[1-4]?|BI|PY|FR|ENDT|TRID)\s*[:=]",
    re.IGNORECASE,
)
PAYER_TAGS = {"ORIG CO NAME": "name", "ORIG ID": "account", "B/O": "name", "BO": "account",
              "BO1": "name"}  # fmt: skip


def payer_from_text(text: str) -> tuple[str | None, str | None]:
    """The payer's (name, account) the detail text tells, in the forms of the docstring."""
    found: dict[str, str] = {}
    tags = list(TEXT_TAGS.finditer(text))
    for tag, after in zip(tags, [*tags[1:], None], strict=False):
        what = PAYER_TAGS.get(" ".join(tag.group(1).upper().split()))
        if what is None or what in found:
            continue
        value = text[tag.end() : after.start() if after else len(text)]
        value = " ".join(value.split()).strip(" ,;/")
        if value:
            found[what] = value
    return found.get("name"), found.get("account")


@dataclass
class Record:
    code: str
    line: int  # the line of the record itself; its 88 continuations follow
    rows: list[str]  # the physical records' contents after "NN,", 88s included

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class Account:
    number: str
    currency: str
    line: int
    total: int = 0
    records: int = 0
    credits: int = 0
    debits: int = 0


@dataclass
class Group:
    line: int
    as_of: dt.date
    currency: str
    status: str
    total: int = 0
    records: int = 0
    accounts: list[Account] = field(default_factory=list)


def records_split(text: str, out: Collector) -> list[Record]:
    records: list[Record] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        code = line[:2]
        if code not in CODES or (len(line) > 2 and line[2] != ","):
            raise out.stop(
                number,
                "record code",
                f"{line[:10]!r} does not start with a BAI2 record code "
                "(01, 02, 03, 16, 49, 88, 98 or 99 and a comma)",
            )
        content = line[3:]
        if code == "88":
            if not records:
                raise out.stop(number, "record code", "a continuation (88) before any record")
            records[-1].rows.append(content)
        else:
            records.append(Record(code, number, [content]))
    return records


def _fields(record: Record) -> list[str]:
    """The record's fields, its continuations joined as BAI2 says: a physical record ending
    in "/" ends a field; otherwise its text goes on (with a space) in the next one."""
    joined = ""
    for row in record.rows:
        joined += row[:-1] + "," if row.endswith("/") else row + " "
    return joined[:-1].split(",") if joined else []


def _integer(out: Collector, record: Record, value: str, column: str, *, blank_ok=False):
    value = value.strip()
    if not value and blank_ok:
        return None
    if not INTEGER.fullmatch(value):
        what = "empty" if not value else f"{value!r} is not a whole number"
        out.problem(record.line, column, f"{what}; expected {_expected(column)}")
        return None
    return int(value)


def _expected(column: str) -> str:
    if "total" in column or "amount" in column:
        return "an amount in cents, digits only (e.g. 150000 for 1,500.00)"
    return "a whole number"


def _date(out: Collector, record: Record, value: str, column: str) -> dt.date | None:
    try:
        if not re.fullmatch(r"\d{6}", value):
            raise ValueError
        return dt.datetime.strptime(value, "%y%m%d").date()
    except ValueError:
        out.problem(record.line, column, f"{value!r} is not a date written YYMMDD")
        return None


def _amount(cents: int, currency: str) -> Decimal:
    return Decimal(cents).scaleb(-MINOR_UNITS.get(currency, 2))


def _availability(out: Collector, record: Record, funds: str, fields: list[str], at: int) -> int:
    """Skip the funds availability fields after a funds type; return the next index."""
    if funds == "S":
        return at + 3
    if funds == "V":
        return at + 2
    if funds == "D":
        count = _integer(out, record, fields[at] if at < len(fields) else "", "availability")
        return at + 1 + 2 * (count or 0)
    return at


def _direction(code: str) -> str | None:
    known = TypeCodes.get(code)
    if known is not None and known.transaction in (
        TypeCodeTransaction.credit,
        TypeCodeTransaction.debit,
    ):
        return known.transaction.value
    number = int(code)
    if 100 <= number <= 399:
        return "credit"
    if 400 <= number <= 699:
        return "debit"
    return None


def _summary_total(out: Collector, record: Record) -> int:
    """The sum of an 03 record's summary amounts (read per physical record, as banks leave
    out trailing empty fields)."""
    total = 0
    for index, row in enumerate(record.rows):
        tokens = (row[:-1] if row.endswith("/") else row).split(",")
        if index == 0:
            tokens = tokens[2:]
        at = 0
        while at < len(tokens):
            if not any(t.strip() for t in tokens[at:]):
                break
            code, amount = tokens[at], tokens[at + 1] if at + 1 < len(tokens) else ""
            funds = tokens[at + 3].strip() if at + 3 < len(tokens) else ""
            if not re.fullmatch(r"\d{3}", code.strip()):
                out.problem(record.line, "type code", f"{code!r} is not a three-digit type code")
                return total
            value = _integer(out, record, amount, f"amount of type {code}", blank_ok=True)
            total += value or 0
            if funds not in FUNDS_TYPES:
                out.problem(record.line, "funds type", f"{funds!r} is not a BAI2 funds type")
                return total
            at = _availability(out, record, funds, tokens, at + 4)
    return total


def read(text: str, out: Collector) -> None:
    records = records_split(text, out)
    if not records or records[0].code != "01":
        raise out.stop(1, "record code", "a BAI2 file starts with its 01 file header")
    header = _fields(records[0])
    if len(header) < 8 or header[7].strip() != "2":
        version = header[7] if len(header) >= 8 else ""
        out.problem(1, "version number", f"{version!r}: only BAI version 2 is read")
    file_id = header[4] if len(header) > 4 else ""
    groups: list[Group] = []
    group: Group | None = None
    account: Account | None = None
    file_records = records[0].count
    entries: dict[tuple[str, dt.date], int] = {}
    trailer: Record | None = None
    for record in records[1:]:
        if trailer is not None:
            raise out.stop(record.line, "record code", "a record after the 99 file trailer")
        file_records += record.count
        fields = _fields(record)
        expected = (
            "16 or 49" if account is not None else "03 or 98" if group is not None else "02 or 99"
        )
        allowed = {"16", "49"} if account else {"03", "98"} if group else {"02", "99"}
        if record.code not in allowed:
            raise out.stop(
                record.line,
                "record code",
                f"a {record.code} {NAMES[record.code]} here; expected {expected}",
            )
        if record.code == "02":
            as_of = _date(out, record, fields[3] if len(fields) > 3 else "", "as-of date")
            currency = (fields[5] if len(fields) > 5 else "").strip() or "USD"
            status = (fields[2] if len(fields) > 2 else "").strip()
            if status not in ("1", "2", "3", "4"):
                out.problem(record.line, "group status", f"{status!r} is not 1, 2, 3 or 4")
            group = Group(record.line, as_of or dt.date.min, currency, status, 0, record.count)
            if status in ("2", "4"):
                what = "a deletion" if status == "2" else "test only"
                out.warn(record.line, "group status", f"the group is {what}: no receipts read")
        elif record.code == "03":
            assert group is not None
            number = fields[0].strip() if fields else ""
            if not number:
                out.problem(record.line, "account number", "empty")
            currency = (fields[1].strip() if len(fields) > 1 else "") or group.currency
            account = Account(number, currency, record.line, _summary_total(out, record))
            account.records = record.count
            out.accounts.add(number)
        elif record.code == "16":
            assert group is not None
            assert account is not None
            account.records += record.count
            _detail(out, record, fields, group, account, entries, file_id)
        elif record.code == "49":
            assert group is not None
            assert account is not None
            account.records += record.count
            _check(out, record, fields, 0, "account control total", account.total, blank=True)
            _check(out, record, fields, 1, "number of records", account.records)
            group.accounts.append(account)
            group.total += account.total
            group.records += account.records
            out.statements.append(
                Statement(
                    id=f"{account.number}/{group.as_of:%Y-%m-%d}",
                    account=account.number,
                    currency=account.currency,
                    credits=account.credits,
                    debits=account.debits,
                    source=out.source(account.line),
                )
            )
            account = None
        elif record.code == "98":
            assert group is not None
            group.records += record.count
            _check(out, record, fields, 0, "group control total", group.total)
            _check(out, record, fields, 1, "number of accounts", len(group.accounts))
            _check(out, record, fields, 2, "number of records", group.records)
            groups.append(group)
            group = None
        elif record.code == "99":
            trailer = record
            _check(out, record, fields, 0, "file control total", sum(g.total for g in groups))
            _check(out, record, fields, 1, "number of groups", len(groups))
            _check(out, record, fields, 2, "number of records", file_records)
    if trailer is None:
        last = records[-1]
        missing = "49 account trailer" if account else "98 group trailer" if group else "99"
        raise out.stop(
            last.line + last.count - 1,
            "record code",
            f"the file ends here without its {missing}"
            + (" and 99 file trailer" if missing != "99" else " file trailer")
            + " (truncated?)",
        )


def _check(out, record, fields, index, column, actual, *, blank=False) -> None:
    value = fields[index].strip() if index < len(fields) else ""
    if not value:
        if blank and actual == 0:
            # an account with no amounts at all: banks leave its total empty (upstream's own
            # example), and 0 is what it would say
            return
        extra = " (it may be left empty only when the account has no amounts)" if blank else ""
        out.problem(record.line, column, f"empty; expected {actual}{extra}")
        return
    stated = _integer(out, record, value, column)
    if stated is not None and stated != actual:
        out.problem(
            record.line,
            column,
            f"the trailer says {stated} but the records it closes add up to {actual}",
        )


def _detail(out, record, fields, group, account, entries, file_id) -> None:
    fields = fields + [""] * max(0, 3 - len(fields))
    code = fields[0].strip()
    if not re.fullmatch(r"\d{3}", code):
        out.problem(record.line, "type code", f"{code!r} is not a three-digit BAI2 type code")
        return
    cents = _integer(out, record, fields[1], "amount")
    if cents is not None and cents < 0:
        out.problem(record.line, "amount", f"{fields[1]!r}: a detail amount has no sign")
        cents = None
    funds = fields[2].strip()
    if funds not in FUNDS_TYPES:
        out.problem(record.line, "funds type", f"{funds!r} is not a BAI2 funds type")
        return
    at = _availability(out, record, funds, fields, 3)
    rest = [*fields[at:], "", ""]
    bank_reference, customer_reference, text = rest[0], rest[1], ",".join(rest[2:]).strip(",")
    if cents is None:
        return
    account.total += cents
    key = (account.number, group.as_of)
    entries[key] = entries.get(key, 0) + 1
    direction = _direction(code)
    if direction is None:
        out.problem(
            record.line,
            "type code",
            f"{code} is neither a credit (100-399) nor a debit (400-699) code the reader "
            "knows; ask the bank what it means",
        )
        return
    if direction == "debit" or group.status in ("2", "4"):
        out.debits += direction == "debit"
        out.skipped += direction != "debit"
        account.debits += direction == "debit"
        return
    account.credits += 1
    payer_name, payer_account = payer_from_text(text)
    out.receipt(
        where=record.line,
        fallback_id=f"{account.number}/{group.as_of:%Y%m%d}/{entries[key]}",
        date=group.as_of,
        amount=_amount(cents, account.currency),
        currency=account.currency,
        payer_name=payer_name,
        payer_account=payer_account,
        text=" ".join(part for part in (customer_reference.strip(), text) if part),
        bank_reference=bank_reference.strip() or None,
    )


__all__ = ["Stop", "read"]
