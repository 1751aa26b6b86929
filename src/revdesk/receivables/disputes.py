"""Disputes, short payments and deductions on invoices: cases (revdesk.cases) of the
collections desk, opened from an invoice (the account page) or a receipt (the part it did not
pay), and what their resolution does to the ledger.

- A dispute names the disputed amount; the rest of the invoice stays collectible
  (`disputed_amounts`; the worklist and dunning read it).
- Resolved as *credit memo* or *rebill*: a credit memo for the disputed amount (at most the
  invoice's open balance) is entered on the invoice, so its balance follows; a rebill also
  leaves the collector a task to see the corrected invoice issued.
- Resolved as *write-off*: the disputed amount (at most the open balance) is written off.
- Resolved as *customer to pay* or *no action*: nothing changes; the amount is collectible
  again.
Every one of these is on the account's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from revdesk.cases.choices import OPEN_STATUSES, Outcome, Status
from revdesk.cases.models import Case, CaseSubject
from revdesk.cases.services import case_open, transition_hook_register

from .choices import ActivityKind
from .models import Activity, CreditMemo, Invoice, Payment, WriteOff
from .rules import money_text

DISPUTE_TYPES = ("ar_dispute", "short_payment", "deduction")
ZERO = Decimal("0.00")


def disputed_amounts(invoice_ids) -> dict[int, Decimal]:
    """Invoice id -> the amount in open collections cases about it (at most its balance is
    ever shown as disputed), in Decimal."""
    invoice_type = ContentType.objects.get_for_model(Invoice)
    ids = [str(i) for i in invoice_ids]
    found: dict[int, Decimal] = {}
    for object_id, amount in CaseSubject.objects.filter(
        content_type=invoice_type,
        object_id__in=ids,
        case__case_type__code__in=DISPUTE_TYPES,
        case__status__in=list(OPEN_STATUSES),
    ).values_list("object_id", "case__amount"):
        found[int(object_id)] = found.get(int(object_id), ZERO) + (amount or ZERO)
    return found


def disputed_invoice_ids() -> set[int]:
    """The ids of the invoices an open collections case disputes (any amount of them)."""
    invoice_type = ContentType.objects.get_for_model(Invoice)
    return {
        int(object_id)
        for object_id in CaseSubject.objects.filter(
            content_type=invoice_type,
            case__case_type__code__in=DISPUTE_TYPES,
            case__status__in=list(OPEN_STATUSES),
        )
        .values_list("object_id", flat=True)
        .distinct()
    }


def disputed_part(remaining: dict[int, Decimal], invoice_id: int, amount: Decimal) -> Decimal:
    """What of one open item of an invoice (the invoice, or one of its instalments) is in
    dispute: the invoice's disputed amount is taken once, item by item in the order asked
    (oldest first: what is due first is what the customer holds back), from `remaining`
    (`disputed_amounts`, consumed)."""
    part = min(remaining.get(invoice_id, ZERO), max(amount, ZERO))
    if part:
        remaining[invoice_id] -= part
    return part


@transaction.atomic
def dispute_open(
    *,
    actor,
    invoice: Invoice,
    reason: str,
    amount: Decimal,
    case_type: str = "ar_dispute",
    description: str = "",
    payment: Payment | None = None,
    now=None,
) -> Case:
    """Open a dispute (or short payment, deduction) on an invoice for `amount` (`now`: when,
    default now)."""
    if case_type not in DISPUTE_TYPES:
        raise ValidationError({"case_type": f"{case_type!r} is not a dispute type"})
    already = disputed_amounts([invoice.pk]).get(invoice.pk, ZERO)
    if amount <= 0:
        raise ValidationError({"amount": "The disputed amount is above 0."})
    if amount + already > invoice.balance:
        raise ValidationError(
            {
                "amount": f"{money_text(amount)} is more than is open on {invoice.number} "
                f"({money_text(invoice.balance)}"
                + (f", of which {money_text(already)} already disputed)" if already else ")")
            }
        )
    subjects = [invoice] + ([payment] if payment is not None else [])
    case = case_open(
        actor=actor,
        case_type=case_type,
        title=f"{invoice.number}: {description.strip()[:80] or reason.replace('_', ' ')}",
        description=description,
        subjects=subjects,
        reason=reason,
        amount=amount,
        currency=invoice.currency,
        customer=invoice.customer,
        now=now,
    )
    Activity.objects.create(
        customer=invoice.customer,
        invoice=invoice,
        kind=ActivityKind.NOTE,
        occurred_at=now or timezone.now(),
        subject=f"{case.case_type.name} {case.number} opened on {invoice.number}: "
        f"{money_text(amount)} {invoice.currency}",
        body=description,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    from .worklist import account_changed

    account_changed(invoice.customer)
    return case


@dataclass(frozen=True)
class Shortfall:
    """What a receipt left unpaid of an invoice, to open a case on (`disputes_open_bulk`)."""

    invoice: Invoice
    payment: Payment | None
    amount: Decimal
    case_type: str
    reason: str
    description: str


def disputes_open_bulk(*, actor, shortfalls: list[Shortfall], now=None) -> list[Case | str]:
    """Open many disputes, short payments or deductions at once, as dispute_open opens each
    (the same refusals, the case, the account's timeline, the worklist), in a number of
    queries that does not grow with how many (cases.services.cases_open_bulk). Each gets its
    case, or why it was not opened (in dispute_open's words); the refused do not stop the
    others. The invoices come with their customers."""
    from revdesk.cases.models import CaseType, ReasonCode
    from revdesk.cases.services import Opening, cases_open_bulk

    results: list[Case | str] = [""] * len(shortfalls)
    disputed = disputed_amounts({s.invoice.pk for s in shortfalls})
    known_reasons = set(
        ReasonCode.objects.filter(
            case_type__code__in={s.case_type for s in shortfalls}
        ).values_list("case_type__code", "code")
    )
    type_names = dict(CaseType.objects.values_list("code", "name"))
    chosen: list[int] = []
    for index, shortfall in enumerate(shortfalls):
        invoice, amount = shortfall.invoice, shortfall.amount
        already = disputed.get(invoice.pk, ZERO)
        if shortfall.case_type not in DISPUTE_TYPES:
            results[index] = f"{shortfall.case_type!r} is not a dispute type"
        elif amount <= 0:
            results[index] = "The disputed amount is above 0."
        elif amount + already > invoice.balance:
            results[index] = (
                f"{money_text(amount)} is more than is open on {invoice.number} "
                f"({money_text(invoice.balance)}"
                + (f", of which {money_text(already)} already disputed)" if already else ")")
            )
        elif shortfall.reason and (shortfall.case_type, shortfall.reason) not in known_reasons:
            name = type_names.get(shortfall.case_type, shortfall.case_type)
            results[index] = f"{shortfall.reason!r} is not a reason code of {name}"
        else:
            disputed[invoice.pk] = already + amount
            chosen.append(index)
    openings = []
    for index in chosen:
        shortfall = shortfalls[index]
        invoice, reason = shortfall.invoice, shortfall.reason
        openings.append(
            Opening(
                case_type=shortfall.case_type,
                title=f"{invoice.number}: "
                + (shortfall.description.strip()[:80] or reason.replace("_", " ")),
                description=shortfall.description,
                subjects=[invoice] + ([shortfall.payment] if shortfall.payment else []),
                reason=reason or None,
                amount=shortfall.amount,
                currency=invoice.currency,
                customer=invoice.customer,
            )
        )
    cases = cases_open_bulk(actor=actor, openings=openings, now=now)
    person = actor if getattr(actor, "is_authenticated", False) else None
    activities = []
    for index, case in zip(chosen, cases, strict=True):
        shortfall = shortfalls[index]
        results[index] = case
        activities.append(
            Activity(
                customer=shortfall.invoice.customer,
                invoice=shortfall.invoice,
                kind=ActivityKind.NOTE,
                occurred_at=now or timezone.now(),
                subject=f"{case.case_type.name} {case.number} opened on "
                f"{shortfall.invoice.number}: {money_text(shortfall.amount)} "
                f"{shortfall.invoice.currency}",
                body=shortfall.description,
                created_by=person,
            )
        )
    Activity.objects.bulk_create(activities)
    from .worklist import accounts_changed

    accounts_changed(shortfalls[index].invoice.customer for index in chosen)
    return results


def short_payment_reasons() -> list[tuple[str, str]]:
    """(code, label) of the reasons a short payment may have."""
    from revdesk.cases.models import ReasonCode

    return list(
        ReasonCode.objects.filter(case_type__code="short_payment", is_active=True)
        .order_by("label")
        .values_list("code", "label")
    )


def _invoice_of(case: Case) -> Invoice | None:
    invoice_type = ContentType.objects.get_for_model(Invoice)
    subject = case.subjects.filter(content_type=invoice_type).first()
    return Invoice.objects.filter(pk=subject.object_id).first() if subject else None


def _on_case_moved(case: Case, *, from_status, to_status, actor, now, **_) -> None:
    """What a dispute's resolution does to its invoice (see the module doc)."""
    if to_status != Status.RESOLVED:
        return
    invoice = _invoice_of(case)
    if invoice is None:
        return
    from . import services

    invoice.refresh_from_db()
    amount = min(case.amount or ZERO, invoice.balance)
    day = timezone.localdate(now)
    who = actor if getattr(actor, "is_authenticated", False) else None
    note = f"{case.case_type.name} {case.number} resolved: {case.get_outcome_display()}"
    if case.outcome in (Outcome.CREDIT_MEMO, Outcome.REBILL) and amount > 0:
        memo = CreditMemo(
            number=f"CM-{case.number}",
            customer=invoice.customer,
            invoice=invoice,
            issued_on=day,
            currency=invoice.currency,
            amount=amount,
            reason=f"{case.number}: {case.reason or case.get_outcome_display()}",
        )
        services.credit_memo_save(memo=memo, actor=actor)
        note += f"; credit memo {memo.number} of {money_text(amount)} {invoice.currency}"
    elif case.outcome == Outcome.WRITE_OFF and amount > 0:
        write_off = WriteOff(
            invoice=invoice,
            amount=amount,
            written_off_on=day,
            reason=f"{case.number}: {case.reason or 'written off'}",
            case=case,
            approved_by=who,
        )
        services.write_off_save(write_off=write_off, actor=actor)
        note += f"; {money_text(amount)} {invoice.currency} written off"
    Activity.objects.create(
        customer=invoice.customer,
        invoice=invoice,
        kind=ActivityKind.NOTE,
        occurred_at=now,
        subject=note,
        body=case.resolution,
        created_by=who,
    )
    if case.outcome == Outcome.REBILL:
        Activity.objects.create(
            customer=invoice.customer,
            invoice=invoice,
            kind=ActivityKind.TASK,
            occurred_at=now,
            subject=f"Rebill {invoice.number} ({case.number})",
            next_action="See the corrected invoice issued and sent",
            next_action_on=day,
            assigned_to=invoice.customer.collector,
        )
    from .worklist import account_changed

    account_changed(invoice.customer)


def hooks_register() -> None:
    for code in DISPUTE_TYPES:
        transition_hook_register(code, _on_case_moved)


__all__ = [
    "DISPUTE_TYPES",
    "dispute_open",
    "disputed_amounts",
    "disputed_invoice_ids",
    "hooks_register",
    "short_payment_reasons",
]
