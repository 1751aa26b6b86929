"""Cash application's pages: reading a bank file (upload, the run's summary, the files read),
the unapplied queue (filters, days since received, Excel), and the workbench of one receipt
(suggestions to accept or reject, a search over open invoices to apply it by hand from the
keyboard, naming the customer of an unidentified receipt, taking an application back).

Views stay thin: reads come from revdesk.receivables.selectors, every change goes through a
service of revdesk.receivables.cash (or services.application_reverse) in the person's name.
Who may open what is PAGE_ROLES in web/roles.py (receivables/policies.py decides).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from revdesk.engine.bankfiles import BankFileError, profile_load
from revdesk.foundation.context import acting_as
from revdesk.foundation.scoping import restrict
from revdesk.foundation.views import DATE, DATETIME, MONEY, NUMBER, Column, person_name
from revdesk.parties.models import Customer
from revdesk.receivables.cash import (
    parse_amount,
    receipt_apply_manually,
    receipt_customer_set,
    suggestion_accept,
    suggestion_reject,
)
from revdesk.receivables.disputes import short_payment_reasons
from revdesk.receivables.filtersets import CashQueueFilterSet
from revdesk.receivables.models import BankFile, CashSuggestion, Invoice, Payment
from revdesk.receivables.policies import may_work_unidentified
from revdesk.receivables.selectors import (
    bank_file_counts,
    cash_invoice_search,
    cash_queue_aging,
    cash_receipt_desk,
    cash_receipt_list,
    cash_unapplied_list,
    payment_applied_totals,
)
from revdesk.receivables.services import application_reverse
from revdesk.receivables.tasks import cash_file_queue, cash_file_result, cash_file_stage

from . import roles
from .views import ListView

ZERO = Decimal("0.00")


def _require(user, page: str) -> None:
    if not roles.may_open(user, page):
        raise Http404("No such page.")


def _said(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for found in error.message_dict.values() for m in found)
    return " ".join(error.messages)


def _receipt_link(payment) -> str:
    return reverse("web:cash_receipt", args=[payment.pk])


def _customer_cell(payment) -> str:
    return payment.customer.name if payment.customer else "(not identified)"


# -- the unapplied queue ------------------------------------------------------------------------


class CashQueueView(ListView):
    """Receipts with money left to apply, oldest first, with the totals by days since received
    (over every receipt the filters keep, not only this page)."""

    model = Payment
    title = "Unapplied cash"
    roles = roles.CASH_ROLES
    filterset_class = CashQueueFilterSet
    default_sort = "received_on"
    template_name = "web/cash/queue.html"
    fragment_template_name = "web/cash/partials/_queue_region.html"
    export_name = "unapplied-cash"
    description = (
        "Receipts the matching could not apply in full: nobody identified (unidentified), on "
        "the customer's account, a suggestion to confirm, or partly applied. Open one to apply "
        "it. Keys: j / k move, Enter opens the receipt."
    )
    columns = (
        Column("number", "Receipt", sort="number", link=_receipt_link),
        Column("received_on", "Received", sort="received_on", kind=DATE),
        Column("days", "Days", sort="-received_on", kind=NUMBER),
        Column("customer_shown", "Customer", sort="customer__name", code="customer.code"),
        Column("payer_name", "Payer", sort="payer_name"),
        Column("status", "Where it stands", sort="status", display="get_status_display"),
        Column("amount", "Amount", sort="amount", kind=MONEY, currency="currency"),
        Column("unapplied_amount", "Unapplied", kind=MONEY, currency="currency"),
        Column("reference", "Text"),
    )

    def get_queryset(self):
        return cash_unapplied_list(user=self.request.user)

    def filtered(self):
        queryset, filterset, column, descending = super().filtered()
        self.kept = queryset
        return queryset, filterset, column, descending

    def rows_prepare(self, objects):
        today = timezone.localdate()
        applied = payment_applied_totals(payment_ids=[p.pk for p in objects])
        for payment in objects:
            payment.unapplied_amount = payment.unapplied(applied[payment.pk])
            payment.days = max((today - payment.received_on).days, 0)
            payment.customer_shown = _customer_cell(payment)

    def extra_context(self) -> dict:
        today = timezone.localdate()
        context = super().extra_context()
        context["reimport_url"] = None
        context["buckets"] = cash_queue_aging(self.kept, today)
        context["age"] = self.request.GET.get("age", "")
        context["today"] = today
        context["may_read_files"] = roles.may_open(self.request.user, "web:cash_file_list")
        context["sees_unidentified"] = may_work_unidentified(self.request.user)
        return context


# -- one receipt: the workbench -----------------------------------------------------------------


def _receipt(request, pk: int) -> Payment:
    return get_object_or_404(cash_receipt_list(user=request.user), pk=pk)


@login_required
def cash_receipt(request, pk: int):
    _require(request.user, "web:cash_receipt")
    user = request.user
    payment = _receipt(request, pk)
    desk = cash_receipt_desk(payment=payment, user=user)
    query = request.GET.get("q", "").strip()
    found = (
        cash_invoice_search(user=user, payment=payment, query=query) if desk.unapplied > 0 else []
    )
    left = desk.unapplied
    for invoice in found:
        invoice.suggested_amount = min(invoice.balance, left) if left > 0 else invoice.balance
    # the customer may be named while the receipt pays nothing (an unidentified one by those
    # who may work unidentified receipts: the page is theirs anyway)
    may_name = desk.applied == 0 and desk.unapplied > 0
    context = {
        "payment": payment,
        "desk": desk,
        "query": query,
        "found": found,
        "short_reasons": short_payment_reasons(),
        "may_reverse": roles.may_open(user, "web:cash_application_reverse"),
        "may_name": may_name,
        "customers": list(
            restrict(Customer.objects.filter(is_active=True), user)
            .order_by("name")
            .values_list("code", "name")[:2000]
        )
        if may_name
        else [],
        "today": timezone.localdate(),
        "queue_url": reverse("web:cash_queue"),
    }
    return render(request, "web/cash/receipt.html", context)


def _back(payment: Payment, query: str = "") -> str:
    url = reverse("web:cash_receipt", args=[payment.pk])
    return f"{url}?q={query}" if query else url


@login_required
@require_POST
def cash_receipt_apply(request, pk: int):
    """Apply the receipt to the invoices ticked, an amount each (refused whole, with every
    problem said, when one amount is wrong)."""
    _require(request.user, "web:cash_receipt_apply")
    payment = _receipt(request, pk)
    query = request.POST.get("q", "")
    ticked = request.POST.getlist("invoice")
    invoices = restrict(
        Invoice.objects.filter(pk__in=[t for t in ticked if t.isdigit()]), request.user
    )
    by_pk = {str(invoice.pk): invoice for invoice in invoices}
    allocations, problems = [], []
    # an amount left empty is the invoice's balance, at most what is left of the receipt
    room = cash_receipt_desk(payment=payment, user=request.user).unapplied
    for key in ticked:
        invoice = by_pk.get(key)
        if invoice is None:
            problems.append("an invoice ticked is not one you may see")
            continue
        given = request.POST.get(f"amount-{key}", "").strip()
        try:
            amount = parse_amount(given) if given else min(invoice.balance, max(room, ZERO))
        except ValueError as error:
            problems.append(f"{invoice.number}: {error}")
            continue
        room -= amount
        allocations.append((invoice, amount))
    if problems:
        messages.error(request, "Nothing applied: " + "; ".join(problems) + ".")
        return redirect(_back(payment, query))
    short = request.POST.get("short_payment") == "on"
    try:
        with acting_as(request.user, "web"):
            done = receipt_apply_manually(
                payment=payment,
                allocations=allocations,
                actor=request.user,
                short_payment_reason=request.POST.get("short_payment_reason", "") if short else "",
                note=request.POST.get("note", "")[:200],
            )
    except ValidationError as error:
        messages.error(request, f"Nothing applied: {_said(error)}")
        return redirect(_back(payment, query))
    except PermissionDenied as error:
        raise Http404(str(error)) from None
    total = sum((amount for _, amount in done.applied), Decimal("0.00"))
    said = (
        f"{total:,.2f} {payment.currency} of {payment.number} applied to "
        + ", ".join(f"{i.number} ({a:,.2f})" for i, a in done.applied)
        + (
            f"; {done.unapplied:,.2f} {payment.currency} left to apply"
            if done.unapplied
            else f"; {payment.number} is fully applied"
        )
    )
    for case in done.cases:
        said += f"; short payment {case.number} opened for {case.amount:,.2f} {case.currency}"
    if done.learnt is not None:
        said += (
            f"; account {done.learnt.account} is now known as {done.learnt.customer.name}'s "
            "(the next file identifies it)"
        )
    messages.success(request, said)
    return redirect(_back(payment))


@login_required
@require_POST
def cash_receipt_customer(request, pk: int):
    """Name who paid: a customer code (the list offers the customers the person may see)."""
    _require(request.user, "web:cash_receipt_customer")
    payment = _receipt(request, pk)
    code = request.POST.get("customer", "").strip()
    customer = restrict(Customer.objects.filter(code__iexact=code), request.user).first()
    if customer is None:
        messages.error(
            request,
            f"No customer with the code {code!r} among those you may see: pick one of the list.",
        )
        return redirect(_back(payment))
    try:
        with acting_as(request.user, "web"):
            changed = receipt_customer_set(payment=payment, customer=customer, actor=request.user)
    except ValidationError as error:
        messages.error(request, f"Customer not changed: {_said(error)}")
    except PermissionDenied as error:
        raise Http404(str(error)) from None
    else:
        messages.success(
            request,
            f"{payment.number} is {customer.name}'s ({customer.code})"
            if changed
            else f"{payment.number} was already {customer.name}'s",
        )
    return redirect(_back(payment))


def _suggestion(request, pk: int) -> CashSuggestion:
    suggestion = get_object_or_404(CashSuggestion.objects.select_related("invoice"), pk=pk)
    visible = cash_receipt_list(user=request.user).filter(pk=suggestion.payment_id).first()
    if (
        visible is None
        or not restrict(Invoice.objects.filter(pk=suggestion.invoice_id), request.user).exists()
    ):
        raise Http404("No such suggestion.")
    suggestion.payment = visible
    return suggestion


@login_required
@require_POST
def cash_suggestion_accept(request, pk: int):
    _require(request.user, "web:cash_suggestion_accept")
    suggestion = _suggestion(request, pk)
    try:
        with acting_as(request.user, "web"):
            done = suggestion_accept(suggestion=suggestion, actor=request.user)
    except ValidationError as error:
        messages.error(request, f"Not applied: {_said(error)}")
    except PermissionDenied as error:
        raise Http404(str(error)) from None
    else:
        payment = suggestion.payment
        messages.success(
            request,
            f"Suggestion accepted: {suggestion.amount:,.2f} {payment.currency} of {payment.number} "
            f"applied to {suggestion.invoice.number}"
            + (
                f"; {done.unapplied:,.2f} {payment.currency} left to apply"
                if done.unapplied
                else ""
            ),
        )
    return redirect(_back(suggestion.payment))


@login_required
@require_POST
def cash_suggestion_reject(request, pk: int):
    _require(request.user, "web:cash_suggestion_reject")
    suggestion = _suggestion(request, pk)
    try:
        with acting_as(request.user, "web"):
            suggestion_reject(suggestion=suggestion, actor=request.user)
    except ValidationError as error:
        messages.error(request, f"Not rejected: {_said(error)}")
    except PermissionDenied as error:
        raise Http404(str(error)) from None
    else:
        messages.success(
            request,
            f"Suggestion rejected: {suggestion.payment.number} does not pay "
            f"{suggestion.invoice.number}",
        )
    return redirect(_back(suggestion.payment))


class ReversalForm(forms.Form):
    reversed_on = forms.DateField(label="Taken back on")
    reason = forms.CharField(label="Why", max_length=200)


@login_required
@require_POST
def cash_application_reverse(request, pk: int, application: int):
    """Take one application back from the workbench (services.application_reverse, as on the
    payment's page): the invoice is open again and the amount is the receipt's to apply."""
    _require(request.user, "web:cash_application_reverse")
    payment = _receipt(request, pk)
    found = get_object_or_404(payment.applications.select_related("invoice"), pk=application)
    form = ReversalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not taken back: give the day (YYYY-MM-DD) and say why.")
        return redirect(_back(payment))
    try:
        with acting_as(request.user, "web"):
            application_reverse(
                application=found,
                on=form.cleaned_data["reversed_on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
    except ValidationError as error:
        messages.error(request, f"Not taken back: {_said(error)}")
    else:
        messages.success(
            request,
            f"{found.amount:,.2f} {payment.currency} taken back from {found.invoice.number}: "
            "it is open again and the amount is unapplied",
        )
    return redirect(_back(payment))


# -- bank files ---------------------------------------------------------------------------------


def _file_link(bank_file) -> str:
    return reverse("web:cash_file_detail", args=[bank_file.pk])


class BankFileListView(ListView):
    model = BankFile
    title = "Bank files read"
    roles = roles.CASH_FILE_ROLES
    default_sort = "-created_at"
    template_name = "web/cash/file_list.html"
    export_name = "bank-files"
    select_related = ("imported_by",)
    columns = (
        Column("created_at", "Read", sort="created_at", kind=DATETIME, link=_file_link),
        Column("name", "File", sort="name", link=_file_link),
        Column("format", "Format", sort="format"),
        Column("by", "By"),
        Column("receipts", "Receipts", sort="receipts", kind=NUMBER),
        Column("applied_count", "Applied", kind=NUMBER),
        Column("left_count", "Still to work", kind=NUMBER),
        Column("case_count", "Cases", kind=NUMBER),
        Column("suggestion_count", "Suggestions", kind=NUMBER),
    )

    def rows_prepare(self, objects):
        for bank_file in objects:
            counts = bank_file_counts(bank_file)
            summary = bank_file.summary or {}
            bank_file.by = person_name(bank_file.imported_by, "command line (system)")
            bank_file.applied_count = counts.get("applied", 0)
            bank_file.left_count = sum(
                counts.get(s, 0)
                for s in ("unidentified", "on_account", "suggested", "partly_applied")
            )
            bank_file.case_count = sum(c["count"] for c in summary.get("cases", {}).values())
            bank_file.suggestion_count = summary.get("suggestions", 0)

    def extra_context(self) -> dict:
        context = super().extra_context()
        context["reimport_url"] = None
        return context


DATE_FORMATS = (
    ("%Y-%m-%d", "YYYY-MM-DD (2026-10-27)"),
    ("%m/%d/%Y", "MM/DD/YYYY (10/27/2026)"),
    ("%d/%m/%Y", "DD/MM/YYYY (27/10/2026)"),
    ("%d.%m.%Y", "DD.MM.YYYY (27.10.2026)"),
    ("%Y%m%d", "YYYYMMDD (20261027)"),
)
DELIMITERS = ((",", "comma ,"), (";", "semicolon ;"), ("\t", "tab"), ("|", "bar |"))
THOUSANDS = (("", "none (1234.56)"), (",", "comma (1,234.56)"), (".", "dot (1.234,56)"))
THOUSANDS += ((" ", "space (1 234,56)"), ("'", "apostrophe (1'234.56)"))
# our receipt column: the form field naming the file's column for it
MAPPED_COLUMNS = (
    ("receipt", "Receipt id"),
    ("date", "Date"),
    ("amount", "Amount"),
    ("currency", "Currency"),
    ("payer_name", "Payer's name"),
    ("payer_account", "Payer's account"),
    ("text", "Remittance text"),
)


class BankFileForm(forms.Form):
    """The file, and for a lockbox or bank CSV with its own column names, the mapping profile
    (engine.bankfiles.lockbox.CsvProfile) in fields, each with the standard layout's value as
    its default."""

    file = forms.FileField(label="Bank or remittance file")
    layout = forms.ChoiceField(
        label="Layout",
        choices=(
            (
                "recognised",
                "Recognised from its content: BAI2, MT940/MT942, camt.053/054, X12 820, or a "
                "CSV with our columns",
            ),
            ("mapped", "A lockbox or bank CSV with its own column names (say which below)"),
        ),
        initial="recognised",
        required=False,
        widget=forms.RadioSelect,
    )
    receipt_column = forms.CharField(label="Receipt id", required=False, initial="receipt")
    date_column = forms.CharField(label="Date", required=False, initial="date")
    amount_column = forms.CharField(label="Amount", required=False, initial="amount")
    currency_column = forms.CharField(label="Currency", required=False, initial="currency")
    payer_name_column = forms.CharField(label="Payer's name", required=False, initial="payer_name")
    payer_account_column = forms.CharField(
        label="Payer's account", required=False, initial="payer_account"
    )
    text_column = forms.CharField(
        label="Remittance text",
        required=False,
        initial="text",
        help_text="Several columns: their headers separated by commas (e.g. Memo, Invoice "
        "Numbers); they are joined with spaces.",
    )
    currency = forms.CharField(
        label="Currency of every receipt",
        required=False,
        max_length=3,
        help_text="When the file has no currency column, e.g. USD.",
    )
    date_format = forms.ChoiceField(label="Dates written", choices=DATE_FORMATS, required=False)
    decimal_separator = forms.ChoiceField(
        label="Decimal separator",
        choices=((".", "dot (1234.56)"), (",", "comma (1234,56)")),
        required=False,
    )
    thousands_separator = forms.ChoiceField(
        label="Thousands separator", choices=THOUSANDS, required=False
    )
    delimiter = forms.ChoiceField(label="Columns separated by", choices=DELIMITERS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.REVDESK_IMPORT_MAX_BYTES)
        self.fields["file"].help_text = (
            f"BAI2, MT940/MT942, camt.053/camt.054, X12 820 or CSV, up to {limit}. The format "
            "is recognised from the content."
        )

    def mapping_fields(self):
        return [self[name] for name in self.fields if name not in ("file", "layout")]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.REVDESK_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"{upload.name} is {filesizeformat(upload.size)}; the largest file this page "
                f"takes is {filesizeformat(settings.REVDESK_IMPORT_MAX_BYTES)}: read it with "
                "`revdesk cash apply FILE` on the server."
            )
        return upload

    def clean(self):
        """The mapping as a profile (None for the recognised layout), checked as the engine
        checks a profile file: the problems go on their fields."""
        data = super().clean()
        data["profile"] = None
        if data.get("layout") != "mapped":
            return data
        columns: dict[str, str | list[str]] = {}
        for column, _label in MAPPED_COLUMNS:
            given = (data.get(f"{column}_column") or "").strip()
            if column == "text":
                headers = [h.strip() for h in given.split(",") if h.strip()]
                if headers:
                    columns[column] = headers if len(headers) > 1 else headers[0]
            elif given:
                columns[column] = given
        for required in ("date", "amount"):
            if required not in columns:
                self.add_error(
                    f"{required}_column",
                    f"Name the file's column that holds the {required} (it is required).",
                )
        profile = {
            "columns": columns,
            "date_format": data.get("date_format") or "%Y-%m-%d",
            "decimal_separator": data.get("decimal_separator") or ".",
            "thousands_separator": data.get("thousands_separator") or "",
            "delimiter": data.get("delimiter") or ",",
        }
        currency = (data.get("currency") or "").strip().upper()
        if currency:
            profile["currency"] = currency
        if profile["decimal_separator"] == profile["thousands_separator"]:
            self.add_error(
                "thousands_separator",
                "The thousands separator cannot be the decimal separator too.",
            )
        try:
            profile_load(profile)
        except BankFileError as error:
            for _file, _where, column, message in error.problems:
                field = column if column in ("currency", "decimal_separator") else None
                self.add_error(field, f"{column}: {message}" if column else message)
        data["profile"] = profile
        return data


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip() or "bank-file"
    kept = "".join(ch for ch in base if ch.isalnum() or ch in "._- ").lstrip(". ")
    return kept[:200] or "bank-file"


def _refused_context(outcome: dict) -> dict:
    """A refused reading as the pages show it: the file's problems with line and column, or
    one message (read before, refused by the ledger)."""
    problems = [tuple(p) for p in outcome.get("problems") or []]
    return {
        "problems": problems,
        "refused_name": outcome.get("name", "") if problems else "",
        "message": "" if problems else outcome.get("message", ""),
    }


@login_required
def cash_file_upload(request):
    """Hand an uploaded bank file to a background worker and show its reading page (which
    polls until done, then shows what was done). With a backend that runs tasks at once the
    outcome is known here: the file's page, or this form with every problem."""
    _require(request.user, "web:cash_file_upload")
    refused: dict = {"problems": [], "refused_name": "", "message": ""}
    form = BankFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = _safe_name(upload.name)
        result = cash_file_queue(
            data=upload.chunks(),
            name=name,
            actor=request.user,
            profile=form.cleaned_data["profile"],
        )
        if not result.is_finished:
            return redirect(reverse("web:cash_file_reading", args=[result.id]))
        outcome = result.return_value if result.status == "SUCCESSFUL" else None
        if outcome and outcome.get("ok"):
            messages.success(request, f"{name} was read: {outcome['receipts']} receipts.")
            return redirect(reverse("web:cash_file_detail", args=[outcome["bank_file"]]))
        refused = _refused_context(
            outcome
            or {
                "name": name,
                "message": f"Revdesk could not finish reading {name}. Nothing was saved. "
                "This is a fault in Revdesk, not in your file: tell your administrator.",
            }
        )
        if refused["message"]:
            form.add_error("file", refused["message"])
    return render(request, "web/cash/upload.html", {"form": form, **refused})


def _reading_context(request, result_id: str) -> dict:
    result = cash_file_result(result_id)
    if result is None or result.kwargs.get("actor_id") not in (None, request.user.pk):
        raise Http404("No such reading.")
    outcome = result.return_value if result.status == "SUCCESSFUL" else None
    state = {
        "READY": "Queued",
        "RUNNING": "Reading",
        "SUCCESSFUL": "Done" if outcome and outcome.get("ok") else "Refused",
        "FAILED": "Failed",
    }.get(result.status, result.status)
    context = {
        "result": result,
        "name": result.kwargs.get("name", ""),
        "state": state,
        "stage": cash_file_stage(result) if state == "Reading" else "",
        "finished": result.is_finished,
        "outcome": outcome,
        "status_url": reverse("web:cash_file_reading_status", args=[result_id]),
        "problems": [],
        "refused_name": "",
        "message": "",
    }
    if outcome and outcome.get("ok"):
        bank_file = BankFile.objects.filter(pk=outcome["bank_file"]).first()
        if bank_file is not None:
            summary = bank_file.summary or {}
            context.update(
                bank_file=bank_file,
                summary=summary,
                lines=_summary_lines(summary),
                file_url=reverse("web:cash_file_detail", args=[bank_file.pk]),
                queue_url=reverse("web:cash_queue") + f"?file={bank_file.pk}",
            )
    elif outcome:
        context.update(_refused_context(outcome))
    return context


@login_required
def cash_file_reading(request, result_id: str):
    """A bank file being read in the background: queued, reading (the step it is at), then
    what was done, or why nothing was."""
    _require(request.user, "web:cash_file_reading")
    return render(request, "web/cash/reading.html", _reading_context(request, result_id))


@login_required
def cash_file_reading_status(request, result_id: str):
    """The part of the reading page that changes (polled every 2 s until finished)."""
    _require(request.user, "web:cash_file_reading_status")
    return render(
        request, "web/cash/partials/_reading_status.html", _reading_context(request, result_id)
    )


def _summary_lines(summary: dict) -> dict:
    """The run's summary as the page shows it (amounts as Decimal, reasons in words)."""
    reasons = {
        "on_account": "On account of the customer",
        "unidentified": "Unidentified (no customer)",
        "suggestion": "Suggestions to confirm",
    }
    cases = {"short_payment": "Short payments", "deduction": "Deductions"}
    return {
        "applied": [(Decimal(a), c) for c, a in summary.get("applied", {}).items()],
        "written_off": [
            (Decimal(a), c) for c, a in summary.get("written_off", {}).items() if Decimal(a)
        ],
        "unapplied": [
            (
                reasons.get(reason, reason),
                figures["count"],
                [(Decimal(a), c) for c, a in figures["amount"].items()],
            )
            for reason, figures in summary.get("unapplied", {}).items()
        ],
        "cases": [
            (
                cases.get(kind, kind),
                figures["count"],
                [(Decimal(a), c) for c, a in figures["amount"].items()],
            )
            for kind, figures in summary.get("cases", {}).items()
        ],
    }


@login_required
def cash_file_detail(request, pk: int):
    _require(request.user, "web:cash_file_detail")
    bank_file = get_object_or_404(
        restrict(BankFile.objects.select_related("imported_by"), request.user), pk=pk
    )
    receipts = list(
        cash_receipt_list(user=request.user)
        .filter(bank_file=bank_file)
        .order_by("source", "number")
    )
    applied = payment_applied_totals(payment_ids=[p.pk for p in receipts])
    for payment in receipts:
        payment.unapplied_amount = payment.unapplied(applied[payment.pk])
    summary = bank_file.summary or {}
    return render(
        request,
        "web/cash/file_detail.html",
        {
            "bank_file": bank_file,
            "summary": summary,
            "lines": _summary_lines(summary),
            "receipts": receipts,
            "by": person_name(bank_file.imported_by, "command line (system)"),
            "queue_url": reverse("web:cash_queue") + f"?file={bank_file.pk}",
        },
    )
