"""ISO 20022 camt.053 (bank-to-customer statement) and camt.054 (debit/credit notification),
any version from 001.02 on: the elements read have kept their names and places.

The XML is parsed by defusedxml with DTDs refused, so no entity can be declared, expanded or
fetched. Each element keeps its line, so a problem names the line and the element's path,
e.g. "line 57, Stmt[1]/Ntry[2]/Amt".

One receipt per credit entry (Ntry with CdtDbtInd CRDT, status booked); an entry that is a
batch with several transaction details (NtryDtls/TxDtls) gives one receipt per transaction,
whose amounts must add up to the entry's. Structured remittance (RmtInf/Strd with
RfrdDocInf, RfrdDocAmt) gives one remittance line per referred document.

Checks: the statement's TxsSummry (number and sum of entries, credits, debits, net) and each
batch's NbOfTxs/TtlAmt where given. The balances (opening + entries = closing) are only
warned about: real statements (the OCA sample) do not always tie out.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from .common import ZERO, Collector, Statement, Stop, clean_text, decimal_parse

NAMESPACE = re.compile(r"^\{urn:iso:std:iso:20022:tech:xsd:(camt\.05[34])\.001\.(\d\d)\}Document$")


class Tree:
    """The parsed document, each element's line and path kept beside it."""

    def __init__(self, data: bytes, out: Collector):
        self.lines: dict[int, int] = {}
        self.paths: dict[int, str] = {}
        builder = _Builder(self)
        self.parser = DefusedXMLParser(target=builder, forbid_dtd=True)
        builder.parser = self.parser
        try:
            self.parser.feed(data)
            self.root = self.parser.close()
        except DefusedXmlException as error:
            message = f"refused: the XML declares a DTD or entities ({error})"
            raise out.stop(None, "", message) from None
        except ET.ParseError as error:
            line = error.position[0] if error.position else None
            raise out.stop(line, "", f"not well-formed XML: {error}") from None
        self._paths(self.root, "")
        self.namespace = ""

    def _paths(self, element: ET.Element, parent: str) -> None:
        counts: dict[str, int] = {}
        for child in element:
            name = child.tag.split("}", 1)[-1]
            counts[name] = counts.get(name, 0) + 1
            same = sum(1 for c in element if c.tag == child.tag)
            step = (
                f"{name}[{counts[name]}]"
                if same > 1 or name in ("Stmt", "Ntfctn", "Ntry")
                else name
            )
            self.paths[id(child)] = f"{parent}/{step}" if parent else step
            self._paths(child, self.paths[id(child)])

    def line(self, element: ET.Element) -> int | None:
        return self.lines.get(id(element))

    def path(self, element: ET.Element) -> str:
        return self.paths.get(id(element), "Document")


class _Builder(ET.TreeBuilder):
    def __init__(self, tree: Tree):
        super().__init__()
        self.tree = tree
        self.parser: DefusedXMLParser | None = None

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.tree.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


class Reader:
    def __init__(self, tree: Tree, namespace: str, out: Collector):
        self.tree = tree
        self.ns = namespace
        self.out = out

    def find(self, element: ET.Element, path: str) -> ET.Element | None:
        return element.find(self._qualified(path))

    def findall(self, element: ET.Element, path: str) -> list[ET.Element]:
        return element.findall(self._qualified(path))

    def text(self, element: ET.Element, *paths: str) -> str | None:
        """The first of the paths that has text."""
        for path in paths:
            found = self.find(element, path)
            if found is not None and found.text and found.text.strip():
                return found.text.strip()
        return None

    def _qualified(self, path: str) -> str:
        return "/".join(
            f"{{{self.ns}}}{step}" if step not in (".", "..") else step for step in path.split("/")
        )

    def problem(self, element: ET.Element, message: str, column: str | None = None) -> None:
        self.out.problem(self.tree.line(element), column or self.tree.path(element), message)

    def amount(self, element: ET.Element | None, *, sign_from: ET.Element | None = None):
        """(amount, currency) of an amount element, signed by the CdtDbtInd beside it when
        `sign_from` is given; None with a problem when it is not a number."""
        if element is None:
            return None
        text = (element.text or "").strip()
        try:
            value = decimal_parse(text)
        except ValueError:
            self.problem(element, f"{text!r} is not an amount (expected e.g. 1234.56)")
            return None
        currency = element.get("Ccy")
        if currency is None or not re.fullmatch(r"[A-Z]{3}", currency):
            self.problem(element, f"Ccy {currency!r} is not a three-letter currency code")
            return None
        if sign_from is not None and self.text(sign_from, "CdtDbtInd") == "DBIT":
            value = -value
        return value, currency

    def date(self, element: ET.Element, *paths: str) -> dt.date | None:
        for path in paths:
            found = self.find(element, path)
            if found is None:
                continue
            text = (found.text or "").strip()
            try:
                return dt.date.fromisoformat(text[:10])
            except ValueError:
                self.problem(found, f"{text!r} is not a date (expected YYYY-MM-DD)")
                return None
        return None


