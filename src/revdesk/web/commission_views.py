"""The commissions desk's pages: calculation runs (calculate in the background, review,
approve, pay, explain), a payee's commissions with the year to date against quota, and plans
(versions, the plan file, an editor that saves a new version, the JSON Schema).

Views only call selectors (revdesk.compensation.selectors), services (plan_version_save,
run_move) and the calculation task (revdesk.compensation.tasks). Who may open which page is
PAGE_ROLES in web/roles.py; who may take which step of a run is run_steps_for.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from revdesk.compensation.models import CommissionRun, PlanVersion, RunStatus
from revdesk.compensation.runs import RunRefused, run_move
from revdesk.compensation.selectors import (
    payee_commissions,
    plan_summaries,
    plan_version_draft,
    run_list,
    run_payee_explanation,
    run_payout_rows,
    run_steps_for,
    run_totals,
)
from revdesk.compensation.services import PlanRefused, plan_version_save
from revdesk.compensation.tasks import run_create_pending, run_create_queue, run_create_result
from revdesk.engine.commissions import periods_expand
from revdesk.engine.money import round_money
from revdesk.engine.plans import plan_json_schema
from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.foundation.views import person_name, user_has_role
from revdesk.parties.models import Payee

from . import roles

STEP_LABELS = {
    RunStatus.REVIEWED: "Mark reviewed",
    RunStatus.APPROVED: "Approve",
    RunStatus.PAID: "Mark paid",
    RunStatus.DRAFT: "Send back to draft",
}
SORTS = {"payee": "Payee", "name": "Name", "period": "Period", "amount": "Amount"}


def _require(user, page: str) -> None:
    if not roles.may_open(user, page):
        raise Http404("No such page.")


def _may_calculate(user) -> bool:
    return user_has_role(user, roles.COMMISSION_EDIT_ROLES)


def _is_staff(user) -> bool:
    """Staff see draft figures on a payee's page; a sales rep only approved and paid ones."""
    return user_has_role(user, roles.COMMISSION_RUN_ROLES)


# -- runs ----------------------------------------------------------------------------------


class CalculateForm(forms.Form):
    periods = forms.CharField(
        label="Period",
        max_length=40,
        help_text="A month (2026-10), a quarter (2026-Q4) or a range (2026-07..2026-09).",
        widget=forms.TextInput(attrs={"placeholder": "2026-10", "autocomplete": "off"}),
    )

    def clean_periods(self):
        text = self.cleaned_data["periods"].strip()
        try:
            periods_expand(text)
        except ValueError as error:
            raise forms.ValidationError(
                f"{str(error).rstrip('.')}. A range is written 2026-07..2026-09."
            ) from None
        return text


def _run_people(run: CommissionRun) -> list[tuple[str, str, dt.datetime | None]]:
    """(step, who, when) for the steps the run has taken."""
    steps = [("Calculated", person_name(run.created_by, "command line"), run.created_at)]
    if run.reviewed_at:
        steps.append(("Reviewed", person_name(run.reviewed_by, "command line"), run.reviewed_at))
    if run.approved_at:
        steps.append(("Approved", person_name(run.approved_by, "command line"), run.approved_at))
    if run.paid_at:
        steps.append(("Paid", person_name(run.paid_by, "command line"), run.paid_at))
    return steps


def _totals_text(run: CommissionRun) -> list[tuple[str, Decimal]]:
    return [(currency, Decimal(total)) for currency, total in run.totals.items()]


@login_required
@require_http_methods(["GET", "POST"])
def run_list_page(request):
    user = request.user
    _require(user, "web:commission_run_list")
    may_calculate = _may_calculate(user)
    form = CalculateForm(request.POST or None)
    refusal = None
    status = 200
    if request.method == "POST":
        if not may_calculate:
            raise Http404("No such page.")
        if form.is_valid():
            periods = form.cleaned_data["periods"]
            result = run_create_queue(periods=periods, actor=user)
            if not result.is_finished:
                return redirect(reverse("web:commission_calculation", args=[result.id]))
            outcome = result.return_value if result.status == "SUCCESSFUL" else None
            if outcome and outcome.get("ok"):
                messages.success(request, f"Run {outcome['run']} calculated {periods}.")
                return redirect(reverse("web:commission_run_detail", args=[outcome["run"]]))
            refusal = (
                outcome["message"]
                if outcome
                else "Revdesk could not finish the calculation. This is a fault in Revdesk, "
                "not in your data: tell your administrator."
            )
            status = 400
        else:
            status = 400
    runs = [
        {
            "run": run,
            "totals": _totals_text(run),
            "people": _run_people(run),
        }
        for run in run_list().select_related("created_by", "reviewed_by", "approved_by", "paid_by")
    ]
    return render(
        request,
        "web/commissions/run_list.html",
        {
            "runs": runs,
            "form": form,
            "may_calculate": may_calculate,
            "refusal": refusal,
            "pending": run_create_pending() if may_calculate else [],
        },
        status=status,
    )


