"""A run's documents in the browser: statements (PDF, Excel), the payroll export, and the
reconciliation page (upload what payroll paid, see the variances and the transactions behind
them, open a commission inquiry per variance).

Who opens what is PAGE_ROLES (web/roles.py); which statement a person may download is
revdesk.compensation.statements.statement_allowed (a rep: their own, from approved or paid
runs). The views only call the compensation services and selectors.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from revdesk.compensation.models import CommissionRun, PaidImport
from revdesk.compensation.payroll import PayrollRefused, payroll_csv, payroll_rows, payroll_xlsx
from revdesk.compensation.reconciliation import (
    PaidImportRefused,
    ReconciliationRefused,
    paid_import,
    reconcile,
    reconciliation_build,
    reconciliation_refusal,
    variance_cases_open,
)
from revdesk.compensation.statements import (
    FORMATS,
    StatementRefused,
    statement_allowed,
    statement_build,
    statement_file_name,
    statement_render,
)
from revdesk.foundation.context import acting_as
from revdesk.parties.models import Payee

from . import roles
from .forms import EncodingField

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
PAID_SUFFIXES = (".csv", ".xlsx")
PAID_MAX_BYTES = 20 * 1024 * 1024


def _require(user, page: str) -> None:
    if not roles.may_open(user, page):
        raise Http404("No such page.")


def _download(content: bytes | str, name: str, kind: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def commission_statement(request, pk: int, code: str, fmt: str):
    """One payee's statement of one run, as PDF or Excel (404 for anyone who may not see it)."""
    _require(request.user, "web:commission_statement")
    run = get_object_or_404(CommissionRun, pk=pk)
    payee = Payee.objects.filter(code=code).first()
    if fmt not in FORMATS or payee is None or not statement_allowed(request.user, run, payee):
        raise Http404("No such statement among those you may see.")
    try:
        statement = statement_build(run, payee)
    except StatementRefused:
        raise Http404("No such statement among those you may see.") from None
    return _download(statement_render(statement, fmt), statement_file_name(run, payee, fmt), fmt)


@login_required
def commission_payroll(request, pk: int, fmt: str):
    """The payroll file of an approved or paid run (.csv or .xlsx)."""
    _require(request.user, "web:commission_payroll")
    run = get_object_or_404(CommissionRun, pk=pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such file.")
    try:
        rows = payroll_rows(run)
    except PayrollRefused as error:
        messages.error(request, str(error))
        return redirect(_run_page(run))
    content = payroll_csv(rows) if fmt == "csv" else payroll_xlsx(rows)
    return _download(content, f"payroll-run{run.pk}.{fmt}", fmt)


def _run_page(run: CommissionRun) -> str:
    try:
        return reverse("web:commission_run_detail", args=[run.pk])
    except NoReverseMatch:  # the run page is another view's; the reconciliation stands alone
        return reverse("web:commission_reconciliation", args=[run.pk])


class PaidUploadForm(forms.Form):
    file = forms.FileField(
        label="What payroll paid",
        help_text="A .csv or .xlsx file with the columns payee, period, component (optional), "
        "amount, currency, paid_on (2026-11-30) and reference (optional).",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(PAID_SUFFIXES)}),
    )
    encoding = EncodingField()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = PurePosixPath(upload.name or "").name
        if PurePosixPath(name).suffix.lower() not in PAID_SUFFIXES:
            raise forms.ValidationError(
                f"{name} is not a .csv or .xlsx file: save it from Excel as one of those."
            )
        if upload.size > PAID_MAX_BYTES:
            raise forms.ValidationError(f"{name} is larger than 20 MB: split it.")
        return upload


def _not_yet_page(request, run, refusal: str, *, status: int = 200):
    """The reconciliation page of a draft or reviewed run: why it is not available yet."""
    return render(
        request,
        "web/commission_documents/reconciliation.html",
        {"run": run, "refusal": refusal, "run_page": _run_page(run)},
        status=status,
    )


def _reconciliation_page(request, run, *, form=None, problems=None, problem_file=""):
    refusal = reconciliation_refusal(run)
    if refusal is not None:
        return _not_yet_page(request, run, refusal)
    result = reconciliation_build(run)
    imports = list(
        PaidImport.objects.filter(lines__period__in={row.period for row in result.comparisons})
        .distinct()
        .select_related("imported_by")
        .order_by("-id")[:20]
    )
    return render(
        request,
        "web/commission_documents/reconciliation.html",
        {
            "run": run,
            "result": result,
            "rows": result.comparisons,
            "variances": result.variances,
            "totals": list(result.totals().items()),
            "pending_cases": sum(
                1
                for row in result.variances
                if row.variance_record is None or row.variance_record.case_id is None
            ),
            "form": form or PaidUploadForm(),
            "problems": problems or [],
            "problem_file": problem_file,
            "imports": imports,
            "run_page": _run_page(run),
        },
        status=400 if problems else 200,
    )


@login_required
def commission_reconciliation(request, pk: int):
    """Calculated against paid for a run, by payee, period and component."""
    _require(request.user, "web:commission_reconciliation")
    run = get_object_or_404(CommissionRun, pk=pk)
    return _reconciliation_page(request, run)


@login_required
@require_POST
def commission_paid_import(request, pk: int):
    """Load a file of what was paid, then reconcile the run (all or nothing)."""
    _require(request.user, "web:commission_paid_import")
    run = get_object_or_404(CommissionRun, pk=pk)
    form = PaidUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _reconciliation_page(request, run, form=form)
    refusal = reconciliation_refusal(run)
    if refusal is not None:
        return _not_yet_page(request, run, refusal, status=400)
    upload = form.cleaned_data["file"]
    name = PurePosixPath(upload.name).name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{PurePosixPath(name).suffix.lower()}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            # one step: a failure while reconciling leaves the paid file unloaded too
            with transaction.atomic(), acting_as(request.user, "web"):
                record = paid_import(
                    path,
                    actor=request.user,
                    name=name,
                    encoding=form.cleaned_data["encoding"] or None,
                )
                reconcile(run, actor=request.user)
        except PaidImportRefused as error:
            return _reconciliation_page(
                request, run, form=PaidUploadForm(), problems=error.problems, problem_file=name
            )
        except ReconciliationRefused as error:  # the run moved on meanwhile
            return _not_yet_page(request, run, str(error), status=400)
    messages.success(
        request,
        f"{record.file_name}: {record.row_count} paid line(s) loaded as paid import "
        f"{record.pk}, and run {run.pk} reconciled.",
    )
    return redirect("web:commission_reconciliation", pk=run.pk)


@login_required
@require_POST
def commission_variance_cases(request, pk: int):
    """Open one commission inquiry per variance that has no case yet."""
    _require(request.user, "web:commission_variance_cases")
    run = get_object_or_404(CommissionRun, pk=pk)
    try:
        with acting_as(request.user, "web"):
            opened = variance_cases_open(run, actor=request.user)
    except ReconciliationRefused as error:
        return _not_yet_page(request, run, str(error), status=400)
    if opened:
        messages.success(
            request,
            f"{len(opened)} commission inquiry case(s) opened: "
            + ", ".join(case.number for case in opened),
        )
    else:
        messages.success(request, "No new cases: every variance has its case already.")
    return redirect("web:commission_reconciliation", pk=run.pk)
