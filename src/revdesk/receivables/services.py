"""Everything that writes receivables data: one function per business action, in a transaction.

Balances are kept here, in Python Decimal (never SQL SUM: SQLite stores DECIMAL with float
affinity, see docs/decisions/0002-money.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import models, transaction

from revdesk.foundation.audit import change_record_create, snapshot
from revdesk.foundation.bulk import Outcome, RowRefusal, RowsRefused, UpsertResult, bulk_upsert
from revdesk.foundation.models import ChangeAction

from . import rules
from .choices import InvoiceStatus, SuggestionStatus
from .models import (
    ApplicationReversal,
    CashSuggestion,
    CreditMemo,
    Invoice,
    InvoiceInstalment,
    Payment,
    PaymentApplication,
    WriteOff,
    customer_roots,
)

ZERO = Decimal("0.00")
BALANCE_REFRESH_CHUNK = 2000


def _chunks(values: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _lock(model: type[models.Model], ids: Iterable[object]) -> None:
    """Lock rows by pk, in pk order (so two writers never wait on each other in a circle),
    until the end of the transaction: what is settled on them is read after this. A no-op on
    SQLite, which writes one transaction at a time. Payments are locked before invoices."""
    for chunk in _chunks(sorted({i for i in ids if i is not None}), BALANCE_REFRESH_CHUNK):
        list(
            model._default_manager.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _update_grouped(model, changes: list[tuple[int, dict]]) -> None:
    """Write `changes` (pk, {field: value}) with one UPDATE per distinct set of values: a bank
    file pays most invoices in full, so most share one (balance 0, paid). Django's bulk_update
    builds a CASE per row, which took most of a large file's time."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, values in changes:
        groups[tuple(sorted(values.items()))].append(pk)
    for values, pks in groups.items():
        for chunk in _chunks(sorted(pks), BALANCE_REFRESH_CHUNK):
            model.objects.filter(pk__in=chunk).update(**dict(values))


@transaction.atomic
def invoice_balances_refresh(*, invoice_ids: Iterable[int]) -> None:
    """Recompute balance and status of the given invoices from their payments and credits.

    balance = amount − Σ payment applications − Σ credit memos linked to the invoice − Σ
    write-offs, in Decimal. Status becomes PAID at a zero balance and OPEN otherwise; a
    CANCELLED invoice keeps its status (its balance is still refreshed). Only invoices whose
    balance or status changes are written. The balance is derived data, not a person's
    change, so no audit record is written: the payment, application, credit memo or
    write-off that moved it carries the audit.
    """
    unique_ids = sorted(set(invoice_ids))
    for chunk in _chunks(unique_ids, BALANCE_REFRESH_CHUNK):
        _lock(Invoice, chunk)
        paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for invoice_id, amount in PaymentApplication.objects.filter(
            invoice_id__in=chunk
        ).values_list("invoice_id", "amount"):
            paid[invoice_id] += amount
        credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for invoice_id, amount in CreditMemo.objects.filter(invoice_id__in=chunk).values_list(
            "invoice_id", "amount"
        ):
            credited[invoice_id] += amount
        for invoice_id, amount in WriteOff.objects.filter(invoice_id__in=chunk).values_list(
            "invoice_id", "amount"
        ):
            credited[invoice_id] += amount
        changed: list[Invoice] = []
        for invoice in Invoice.objects.filter(pk__in=chunk).only(
            "id", "amount", "balance", "status"
        ):
            balance = (invoice.amount - paid[invoice.pk] - credited[invoice.pk]).quantize(ZERO)
            if invoice.status == InvoiceStatus.CANCELLED:
                status = InvoiceStatus.CANCELLED
            else:
                status = InvoiceStatus.PAID if balance == ZERO else InvoiceStatus.OPEN
            if invoice.balance != balance or invoice.status != status:
                invoice.balance = balance
                invoice.status = status
                changed.append(invoice)
        _update_grouped(
            Invoice, [(invoice.pk, {"balance": invoice.balance, "status": invoice.status})
                      for invoice in changed],
        )  # fmt: skip


