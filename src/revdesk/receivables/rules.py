"""The rules that keep the receivables ledger whole, as plain functions.

Each returns None when the rule holds, or what is wrong in plain words. The models' clean()
(admin, web forms) and the bulk services (imports) both use them, so every way in refuses the
same things with the same words:

- an invoice's tax is part of its amount, so never more than the amount;
- an invoice's amount never falls below what is already paid or credited on it;
- an invoice's currency does not change once anything is paid or credited on it;
- a payment application and a credit memo are in their invoice's currency;
- payments applied plus credits never exceed the invoice's amount (no negative balance);
- a payment never pays out more than it received (its applications, saved and in the same
  file, sum to at most its amount), and its amount never falls below what is applied;
- a credit memo that names an invoice is for that invoice's customer;
- a payment applied to an invoice is from the invoice's customer or from a customer in the
  same key-account hierarchy (same top-most parent: a parent company may pay its
  subsidiary's invoice, a subsidiary its parent's or a sister's). A payment with no customer
  yet (unidentified cash) may be applied anywhere.

Every service that checks what is settled on invoices locks those invoices first
(select_for_update, by pk order) inside its transaction, so two writers on PostgreSQL cannot
both pass a check on the same invoice.
"""

from __future__ import annotations

import re
from decimal import Decimal


def money_text(value: Decimal) -> str:
    """1357.83 -> '1,357.83', as people read money."""
    return f"{value:,.2f}"


def invoice_tax_problem(*, amount: Decimal | None, tax_amount: Decimal | None) -> str | None:
    if amount is None or tax_amount is None or tax_amount <= amount:
        return None
    return (
        f"a tax amount no more than the amount: tax {money_text(tax_amount)} is more than "
        f"the amount {money_text(amount)} it is part of"
    )


def invoice_amount_problem(*, amount: Decimal | None, settled: Decimal) -> str | None:
    if amount is None or amount >= settled:
        return None
    return (
        f"amount {money_text(amount)} is less than the {money_text(settled)} already paid or "
        "credited on this invoice"
    )


def invoice_currency_problem(*, old: str, new: str, settled: Decimal, entries: int) -> str | None:
    if old == new or entries == 0:
        return None
    return (
        f"the invoice's currency {old}: it cannot change to {new} once payments or credits "
        f"are applied to it ({money_text(settled)} {old} already)"
    )


def currency_match_problem(
    *, what: str, currency: str, invoice_number: str, invoice_currency: str
) -> str | None:
    if currency == invoice_currency:
        return None
    return (
        f"a {what} in the invoice's currency: {what} is in {currency}, invoice "
        f"{invoice_number} is in {invoice_currency}"
    )


def over_settled_problem(
    *, invoice_number: str, invoice_amount: Decimal, others: Decimal, this: Decimal
) -> str | None:
    """others: what else is paid or credited on the invoice; this: what the row adds."""
    if others + this <= invoice_amount:
        return None
    room = max(invoice_amount - others, Decimal(0))
    return (
        f"at most {money_text(room)} on invoice {invoice_number}: its amount is "
        f"{money_text(invoice_amount)} and {money_text(others)} is paid or credited by the "
        "rest (saved, or in the same file), so this would leave a negative balance"
    )


def payment_over_applied_problem(
    *, payment_number: str, payment_amount: Decimal, others: Decimal, this: Decimal
) -> str | None:
    """others: what the payment pays on other invoices; this: what the row applies."""
    if others + this <= payment_amount:
        return None
    room = max(payment_amount - others, Decimal(0))
    return (
        f"at most {money_text(room)} from payment {payment_number}: it received "
        f"{money_text(payment_amount)} and {money_text(others)} of it is applied to other "
        "invoices (saved, or in the same file), so it would pay out more than it received"
    )


def instalments_paid(amounts: list[Decimal], settled: Decimal) -> list[Decimal]:
    """What of each instalment (in order) `settled` pays: the first in full before the next,
    never more than an instalment, nothing of a negative total."""
    paid, left = [], max(settled, Decimal(0))
    for amount in amounts:
        part = min(amount, left)
        paid.append(part)
        left -= part
    return paid


