"""Cash application against the ledger (`revdesk cash apply FILE`, the cash application page):
a bank or remittance file is read (engine.bankfiles), its receipts become payments, and the
engine's matching (engine.cashmatch, the same code as `revdesk calc match`) decides against
the open invoices; what it decided is written through the ledger's own services:

- applications (with their rule, confidence and explanation) and small-balance write-offs;
- short-payment and deduction cases on the invoices, the customer's collector told of each;
- suggestions below the confidence threshold, for a person to accept or reject;
- receipts left unapplied, with why (on account, unidentified, a suggestion to confirm).

All or nothing: one transaction per file, and a file (by its contents) is read once.

What the matching leaves is worked by people on the workbench (the unapplied queue and a
receipt's page), through the services at the end of this module: `suggestion_accept`,
`suggestion_reject`, `receipt_apply_manually` and `receipt_customer_set`. Each locks the
receipt, checks the person may work it (receivables.policies), writes through the ledger's
services in one transaction and leaves the change log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from revdesk.engine.bankfiles import CsvProfile, read_bank_file
from revdesk.engine.cashmatch import DEDUCTION_REASONS, MatchSettings, match
from revdesk.foundation.audit import audited_save
from revdesk.foundation.bulk import RowsRefused
from revdesk.foundation.scoping import may_see, restrict
from revdesk.parties.models import Customer, CustomerBankAccount

from .choices import InvoiceStatus, PaymentMethod, ReceiptStatus, SuggestionStatus
from .disputes import disputed_invoice_ids
from .models import (
    BankFile,
    CashSuggestion,
    Invoice,
    Payment,
    PaymentApplication,
    RemittanceAdvice,
    RemittanceLine,
    WriteOff,
)
from .policies import may_work_cash, may_work_unidentified
from .rules import money_text

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


def open_items_table() -> tuple[pa.Table, dict[str, int]]:
    """The open invoices as the engine takes them (engine.cashmatch.ITEMS_SCHEMA: those an open
    dispute, short-payment or deduction case is about marked disputed, never chosen by amount
    alone), and their ids by number. Read as plain rows, a chunk at a time: a ledger holds a
    million of them."""
    disputed = disputed_invoice_ids()
    columns: dict[str, list] = {
        "customer": [],
        "invoice": [],
        "invoice_date": [],
        "due_date": [],
        "open_amount": [],
        "currency": [],
        "disputed": [],
    }
    ids: dict[str, int] = {}
    for pk, number, issued_on, due_on, balance, currency, code in (
        Invoice.objects.filter(status=InvoiceStatus.OPEN, balance__gt=0)
        .order_by("due_on", "number")
        .values_list("pk", "number", "issued_on", "due_on", "balance", "currency", "customer__code")
        .iterator(chunk_size=20_000)
    ):
        ids[number] = pk
        columns["customer"].append(code)
        columns["invoice"].append(number)
        columns["invoice_date"].append(issued_on)
        columns["due_date"].append(due_on)
        columns["open_amount"].append(balance)
        columns["currency"].append(currency)
        columns["disputed"].append(pk in disputed)
    table = pa.table(
        {
            **columns,
            "invoice_date": pa.array(columns["invoice_date"], pa.date32()),
            "due_date": pa.array(columns["due_date"], pa.date32()),
            "open_amount": pa.array(columns["open_amount"], pa.decimal128(38, 2)),
        }
    )
    return table, ids


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


def _already_in(receipts: list[dict]) -> list[str]:
    """Receipts of this file another bank file brought already: the same receipt id (or bank
    reference), day, amount and currency (a file sent again with a new header, or saved again
    in Excel, has another fingerprint but the same receipts)."""
    ids = {str(r["bank_reference"] or r["receipt"]) for r in receipts}
    seen = set()
    from .services import _chunks

    for chunk in _chunks(sorted(ids), 2000):
        for number, reference, day, amount, currency in (
            Payment.objects.filter(bank_file__isnull=False)
            .filter(models.Q(number__in=chunk) | models.Q(bank_reference__in=chunk))
            .values_list("number", "bank_reference", "received_on", "amount", "currency")
        ):
            for key in {number, reference} - {""}:
                seen.add((key, day, amount, currency))
    return [
        str(r["receipt"])
        for r in receipts
        if (str(r["bank_reference"] or r["receipt"]), r["date"], r["amount"], r["currency"]) in seen
    ]


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
    from . import services

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
    advised = _advised(result, receipts)
    if advised:  # the advice pass below applies them as their customers said
        result.applications = result.applications.filter(
            pc.invert(pc.is_in(result.applications["receipt"], pa.array(sorted(advised))))
        )
    if repeated := _already_in(receipts):
        shown = ", ".join(repeated[:10]) + (
            f" and {len(repeated) - 10} more" if len(repeated) > 10 else ""
        )
        raise AlreadyRead(
            f"{path.name}: {len(repeated)} of its receipts came in an earlier bank file already "
            f"(the same receipt, day, amount and currency: {shown}); nothing was done. A file "
            "sent again is not read twice."
        )
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
    for key, (customer, why) in advised.items():
        customer_of[key] = customer
        status[key] = ("on_account", why)
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
                "invoice_id": invoices[a["invoice"]],
                "amount": a["applied"],
                "applied_on": payment_of[a["receipt"]].received_on,
                "rule": a["rule"],
                "confidence": a["confidence"],
                "explanation": a["explanation"],
            }
            for a in applications
        ]
        services.payment_applications_upsert(rows=rows, actor=actor)
    for a in applications:
        if a["write_off"] and a["write_off"] > 0:
            services.write_off_save(
                write_off=WriteOff(
                    invoice_id=invoices[a["invoice"]],
                    payment=payment_of[a["receipt"]],
                    amount=a["write_off"],
                    written_off_on=payment_of[a["receipt"]].received_on,
                    reason=f"Small balance left by receipt {payment_of[a['receipt']].number}, "
                    f"within the write-off tolerance of {settings.write_off:,.2f} "
                    "(cash application)",
                ),
                actor=actor,
            )

    step("opening cases")
    _cases_open(result.cases.to_pylist(), payment_of, actor=actor, now=now)

    CashSuggestion.objects.bulk_create(
        CashSuggestion(
            payment=payment_of[s["receipt"]],
            invoice_id=invoices[s["invoice"]],
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


def _cases_open(rows: list[dict], payment_of: dict[str, Payment], *, actor, now) -> None:
    """The matching's short-payment and deduction cases, opened together
    (disputes.disputes_open_bulk), each customer's collector told. One refused (e.g. the
    invoice is disputed already for what is open) is not opened twice: the receipt is
    applied all the same, and says so."""
    from revdesk.cases.models import Notification

    from .disputes import Shortfall, disputes_open_bulk

    if not rows:
        return
    invoices = {
        invoice.number: invoice
        for invoice in Invoice.objects.filter(
            number__in={row["invoice"] for row in rows}
        ).select_related("customer__collector")
    }
    shortfalls = [
        Shortfall(
            invoice=invoices[row["invoice"]],
            payment=payment_of[row["receipt"]],
            amount=row["amount"],
            case_type=row["type"],
            reason=row["reason_code"],
            description=row["explanation"]
            + (
                f" (the customer's code: {row['external_reason']})"
                if row["external_reason"]
                else ""
            ),
        )
        for row in rows
    ]
    opened = disputes_open_bulk(actor=actor, shortfalls=shortfalls, now=now)
    noted: dict[int, Payment] = {}
    told = []
    for row, shortfall, case in zip(rows, shortfalls, opened, strict=True):
        payment, invoice = shortfall.payment, shortfall.invoice
        if isinstance(case, str):
            payment.status_reason = " ".join(
                [
                    payment.status_reason,
                    f"No {row['type'].replace('_', ' ')} case opened on {row['invoice']}: " + case,
                ]
            ).strip()
            noted[payment.pk] = payment
            continue
        collector = invoice.customer.collector
        if collector is not None and collector.is_active:
            told.append(
                Notification(
                    user=collector,
                    case=case,
                    time=now or timezone.now(),
                    text=f"{case.case_type.name} {case.number}: receipt {payment.number} left "
                    f"{shortfall.amount:,.2f} {invoice.currency} of {invoice.number} unpaid"[:300],
                )
            )
    Notification.objects.bulk_create(told)
    Payment.objects.bulk_update(list(noted.values()), ["status_reason"])


#: the rules by which matching applies a receipt by its amount alone
BY_AMOUNT = frozenset(
    {"open_item_amount", "open_items_equal", "open_items_sum", "open_items_oldest"}
)


def _advised(result, receipts: list[dict]) -> dict[str, tuple[str, str]]:
    """The receipts matching applied by amount alone that a remittance advice received by
    e-mail describes (the one open advice of their customer for their amount): receipt ->
    (customer code, why). What the customer said beats what the amount suggests: these are
    left to the advice pass."""
    from .remittance_mail import advice_amount

    found: dict[str, list[dict]] = defaultdict(list)
    for row in result.applications.to_pylist():
        found[row["receipt"]].append(row)
    amounts = {row["receipt"]: row["amount"] for row in receipts}
    by_amount = {
        key: (rows[0]["customer"], amounts[key])
        for key, rows in found.items()
        if all(row["rule"] in BY_AMOUNT for row in rows)
    }
    if not by_amount:
        return {}
    advices: dict[tuple[str, Decimal], int] = defaultdict(int)
    for advice in (
        RemittanceAdvice.objects.filter(
            customer__code__in={code for code, _ in by_amount.values()},
            status=RemittanceAdvice.Status.OPEN,
        )
        .select_related("customer")
        .prefetch_related("lines")
    ):
        advices[(advice.customer.code, advice_amount(advice))] += 1
    return {
        key: (
            code,
            f"matching found {', '.join(row['invoice'] for row in found[key])} by the amount "
            f"alone, but the customer's remittance advice for {money_text(amount)} says what it "
            "pays: applied as the advice says",
        )
        for key, (code, amount) in by_amount.items()
        if advices.get((code, amount)) == 1
    }


def _advices_apply(payments: list[Payment], *, actor, now) -> int:
    """Receipts the matching left on account or as a suggestion that a remittance advice
    received by e-mail describes (its customer, its amount): applied as the advice says. The
    receipts and the open advices are read together (a fixed number of queries however many
    receipts the file has); each receipt takes the one open advice of its customer for its
    amount (none when there are several), in the file's order, as one at a time would."""
    from .remittance_mail import advice_amount, advice_apply_safely, advices_close_settled

    # the advices of this file's payers whose invoices are paid now (by this file or before)
    # are done with: an old one would stand in the way of a new one for the same amount
    advices_close_settled(customer_ids={p.customer_id for p in payments}, now=now)
    waiting = [
        p
        for p in payments
        if p.status in (ReceiptStatus.ON_ACCOUNT, ReceiptStatus.SUGGESTED)
        and p.customer_id is not None
    ]
    if not waiting:
        return 0
    paying = set(
        PaymentApplication.objects.filter(payment_id__in=[p.pk for p in waiting]).values_list(
            "payment_id", flat=True
        )
    )
    waiting = [p for p in waiting if p.pk not in paying]
    open_advices: dict[tuple[int, Decimal], list] = defaultdict(list)
    for advice in RemittanceAdvice.objects.filter(
        customer_id__in={p.customer_id for p in waiting},
        status=RemittanceAdvice.Status.OPEN,
    ).prefetch_related("lines"):
        open_advices[(advice.customer_id, advice_amount(advice))].append(advice)
    applied = 0
    for payment in waiting:
        found = open_advices.get((payment.customer_id, payment.amount), [])
        if len(found) != 1:
            continue
        if advice_apply_safely(found[0], payment, actor=actor, now=now):
            found.pop()  # applied: no longer open for the next receipt
            applied += 1
    return applied