def receipt_status_refresh(*, payment_ids: Iterable[int]) -> None:
    """Work out again where cash application's receipts stand (Payment.status, by
    rules.receipt_status) after a person applied, took back or identified something. Payments
    entered or imported by hand (no status) are left alone. Like a balance, the status is
    derived: the change that moved it carries the audit."""
    ids = sorted({i for i in payment_ids if i is not None})
    if not ids:
        return
    applied = _applied_by_payment(ids)
    suggested = set(
        CashSuggestion.objects.filter(payment_id__in=ids, status=SuggestionStatus.OPEN).values_list(
            "payment_id", flat=True
        )
    )
    changed = []
    for payment in (
        Payment.objects.filter(pk__in=ids)
        .exclude(status="")
        .only("id", "amount", "customer_id", "status")
    ):
        status = rules.receipt_status(
            amount=payment.amount,
            applied=applied[payment.pk],
            has_customer=payment.customer_id is not None,
            suggested=payment.pk in suggested,
        )
        if payment.status != status:
            payment.status = status
            changed.append(payment)
    _update_grouped(Payment, [(payment.pk, {"status": payment.status}) for payment in changed])


def settlements_refresh(*, invoice_ids: Iterable[int], payment_ids: Iterable[int]) -> None:
    """What is settled between payments and invoices changed (an application made, changed,
    deleted or taken back; a payment's amount or customer changed): the invoices' balances and
    the receipts' cash-application status are worked out again. Every service that writes
    applications or payments ends with this, whichever way the change came in (cash
    application, the workbench, a remittance advice, the admin, the ERP import)."""
    invoice_balances_refresh(invoice_ids=invoice_ids)
    receipt_status_refresh(payment_ids=payment_ids)


# Bulk upserts by natural key, for imports (revdesk.ingest). Rows carry resolved ids.

INVOICE_IMPORT_FIELDS = (
    "customer_id",
    "order_id",
    "issued_on",
    "due_on",
    "currency",
    "amount",
    "tax_amount",
    "po_number",
)
CREDIT_MEMO_IMPORT_FIELDS = (
    "customer_id",
    "invoice_id",
    "issued_on",
    "currency",
    "amount",
    "reason",
)
PAYMENT_IMPORT_FIELDS = ("customer_id", "received_on", "currency", "amount", "method", "reference")
PAYMENT_APPLICATION_IMPORT_FIELDS = ("amount", "applied_on")


def _settled_by_invoice(
    invoice_ids: Iterable[int],
    *,
    leave_out_memos: Iterable[str] = (),
    leave_out_applications: Iterable[tuple[int, int]] = (),
) -> dict[int, tuple[Decimal, int]]:
    """Invoice id -> (paid and credited as saved, number of entries), in Decimal, leaving out
    the memos (by number) and applications (by payment id, invoice id) a batch rewrites."""
    memos_left_out = set(leave_out_memos)
    applications_left_out = set(leave_out_applications)
    totals: dict[int, tuple[Decimal, int]] = defaultdict(lambda: (ZERO, 0))
    for chunk in _chunks(sorted(set(invoice_ids)), BALANCE_REFRESH_CHUNK):
        for payment_id, invoice_id, amount in PaymentApplication.objects.filter(
            invoice_id__in=chunk
        ).values_list("payment_id", "invoice_id", "amount"):
            if (payment_id, invoice_id) not in applications_left_out:
                total, count = totals[invoice_id]
                totals[invoice_id] = (total + amount, count + 1)
        for number, invoice_id, amount in CreditMemo.objects.filter(
            invoice_id__in=chunk
        ).values_list("number", "invoice_id", "amount"):
            if number not in memos_left_out:
                total, count = totals[invoice_id]
                totals[invoice_id] = (total + amount, count + 1)
        for invoice_id, amount in WriteOff.objects.filter(invoice_id__in=chunk).values_list(
            "invoice_id", "amount"
        ):
            total, count = totals[invoice_id]
            totals[invoice_id] = (total + amount, count + 1)
    return totals


def _invoices_by_id(ids: Iterable[object]) -> dict[int, tuple[str, str, Decimal, int, str]]:
    """Invoice id -> (number, currency, amount, customer id, customer code) as saved, the
    invoices locked (select_for_update, pk order) until the end of the transaction."""
    found: dict[int, tuple[str, str, Decimal, int, str]] = {}
    for chunk in _chunks(sorted({i for i in ids if i is not None}), BALANCE_REFRESH_CHUNK):
        _lock(Invoice, chunk)
        for pk, number, currency, amount, customer_id, code in Invoice.objects.filter(
            pk__in=chunk
        ).values_list("pk", "number", "currency", "amount", "customer_id", "customer__code"):
            found[pk] = (number, currency, amount, customer_id, code)
    return found


def _customer_codes(ids: Iterable[object]) -> dict[int, str]:
    from revdesk.parties.models import Customer

    codes: dict[int, str] = {}
    for chunk in _chunks(sorted({i for i in ids if i is not None}), BALANCE_REFRESH_CHUNK):
        codes.update(Customer.objects.filter(pk__in=chunk).values_list("pk", "code"))
    return codes


