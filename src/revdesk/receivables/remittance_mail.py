"""Remittance advice that arrives by e-mail: a customer writes which invoices a payment pays,
in the mail's text or in a PDF, Excel or CSV attachment. The cases inbox opens a
`remittance_advice` case for it (cases.triage); this module then reads the lines
(engine.remittance_text), finds the invoices they name, keeps them as a RemittanceAdvice and
applies the receipt it describes, now if it is already in (a receipt of the customer left on
account for that amount) or when a bank file brings it (receivables.cash).

Everything found and done is written on the case's timeline, in plain words.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from revdesk.engine.cashmatch import invoice_key
from revdesk.engine.remittance_text import Advice, attachment_lines, text_lines

from .choices import InvoiceStatus, ReceiptStatus, SuggestionStatus
from .models import (
    CashSuggestion,
    Invoice,
    Payment,
    RemittanceAdvice,
    RemittanceLine,
    same_customer,
)

ZERO = Decimal("0.00")
CASE_TYPE = "remittance_advice"
WAITING = (ReceiptStatus.ON_ACCOUNT, ReceiptStatus.SUGGESTED, ReceiptStatus.UNIDENTIFIED)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit()).lstrip("0")


def invoices_named(numbers: list[str], customer=None) -> dict[str, Invoice]:
    """The invoices the numbers a customer wrote name: the number itself, else the same
    letters and digits (INV0010024 for INV-0010024), else the same digits when exactly one
    invoice (of the customer, when known) has them."""
    found: dict[str, Invoice] = {}
    exact = {i.number: i for i in Invoice.objects.filter(number__in=numbers)}
    wanted = [n for n in numbers if n not in exact]
    found.update({n: exact[n] for n in numbers if n in exact})
    if not wanted:
        return found
    digits = {n: _digits(n) for n in wanted if _digits(n)}
    candidates = Invoice.objects.exclude(status=InvoiceStatus.CANCELLED)
    if customer is not None:
        candidates = candidates.filter(Q(customer=customer) | Q(customer__parent=customer))
    query = Q()
    for value in set(digits.values()):
        query |= Q(number__endswith=value)
    by_key: dict[str, list[Invoice]] = {}
    by_digits: dict[str, list[Invoice]] = {}
    for invoice in candidates.filter(query) if query else []:
        by_key.setdefault(invoice_key(invoice.number), []).append(invoice)
        by_digits.setdefault(_digits(invoice.number), []).append(invoice)
    for number in wanted:
        same = by_key.get(invoice_key(number), [])
        if len(same) == 1:
            found[number] = same[0]
        elif len(by_digits.get(digits.get(number, ""), [])) == 1:
            found[number] = by_digits[digits[number]][0]
    return found


def advice_read(parsed) -> Advice:
    """The lines of a remittance e-mail: its text, then each attachment it can read."""
    advice = text_lines(parsed.body_text or "", source="the e-mail")
    for attachment in parsed.attachments:
        found = attachment_lines(attachment.name, attachment.data)
        if found is not None:
            advice.extend(found)
    return advice


def advice_from_mail(case, parsed, now: dt.datetime) -> RemittanceAdvice | None:
    """The hook the cases inbox calls for a new case from mail (see cases.mail): a
    `remittance_advice` case gets its advice read and, when its receipt is in, applied."""
    from revdesk.cases.services import event_add

    if case.case_type.code != CASE_TYPE:
        return None
    read = advice_read(parsed)
    named = invoices_named([line.invoice for line in read.lines], case.customer)
    customers = {named[line.invoice].customer for line in read.lines if line.invoice in named}
    customer = case.customer or (customers.pop() if len(customers) == 1 else None)
    notes = [
        f"{line.source}: {line.invoice}"
        + (f" is {named[line.invoice].number}" if line.invoice in named else " (no such invoice)")
        + (f", {line.amount:,.2f}" if line.amount is not None else ", no amount")
        for line in read.lines
    ]
    if read.total is not None:
        notes.append(f"{read.total_source}: total {read.total:,.2f}")
    notes.extend(read.notes)
    advice = RemittanceAdvice.objects.create(
        case=case,
        customer=customer,
        received_at=now,
        total=read.total,
        notes="\n".join(notes),
    )
    RemittanceLine.objects.bulk_create(
        RemittanceLine(
            advice=advice,
            invoice_number=named[line.invoice].number if line.invoice in named else line.invoice,
            paid=line.amount if line.amount is not None else ZERO,
            source=line.source[:80],
        )
        for line in read.lines
    )
    found = [line for line in read.lines if line.invoice in named]
    if found:
        summary = (
            f"Remittance advice read: {len(found)} invoice(s) of "
            f"{customer.name if customer else 'several customers'}, "
            f"{advice_amount(advice):,.2f} in all"
            + (f" (the advice says {read.total:,.2f})" if read.total is not None else "")
            + "."
        )
    else:
        summary = "No invoice of ours was found in this remittance advice: a person looks."
    event_add(
        case,
        kind="comment",
        actor_name="Revdesk cash application",
        body=summary + "\n" + "\n".join(f"- {n}" for n in notes),
        now=now,
    )
    if customer is not None:
        advices_close_settled(customer_ids=[customer.pk], now=now)
        advice.refresh_from_db(fields=["status"])
    if advice.status != RemittanceAdvice.Status.OPEN:
        return advice
    payment = receipt_waiting_for(advice)
    if payment is not None:
        advice_apply_safely(advice, payment, actor=None, now=now)
    return advice


def advices_close_settled(*, customer_ids, now=None) -> int:
    """Close the open advices of these customers whose invoices are all paid some other way
    (the receipt applied by its reference, by a person, by the ERP; the invoice credited or
    cancelled): nothing is left for them to apply, and an advice left open would stand in the
    way of the customer's next one for the same amount (a repeating payment). An advice that
    names an invoice we do not have stays open for a person. Each closed advice says why on
    its case's timeline. Returns how many were closed."""
    from django.utils import timezone

    from revdesk.cases.services import events_add_bulk

    now = now or timezone.now()
    advices = list(
        RemittanceAdvice.objects.filter(
            customer_id__in=[c for c in set(customer_ids) if c is not None],
            status=RemittanceAdvice.Status.OPEN,
        )
        .select_related("case")
        .prefetch_related("lines")
    )
    numbers = {line.invoice_number for a in advices for line in a.lines.all() if line.paid > 0}
    invoices = {
        number: (status, balance)
        for number, status, balance in Invoice.objects.filter(number__in=numbers).values_list(
            "number", "status", "balance"
        )
    }
    closed, notes = [], []
    for advice in advices:
        named = [line.invoice_number for line in advice.lines.all() if line.paid > 0]
        if not named or any(number not in invoices for number in named):
            continue
        if any(
            status == InvoiceStatus.OPEN and balance > 0
            for status, balance in (invoices[number] for number in named)
        ):
            continue
        advice.status = RemittanceAdvice.Status.CLOSED
        closed.append(advice)
        if advice.case is not None:
            notes.append(
                (
                    advice.case,
                    f"Closed without applying a receipt: every invoice this advice names is "
                    f"paid already ({', '.join(sorted(set(named)))}). A later receipt of "
                    f"{advice_amount(advice):,.2f} is not applied by it.",
                )
            )
    RemittanceAdvice.objects.bulk_update(closed, ["status"])
    events_add_bulk(notes, kind="comment", actor_name="Revdesk cash application", now=now)
    return len(closed)