def _shortfall_case_open(
    *,
    actor,
    invoice: Invoice,
    payment: Payment,
    amount: Decimal,
    case_type: str,
    reason,
    description,
    now=None,
):
    """A short-payment or deduction case on what a receipt left unpaid of an invoice, the
    customer's collector told of it (the matching's cases and a person's alike)."""
    from revdesk.cases.services import notify

    from .disputes import dispute_open

    case = dispute_open(
        actor=actor,
        invoice=invoice,
        reason=reason,
        amount=amount,
        case_type=case_type,
        description=description,
        payment=payment,
        now=now,
    )
    notify(
        invoice.customer.collector,
        case,
        f"{case.case_type.name} {case.number}: receipt {payment.number} left "
        f"{amount:,.2f} {invoice.currency} of {invoice.number} unpaid",
        now=now,
    )
    return case


# -- the workbench: what people do with what the matching left -------------------------------

CENT = Decimal("0.01")


@dataclass
class Applied:
    """What a person's application did: the amounts applied (invoice, amount), the cases
    opened for what was left on them, the payer account learnt, what the receipt has left."""

    payment: Payment
    applied: list[tuple[Invoice, Decimal]] = field(default_factory=list)
    cases: list = field(default_factory=list)
    learnt: CustomerBankAccount | None = None
    unapplied: Decimal = ZERO