def _refuse_other_customer(
    rows: Sequence[Mapping[str, object]],
    invoices,
    customer_of_row: Sequence[object],
    *,
    what: str,
    field: str,
    hierarchy_allowed: bool,
) -> list[RowRefusal]:
    """Rows whose customer (customer_of_row, by position; None: no customer) may not settle
    the invoice they name (receivables.rules.customer_match_problem)."""
    pairs = [
        (index, customer_id, invoices[row["invoice_id"]])
        for index, (row, customer_id) in enumerate(zip(rows, customer_of_row, strict=True))
        if customer_id is not None and row["invoice_id"] in invoices
    ]
    wrong = [pair for pair in pairs if pair[1] != pair[2][3]]
    if not wrong:
        return []
    roots = (
        customer_roots({c for _, c, _ in wrong} | {i[3] for _, _, i in wrong})
        if hierarchy_allowed
        else {}
    )
    codes = _customer_codes(c for _, c, _ in wrong)
    refusals = []
    for index, customer_id, invoice in wrong:
        problem = rules.customer_match_problem(
            what=what,
            customer=codes.get(customer_id, str(customer_id)),
            invoice_number=invoice[0],
            invoice_customer=invoice[4],
            same=hierarchy_allowed and roots.get(customer_id) == roots.get(invoice[3]),
            hierarchy_allowed=hierarchy_allowed,
        )
        if problem:
            value = codes.get(customer_id) if field == "customer_id" else invoice[0]
            refusals.append(RowRefusal(index, field, value, problem))
    return refusals


def _refuse_over_settled(
    rows: Sequence[Mapping[str, object]], base: Mapping[int, tuple[Decimal, int]], invoices
) -> list[RowRefusal]:
    """Rows that, with everything else paid or credited, would take an invoice below zero."""
    batch: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row["invoice_id"] is not None:
            batch[row["invoice_id"]] += row["amount"]
    refusals = []
    for index, row in enumerate(rows):
        invoice = invoices.get(row["invoice_id"])
        if invoice is None:
            continue
        number, _currency, amount = invoice[:3]
        problem = rules.over_settled_problem(
            invoice_number=number,
            invoice_amount=amount,
            others=base[row["invoice_id"]][0] + batch[row["invoice_id"]] - row["amount"],
            this=row["amount"],
        )
        if problem:
            refusals.append(RowRefusal(index, "amount", row["amount"], problem))
    return refusals


def _refuse(refusals: list[RowRefusal]) -> None:
    if refusals:
        raise RowsRefused(sorted(refusals, key=lambda refusal: refusal.index))


def _invoice_refusals(rows: Sequence[Mapping[str, object]]) -> list[RowRefusal]:
    existing = {}
    for chunk_start in range(0, len(rows), BALANCE_REFRESH_CHUNK):
        numbers = [row["number"] for row in rows[chunk_start : chunk_start + BALANCE_REFRESH_CHUNK]]
        existing.update(
            (number, (pk, currency))
            for number, pk, currency in Invoice.objects.select_for_update()
            .filter(number__in=numbers)
            .order_by("pk")
            .values_list("number", "pk", "currency")
        )
    settled = _settled_by_invoice(pk for pk, _ in existing.values())
    refusals = []
    for index, row in enumerate(rows):
        if problem := rules.invoice_tax_problem(amount=row["amount"], tax_amount=row["tax_amount"]):
            refusals.append(RowRefusal(index, "tax_amount", row["tax_amount"], problem))
        saved = existing.get(row["number"])
        if saved is None:
            continue
        total, entries = settled[saved[0]]
        if problem := rules.invoice_amount_problem(amount=row["amount"], settled=total):
            refusals.append(RowRefusal(index, "amount", row["amount"], problem))
        if problem := rules.invoice_currency_problem(
            old=saved[1], new=row["currency"], settled=total, entries=entries
        ):
            refusals.append(RowRefusal(index, "currency", row["currency"], problem))
    return refusals


