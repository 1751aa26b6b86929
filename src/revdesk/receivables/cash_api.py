"""/api/cash: read a bank file, the unapplied queue, and what a person does on the workbench
(apply a receipt by hand, accept or reject a suggestion). Who may do what is
receivables.policies, as on the pages; a receipt or invoice the caller may not see answers
404, a role without the desk 403."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from revdesk.engine.bankfiles import BankFileError
from revdesk.foundation.api import (
    Amount,
    AmountIn,
    ErrorOut,
    Pagination,
    ValidationErrorOut,
    visible_or_404,
)
from revdesk.foundation.bulk import RowsRefused
from revdesk.foundation.context import acting_as
from revdesk.foundation.scoping import restrict

from .cash import (
    AlreadyRead,
    cash_apply,
    receipt_apply_manually,
    suggestion_accept,
    suggestion_reject,
)
from .filtersets import CashQueueFilterSet
from .models import CashSuggestion, Invoice
from .policies import may_read_bank_files, may_work_cash
from .selectors import cash_receipt_list, cash_unapplied_list, payment_applied_totals

router = Router(tags=["cash application"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


def _desk(user) -> None:
    if not may_work_cash(user):
        raise HttpError(403, "Cash application is for the cash application team and collectors.")


class BankFileOut(Schema):
    id: int
    name: str
    format: str
    receipts: int
    summary: dict = Field(description="What the run did: counts, amounts per currency")


@router.post(
    "/cash/files",
    response={201: BankFileOut, **ERRORS},
    summary="Read a bank or remittance file and apply its receipts (all or nothing, once)",
)
def cash_file_read(request, file: File[UploadedFile]):
    user = request.auth
    if not may_read_bank_files(user):
        raise HttpError(403, "Bank files are read by the cash application team.")
    if file.size > settings.REVDESK_IMPORT_MAX_BYTES:
        raise HttpError(422, f"{file.name} is larger than this API takes; use revdesk cash apply")
    name = Path((file.name or "bank-file").replace("\\", "/")).name or "bank-file"
    with tempfile.TemporaryDirectory(prefix="revdesk-cash-") as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        try:
            with acting_as(user, "api"):
                run = cash_apply(path=path, actor=user)
        except BankFileError as error:
            problems = [
                {
                    "field": column or "file",
                    "message": f"{where}, line {line}: {message}"
                    if line is not None
                    else f"{where}: {message}",
                }
                for where, line, column, message in error.problems
            ]
            return Status(
                422,
                {"detail": f"{name} was not read (nothing was saved)", "errors": problems},
            )
        except AlreadyRead as error:
            raise HttpError(409, " ".join(error.messages)) from None
        except RowsRefused as error:
            return Status(
                422,
                {
                    "detail": f"{name} was not read (nothing was saved): the ledger refused it",
                    "errors": [{"field": r.field, "message": r.message} for r in error.refusals],
                },
            )
    bank_file = run.bank_file
    return Status(
        201,
        {
            "id": bank_file.pk,
            "name": bank_file.name,
            "format": bank_file.format,
            "receipts": bank_file.receipts,
            "summary": run.summary,
        },
    )


class ReceiptOut(Schema):
    id: int
    number: str
    received_on: dt.date
    customer: str | None = Field(None, description="Customer code; null: not identified")
    payer_name: str
    payer_account: str
    text: str
    status: str
    status_reason: str
    amount: Amount
    unapplied: Amount
    currency: str

    @staticmethod
    def resolve_customer(obj) -> str | None:
        return obj.customer.code if obj.customer else None

    @staticmethod
    def resolve_text(obj) -> str:
        return obj.reference

    @staticmethod
    def resolve_unapplied(obj):
        return obj.unapplied_amount


@router.get(
    "/cash/unapplied",
    response={200: list[ReceiptOut], 403: ErrorOut},
    summary="The unapplied queue: receipts with money left to apply, oldest first",
    description="Filters as on the page: q, status, currency, customer, received_after, "
    "received_before, amount_min, amount_max, age (0-7, 8-30, 31-60, over-60), file.",
)
@paginate(Pagination)
def cash_unapplied(request):
    user = request.auth
    _desk(user)
    queryset = cash_unapplied_list(user=user).order_by("received_on", "number")
    filters = CashQueueFilterSet(request.GET or None, queryset=queryset, request=request)
    if filters.is_bound and not filters.is_valid():
        raise ValidationError(
            {name: [str(m) for m in messages] for name, messages in filters.errors.items()}
        )
    receipts = list(filters.qs if filters.is_bound else queryset)
    applied = payment_applied_totals(payment_ids=[p.pk for p in receipts])
    for payment in receipts:
        payment.unapplied_amount = payment.unapplied(applied[payment.pk])
    return receipts


class AllocationIn(Schema):
    invoice: str = Field(description="Invoice number")
    amount: AmountIn


class ApplyIn(Schema):
    applications: list[AllocationIn]
    short_payment_reason: str = Field(
        "", description="Set to open a short-payment case for what stays open on the invoices"
    )
    note: str = ""


class AppliedOut(Schema):
    receipt: str
    status: str
    applied: list[tuple[str, Amount]]
    unapplied: Amount
    currency: str
    cases: list[str]
    learnt_account: str | None


def _applied_out(done) -> dict:
    payment = done.payment
    return {
        "receipt": payment.number,
        "status": payment.status,
        "applied": [(invoice.number, amount) for invoice, amount in done.applied],
        "unapplied": done.unapplied,
        "currency": payment.currency,
        "cases": [case.number for case in done.cases],
        "learnt_account": done.learnt.account if done.learnt else None,
    }


@router.post(
    "/cash/receipts/{payment_id}/applications",
    response={201: AppliedOut, **ERRORS},
    summary="Apply a receipt by hand to open invoices, an amount each",
)
def cash_receipt_apply(request, payment_id: int, body: ApplyIn):
    user = request.auth
    _desk(user)
    payment = visible_or_404(cash_receipt_list(user=user), label="receipt", pk=payment_id)
    visible = restrict(Invoice.objects.all(), user)
    allocations = [
        (visible_or_404(visible, label="invoice", number=line.invoice), line.amount)
        for line in body.applications
    ]
    try:
        with acting_as(user, "api"):
            done = receipt_apply_manually(
                payment=payment,
                allocations=allocations,
                actor=user,
                short_payment_reason=body.short_payment_reason,
                note=body.note[:200],
            )
    except PermissionDenied as error:
        raise HttpError(404, str(error)) from None
    return Status(201, _applied_out(done))


def _suggestion(user, suggestion_id: int) -> CashSuggestion:
    suggestion = visible_or_404(
        CashSuggestion.objects.filter(
            payment__in=cash_receipt_list(user=user),
            invoice__in=restrict(Invoice.objects.all(), user),
        ).select_related("payment", "invoice"),
        label="suggestion",
        pk=suggestion_id,
    )
    return suggestion


@router.post(
    "/cash/suggestions/{suggestion_id}/accept",
    response={200: AppliedOut, **ERRORS},
    summary="Accept a suggestion: its amount is applied to its invoice",
)
def cash_suggestion_accept(request, suggestion_id: int):
    user = request.auth
    _desk(user)
    suggestion = _suggestion(user, suggestion_id)
    with acting_as(user, "api"):
        done = suggestion_accept(suggestion=suggestion, actor=user)
    return _applied_out(done)


class DecidedOut(Schema):
    id: int
    status: str


@router.post(
    "/cash/suggestions/{suggestion_id}/reject",
    response={200: DecidedOut, **ERRORS},
    summary="Reject a suggestion: nothing is applied",
)
def cash_suggestion_reject(request, suggestion_id: int):
    user = request.auth
    _desk(user)
    suggestion = _suggestion(user, suggestion_id)
    with acting_as(user, "api"):
        decided = suggestion_reject(suggestion=suggestion, actor=user)
    return {"id": decided.pk, "status": decided.status}


__all__ = ["router"]