def _calculation_context(result_id: str) -> dict:
    result = run_create_result(result_id)
    if result is None:
        raise Http404("No such calculation.")
    outcome = result.return_value if result.status == "SUCCESSFUL" else None
    state = {
        "READY": "Queued",
        "RUNNING": "Calculating",
        "SUCCESSFUL": "Done" if outcome and outcome.get("ok") else "Refused",
        "FAILED": "Failed",
    }.get(result.status, result.status)
    return {
        "result": result,
        "result_id": result_id,
        "periods": result.kwargs.get("periods", ""),
        "state": state,
        "finished": result.is_finished,
        "outcome": outcome,
        "run_url": reverse("web:commission_run_detail", args=[outcome["run"]])
        if outcome and outcome.get("ok")
        else None,
        "status_url": reverse("web:commission_calculation_status", args=[result_id]),
    }


@login_required
def calculation_page(request, result_id: str):
    _require(request.user, "web:commission_calculation")
    return render(request, "web/commissions/calculation.html", _calculation_context(result_id))


@login_required
def calculation_status(request, result_id: str):
    """The part of the calculation page that changes (polled every 2 s until finished)."""
    _require(request.user, "web:commission_calculation_status")
    return render(
        request,
        "web/commissions/partials/_calculation_status.html",
        _calculation_context(result_id),
    )


def _run(pk: int) -> CommissionRun:
    return get_object_or_404(
        CommissionRun.objects.select_related("created_by", "reviewed_by", "approved_by", "paid_by"),
        pk=pk,
    )


def _sort(request) -> str:
    sort = request.GET.get("sort", "payee")
    return sort if sort.lstrip("-") in SORTS else "payee"


@login_required
def run_detail(request, pk: int):
    user = request.user
    _require(user, "web:commission_run_detail")
    run = _run(pk)
    sort = _sort(request)
    rows = run_payout_rows(run, user=user, sort=sort)
    headers = []
    for key, label in SORTS.items():
        current = sort.lstrip("-") == key
        descending = current and sort.startswith("-")
        headers.append(
            {
                "label": label,
                "url": f"?sort={'' if descending or not current else '-'}{key}",
                "state": ("descending" if descending else "ascending") if current else "",
                "num": key == "amount",
            }
        )
    context = {
        "run": run,
        "rows": rows,
        "row_totals": run_totals(rows),
        "totals": _totals_text(run),
        "people": _run_people(run),
        "steps": [(step, STEP_LABELS[step]) for step in run_steps_for(run, user=user)],
        "headers": headers,
        "sort": sort,
        "sees_all": restrict(Payee.objects.all(), user).count() == Payee.objects.count(),
    }
    return render(request, "web/commissions/run_detail.html", context)


@login_required
def run_excel(request, pk: int):
    """The run page's payout table (the same rows, in the same order) as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from revdesk.foundation.spreadsheet import excel_text_cell

    user = request.user
    _require(user, "web:commission_run_excel")
    run = _run(pk)
    rows = run_payout_rows(run, user=user, sort=_sort(request))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"Run {run.pk}")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in ("Payee", "Name", "Period", "Amount", "Currency"):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        amount = WriteOnlyCell(sheet, value=row.amount)
        amount.number_format = "#,##0.00"
        sheet.append(
            [
                excel_text_cell(sheet, row.payee_code, WriteOnlyCell),
                excel_text_cell(sheet, row.payee_name, WriteOnlyCell),
                excel_text_cell(sheet, row.period, WriteOnlyCell),
                amount,
                excel_text_cell(sheet, row.currency, WriteOnlyCell),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"commission-run-{run.pk}-{run.periods.replace('..', '-to-')}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def run_step(request, pk: int):
    """Move a run one step (the buttons on the run page); run_move audits it."""
    user = request.user
    _require(user, "web:commission_run_step")
    to_status = request.POST.get("to", "")
    with transaction.atomic():
        run = get_object_or_404(CommissionRun.objects.select_for_update(), pk=pk)
        if to_status not in run_steps_for(run, user=user):
            if to_status in RunStatus.values and run.status != to_status:
                messages.error(
                    request,
                    f"You cannot move run {run.pk} from {run.status} to {to_status}"
                    + (
                        ": the person who reviewed a run does not approve it too."
                        if to_status == RunStatus.APPROVED and run.reviewed_by_id == user.pk
                        else "."
                    ),
                )
            return redirect(reverse("web:commission_run_detail", args=[run.pk]))
        try:
            run = run_move(run, to_status, actor=user)
        except RunRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Run {run.pk} ({run.periods}) is now {run.status}.")
    return redirect(reverse("web:commission_run_detail", args=[pk]))


@login_required
def run_payee(request, pk: int, code: str):
    """A payee in a run: every explanation line, grouped by component, adding up to the payout."""
    user = request.user
    _require(user, "web:commission_run_payee")
    run = _run(pk)
    payee = get_object_or_404(Payee, code=code)
    periods = run_payee_explanation(run, payee, user=user)
    if periods is None:
        raise Http404("No such payee.")
    return render(
        request,
        "web/commissions/run_payee.html",
        {"run": run, "payee": payee, "periods": periods},
    )


# -- a payee's commissions -----------------------------------------------------------------


@login_required
def payee_page(request, code: str):
    """Per period the approved (or paid) payout, explained; staff also see drafts, marked."""
    user = request.user
    _require(user, "web:commission_payee")
    payee = get_object_or_404(restrict(Payee.objects.all(), user), code=code)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    if not 1900 <= year <= 2999:
        year = today.year
    # drafts are the analysts' working copy: shown to those who see every run (the API's rule,
    # compensation/scoping.py), not to a sales manager looking at their team
    drafts = viewer_for(user).sees_everything
    figures = payee_commissions(payee, year=year, include_drafts=drafts)
    chart = {
        "months": [month.month for month in figures.chart],
        "credited": [_cents(month.credited_to_date) for month in figures.chart],
        "quota": [_cents(month.quota_to_date) for month in figures.chart],
    }
    return render(
        request,
        "web/commissions/payee.html",
        {
            "payee": payee,
            "figures": figures,
            "chart": chart,
            "has_quota": any(month.quota is not None for month in figures.chart),
            "drafts": drafts,
            "run_links": _is_staff(user),
            "plotly_url": reverse("web:commission_plotly") + f"?v={plotly_version()}",
            "payee_url": reverse("web:payee_detail", args=[payee.pk])
            if roles.may_open(user, "web:payee_detail")
            else None,
        },
    )


def _cents(value: Decimal | None) -> str | None:
    return None if value is None else str(round_money(value))


def plotly_version() -> str:
    import plotly

    return plotly.__version__


def plotly_js(request):
    """plotly.min.js from the installed plotly package (no CDN), cached for a year: the page
    asks for it with the package's version in the address."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    response = FileResponse(path.open("rb"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