@transaction.atomic
def invoices_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update invoices by number; audited; balances refreshed.

    Balance and status are not imported: they follow from amount, payments and credits.
    Refuses (RowsRefused, nothing written) a tax amount above the amount, an amount below
    what is already paid or credited, and a new currency once anything is paid or credited.
    """
    _refuse(_invoice_refusals(rows))
    result = bulk_upsert(
        model=Invoice,
        key=("number",),
        rows=rows,
        fields=INVOICE_IMPORT_FIELDS,
        actor=actor,
        on_create=lambda row: {"balance": row["amount"]},
    )
    changed = result.ids(Outcome.CREATED, Outcome.UPDATED)
    invoice_balances_refresh(invoice_ids=changed)
    _instalments_drop_stale(changed, actor=actor)
    return result


def _instalments_drop_stale(invoice_ids: Iterable[int], *, actor) -> None:
    """A schedule that no longer adds up to its invoice's new amount is dropped (each
    instalment in the change log): the invoice is due whole until a new schedule comes."""
    schedules: dict[int, list[InvoiceInstalment]] = defaultdict(list)
    for chunk in _chunks(sorted(set(invoice_ids)), BALANCE_REFRESH_CHUNK):
        for instalment in InvoiceInstalment.objects.filter(invoice_id__in=chunk).select_related(
            "invoice"
        ):
            schedules[instalment.invoice_id].append(instalment)
    for instalments in schedules.values():
        if sum(i.amount for i in instalments) != instalments[0].invoice.amount:
            for instalment in instalments:
                _delete_audited(instalment, actor=actor)


@transaction.atomic
def invoice_instalments_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Set the instalment schedules of invoices, by (invoice, sequence); audited.

    The rows of an invoice are its whole schedule: instalments saved before and not among
    them are deleted. Refuses (RowsRefused, nothing written) a schedule not numbered 1, 2,
    3..., with due dates not going up from the issue date, or not adding up to the invoice's
    amount (rules.instalment_schedule_problems).
    """
    by_invoice: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_invoice[row["invoice_id"]].append(index)
    _lock(Invoice, by_invoice)
    invoices = {
        pk: (number, amount, issued_on)
        for pk, number, amount, issued_on in Invoice.objects.filter(
            pk__in=list(by_invoice)
        ).values_list("pk", "number", "amount", "issued_on")
    }
    refusals = []
    for invoice_id, indexes in by_invoice.items():
        number, amount, issued_on = invoices[invoice_id]
        ordered = sorted(indexes, key=lambda i: rows[i]["sequence"])
        schedule = [(rows[i]["sequence"], rows[i]["due_on"], rows[i]["amount"]) for i in ordered]
        for position, name, problem in rules.instalment_schedule_problems(
            invoice_number=number, invoice_amount=amount, issued_on=issued_on, schedule=schedule
        ):
            index = ordered[position]
            refusals.append(RowRefusal(index, name, rows[index][name], problem))
    _refuse(refusals)
    kept = {(row["invoice_id"], row["sequence"]) for row in rows}
    for instalment in InvoiceInstalment.objects.filter(invoice_id__in=list(by_invoice)):
        if (instalment.invoice_id, instalment.sequence) not in kept:
            _delete_audited(instalment, actor=actor)
    return bulk_upsert(
        model=InvoiceInstalment,
        key=("invoice_id", "sequence"),
        rows=rows,
        fields=("due_on", "amount"),
        actor=actor,
    )