def _is_person(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _person_name(actor) -> str:
    if not _is_person(actor):
        return "the system"
    return actor.get_full_name().strip() or actor.get_username()


def _receipt_locked(payment: Payment, *, actor) -> Payment:
    """The receipt read again under a row lock (payments are locked before invoices), once the
    person is known to be allowed to work it; a receipt that came back is refused."""
    from . import services

    services._lock(Payment, [payment.pk])
    current = Payment.objects.select_related("customer").get(pk=payment.pk)
    if _is_person(actor):
        if not may_work_cash(actor):
            raise PermissionDenied("Cash application is not part of your role.")
        allowed = (
            may_work_unidentified(actor) if current.customer_id is None else may_see(actor, current)
        )
        if not allowed:
            raise PermissionDenied(f"Receipt {current.number} is not one you may work.")
    if current.reversed_on is not None:
        raise ValidationError(
            {
                "payment": f"{current.number} came back on {current.reversed_on.isoformat()}: "
                "it pays nothing any more"
            }
        )
    return current


def _left_to_apply(payment: Payment) -> Decimal:
    from . import services

    return payment.unapplied(services._applied_by_payment([payment.pk])[payment.pk])


def parse_amount(text: str) -> Decimal:
    """'1,250.00' or '500' -> Decimal to the cent; ValueError with what was expected."""
    cleaned = (text or "").strip().replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount; expected a number such as 1250.00") from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValueError(f"{text!r} is not an amount in cents; expected a number such as 1250.00")
    return amount.quantize(CENT)


def _allocations_checked(
    payment: Payment, allocations: Sequence[tuple[Invoice, Decimal]], actor
) -> list[tuple[Invoice, Decimal]]:
    """The invoices read again under lock with the amounts, every problem refused at once: an
    amount of at most the invoice's balance, together at most what the receipt has left, in
    the receipt's currency, on open invoices the person may see."""
    from . import services

    if not allocations:
        raise ValidationError(
            {"invoices": "Tick at least one invoice and say how much of the receipt goes to it."}
        )
    ids = [invoice.pk for invoice, _ in allocations]
    seen, twice = set(), set()
    for pk in ids:
        (twice if pk in seen else seen).add(pk)
    services._lock(Invoice, ids)
    found = Invoice.objects.select_related("customer").in_bulk(ids)
    if _is_person(actor):
        visible = set(
            restrict(Invoice.objects.filter(pk__in=ids), actor).values_list("pk", flat=True)
        )
    else:
        visible = set(found)
    problems: list[str] = []
    checked = []
    for given, amount in allocations:
        invoice = found.get(given.pk)
        if invoice is None or invoice.pk not in visible:
            problems.append(f"{given.number}: not an invoice you may see")
            continue
        if invoice.pk in twice:
            problems.append(f"{invoice.number} is given twice: give it once, with the whole amount")
            twice.discard(invoice.pk)
            continue
        number, currency = invoice.number, invoice.currency
        if amount is None or amount <= 0:
            problems.append(f"{number}: the amount to apply is above 0.00")
        elif amount != amount.quantize(CENT):
            problems.append(f"{number}: {amount} is not an amount in cents")
        elif currency != payment.currency:
            problems.append(
                f"{number} is in {currency}; receipt {payment.number} is in {payment.currency}"
            )
        elif not invoice.is_open:
            problems.append(f"{number} has nothing open ({invoice.get_status_display().lower()})")
        elif amount > invoice.balance:
            problems.append(
                f"{number}: {money_text(amount)} is more than is open on it "
                f"({money_text(invoice.balance)} {currency})"
            )
        checked.append((invoice, amount))
    if not problems:
        left = _left_to_apply(payment)
        total = sum((amount for _, amount in checked), ZERO)
        if total > left:
            problems.append(
                f"{money_text(total)} {payment.currency} is more than receipt {payment.number} "
                f"has left to apply ({money_text(left)} {payment.currency})"
            )
    if problems:
        raise ValidationError({"amount": problems})
    return checked


def _apply(
    payment: Payment,
    allocations: list[tuple[Invoice, Decimal]],
    *,
    actor,
    on: dt.date | None,
    explanation: str,
    rule: str = "",
    confidence: Decimal | None = None,
) -> Applied:
    """Apply checked amounts through the ledger (payment_applications_upsert: audited, balances
    and the receipt's status refreshed); an unidentified receipt takes the invoices' customer;
    the payer's account is learnt when no customer has it yet."""
    from revdesk.parties.services import customer_bank_account_learn

    from . import services

    if payment.customer_id is None:
        customers = {invoice.customer_id for invoice, _ in allocations}
        if len(customers) > 1:
            raise ValidationError(
                {
                    "invoices": "These invoices are of several customers: set the receipt's "
                    "customer first, then apply it."
                }
            )
        audited_save(payment, actor=actor, fields={"customer": allocations[0][0].customer})
    day = max(on or timezone.localdate(), payment.received_on)
    existing = {
        invoice_id: (amount, applied_on)
        for invoice_id, amount, applied_on in PaymentApplication.objects.filter(
            payment=payment, invoice_id__in=[i.pk for i, _ in allocations]
        ).values_list("invoice_id", "amount", "applied_on")
    }
    rows = [
        {
            "payment_id": payment.pk,
            "invoice_id": invoice.pk,
            "amount": existing.get(invoice.pk, (ZERO, None))[0] + amount,
            "applied_on": existing.get(invoice.pk, (None, day))[1],
        }
        for invoice, amount in allocations
    ]
    try:
        upserted = services.payment_applications_upsert(rows=rows, actor=actor)
    except RowsRefused as refused:
        raise ValidationError({"amount": [r.message for r in refused.refusals]}) from None
    described = []
    for row in rows:
        saved: PaymentApplication = upserted.objects[(row["payment_id"], row["invoice_id"])]
        if row["invoice_id"] not in existing:
            saved.rule, saved.confidence, saved.explanation = rule, confidence, explanation
            described.append(saved)
    PaymentApplication.objects.bulk_update(described, ["rule", "confidence", "explanation"])
    learnt = None
    if payment.payer_account and payment.customer_id is not None:
        learnt = customer_bank_account_learn(
            customer=payment.customer, account=payment.payer_account, actor=actor
        )
    from .worklist import account_changed

    for customer in {invoice.customer for invoice, _ in allocations}:
        account_changed(customer)
    payment.refresh_from_db(fields=["status", "customer"])
    return Applied(
        payment=payment, applied=allocations, learnt=learnt, unapplied=_left_to_apply(payment)
    )


def _short_payment_reason(reason: str) -> str:
    from .disputes import short_payment_reasons

    known = dict(short_payment_reasons())
    if reason not in known:
        expected = ", ".join(f"{code} ({label})" for code, label in known.items())
        raise ValidationError(
            {
                "short_payment_reason": f"{reason!r} is not a short-payment reason; "
                f"expected one of {expected}"
            }
        )
    return reason


@transaction.atomic
def receipt_apply_manually(
    *,
    payment: Payment,
    allocations: Sequence[tuple[Invoice, Decimal]],
    actor,
    short_payment_reason: str = "",
    note: str = "",
    on: dt.date | None = None,
) -> Applied:
    """A person applies a receipt to invoices they chose, an amount each: never more than an
    invoice's balance, together never more than the receipt has left. An unidentified receipt
    takes the invoices' customer (one customer), and its payer's account is learnt for the
    next file. With `short_payment_reason`, what is left open on each invoice becomes a
    short-payment case (the customer's collector told), as the matching does. All or nothing;
    every change in the change log."""
    payment = _receipt_locked(payment, actor=actor)
    checked = _allocations_checked(payment, allocations, actor)
    rests = [(invoice, invoice.balance - amount) for invoice, amount in checked]
    if short_payment_reason:
        _short_payment_reason(short_payment_reason)
        if not any(rest > 0 for _, rest in rests):
            raise ValidationError(
                {
                    "short_payment_reason": "Nothing is left open on the invoices once applied: "
                    "there is no short payment to open."
                }
            )
    who = _person_name(actor)
    today = timezone.localdate()
    explanation = f"Applied by {who} on {today.isoformat()}" + (
        f": {note.strip()}" if note.strip() else "."
    )
    result = _apply(payment, list(checked), actor=actor, on=on, explanation=explanation)
    if short_payment_reason:
        for invoice, rest in rests:
            if rest > 0:
                paid = {i.pk: a for i, a in checked}[invoice.pk]
                invoice.refresh_from_db()
                result.cases.append(
                    _shortfall_case_open(
                        actor=actor,
                        invoice=invoice,
                        payment=payment,
                        amount=rest,
                        case_type="short_payment",
                        reason=short_payment_reason,
                        description=f"Receipt {payment.number} paid {money_text(paid)} of "
                        f"{invoice.number}, {money_text(rest)} {invoice.currency} short "
                        f"(applied by {who})" + (f": {note.strip()}" if note.strip() else ""),
                    )
                )
    return result


def _suggestion_locked(suggestion: CashSuggestion, *, actor) -> tuple[Payment, CashSuggestion]:
    payment = _receipt_locked(suggestion.payment, actor=actor)
    current = (
        CashSuggestion.objects.select_for_update(of=("self",))
        .select_related("invoice", "decided_by")
        .get(pk=suggestion.pk)
    )
    if current.status != SuggestionStatus.OPEN:
        when = (
            timezone.localtime(current.decided_at).strftime("%Y-%m-%d %H:%M")
            if current.decided_at
            else ""
        )
        by = _person_name(current.decided_by) if current.decided_by else "someone"
        raise ValidationError(
            {
                "suggestion": f"This suggestion was already {current.get_status_display().lower()} "
                f"by {by}" + (f" on {when}" if when else "")
            }
        )
    return payment, current


def _decide(suggestion: CashSuggestion, status: str, *, actor) -> None:
    audited_save(
        suggestion,
        actor=actor,
        fields={
            "status": status,
            "decided_by": actor if _is_person(actor) else None,
            "decided_at": timezone.now(),
        },
    )


@transaction.atomic
def suggestion_accept(*, suggestion: CashSuggestion, actor, on: dt.date | None = None) -> Applied:
    """A person confirms what the matching suggested: its amount is applied to its invoice
    (refused, with why, when the invoice or the receipt no longer has that much open), and the
    suggestion is marked accepted with who and when."""
    payment, current = _suggestion_locked(suggestion, actor=actor)
    _decide(current, SuggestionStatus.ACCEPTED, actor=actor)
    checked = _allocations_checked(payment, [(current.invoice, current.amount)], actor)
    return _apply(
        payment,
        checked,
        actor=actor,
        on=on,
        rule=current.rule,
        confidence=current.confidence,
        explanation=f"{current.explanation} Suggested, accepted by {_person_name(actor)}.",
    )


@transaction.atomic
def suggestion_reject(*, suggestion: CashSuggestion, actor) -> CashSuggestion:
    """A person turns a suggestion down: nothing is applied; marked rejected with who and when
    (the receipt stays unapplied, on account or unidentified once no suggestion is open)."""
    from . import services

    _payment, current = _suggestion_locked(suggestion, actor=actor)
    _decide(current, SuggestionStatus.REJECTED, actor=actor)
    services.receipt_status_refresh(payment_ids=[current.payment_id])
    return current


@transaction.atomic
def receipt_customer_set(*, payment: Payment, customer: Customer, actor) -> bool:
    """Name who paid a receipt (an unidentified one, or one put on the wrong customer while it
    pays nothing yet). False when it was already theirs; audited."""
    from . import services

    payment = _receipt_locked(payment, actor=actor)
    if _is_person(actor) and not may_see(actor, customer):
        raise PermissionDenied(f"Customer {customer.code} is not one you may see.")
    if payment.customer_id == customer.pk:
        return False
    if _left_to_apply(payment) < payment.amount:
        raise ValidationError(
            {
                "customer": f"{payment.number} already pays invoices: take those applications "
                "back before naming another customer"
            }
        )
    audited_save(payment, actor=actor, fields={"customer": customer})
    services.receipt_status_refresh(payment_ids=[payment.pk])
    return True