# -- plans ---------------------------------------------------------------------------------


class PlanEditForm(forms.Form):
    text = forms.CharField(
        label="Plan file (YAML)",
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
    )


@login_required
def plan_list(request):
    user = request.user
    _require(user, "web:commission_plan_list")
    return render(
        request,
        "web/commissions/plan_list.html",
        {"plans": plan_summaries(user=user), "may_edit": _may_calculate(user)},
    )


@login_required
def plan_version_page(request, code: str, version: int):
    user = request.user
    _require(user, "web:commission_plan_version")
    plan = get_object_or_404(
        PlanVersion.objects.select_related("saved_by"), code=code, version=version
    )
    others = PlanVersion.objects.filter(code=code).order_by("version")
    return render(
        request,
        "web/commissions/plan_version.html",
        {
            "plan": plan,
            "others": others,
            "may_edit": _may_calculate(user),
            "saved_by": person_name(plan.saved_by, "command line or import"),
        },
    )


def _problems(error: PlanRefused, text: str) -> list[dict]:
    """Each problem with its line number, field, message and what that line reads."""
    lines = text.splitlines()
    return [
        {
            "line": line,
            "field": field,
            "message": message,
            "text": lines[line - 1].strip() if line and 0 < line <= len(lines) else "",
        }
        for _name, line, field, message in error.problems
    ]


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, code: str | None = None):
    """Edit a plan file and save it as a new version (plan_version_save checks every field)."""
    user = request.user
    _require(user, "web:commission_plan_edit")
    base = None
    if code is not None:
        base = PlanVersion.objects.filter(code=code).order_by("-version").first()
        if base is None:
            raise Http404("No such plan.")
    problems: list[dict] = []
    if request.method == "POST":
        form = PlanEditForm(request.POST)
        if form.is_valid():
            text = form.cleaned_data["text"].replace("\r\n", "\n")
            try:
                version, created = plan_version_save(text, actor=user, name="plan.yaml")
            except PlanRefused as error:
                problems = _problems(error, text)
            else:
                if created:
                    messages.success(request, f"Saved {version.code} version {version.version}.")
                else:
                    messages.info(
                        request,
                        f"{version.code} version {version.version} is already saved with this "
                        "text: nothing changed.",
                    )
                return redirect(
                    reverse("web:commission_plan_version", args=[version.code, version.version])
                )
    else:
        form = PlanEditForm(initial={"text": plan_version_draft(base) if base else NEW_PLAN})
    return render(
        request,
        "web/commissions/plan_edit.html",
        {"form": form, "base": base, "problems": problems},
        status=400 if problems or form.errors else 200,
    )


NEW_PLAN = """\
code: NEW-PLAN
name: New plan
version: 1
valid_from: 2026-01-01
currency: USD
period: month
rounding: line
payable_on: invoice
components:
  - code: commission
    basis: amount
    rate: "0.05"
"""


@login_required
def plan_schema(request):
    """The JSON Schema of a plan file, for editors (the same as `revdesk commissions schema`)."""
    _require(request.user, "web:commission_plan_schema")
    response = JsonResponse(plan_json_schema(), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'inline; filename="plan.schema.json"'
    return response
