"""ANSI X12 820 payment order / remittance advice, version 003010 (BPS payment, RMT
remittance) and 004010 on (BPR payment, TRN trace, CUR currency, N1 parties, ENT/RMR
remittance, ADX adjustments with reason codes).

A small segment reader: the element separator, component separator and segment terminator
are the ones the ISA segment declares (the ISA is read by counting separators, not by fixed
columns, as some senders pad it short). PyPI's X12 readers are either HIPAA-only (pyx12:
the 005010X218 premium-payment 820, not trade 820s) or unmaintained (badx12, 2018).

One receipt per transaction set (ST..SE), dated by BPR16 (CCYYMMDD) or BPS12 (YYMMDD),
identified by the TRN02 trace number when there is one. One remittance line per RMR (or
RMT) document; RMT lines under an N1*LI loop are the items of the document before them and
are not separate lines. Checks: SE01 segment count, GE01 and IEA01 counts (warned about
when the trailers are missing), and the payment total: BPR02/BPS02 must equal the sum of the
documents' paid amounts plus any payment-level adjustments (ADX outside a document).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .common import ZERO, Collector, Statement, clean_text, decimal_parse


@dataclass
class Segment:
    number: int  # 1 = the ISA
    line: int | None  # None when the whole file is one line
    elements: list[str]

    @property
    def id(self) -> str:
        return self.elements[0]

    def get(self, index: int) -> str:
        return self.elements[index].strip() if index < len(self.elements) else ""


@dataclass
class Document:
    segment: Segment
    invoice: str
    paid: Decimal
    invoiced: Decimal | None
    adjustments: list[tuple[Decimal, str]] = field(default_factory=list)


@dataclass
class Payment:
    st: Segment
    control: str
    amount: Decimal | None = None
    amount_segment: Segment | None = None
    date: dt.date | None = None
    is_credit: bool = True
    trace: str | None = None
    currency: str = "USD"
    payer_name: str | None = None
    payer_account: str | None = None
    texts: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    payment_adjustments: list[tuple[Segment, Decimal, str]] = field(default_factory=list)
    count: int = 0


def segments_split(text: str, out: Collector) -> list[Segment]:
    start = text.find("ISA")
    if start != 0:
        raise out.stop(1, "ISA", "an X12 file starts with its ISA interchange header")
    separator = text[3]
    positions = [i for i, char in enumerate(text[:200]) if char == separator]
    if len(positions) < 16:
        raise out.stop(1, "ISA", "the ISA segment has fewer than 16 elements")
    terminator_at = positions[15] + 2  # ISA16 is one character; the terminator follows
    terminator = text[terminator_at] if terminator_at < len(text) else "\n"
    if terminator == "\r":
        terminator = "\n"
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    segments: list[Segment] = []
    offset = 0
    for raw in text.split(terminator):
        lead = len(raw) - len(raw.lstrip())
        stripped = raw.strip()
        if stripped:
            line = bisect.bisect_right(newlines, offset + lead - 1) + 1
            line_or_none = line if newlines else None
            segments.append(Segment(len(segments) + 1, line_or_none, stripped.split(separator)))
        offset += len(raw) + len(terminator)
    return segments


def _where(segment: Segment) -> str:
    where = f"segment {segment.number} ({segment.id})"
    return f"{where}, line {segment.line}" if segment.line is not None else where


def _amount(out: Collector, segment: Segment, index: int, *, required: bool = True):
    text = segment.get(index)
    column = f"{segment.id}{index:02d}"
    if not text:
        if required:
            out.problem(_where(segment), column, "empty; expected an amount such as 1234.56")
        return None
    try:
        return decimal_parse(text)
    except ValueError:
        out.problem(_where(segment), column, f"{text!r} is not an amount (expected e.g. 1234.56)")
        return None


def _date(out: Collector, segment: Segment, index: int, pattern: str) -> dt.date | None:
    text = segment.get(index)
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, pattern).date()
    except ValueError:
        written = "CCYYMMDD" if pattern == "%Y%m%d" else "YYMMDD"
        out.problem(
            _where(segment), f"{segment.id}{index:02d}", f"{text!r} is not a date {written}"
        )
        return None


def read(text: str, out: Collector) -> None:
    segments = segments_split(text, out)
    isa = segments[0]
    interchange = isa.get(13)
    groups = 0
    sets_in_group = 0
    payment: Payment | None = None
    document: Document | None = None
    in_items = False
    seen = {"GE": False, "IEA": False}
    payments: list[Payment] = []
    for segment in segments[1:]:
        name = segment.id
        if payment is not None:
            payment.count += 1
        if name == "GS":
            groups += 1
            sets_in_group = 0
            if segment.get(1) != "RA":
                out.problem(
                    _where(segment),
                    "GS01",
                    f"{segment.get(1)!r}; expected RA (a remittance advice group)",
                )
        elif name == "ST":
            if segment.get(1) != "820":
                raise out.stop(
                    _where(segment),
                    "ST01",
                    f"{segment.get(1)!r}: only 820 remittance advices are read",
                )
            payment = Payment(segment, segment.get(2), count=1)
            document, in_items = None, False
            sets_in_group += 1
        elif payment is None:
            if name == "GE":
                seen["GE"] = True
                _count(out, segment, 1, sets_in_group, "transaction sets in the group")
            elif name == "IEA":
                seen["IEA"] = True
                _count(out, segment, 1, groups, "functional groups in the interchange")
            else:
                out.problem(_where(segment), name, "outside a transaction set (ST..SE)")
        elif name == "SE":
            _count(out, segment, 1, payment.count, "segments in the transaction set (ST to SE)")
            if segment.get(2) != payment.control:
                out.problem(
                    _where(segment),
                    "SE02",
                    f"{segment.get(2)!r} does not match ST02 {payment.control!r}",
                )
            payments.append(payment)
            payment = None
        elif name in ("BPR", "BPS"):
            payment.amount = _amount(out, segment, 2)
            payment.amount_segment = segment
            if name == "BPR":
                payment.is_credit = segment.get(3) != "D"
                payment.payer_account = segment.get(9) or None
                payment.date = _date(out, segment, 16, "%Y%m%d")
            else:
                payment.date = _date(out, segment, 12, "%y%m%d")
        elif name == "TRN":
            payment.trace = segment.get(2) or None
        elif name == "CUR":
            currency = segment.get(2)
            if not re.fullmatch(r"[A-Z]{3}", currency):
                out.problem(_where(segment), "CUR02", f"{currency!r} is not a currency code")
            else:
                payment.currency = currency
        elif name == "N1":
            in_items = segment.get(1) == "LI"
            if segment.get(1) == "PR":
                payment.payer_name = segment.get(2) or None
            if not in_items:
                document = None
        elif name == "ENT":
            document, in_items = None, False
        elif name in ("RMR", "RMT"):
            if in_items:
                continue  # an item of the document before (003010 N1*LI loop)
            paid = _amount(out, segment, 4 if name == "RMR" else 3)
            invoiced = _amount(out, segment, 5 if name == "RMR" else 4, required=False)
            if paid is None:
                continue
            document = Document(segment, segment.get(2), paid, invoiced)
            payment.documents.append(document)
        elif name == "ADX":
            value = _amount(out, segment, 1)
            if value is None:
                continue
            if document is not None:
                document.adjustments.append((value, segment.get(2)))
            else:
                payment.payment_adjustments.append((segment, value, segment.get(2)))
        elif name == "NTE":
            payment.texts.append(segment.get(2))
        elif name == "REF" and segment.get(3):
            payment.texts.append(segment.get(3))
    if payment is not None:
        raise out.stop(
            _where(segments[-1]),
            "SE",
            f"the file ends inside transaction set {payment.control} (no SE)",
        )
    for name in ("GE", "IEA"):
        if not seen[name]:
            out.warn(_where(segments[-1]), name, f"the interchange has no {name} trailer")
    for each in payments:
        _payment(out, each, interchange)


def _count(out: Collector, segment: Segment, index: int, actual: int, what: str) -> None:
    text = segment.get(index)
    if not text.isdigit():
        out.problem(_where(segment), f"{segment.id}{index:02d}", f"{text!r} is not a count")
    elif int(text) != actual:
        out.problem(
            _where(segment),
            f"{segment.id}{index:02d}",
            f"states {int(text)} {what}; there are {actual}",
        )


def _payment(out: Collector, payment: Payment, interchange: str) -> None:
    where = _where(payment.st)
    if payment.amount_segment is None:
        out.problem(where, "BPR", "the transaction set has no BPR (or BPS) payment segment")
        return
    if payment.amount is None:
        return
    if payment.date is None:
        out.problem(
            _where(payment.amount_segment), "date", "the payment has no date (BPR16 or BPS12)"
        )
        return
    if payment.documents or payment.payment_adjustments:
        remitted = sum((d.paid for d in payment.documents), ZERO)
        remitted += sum((a[1] for a in payment.payment_adjustments), ZERO)
        if remitted != payment.amount:
            out.problem(
                _where(payment.amount_segment),
                f"{payment.amount_segment.id}02",
                f"the payment is {payment.amount} but its remittance adds up to {remitted}",
            )
    out.statements.append(
        Statement(
            id=payment.control,
            account=payment.payer_account,
            currency=payment.currency,
            credits=int(payment.is_credit),
            debits=int(not payment.is_credit),
            source=out.source(where),
        )
    )
    if not payment.is_credit or payment.amount <= 0:
        out.debits += 1
        return
    receipt = out.receipt(
        where=where,
        fallback_id=f"{interchange}-{payment.control}",
        date=payment.date,
        amount=payment.amount,
        currency=payment.currency,
        payer_name=payment.payer_name,
        payer_account=payment.payer_account,
        text=clean_text(*payment.texts),
        bank_reference=payment.trace,
    )
    for document in payment.documents:
        out.remit(
            receipt,
            where=_where(document.segment),
            invoice=document.invoice or None,
            paid=document.paid,
            invoiced=document.invoiced,
            adjustment=sum((a[0] for a in document.adjustments), ZERO),
            adjustment_reason=",".join(a[1] for a in document.adjustments if a[1]) or None,
        )
    for segment, value, reason in payment.payment_adjustments:
        out.remit(
            receipt,
            where=_where(segment),
            invoice=segment.get(4) or None,
            paid=ZERO,
            adjustment=value,
            adjustment_reason=reason or None,
        )