@transaction.atomic
def credit_memos_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update credit memos by number; audited; the credited invoices refreshed.

    Refuses (RowsRefused, nothing written) a memo in another currency than its invoice, a
    memo for another customer than the invoice's, and credits that with payments applied
    would exceed the invoice's amount.
    """
    numbers = [row["number"] for row in rows]
    previous_invoices = set(
        CreditMemo.objects.filter(number__in=numbers, invoice__isnull=False).values_list(
            "invoice_id", flat=True
        )
    )
    invoices = _invoices_by_id([*(row["invoice_id"] for row in rows), *previous_invoices])
    refusals = []
    for index, row in enumerate(rows):
        invoice = invoices.get(row["invoice_id"])
        if invoice is not None and (
            problem := rules.currency_match_problem(
                what="credit memo",
                currency=row["currency"],
                invoice_number=invoice[0],
                invoice_currency=invoice[1],
            )
        ):
            refusals.append(RowRefusal(index, "currency", row["currency"], problem))
    refusals += _refuse_other_customer(
        rows,
        invoices,
        [row["customer_id"] for row in rows],
        what="credit memo",
        field="customer_id",
        hierarchy_allowed=False,
    )
    base = _settled_by_invoice(invoices, leave_out_memos=numbers)
    _refuse(refusals + _refuse_over_settled(rows, base, invoices))
    result = bulk_upsert(
        model=CreditMemo,
        key=("number",),
        rows=rows,
        fields=CREDIT_MEMO_IMPORT_FIELDS,
        actor=actor,
    )
    touched = {
        memo.invoice_id
        for key, memo in result.objects.items()
        if result.outcomes[key] is not Outcome.UNCHANGED and memo.invoice_id is not None
    }
    invoice_balances_refresh(invoice_ids=touched | previous_invoices)
    return result


def _applied_by_payment(
    payment_ids: Iterable[int], *, leave_out_applications: Iterable[tuple[int, int]] = ()
) -> dict[int, Decimal]:
    """Payment id -> what it pays on invoices as saved, in Decimal, leaving out the
    applications (by payment id, invoice id) a batch rewrites."""
    left_out = set(leave_out_applications)
    applied: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for chunk in _chunks(sorted(set(payment_ids)), BALANCE_REFRESH_CHUNK):
        for payment_id, invoice_id, amount in PaymentApplication.objects.filter(
            payment_id__in=chunk
        ).values_list("payment_id", "invoice_id", "amount"):
            if (payment_id, invoice_id) not in left_out:
                applied[payment_id] += amount
    return applied


@transaction.atomic
def payments_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update payments by receipt number; audited.

    Refuses (RowsRefused, nothing written) a new currency for a payment already applied to
    invoices in its old currency, and an amount below what the payment already pays on
    invoices (lower the applications first).
    """
    numbers = {row["number"]: index for index, row in enumerate(rows)}
    saved: dict[str, int] = {}
    for chunk in _chunks(sorted(numbers), BALANCE_REFRESH_CHUNK):
        saved.update(
            Payment.objects.select_for_update()
            .filter(number__in=chunk)
            .order_by("pk")
            .values_list("number", "pk")
        )
    applied = PaymentApplication.objects.filter(payment_id__in=list(saved.values())).values_list(
        "payment__number", "payment__currency", "invoice__number", "invoice__currency"
    )
    refusals = {}
    for number, saved_currency, invoice_number, invoice_currency in applied:
        index = numbers[number]
        row = rows[index]
        if row["currency"] == saved_currency or index in refusals:
            continue
        problem = rules.currency_match_problem(
            what="payment",
            currency=row["currency"],
            invoice_number=invoice_number,
            invoice_currency=invoice_currency,
        )
        if problem:
            refusals[index] = RowRefusal(index, "currency", row["currency"], problem)
    amounts = list(refusals.values())
    applied_total = _applied_by_payment(saved.values())
    for number, pk in saved.items():
        index = numbers[number]
        amount = rows[index]["amount"]
        if problem := rules.payment_amount_problem(amount=amount, applied=applied_total[pk]):
            amounts.append(RowRefusal(index, "amount", amount, problem))
    _refuse(amounts)
    result = bulk_upsert(
        model=Payment, key=("number",), rows=rows, fields=PAYMENT_IMPORT_FIELDS, actor=actor
    )
    # a new amount or customer moves where a receipt stands (applied, partly, on account...)
    settlements_refresh(invoice_ids=(), payment_ids=result.ids(Outcome.UPDATED))
    return result


#: what a new application may carry besides the import fields: how matching decided it
MATCHING_FIELDS = ("rule", "confidence", "explanation")