def instalment_label(number: str, sequence: int, count: int) -> str:
    """How an instalment is named as an open item (on the aging, the worklist, a statement)."""
    return f"{number} ({sequence}/{count})"


_INSTALMENT_LABEL = re.compile(r"(.+) \((\d+)/(\d+)\)")


def invoice_of(document: str) -> str:
    """The invoice number an open item is of: the item's own, or an instalment's invoice."""
    match = _INSTALMENT_LABEL.fullmatch(document)
    return match.group(1) if match else document


def instalment_schedule_problems(
    *, invoice_number: str, invoice_amount: Decimal, issued_on, schedule: list[tuple]
) -> list[tuple[int, str, str]]:
    """(position in `schedule`, field, problem) for an invoice's whole schedule of
    (sequence, due_on, amount): numbered 1, 2, 3..., due dates going up from the issue date,
    adding up to the invoice's amount."""
    problems = []
    for position, (sequence, due_on, _) in enumerate(schedule):
        if sequence != position + 1:
            problems.append(
                (
                    position,
                    "sequence",
                    f"instalments of {invoice_number} are numbered 1, 2, 3... in due order; "
                    f"expected {position + 1} here",
                )
            )
        elif position and due_on <= schedule[position - 1][1]:
            problems.append(
                (
                    position,
                    "due_on",
                    f"instalment {sequence} of {invoice_number} falls due after instalment "
                    f"{sequence - 1} ({schedule[position - 1][1].isoformat()})",
                )
            )
        elif due_on < issued_on:
            problems.append(
                (
                    position,
                    "due_on",
                    f"instalment {sequence} of {invoice_number} falls due on or after the issue "
                    f"date ({issued_on.isoformat()})",
                )
            )
    total = sum((amount for *_, amount in schedule), Decimal(0))
    if schedule and total != invoice_amount:
        problems.append(
            (
                len(schedule) - 1,
                "amount",
                f"the instalments of {invoice_number} add up to {money_text(total)}, not to "
                f"its amount {money_text(invoice_amount)}: give the whole schedule",
            )
        )
    return problems


def reversed_payment_problem(*, payment_number: str, reversed_on) -> str | None:
    if reversed_on is None:
        return None
    return (
        f"payment {payment_number} was reversed on {reversed_on.isoformat()}: it pays "
        "nothing any more"
    )


def payment_amount_problem(*, amount: Decimal | None, applied: Decimal) -> str | None:
    if amount is None or amount >= applied:
        return None
    return (
        f"amount {money_text(amount)} is less than the {money_text(applied)} already applied "
        "from this payment to invoices"
    )


def customer_match_problem(
    *,
    what: str,
    customer: str,
    invoice_number: str,
    invoice_customer: str,
    same: bool,
    hierarchy_allowed: bool,
) -> str | None:
    """customer, invoice_customer: codes; same: one customer, or (when hierarchy_allowed)
    two customers under the same top-most parent."""
    if same:
        return None
    if hierarchy_allowed:
        return (
            f"a {what} from the invoice's customer or its key-account hierarchy: {what} is "
            f"from {customer}, invoice {invoice_number} is for {invoice_customer}, which is "
            "not in the same hierarchy"
        )
    return (
        f"a {what} for the invoice's customer: {what} is for {customer}, invoice "
        f"{invoice_number} is for {invoice_customer}"
    )


def receipt_status(
    *, amount: Decimal, applied: Decimal, has_customer: bool, suggested: bool
) -> str:
    """Where a cash-application receipt stands (choices.ReceiptStatus): applied in full, partly
    applied, else a suggestion to confirm (open suggestions), on account of its customer, or
    unidentified (no customer yet)."""
    if applied >= amount:
        return "applied"
    if applied > 0:
        return "partly_applied"
    if suggested:
        return "suggested"
    return "on_account" if has_customer else "unidentified"
