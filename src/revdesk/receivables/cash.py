"""Cash application against the ledger (`revdesk cash apply FILE`, the cash application page):
a bank or remittance file is read (engine.bankfiles), its receipts become payments, and the
engine's matching (engine.cashmatch, the same code as `revdesk calc match`) decides against
the open invoices; what it decided is written through the ledger's own services:

- applications (with their rule, confidence and explanation) and small-balance write-offs;
- short-payment and deduction cases on the invoices, the customer's collector told of each;
- suggestions below the confidence threshold, for a person to accept or reject;
- receipts left unapplied, with why (on account, unidentified, a suggestion to confirm).

All or nothing: one transaction per file, and a file (by its contents) is read once.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import transaction

from revdesk.engine.bankfiles import CsvProfile, read_bank_file
from revdesk.engine.cashmatch import DEDUCTION_REASONS, MatchSettings, match
from revdesk.parties.models import Customer, CustomerBankAccount

from .choices import InvoiceStatus, PaymentMethod, ReceiptStatus
from .models import (
    BankFile,
    CashSuggestion,
    Invoice,
    Payment,
    PaymentApplication,
    RemittanceLine,
    WriteOff,
)

ZERO = Decimal("0.00")
NUMBER_LENGTH = Payment._meta.get_field("number").max_length
METHOD_BY_FORMAT = {"bai2": PaymentMethod.ACH, "x12-820": PaymentMethod.ACH}


class AlreadyRead(ValidationError):
    """The same file (by its contents) was read before: nothing is done again."""


@dataclass(frozen=True)
class CashRun:
    bank_file: BankFile
    summary: dict


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_items_table() -> tuple[pa.Table, dict[str, Invoice]]:
    """The open invoices as the engine takes them (engine.cashmatch.ITEMS_SCHEMA), and the
    invoices by number."""
    rows = list(
        Invoice.objects.filter(status=InvoiceStatus.OPEN, balance__gt=0)
        .select_related("customer")
        .only(
            "pk",
            "number",
            "issued_on",
            "due_on",
            "balance",
            "currency",
            "customer__code",
            "customer__collector",
        )
        .order_by("due_on", "number")
    )
    table = pa.table(
        {
            "customer": [i.customer.code for i in rows],
            "invoice": [i.number for i in rows],
            "invoice_date": [i.issued_on for i in rows],
            "due_date": [i.due_on for i in rows],
            "open_amount": pa.array([i.balance for i in rows], pa.decimal128(38, 2)),
            "currency": [i.currency for i in rows],
        }
    )
    return table, {i.number: i for i in rows}


def customers_table() -> tuple[pa.Table, pa.Table]:
    """Every active customer with its name and the accounts it pays from (the customer master's
    accounts), and the accounts people linked to customers (learnt)."""
    accounts = defaultdict(list)
    learnt = []
    for code, account, source in CustomerBankAccount.objects.values_list(
        "customer__code", "account", "source"
    ):
        if source == CustomerBankAccount.Source.LEARNT:
            learnt.append((account, code))
        else:
            accounts[code].append(account)
    rows = []
    for code, name in Customer.objects.filter(is_active=True).values_list("code", "name"):
        for account in accounts.get(code) or [None]:
            rows.append((code, name, account))
    customers = pa.table(
        {
            "customer": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "bank_account": pa.array([r[2] for r in rows], pa.string()),
        }
    )
    links = pa.table(
        {
            "payer_account": pa.array([a for a, _ in learnt], pa.string()),
            "customer": pa.array([c for _, c in learnt], pa.string()),
        }
    )
    return customers, links


def deduction_reasons() -> dict[str, str]:
    """The customers' adjustment codes mapped to our deduction reasons: the engine's starting
    map, then what the reason codes of the `deduction` case type list as external codes."""
    from revdesk.cases.models import ReasonCode

    reasons = dict(DEDUCTION_REASONS)
    for code, external in ReasonCode.objects.filter(
        case_type__code="deduction", is_active=True
    ).values_list("code", "external_codes"):
        for one in external.split(","):
            if one.strip():
                reasons[one.strip()] = code
    return reasons


def _numbers(receipts: list[dict], bank_file: BankFile) -> list[str]:
    """A payment number per receipt: the receipt's own id where it is free, else one made of
    the file's number and the receipt's position."""
    wanted = [str(r["receipt"]) for r in receipts]
    taken = set(
        Payment.objects.filter(
            number__in=[w for w in wanted if len(w) <= NUMBER_LENGTH]
        ).values_list("number", flat=True)
    )
    numbers, seen = [], set()
    for position, number in enumerate(wanted, start=1):
        if len(number) > NUMBER_LENGTH or number in taken or number in seen:
            number = f"BF{bank_file.pk}-{position}"
        seen.add(number)
        numbers.append(number)
    return numbers


@transaction.atomic
def cash_apply(
    *,
    path: Path,
    actor,
    profile: CsvProfile | None = None,
    settings: MatchSettings | None = None,
    progress: Callable[[str], None] | None = None,
    now=None,
) -> CashRun:
    """Read a bank or remittance file and apply its receipts (see the module's docstring).
    Raises BankFileError (the file's problems, with line and column) or AlreadyRead; nothing
    is written then. `now`: when the cases it opens are opened (default now)."""
    from revdesk.cases.services import notify

    from . import services
    from .disputes import dispute_open

    step = progress or (lambda stage: None)
    path = Path(path)
    fingerprint = _fingerprint(path)
    earlier = BankFile.objects.filter(fingerprint=fingerprint).first()
    if earlier is not None:
        raise AlreadyRead(
            f"{path.name} was read on {earlier.created_at:%Y-%m-%d %H:%M} as {earlier.name}: "
            "its receipts are already in (nothing done)"
        )
    step("reading the file")
    read = read_bank_file(path, profile=profile)
    bank_file = BankFile.objects.create(
        name=path.name,
        format=read.format,
        fingerprint=fingerprint,
        receipts=read.receipts.num_rows,
        debits_skipped=read.summary.debits_skipped,
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    step("reading the open invoices")
    items, invoices = open_items_table()
    customers, links = customers_table()
    settings = settings or MatchSettings(reasons=deduction_reasons())
    result = match(
        items,
        read.receipts,
        customers=customers,
        remittance=read.remittance if read.remittance.num_rows else None,
        links=links if links.num_rows else None,
        settings=settings,
        progress=step,
    )
    step("writing payments")
    receipts = read.receipts.to_pylist()
    numbers = _numbers(receipts, bank_file)
    customer_of: dict[str, str | None] = {}
    status: dict[str, tuple[str, str]] = {}
    for row in result.applications.to_pylist():
        customer_of[row["receipt"]] = row["customer"]
    for row in result.unapplied.to_pylist():
        customer_of.setdefault(row["receipt"], row["customer"])
        status[row["receipt"]] = (row["reason"], row["explanation"])
    for row in result.suggestions.to_pylist():
        customer_of.setdefault(row["receipt"], row["customer"])
    codes = {c for c in customer_of.values() if c}
    customer_ids = dict(Customer.objects.filter(code__in=codes).values_list("code", "pk"))
    applied_receipts = {row["receipt"] for row in result.applications.to_pylist()}
    payments = []
    for receipt, number in zip(receipts, numbers, strict=True):
        key = receipt["receipt"]
        reason, why = status.get(key, ("", ""))
        if key in applied_receipts:
            state = ReceiptStatus.PARTLY_APPLIED if reason else ReceiptStatus.APPLIED
        else:
            state = {
                "on_account": ReceiptStatus.ON_ACCOUNT,
                "suggestion": ReceiptStatus.SUGGESTED,
            }.get(reason, ReceiptStatus.UNIDENTIFIED)
        payments.append(
            Payment(
                number=number,
                customer_id=customer_ids.get(customer_of.get(key) or ""),
                received_on=receipt["date"],
                currency=receipt["currency"],
                amount=receipt["amount"],
                method=METHOD_BY_FORMAT.get(read.format, PaymentMethod.WIRE),
                reference=(receipt["text"] or "")[:200],
                bank_file=bank_file,
                source=(receipt["source"] or "")[:80],
                payer_name=(receipt["payer_name"] or "")[:200],
                payer_account=(receipt["payer_account"] or "")[:60],
                bank_reference=(receipt["bank_reference"] or "")[:80],
                status=state,
                status_reason=why,
            )
        )
    services.payments_create(payments=payments, actor=actor)
    payment_of = {r["receipt"]: p for r, p in zip(receipts, payments, strict=True)}
    RemittanceLine.objects.bulk_create(
        RemittanceLine(
            payment=payment_of[line["receipt"]],
            invoice_number=line["invoice"],
            paid=line["paid"] if line["paid"] is not None else ZERO,
            invoiced=line["invoiced"],
            adjustment=line["adjustment"] or ZERO,
            adjustment_reason=line["adjustment_reason"] or "",
            source=(line["source"] or "")[:80],
        )
        for line in read.remittance.to_pylist()
    )

    step("applying")
    applications = result.applications.to_pylist()
    if applications:
        rows = [
            {
                "payment_id": payment_of[a["receipt"]].pk,
                "invoice_id": invoices[a["invoice"]].pk,
                "amount": a["applied"],
                "applied_on": payment_of[a["receipt"]].received_on,
            }
            for a in applications
        ]
        upserted = services.payment_applications_upsert(rows=rows, actor=actor)
        decided = []
        for a, row in zip(applications, rows, strict=True):
            saved: PaymentApplication = upserted.objects[(row["payment_id"], row["invoice_id"])]
            saved.rule, saved.confidence, saved.explanation = (
                a["rule"],
                a["confidence"],
                a["explanation"],
            )
            decided.append(saved)
        PaymentApplication.objects.bulk_update(decided, ["rule", "confidence", "explanation"])
    for a in applications:
        if a["write_off"] and a["write_off"] > 0:
            services.write_off_save(
                write_off=WriteOff(
                    invoice=invoices[a["invoice"]],
                    amount=a["write_off"],
                    written_off_on=payment_of[a["receipt"]].received_on,
                    reason=f"Small balance left by receipt {payment_of[a['receipt']].number} "
                    f"(cash application: {a['write_off_reason'] or 'within tolerance'})",
                ),
                actor=actor,
            )

    step("opening cases")
    for row in result.cases.to_pylist():
        invoice = Invoice.objects.get(number=row["invoice"])
        payment = payment_of[row["receipt"]]
        external = row["external_reason"]
        case = dispute_open(
            actor=actor,
            invoice=invoice,
            reason=row["reason_code"],
            amount=row["amount"],
            case_type=row["type"],
            description=row["explanation"]
            + (f" (the customer's code: {external})" if external else ""),
            payment=payment,
            now=now,
        )
        collector = invoice.customer.collector
        notify(
            collector,
            case,
            f"{case.case_type.name} {case.number}: receipt {payment.number} left "
            f"{row['amount']:,.2f} {invoice.currency} of {invoice.number} unpaid",
            now=now,
        )

    CashSuggestion.objects.bulk_create(
        CashSuggestion(
            payment=payment_of[s["receipt"]],
            invoice=invoices[s["invoice"]],
            amount=s["amount"],
            rule=s["rule"],
            confidence=s["confidence"],
            explanation=s["explanation"],
        )
        for s in result.suggestions.to_pylist()
        if s["invoice"] in invoices
    )
    step("remittance advices")
    advised = _advices_apply(payments, actor=actor, now=now)
    summary = result.summary()
    summary["advices_applied"] = advised
    summary["format"] = read.format
    summary["warnings"] = [" ".join(str(part) for part in w if part) for w in read.warnings]
    bank_file.summary = summary
    bank_file.save(update_fields=["summary"])
    return CashRun(bank_file=bank_file, summary=summary)


def _advices_apply(payments: list[Payment], *, actor, now) -> int:
    """Receipts the matching left on account or as a suggestion that a remittance advice
    received by e-mail describes (its customer, its amount): applied as the advice says."""
    from .remittance_mail import advice_apply, advice_waiting_for

    applied = 0
    for payment in payments:
        if payment.status not in (ReceiptStatus.ON_ACCOUNT, ReceiptStatus.SUGGESTED):
            continue
        if payment.applications.exists():
            continue
        advice = advice_waiting_for(payment)
        if advice is not None and advice_apply(advice, payment, actor=actor, now=now):
            CashSuggestion.objects.filter(payment=payment, status="open").update(status="rejected")
            applied += 1
    return applied