@transaction.atomic
def payment_applications_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update what a payment paid, by (payment, invoice); audited; balances refreshed.
    A row may carry `MATCHING_FIELDS` for an application it creates (cash application).

    Refuses (RowsRefused, nothing written) an application whose payment is in another currency
    than the invoice or from a customer outside the invoice customer's key-account hierarchy,
    applications that with credits would exceed the invoice's amount, and applications that
    with the payment's others (saved and in the batch) would exceed what the payment received.
    """
    payment_ids = {row["payment_id"] for row in rows}
    _lock(Payment, payment_ids)
    invoices = _invoices_by_id(row["invoice_id"] for row in rows)
    payments = {
        pk: (number, currency, amount, customer_id)
        for pk, number, currency, amount, customer_id in Payment.objects.filter(
            pk__in=payment_ids
        ).values_list("pk", "number", "currency", "amount", "customer_id")
    }
    reversed_on = dict(
        Payment.objects.filter(pk__in=payment_ids, reversed_on__isnull=False).values_list(
            "pk", "reversed_on"
        )
    )
    refusals = []
    for index, row in enumerate(rows):
        invoice = invoices.get(row["invoice_id"])
        payment = payments.get(row["payment_id"])
        if row["payment_id"] in reversed_on and (
            problem := rules.reversed_payment_problem(
                payment_number=payment[0], reversed_on=reversed_on[row["payment_id"]]
            )
        ):
            refusals.append(RowRefusal(index, "payment_id", payment[0], problem))
            continue
        if (
            invoice is not None
            and payment is not None
            and (
                problem := rules.currency_match_problem(
                    what="payment",
                    currency=payment[1],
                    invoice_number=invoice[0],
                    invoice_currency=invoice[1],
                )
            )
        ):
            refusals.append(RowRefusal(index, "currency", payment[1], problem))
    refusals += _refuse_other_customer(
        rows,
        invoices,
        [payments.get(row["payment_id"], (None,) * 4)[3] for row in rows],
        what="payment",
        field="invoice_id",
        hierarchy_allowed=True,
    )
    rewritten = [(row["payment_id"], row["invoice_id"]) for row in rows]
    base = _settled_by_invoice(invoices, leave_out_applications=rewritten)
    refusals += _refuse_over_settled(rows, base, invoices)
    saved_applied = _applied_by_payment(payment_ids, leave_out_applications=rewritten)
    batch: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        batch[row["payment_id"]] += row["amount"]
    for index, row in enumerate(rows):
        payment = payments.get(row["payment_id"])
        if payment is None:
            continue
        problem = rules.payment_over_applied_problem(
            payment_number=payment[0],
            payment_amount=payment[2],
            others=saved_applied[row["payment_id"]] + batch[row["payment_id"]] - row["amount"],
            this=row["amount"],
        )
        if problem:
            refusals.append(RowRefusal(index, "amount", row["amount"], problem))
    _refuse(refusals)
    result = bulk_upsert(
        model=PaymentApplication,
        key=("payment_id", "invoice_id"),
        rows=rows,
        fields=PAYMENT_APPLICATION_IMPORT_FIELDS,
        actor=actor,
        # how cash application decided, kept with the application from its creation (and so
        # in its change record); an import of the same application later leaves it be
        on_create=lambda row: {name: row[name] for name in MATCHING_FIELDS if name in row},
    )
    changed = [key for key, outcome in result.outcomes.items() if outcome is not Outcome.UNCHANGED]
    settlements_refresh(
        invoice_ids=[invoice_id for _, invoice_id in changed],
        payment_ids=[payment_id for payment_id, _ in changed],
    )
    return result


# One document at a time, for the admin: the rules of the models' clean() checked again with
# the affected payment and invoices locked, the change log written, balances refreshed.


def _stored(instance: models.Model) -> models.Model | None:
    if instance.pk is None:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).first()


def _save_audited(instance: models.Model, *, actor, stored: models.Model | None) -> None:
    instance.full_clean()
    before = snapshot(stored) if stored is not None else None
    instance.save()
    after = snapshot(instance)
    if stored is not None and before == after:
        return
    change_record_create(
        actor=actor,
        action=ChangeAction.UPDATE if stored is not None else ChangeAction.CREATE,
        instance=instance,
        before=before,
        after=after,
    )


def _delete_audited(instance: models.Model, *, actor) -> None:
    before = snapshot(instance)
    pk = instance.pk
    instance.delete()
    instance.pk = pk
    change_record_create(actor=actor, action=ChangeAction.DELETE, instance=instance, before=before)


@transaction.atomic
def payment_application_save(*, application: PaymentApplication, actor) -> None:
    """Create or update one application; its invoice (and the one it moved from) refreshed."""
    stored = _stored(application)
    _lock(Payment, [application.payment_id, stored.payment_id if stored else None])
    invoice_ids = {application.invoice_id, stored.invoice_id if stored else None} - {None}
    _lock(Invoice, invoice_ids)
    _save_audited(application, actor=actor, stored=stored)
    settlements_refresh(
        invoice_ids=invoice_ids,
        payment_ids={application.payment_id, stored.payment_id if stored else None},
    )


@transaction.atomic
def payment_application_delete(*, application: PaymentApplication, actor) -> None:
    _lock(Payment, [application.payment_id])
    _lock(Invoice, [application.invoice_id])
    invoice_id, payment_id = application.invoice_id, application.payment_id
    _delete_audited(application, actor=actor)
    settlements_refresh(invoice_ids=[invoice_id], payment_ids=[payment_id])


@transaction.atomic
def credit_memo_save(*, memo: CreditMemo, actor) -> None:
    """Create or update one credit memo; its invoice (and the one it moved from) refreshed."""
    stored = _stored(memo)
    invoice_ids = {memo.invoice_id, stored.invoice_id if stored else None} - {None}
    _lock(Invoice, invoice_ids)
    _save_audited(memo, actor=actor, stored=stored)
    invoice_balances_refresh(invoice_ids=invoice_ids)


@transaction.atomic
def credit_memo_delete(*, memo: CreditMemo, actor) -> None:
    invoice_ids = [memo.invoice_id] if memo.invoice_id else []
    _lock(Invoice, invoice_ids)
    _delete_audited(memo, actor=actor)
    invoice_balances_refresh(invoice_ids=invoice_ids)


@transaction.atomic
def write_off_save(*, write_off: WriteOff, actor) -> WriteOff:
    """Write part of an invoice off (never more than is open); the balance follows. A new
    write-off is numbered after its invoice: WO-<invoice>-1, -2..."""
    _lock(Invoice, [write_off.invoice_id])
    stored = _stored(write_off)
    if not write_off.number:
        count = WriteOff.objects.filter(invoice_id=write_off.invoice_id).count()
        write_off.number = f"WO-{write_off.invoice.number}-{count + 1}"
    _save_audited(write_off, actor=actor, stored=stored)
    invoice_balances_refresh(invoice_ids=[write_off.invoice_id])
    return write_off


def _application_reverse(
    application: PaymentApplication, *, on, reason: str, actor
) -> ApplicationReversal:
    if on < application.applied_on:
        raise ValidationError(
            {
                "reversed_on": f"{on.isoformat()} is before {application.payment.number} was "
                f"applied to {application.invoice.number} "
                f"({application.applied_on.isoformat()})"
            }
        )
    reversal = ApplicationReversal(
        payment_id=application.payment_id,
        invoice_id=application.invoice_id,
        amount=application.amount,
        applied_on=application.applied_on,
        reversed_on=on,
        reason=reason,
        reversed_by=actor if getattr(actor, "pk", None) else None,
    )
    _save_audited(reversal, actor=actor, stored=None)
    _delete_audited(application, actor=actor)
    # the small balance written off because this receipt paid the rest: the rest is not paid
    for write_off in WriteOff.objects.filter(
        payment_id=application.payment_id, invoice_id=application.invoice_id
    ):
        _delete_audited(write_off, actor=actor)
    return reversal


def _not_ahead(on, today) -> None:
    """A reversal is of something that happened: never dated after today (`today`: the day
    the caller works on, e.g. the demo's; else the calendar's)."""
    from django.utils import timezone

    if on > (today or timezone.localdate()):
        raise ValidationError({"reversed_on": f"{on.isoformat()} is still to come"})


def _reason_required(reason: str) -> str:
    if not reason.strip():
        raise ValidationError(
            {"reason": "Say why (e.g. cheque returned unpaid, applied to the wrong invoice)."}
        )
    return reason.strip()


@transaction.atomic
def application_reverse(
    *, application: PaymentApplication, on, reason: str, actor, today=None
) -> ApplicationReversal:
    """Take one application back from `on`: what it paid on the invoice is open again and the
    payment has it to apply elsewhere. The application is kept as an ApplicationReversal, so
    the ledger on an earlier day is unchanged; audited."""
    reason = _reason_required(reason)
    _not_ahead(on, today)
    _lock(Payment, [application.payment_id])
    _lock(Invoice, [application.invoice_id])
    # read again with the payment locked: taken back meanwhile (a second click), it is gone
    current = (
        PaymentApplication.objects.select_related("payment", "invoice")
        .filter(pk=application.pk)
        .first()
    )
    if current is None:
        raise ValidationError(
            {
                "application": f"{application.payment.number} → {application.invoice.number} "
                "was already taken back"
            }
        )
    reversal = _application_reverse(current, on=on, reason=reason, actor=actor)
    settlements_refresh(invoice_ids=[current.invoice_id], payment_ids=[current.payment_id])
    return reversal


@transaction.atomic
def payment_reverse(
    *, payment: Payment, on, reason: str, actor, today=None
) -> list[ApplicationReversal]:
    """A receipt that came back (a returned cheque, a recalled transfer): from `on` it pays
    nothing. Every application is reversed (the invoices it closed are open again) and the
    payment is marked reversed, so it is no longer unapplied cash either; audited."""
    reason = _reason_required(reason)
    _lock(Payment, [payment.pk])
    stored = _stored(payment)
    if stored.reversed_on is not None:
        raise ValidationError(
            {"reversed_on": f"{payment.number} was reversed on {stored.reversed_on.isoformat()}"}
        )
    if on < payment.received_on:
        raise ValidationError(
            {
                "reversed_on": f"{on.isoformat()} is before {payment.number} was received "
                f"({payment.received_on.isoformat()})"
            }
        )
    _not_ahead(on, today)
    taken_back = (
        ApplicationReversal.objects.filter(payment=payment)
        .order_by("-reversed_on")
        .values_list("reversed_on", flat=True)
        .first()
    )
    if taken_back is not None and on < taken_back:
        raise ValidationError(
            {
                "reversed_on": f"{on.isoformat()} is before an application of {payment.number} "
                f"was taken back ({taken_back.isoformat()}): reverse it on that day or later"
            }
        )
    applications = list(payment.applications.select_related("payment", "invoice"))
    invoice_ids = sorted({application.invoice_id for application in applications})
    _lock(Invoice, invoice_ids)
    reversals = [
        _application_reverse(application, on=on, reason=reason, actor=actor)
        for application in applications
    ]
    payment.reversed_on, payment.reversal_reason = on, reason
    _save_audited(payment, actor=actor, stored=stored)
    settlements_refresh(invoice_ids=invoice_ids, payment_ids=[payment.pk])
    return reversals


@transaction.atomic
def payments_create(*, payments: Sequence[Payment], actor) -> None:
    """New payments in one go (receipts read from a bank file by cash application), each in
    the change log. Their applications come after, through payment_applications_upsert."""
    from django.contrib.contenttypes.models import ContentType

    from revdesk.foundation.audit import change_record_build, change_records_bulk_create

    Payment.objects.bulk_create(payments, batch_size=BALANCE_REFRESH_CHUNK)
    content_type = ContentType.objects.get_for_model(Payment)
    change_records_bulk_create(
        change_record_build(
            actor=actor,
            action=ChangeAction.CREATE,
            instance=payment,
            before=None,
            after=snapshot(payment),
            content_type=content_type,
        )
        for payment in payments
    )


@transaction.atomic
def payments_reverse_rows(
    *, rows: Sequence[Mapping[str, object]], actor, today=None
) -> dict[int, Outcome]:
    """Receipts a file says came back (the payments import's reversed_on and reversal_reason):
    each payment reversed on its day as `payment_reverse` does, by payment_id. A payment already
    reversed on that day is unchanged (the file imported again). Refused (RowsRefused, nothing
    written): a payment reversed on another day, and whatever `payment_reverse` refuses."""
    stored = dict(
        Payment.objects.filter(pk__in=[row["payment_id"] for row in rows]).values_list(
            "pk", "reversed_on"
        )
    )
    outcomes: dict[int, Outcome] = {}
    refusals = []
    for index, row in enumerate(rows):
        on = row["reversed_on"]
        if stored.get(row["payment_id"]) == on:
            outcomes[row["payment_id"]] = Outcome.UNCHANGED
            continue
        payment = Payment.objects.get(pk=row["payment_id"])
        reason = str(row.get("reversal_reason") or "").strip() or "Reversed in the ERP"
        try:
            payment_reverse(payment=payment, on=on, reason=reason, actor=actor, today=today)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = "reversal_reason" if field == "reason" else "reversed_on"
                refusals.append(RowRefusal(index, column, on, " ".join(messages)))
        else:
            outcomes[row["payment_id"]] = Outcome.UPDATED
    _refuse(refusals)
    return outcomes


@transaction.atomic
def payment_save(*, payment: Payment, actor) -> None:
    """Create or update one payment (its amount never below what it pays on invoices)."""
    _lock(Payment, [payment.pk])
    _save_audited(payment, actor=actor, stored=_stored(payment))
    settlements_refresh(invoice_ids=(), payment_ids=[payment.pk])


@transaction.atomic
def payment_delete(*, payment: Payment, actor) -> None:
    """Delete a payment and its applications (each in the change log); invoices refreshed."""
    _lock(Payment, [payment.pk])
    applications = list(payment.applications.all())
    invoice_ids = sorted({application.invoice_id for application in applications})
    _lock(Invoice, invoice_ids)
    for application in applications:
        _delete_audited(application, actor=actor)
    _delete_audited(payment, actor=actor)
    invoice_balances_refresh(invoice_ids=invoice_ids)


@transaction.atomic
def invoice_save(*, invoice: Invoice, actor) -> None:
    """Create or update one invoice; its balance and status follow from amount, payments and
    credits (a new invoice opens at its amount)."""
    stored = _stored(invoice)
    _lock(Invoice, [invoice.pk])
    if stored is None:
        invoice.balance = invoice.amount
    else:
        invoice.balance, invoice.status = stored.balance, stored.status
    _save_audited(invoice, actor=actor, stored=stored)
    invoice_balances_refresh(invoice_ids=[invoice.pk])
    _instalments_drop_stale([invoice.pk], actor=actor)
    invoice.refresh_from_db(fields=["balance", "status"])


@transaction.atomic
def invoice_delete(*, invoice: Invoice, actor) -> None:
    """Delete an invoice (refused by the database while payments or credits name it)."""
    _lock(Invoice, [invoice.pk])
    _delete_audited(invoice, actor=actor)