def advice_apply_safely(advice: RemittanceAdvice, payment: Payment, *, actor, now=None) -> int:
    """`advice_apply`, but a refusal of the ledger (an invoice paid meanwhile, say) leaves
    the advice open and says why on its case, instead of stopping the mail or the bank file
    that brought it."""
    from revdesk.cases.services import event_add
    from revdesk.foundation.bulk import RowsRefused

    try:
        with transaction.atomic():
            return advice_apply(advice, payment, actor=actor, now=now)
    except (RowsRefused, ValidationError) as error:
        if advice.case is not None:
            reasons = (
                "; ".join(r.message for r in error.refusals)
                if isinstance(error, RowsRefused)
                else " ".join(error.messages)
            )
            event_add(
                advice.case,
                kind="comment",
                actor_name="Revdesk cash application",
                body=f"Receipt {payment.number} could not be applied as this advice says "
                f"({reasons}): left for a person.",
                now=now,
            )
        return 0


def advice_amount(advice: RemittanceAdvice) -> Decimal:
    """What an advice says the payment was: its stated total, else its lines added up."""
    if advice.total is not None:
        return advice.total
    return sum((line.paid for line in advice.lines.all()), ZERO)


def receipt_waiting_for(advice: RemittanceAdvice) -> Payment | None:
    """The one receipt of the advice's customer not yet applied (on account, a suggestion)
    for exactly the advice's amount; None when there is none or more than one."""
    if advice.customer_id is None:
        return None
    amount = advice_amount(advice)
    waiting = list(
        Payment.objects.filter(
            customer_id=advice.customer_id,
            reversed_on__isnull=True,
            status__in=WAITING,
            amount=amount,
            applications__isnull=True,
        )[:2]
    )
    return waiting[0] if len(waiting) == 1 else None