def read(data: bytes, out: Collector) -> None:
    tree = Tree(data, out)
    match = NAMESPACE.match(tree.root.tag)
    if match is None:
        raise out.stop(
            tree.line(tree.root),
            "Document",
            f"the root element is {tree.root.tag!r}; expected a camt.053 or camt.054 Document "
            "(namespace urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN or camt.054.001.NN)",
        )
    kind, version = match.group(1), int(match.group(2))
    if version < 2:
        raise out.stop(tree.line(tree.root), "Document", f"{kind}.001.{version:02d} is not read")
    out.format = kind
    reader = Reader(tree, tree.root.tag[1:].split("}")[0], out)
    message = "BkToCstmrStmt/Stmt" if kind == "camt.053" else "BkToCstmrDbtCdtNtfctn/Ntfctn"
    for index, statement in enumerate(reader.findall(tree.root, message), start=1):
        _statement(reader, statement, index)


def _statement(reader: Reader, statement: ET.Element, index: int) -> None:
    out = reader.out
    statement_id = reader.text(statement, "Id") or f"statement {index}"
    account = reader.text(statement, "Acct/Id/IBAN", "Acct/Id/Othr/Id")
    if account:
        out.accounts.add(account)
    currency = reader.text(statement, "Acct/Ccy")
    balances: dict[str, Decimal] = {}
    for balance in reader.findall(statement, "Bal"):
        code = reader.text(balance, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
        found = reader.amount(reader.find(balance, "Amt"), sign_from=balance)
        if found and code:
            balances.setdefault(code, found[0])
            currency = currency or found[1]
    entries = reader.findall(statement, "Ntry")
    totals = {"all": [0, ZERO], "CRDT": [0, ZERO], "DBIT": [0, ZERO], "net": [0, ZERO]}
    credits = debits = 0
    problems_before = len(out.problems)
    for position, entry in enumerate(entries, start=1):
        found = reader.amount(reader.find(entry, "Amt"))
        direction = reader.text(entry, "CdtDbtInd")
        if found is None:
            if reader.find(entry, "Amt") is None:
                reader.problem(entry, "has no Amt")
            continue
        if direction not in ("CRDT", "DBIT"):
            reader.problem(entry, f"CdtDbtInd {direction!r}; expected CRDT or DBIT", None)
            continue
        amount, entry_currency = found
        for key in ("all", direction):
            totals[key][0] += 1
            totals[key][1] += amount
        totals["net"][1] += amount if direction == "CRDT" else -amount
        status = reader.text(entry, "Sts", "Sts/Cd")
        if status not in (None, "BOOK"):
            out.skipped += 1
            out.warn(
                reader.tree.line(entry),
                reader.tree.path(entry),
                f"status {status}: not booked, no receipt read",
            )
            continue
        if direction == "DBIT":
            out.debits += 1
            debits += 1
            continue
        credits += _credit(reader, entry, amount, entry_currency, statement_id, position)
    if len(out.problems) == problems_before:  # totals of unreadable entries mean nothing
        _summary(reader, statement, totals)
    opening = next((balances[c] for c in ("OPBD", "PRCD", "OPAV") if c in balances), None)
    closing = balances.get("CLBD")
    if opening is not None and closing is not None and opening + totals["net"][1] != closing:
        out.warn(
            reader.tree.line(statement),
            reader.tree.path(statement) + "/Bal",
            f"the closing balance {closing} is not the opening balance {opening} plus the "
            f"entries ({totals['net'][1]:+})",
        )
    out.statements.append(
        Statement(
            id=statement_id,
            account=account,
            currency=currency,
            opening=opening,
            closing=closing,
            credits=credits,
            debits=debits,
            source=out.source(reader.tree.line(statement)),
        )
    )


def _summary(reader: Reader, statement: ET.Element, totals: dict) -> None:
    summary = reader.find(statement, "TxsSummry")
    if summary is None:
        return
    for path, key in (("TtlNtries", "all"), ("TtlCdtNtries", "CRDT"), ("TtlDbtNtries", "DBIT")):
        block = reader.find(summary, path)
        if block is None:
            continue
        count, total = totals[key]
        stated = reader.text(block, "NbOfNtries")
        if stated is not None and stated != str(count):
            reader.problem(
                reader.find(block, "NbOfNtries"),
                f"states {stated} entries; the statement has {count}",
            )
        stated_sum = reader.find(block, "Sum")
        if stated_sum is not None:
            try:
                value = decimal_parse(stated_sum.text or "")
            except ValueError:
                reader.problem(stated_sum, f"{stated_sum.text!r} is not an amount")
                continue
            if value != total:
                reader.problem(
                    stated_sum, f"states a sum of {value}; the entries add up to {total}"
                )
    net = reader.find(summary, "TtlNtries/TtlNetNtry")
    if net is not None:
        found = reader.text(net, "Amt")
        try:
            value = decimal_parse(found or "")
        except ValueError:
            reader.problem(net, f"{found!r} is not an amount")
            return
        if reader.text(net, "CdtDbtInd") == "DBIT":
            value = -value
        if value != totals["net"][1]:
            reader.problem(net, f"states a net of {value}; the entries net {totals['net'][1]}")


def _credit(reader, entry, amount, currency, statement_id, position) -> int:
    out = reader.out
    details = reader.findall(entry, "NtryDtls/TxDtls")
    batch = reader.find(entry, "NtryDtls/Btch")
    if batch is not None and details:
        stated = reader.text(batch, "NbOfTxs")
        if stated is not None and stated != str(len(details)):
            reader.problem(
                reader.find(batch, "NbOfTxs"),
                f"states {stated} transactions; the entry details {len(details)}",
            )
    date = reader.date(entry, "ValDt/Dt", "ValDt/DtTm", "BookgDt/Dt", "BookgDt/DtTm")
    if date is None:
        if not any(reader.find(entry, p) is not None for p in ("ValDt", "BookgDt")):
            reader.problem(entry, "has neither ValDt nor BookgDt")
        return 0
    entry_reference = reader.text(entry, "AcctSvcrRef") or reader.text(entry, "NtryRef")
    if len(details) <= 1:
        parts = [(details[0] if details else None, amount)]
    else:
        parts = []
        for detail in details:
            element = reader.find(detail, "Amt")
            if element is None:  # version 02 keeps it in AmtDtls
                element = reader.find(detail, "AmtDtls/TxAmt/Amt")
            found = reader.amount(element)
            if found is None:
                if element is None:
                    reader.problem(detail, "a transaction of a batch without its amount")
                return 0
            if reader.text(detail, "CdtDbtInd") == "DBIT":
                found = (-found[0], found[1])
            parts.append((detail, found[0]))
        total = sum((p[1] for p in parts), ZERO)
        if total != amount:
            reader.problem(
                entry,
                f"the transactions add up to {total}; the entry says {amount}",
                reader.tree.path(entry) + "/Amt",
            )
            return 0
    for number, (detail, part_amount) in enumerate(parts, start=1):
        where = reader.tree.line(detail if detail is not None else entry)
        fallback = f"{statement_id}/{position}" + (f".{number}" if len(parts) > 1 else "")
        single = len(parts) == 1
        scope = detail if detail is not None else entry
        rmt = [scope] if detail is not None else []
        texts = []
        for element in rmt:
            texts += [e.text for e in reader.findall(element, "RmtInf/Ustrd")]
            texts += [e.text for e in reader.findall(element, "RmtInf/Strd/CdtrRefInf/Ref")]
            texts += [e.text for e in reader.findall(element, "RmtInf/Strd/RfrdDocInf/Nb")]
            texts += [e.text for e in reader.findall(element, "RmtInf/Strd/AddtlRmtInf")]
            texts.append(reader.text(element, "AddtlTxInf"))
        if single:
            texts.append(reader.text(entry, "AddtlNtryInf"))
        reference = None
        if detail is not None:
            reference = reader.text(detail, "Refs/AcctSvcrRef")
        reference = reference or (entry_reference if single else None)
        receipt = out.receipt(
            where=where,
            fallback_id=fallback,
            date=date,
            amount=part_amount,
            currency=currency,
            payer_name=(
                detail is not None
                and reader.text(detail, "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm")
            )
            or None,
            payer_account=(
                detail is not None
                and reader.text(
                    detail,
                    "RltdPties/DbtrAcct/Id/IBAN",
                    "RltdPties/DbtrAcct/Id/Othr/Id",
                )
            )
            or None,
            text=clean_text(*texts),
            bank_reference=reference,
        )
        if detail is not None:
            _remittance(reader, detail, receipt)
    return len(parts)


def _remittance(reader: Reader, detail: ET.Element, receipt: dict) -> None:
    for structured in reader.findall(detail, "RmtInf/Strd"):
        documents = reader.findall(structured, "RfrdDocInf")
        amounts = reader.find(structured, "RfrdDocAmt")
        if not documents:
            continue
        for document in documents:
            number = reader.text(document, "Nb")
            paid = invoiced = None
            adjustment, reasons = ZERO, []
            if amounts is not None and len(documents) == 1:
                paid = _plain(reader, reader.find(amounts, "RmtdAmt"))
                invoiced = _plain(reader, reader.find(amounts, "DuePyblAmt"))
                for item in reader.findall(amounts, "AdjstmntAmtAndRsn"):
                    value = _plain(reader, reader.find(item, "Amt"))
                    if value is not None:
                        sign = -1 if reader.text(item, "CdtDbtInd") == "DBIT" else 1
                        adjustment += sign * value
                    reason = reader.text(item, "Rsn")
                    if reason:
                        reasons.append(reason)
            reader.out.remit(
                receipt,
                where=reader.tree.line(document),
                invoice=number,
                paid=paid,
                invoiced=invoiced,
                adjustment=adjustment,
                adjustment_reason=",".join(reasons) or None,
            )


def _plain(reader: Reader, element: ET.Element | None) -> Decimal | None:
    found = reader.amount(element)
    return found[0] if found else None


__all__ = ["Stop", "read"]
