"""Commission analytics: payout by component, plan and region over time, the attainment
distribution, cost of sales and the top variances, as Plotly charts with every figure in a
table under its chart, and the same reports as an Excel workbook.

The figures come from revdesk.compensation.analytics (commission_analytics); who may open
the pages is PAGE_ROLES in web/roles.py (analysts, managers, administrators); a manager with a
team sees their team's payees only. Plotly is served from the installed package
(web:commission_plotly), never a CDN.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from revdesk.compensation.analytics import (
    Analytics,
    AnalyticsRefused,
    Breakdown,
    analytics_runs,
    analytics_xlsx,
    commission_analytics,
    month_parse,
    months_between,
    run_status_label,
    year_to_date,
)

from . import roles
from .commission_views import plotly_version

MONTH_HELP = "A month, written 2026-03."


def _require(user, page: str) -> None:
    if not roles.may_open(user, page):
        raise Http404("No such page.")


def _month_field(label: str, placeholder: str, *, required: bool = True, help_text=MONTH_HELP):
    return forms.CharField(
        label=label,
        max_length=7,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": placeholder}),
    )


class RangeForm(forms.Form):
    """The months to report (default: the year to date) and the attainment month; the fields
    are named as the page's address writes them: ?from=2026-01&to=2026-10&attainment=2026-10."""

    LABELS = {"from": "From", "to": "To", "attainment": "Attainment in"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = _month_field("From", "2026-01")
        self.fields["to"] = _month_field("To", "2026-10")
        self.fields["attainment"] = _month_field(
            "Attainment in",
            "2026-10",
            required=False,
            help_text="The month of the attainment distribution (default: the last month "
            "with a run).",
        )

    def clean(self):
        data = super().clean()
        for name, label in self.LABELS.items():
            if data.get(name):
                try:
                    data[name] = month_parse(data[name], label)
                except AnalyticsRefused as error:
                    self.add_error(name, f"{error}.")
        first, last = data.get("from"), data.get("to")
        if first and last and not self.has_error("from") and not self.has_error("to"):
            try:
                months_between(first, last)
            except AnalyticsRefused as error:
                self.add_error("to", f"{str(error)[0].upper()}{str(error)[1:]}.")
        return data


def _range_form(request) -> RangeForm:
    first, last = year_to_date(timezone.localdate())
    data = {
        "from": request.GET.get("from") or first,
        "to": request.GET.get("to") or last,
        "attainment": request.GET.get("attainment", ""),
    }
    return RangeForm(data)


def _report(request) -> tuple[RangeForm, Analytics | None]:
    form = _range_form(request)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    report = commission_analytics(
        first=data["from"],
        last=data["to"],
        attainment_month=data["attainment"] or None,
        user=request.user,
    )
    return form, report


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _breakdown_chart(key: str, title: str, breakdown: Breakdown) -> dict:
    return {
        "id": f"chart-{key}-{breakdown.currency}",
        "kind": "stacked",
        "title": f"{title} ({breakdown.currency})",
        "x": breakdown.months,
        "traces": [
            {
                "name": name,
                "y": [_number(breakdown.amount(month, name)) for month in breakdown.months],
            }
            for name in breakdown.series
        ],
        "format": ",.0f",
    }


def _charts(report: Analytics) -> list[dict]:
    charts = []
    for key, title, breakdowns in (
        ("component", "Payout by component", report.by_component),
        ("plan", "Payout by plan", report.by_plan),
        ("region", "Payout by region", report.by_region),
    ):
        charts.extend(_breakdown_chart(key, title, entry) for entry in breakdowns)
    if report.attainment.rows:
        bands = report.attainment.bands
        charts.append(
            {
                "id": "chart-attainment",
                "kind": "bar",
                "title": "Payees per attainment band",
                "x": [label for label, _ in bands],
                "traces": [{"name": "Payees", "y": [count for _, count in bands]}],
                "format": ",d",
            }
        )
    if report.cost_of_sales:
        charts.append(
            {
                "id": "chart-cost",
                "kind": "line",
                "title": "Cost of sales",
                "x": [row.month for row in report.cost_of_sales],
                "traces": [
                    {
                        "name": "Commission ÷ commissioned revenue",
                        "y": [_number(row.ratio) for row in report.cost_of_sales],
                    }
                ],
                "format": ".2%",
            }
        )
    if report.variances:
        charts.append(
            {
                "id": "chart-variances",
                "kind": "hbar",
                "title": "Top variances",
                "x": [
                    f"{row.payee_code} {row.period} {row.component or 'total'}"
                    for row in report.variances
                ],
                "traces": [
                    {"name": "Variance", "y": [str(row.variance) for row in report.variances]}
                ],
                "format": ",.2f",
            }
        )
    return charts


def _sections(report: Analytics, charts: list[dict]) -> list[dict]:
    """The three payout breakdowns, each with its charts and tables (one per currency)."""
    by_id = {chart["id"]: chart for chart in charts}
    sections = []
    for key, title, help_text, breakdowns in (
        (
            "component",
            "Payout by component",
            "Every line of the month's payouts added up per plan component; lines without a "
            "component (draws, recoveries, rounding) under their kind.",
            report.by_component,
        ),
        (
            "plan",
            "Payout by plan",
            "Each payout under the plan the payee was on at the end of its period.",
            report.by_plan,
        ),
        (
            "region",
            "Payout by region",
            "Each payout under the region (the top of the territory tree) of the territory the "
            "payee was assigned at the end of its period.",
            report.by_region,
        ),
    ):
        sections.append(
            {
                "key": key,
                "title": title,
                "help": help_text,
                "tables": [
                    {"breakdown": entry, "chart": by_id[f"chart-{key}-{entry.currency}"]}
                    for entry in breakdowns
                ],
            }
        )
    return sections


@login_required
def analytics_page(request):
    user = request.user
    _require(user, "web:commission_analytics")
    form, report = _report(request)
    context = {"form": form, "report": report}
    if report is not None:
        charts = _charts(report)
        runs = analytics_runs(report)
        context.update(
            {
                "charts": charts,
                "sections": _sections(report, charts),
                "sources": [
                    {
                        "source": source,
                        "run": runs.get(source.run_id),
                        "status": run_status_label(source.status),
                    }
                    for source in report.sources
                ],
                "excel_url": reverse("web:commission_analytics_excel")
                + "?"
                + request.GET.urlencode(),
                "plotly_url": reverse("web:commission_plotly") + f"?v={plotly_version()}",
            }
        )
    return render(
        request,
        "web/commissions/analytics.html",
        context,
        status=200 if report is not None else 400,
    )


@login_required
def analytics_excel(request):
    """The page's reports as an Excel workbook: one sheet per report, money as numbers."""
    _require(request.user, "web:commission_analytics_excel")
    form, report = _report(request)
    if report is None:
        problems = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(
            f"Nothing to download: {problems}", status=400, content_type="text/plain"
        )
    response = HttpResponse(
        analytics_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"commission-analytics-{report.first}-to-{report.last}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