def advice_waiting_for(payment: Payment) -> RemittanceAdvice | None:
    """The one open advice of the receipt's customer for exactly its amount (None: none or
    several)."""
    if payment.customer_id is None:
        return None
    found = [
        a
        for a in RemittanceAdvice.objects.filter(
            customer_id=payment.customer_id, status=RemittanceAdvice.Status.OPEN
        ).prefetch_related("lines")
        if advice_amount(a) == payment.amount
    ]
    return found[0] if len(found) == 1 else None


@transaction.atomic
def advice_apply(advice: RemittanceAdvice, payment: Payment, *, actor, now=None) -> int:
    """Apply a receipt as its advice says, line by line, each at most the invoice's balance
    and what is left of the receipt; what is left stays on account. Returns how many
    applications were made; the case's timeline says what."""
    from django.utils import timezone

    from revdesk.cases.services import event_add

    from .services import payment_applications_upsert

    now = now or timezone.now()
    lines = [line for line in advice.lines.all() if line.paid > 0]
    # only what this receipt may pay: its currency, its customer's hierarchy
    invoices = {
        i.number: i
        for i in Invoice.objects.filter(
            number__in=[line.invoice_number for line in lines],
            status=InvoiceStatus.OPEN,
            currency=payment.currency,
        )
        if same_customer(payment.customer_id, i.customer_id, hierarchy_allowed=True)
    }
    left = payment.amount - sum((a.amount for a in payment.applications.all()), ZERO)
    rows, explained = [], []
    for line in lines:
        invoice = invoices.get(line.invoice_number)
        if invoice is None or left <= 0:
            continue
        amount = min(line.paid, invoice.balance, left)
        if amount <= 0:
            continue
        left -= amount
        why = (
            f"the customer's remittance advice ({line.source}) says {line.paid:,.2f} of "
            f"{invoice.number}"
            + (f"; {amount:,.2f} applied (what was open)" if amount != line.paid else "")
        )
        explained.append(why)
        rows.append(
            {
                "payment_id": payment.pk,
                "invoice_id": invoice.pk,
                "amount": amount,
                "applied_on": payment.received_on,
                "rule": "remittance_advice",
                "confidence": Decimal("1.000"),
                "explanation": why,
            }
        )
    if not rows:
        return 0
    payment_applications_upsert(rows=rows, actor=actor)
    # the customer said what it pays: the matching's guesses for this receipt are set aside
    CashSuggestion.objects.filter(payment=payment, status=SuggestionStatus.OPEN).update(
        status=SuggestionStatus.REJECTED, decided_at=now
    )
    payment.status_reason = (
        "" if left == 0 else f"{left:,.2f} left on account after the remittance advice"
    )
    payment.save(update_fields=["status_reason"])
    advice.status, advice.payment = RemittanceAdvice.Status.APPLIED, payment
    advice.save(update_fields=["status", "payment"])
    if advice.case is not None:
        event_add(
            advice.case,
            kind="comment",
            actor_name="Revdesk cash application",
            body=f"Receipt {payment.number} ({payment.amount:,.2f} {payment.currency}, received "
            f"{payment.received_on.isoformat()}) applied as this advice says:\n"
            + "\n".join(f"- {w}" for w in explained),
            now=now,
        )
    return len(rows)


def hooks_register() -> None:
    from revdesk.cases.mail import mail_received_hook_register

    mail_received_hook_register(advice_from_mail)
