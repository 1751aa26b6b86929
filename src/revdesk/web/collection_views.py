"""The collections desk's pages: the worklist (a collector's day, ranked), the account page
(with one-click logging of calls, e-mails, notes and promises), and the reports: the aging (and
the items behind every figure), the Top Past Due list and the KPIs, on any day, for the
portfolio the person may see; each downloadable as Excel (Top Past Due also as PDF). The
figures come from revdesk.receivables (the engine on the ledger); who may open the pages is
PAGE_ROLES in web/roles.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from revdesk.engine.aging import GROUPS, Buckets
from revdesk.engine.kpis import months_between
from revdesk.foundation.context import acting_as
from revdesk.foundation.scoping import viewer_for
from revdesk.parties.models import Customer
from revdesk.receivables import report_documents
from revdesk.receivables.account import account_page
from revdesk.receivables.activities import (
    activity_log,
    promise_cancel,
    promise_make,
    task_done,
)
from revdesk.receivables.choices import ActivityKind, CallOutcome
from revdesk.receivables.models import Activity, CollectionsDay, Invoice, PromiseToPay
from revdesk.receivables.reports import (
    GROUP_LABELS,
    TREND_GROUPS,
    aging_items,
    aging_report,
    kpi_report,
    kpi_trend,
    month_before,
    top_past_due_keep,
    top_past_due_movements,
    top_past_due_report,
)
from revdesk.receivables.statements import recipient
from revdesk.receivables.worklist import worklist_entries, worklist_refresh

from . import roles
from .commission_views import plotly_version

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BASIS_CHOICES = [("due", "Due date (days past due)"), ("invoice", "Invoice date (age)")]


def _require(user, page: str) -> None:
    if not roles.may_open(user, page):
        raise Http404("No such page.")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgingForm(forms.Form):
    as_of = forms.DateField(label="On", widget=_date_input(), help_text="The report date.")
    by = forms.ChoiceField(label="One row per", choices=[(g, GROUP_LABELS[g]) for g in GROUPS])
    basis = forms.ChoiceField(label="Age by", choices=BASIS_CHOICES)
    buckets = forms.CharField(
        label="Buckets",
        max_length=60,
        help_text="Each bucket's upper limit in days, such as 30,60,90,120.",
    )
    order = forms.ChoiceField(
        label="Sorted by",
        choices=[("name", "Name"), ("past_due", "Most past due"), ("net", "Most open")],
        required=False,
    )

    def clean(self):
        data = super().clean()
        if "buckets" in data and "basis" in data:
            try:
                data["buckets"] = Buckets.parse(data["buckets"], data["basis"])
            except ValueError as error:
                self.add_error("buckets", f"{error}.")
        return data


def _initial(request, defaults: dict) -> dict:
    return {name: request.GET.get(name) or value for name, value in defaults.items()}


def _aging_form(request) -> AgingForm:
    today = timezone.localdate()
    defaults = {"as_of": today.isoformat(), "by": "customer", "basis": "due", "order": "name"}
    return AgingForm(_initial(request, {**defaults, "buckets": "30,60,90,120"}))


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _refused(form: forms.Form) -> HttpResponse:
    problems = "; ".join(str(error) for errors in form.errors.values() for error in errors)
    return HttpResponse(f"Nothing to download: {problems}", status=400, content_type="text/plain")


@login_required
def aging_page(request):
    _require(request.user, "web:collections_aging")
    form = _aging_form(request)
    context: dict = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        report = aging_report(
            user=request.user,
            as_of=data["as_of"],
            by=data["by"],
            buckets=data["buckets"],
            order=data["order"] or "name",
        )
        query = request.GET.copy()
        query.update({k: str(v) for k, v in _initial(request, form.data).items() if v})
        context.update(
            {
                "report": report,
                "group_label": GROUP_LABELS[report.by],
                "items_url": reverse("web:collections_aging_items"),
                "excel_url": reverse("web:collections_aging_excel") + "?" + query.urlencode(),
                "query": query.urlencode(),
            }
        )
    return render(
        request,
        "web/collections/aging.html",
        context,
        status=200 if form.is_valid() else 400,
    )


@login_required
def aging_excel(request):
    _require(request.user, "web:collections_aging_excel")
    form = _aging_form(request)
    if not form.is_valid():
        return _refused(form)
    data = form.cleaned_data
    report = aging_report(
        user=request.user,
        as_of=data["as_of"],
        by=data["by"],
        buckets=data["buckets"],
        order=data["order"] or "name",
    )
    return _download(
        report_documents.aging_xlsx(report), XLSX, f"aging-{report.as_of}-by-{report.by}.xlsx"
    )


class ItemsForm(AgingForm):
    key = forms.CharField(required=False, max_length=200)
    bucket = forms.CharField(required=False, max_length=40)
    currency = forms.CharField(required=False, max_length=3)


@login_required
def aging_items_page(request):
    """The items behind one figure of the aging: a row (`key` of `by`) and a bucket."""
    _require(request.user, "web:collections_aging_items")
    today = timezone.localdate()
    form = ItemsForm(
        _initial(
            request,
            {
                "as_of": today.isoformat(),
                "by": "customer",
                "basis": "due",
                "buckets": "30,60,90,120",
                "order": "name",
                "key": "",
                "bucket": "",
                "currency": "",
            },
        )
    )
    context: dict = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        items = aging_items(
            user=request.user,
            as_of=data["as_of"],
            by=data["by"],
            key=data["key"],
            bucket=data["bucket"] or None,
            buckets=data["buckets"],
            currency=data["currency"] or None,
        )
        totals: dict[str, Decimal] = {}
        for item in items:
            totals[item["currency"]] = (
                totals.get(item["currency"], Decimal("0.00")) + item["amount"]
            )
        back = request.GET.copy()
        for name in ("key", "bucket", "currency"):
            back.pop(name, None)
        context.update(
            {
                "items": items,
                "totals": sorted(totals.items()),
                "data": data,
                "group_label": GROUP_LABELS[data["by"]],
                "back_url": reverse("web:collections_aging") + "?" + back.urlencode(),
            }
        )
    return render(request, "web/collections/aging_items.html", context)


class TopPastDueForm(forms.Form):
    as_of = forms.DateField(label="On", widget=_date_input())
    top = forms.IntegerField(label="How many", min_value=1, max_value=500)
    by = forms.ChoiceField(
        label="Rank",
        choices=[("customer", "Customers"), ("parent", "Hierarchies (top-most parent)")],
    )


def _top_form(request) -> TopPastDueForm:
    today = timezone.localdate()
    return TopPastDueForm(
        _initial(request, {"as_of": today.isoformat(), "top": "20", "by": "customer"})
    )


def _top_report(request):
    form = _top_form(request)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, top_past_due_report(
        user=request.user, as_of=data["as_of"], top=data["top"], by=data["by"]
    )


@login_required
def top_past_due_page(request):
    _require(request.user, "web:collections_top_past_due")
    form, report = _top_report(request)
    context: dict = {"form": form, "report": report}
    if report is not None:
        query = request.GET.urlencode()
        before, movements = top_past_due_movements(report, user=request.user)
        context.update(
            {
                "before": before,
                "rows": [(row, movements.get((row.code, row.currency))) for row in report.rows],
                "keep_periods": _periods_to_keep(report.as_of),
                "may_keep": roles.may_open(request.user, "web:collections_top_past_due_keep"),
                "excel_url": reverse("web:collections_top_past_due_excel") + "?" + query,
                "pdf_url": reverse("web:collections_top_past_due_pdf") + "?" + query,
                "aging_url": reverse("web:collections_aging"),
            }
        )
    return render(
        request,
        "web/collections/top_past_due.html",
        context,
        status=200 if report is not None else 400,
    )


def _periods_to_keep(day: dt.date) -> list[str]:
    """The month that ended last on or before `day`, and its quarter if it ended a quarter."""
    end = day if (day + dt.timedelta(days=1)).day == 1 else day.replace(day=1) - dt.timedelta(1)
    periods = [end.strftime("%Y-%m")]
    if end.month % 3 == 0:
        periods.append(f"{end.year}-Q{end.month // 3}")
    return periods


@login_required
@require_POST
def top_past_due_keep_view(request):
    """Keep the company's Top Past Due list at the end of a month or quarter (a leader's or
    senior collector's review), replacing one kept before."""
    _require(request.user, "web:collections_top_past_due_keep")
    period = request.POST.get("period", "")
    try:
        top = int(request.POST.get("top", "20"))
        with acting_as(request.user, "web"):
            snapshot = top_past_due_keep(period=period, actor=request.user, top=max(1, top))
    except ValueError as error:
        messages.error(request, f"Nothing kept: {error}")
        return redirect(reverse("web:collections_top_past_due"))
    messages.success(
        request,
        f"Top past due of {snapshot.period} kept ({snapshot.lines.count()} lines, as of "
        f"{snapshot.as_of.isoformat()})",
    )
    return redirect(
        reverse("web:collections_top_past_due") + f"?as_of={snapshot.as_of.isoformat()}"
    )


@login_required
def top_past_due_excel(request):
    _require(request.user, "web:collections_top_past_due_excel")
    form, report = _top_report(request)
    if report is None:
        return _refused(form)
    content = report_documents.top_past_due_xlsx(report)
    return _download(content, XLSX, f"top-past-due-{report.as_of}.xlsx")


@login_required
def top_past_due_pdf(request):
    _require(request.user, "web:collections_top_past_due_pdf")
    form, report = _top_report(request)
    if report is None:
        return _refused(form)
    content = report_documents.top_past_due_pdf(report, company=_company())
    return _download(content, "application/pdf", f"top-past-due-{report.as_of}.pdf")


def _company() -> str:
    from django.conf import settings

    return getattr(settings, "REVDESK_COMPANY_NAME", "Revdesk")


MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "2026-07"})


#: per collector or region: the figure charted (the form's choice), one line per group
GROUP_CHARTS = (
    ("dso_countback", "DSO (count-back)", ",.1f"),
    ("add_countback", "Average days delinquent (count-back)", ",.1f"),
    ("cei_percent", "CEI (%)", ",.1f"),
    ("current_percent", "% current", ",.1f"),
    ("unapplied_cash", "Unapplied cash", ",.0f"),
    ("disputed_amount", "Disputed amount open", ",.0f"),
    ("dispute_average_age_days", "Average age of the open disputes (days)", ",.0f"),
)


class KpiForm(forms.Form):
    first = forms.RegexField(label="From", regex=r"^\d{4}-(0[1-9]|1[0-2])$", widget=MONTH_INPUT)
    last = forms.RegexField(label="To", regex=r"^\d{4}-(0[1-9]|1[0-2])$", widget=MONTH_INPUT)
    by = forms.ChoiceField(label="One row per", choices=[(g, GROUP_LABELS[g]) for g in GROUPS])
    chart = forms.ChoiceField(
        label="Chart per group",
        choices=[(name, title) for name, title, _ in GROUP_CHARTS],
        help_text="The figure charted with a line per collector or region.",
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                self.add_error("last", "The last month comes after the first.")
            elif len(months_between(first, last)) > 24:
                self.add_error("last", "At most 24 months at a time.")
        return data


#: the company's trend: a few figures on one chart each (name, title, format, lines)
COMPANY_CHARTS = (
    (
        "dso",
        "Days sales outstanding",
        ",.1f",
        (
            ("dso_countback", "DSO"),
            ("best_possible_dso_countback", "Best possible DSO"),
            ("add_countback", "Average days delinquent"),
        ),
    ),
    (
        "percent",
        "CEI and % current",
        ",.1f",
        (("cei_percent", "CEI"), ("current_percent", "% current")),
    ),
    (
        "cash",
        "Unapplied cash and open disputes",
        ",.0f",
        (("unapplied_cash", "Unapplied cash"), ("disputed_amount", "Disputed amount")),
    ),
    (
        "dispute-age",
        "Age of the open disputes (days)",
        ",.0f",
        (("dispute_average_age_days", "Average"), ("dispute_oldest_age_days", "Oldest")),
    ),
)


def _trend_charts(trend, chart: str = "dso_countback") -> list[dict]:
    """The trend's charts, per currency: for the company a few figures on each chart (DSO,
    best possible and ADD; CEI and % current; unapplied cash and disputed amount; the
    disputes' age); per collector or region the figure `chart` with a line per group (one
    figure at a time: seven charts of ten lines each per currency are not readable). Each
    carries its figures as a table too (`rows`: one per line, a value per month)."""
    charts = []
    groups = sorted({key for lines in trend.series.values() for key in lines})
    for currency, lines in trend.series.items():
        colours: list[int] = []
        if trend.by == "company":
            values = next(iter(lines.values()))
            specs = [
                (
                    slug,
                    title,
                    form,
                    [(label, [k.values.get(name) for k in values]) for name, label in figures],
                )
                for slug, title, form, figures in COMPANY_CHARTS
            ]
        else:
            title, form = next((t, f) for n, t, f in GROUP_CHARTS if n == chart)
            drawn = {  # a group with no figure in any month (no sales, say) has no line
                key: [k.values.get(chart) for k in values]
                for key, values in lines.items()
                if any(k.values.get(chart) is not None for k in values)
            }
            rows = [(key or "(none)", row) for key, row in drawn.items()]
            colours = [groups.index(key) for key in drawn]
            specs = [(chart.replace("_", "-"), title, form, rows)]
        for slug, title, form, rows in specs:
            charts.append(
                {
                    "id": f"chart-{slug}-{currency}",
                    "kind": "line",
                    "title": f"{title} ({currency})",
                    "x": trend.months,
                    "traces": [
                        {"name": label, "y": [_text(v) for v in row]}
                        | ({"colour": colours[index]} if colours else {})
                        for index, (label, row) in enumerate(rows)
                    ],
                    "format": form,
                    "rows": rows,
                }
            )
    return charts


def _text(value) -> str | None:
    return None if value is None else str(value)


def _quarter_to(today: dt.date) -> tuple[str, str]:
    """The last three whole months before `today`."""
    last = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    return month_before(month_before(last)), last


def _kpi_form(request) -> KpiForm:
    """The KPI form from the query, by default the last three whole months, the company."""
    first, last = _quarter_to(timezone.localdate())
    defaults = {"first": first, "last": last, "by": "company", "chart": "dso_countback"}
    return KpiForm(_initial(request, defaults))


@login_required
def kpis_page(request):
    _require(request.user, "web:collections_kpis")
    form = _kpi_form(request)
    context: dict = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        rows = kpi_report(user=request.user, first=data["first"], last=data["last"], by=data["by"])
        trend_by = data["by"] if data["by"] in TREND_GROUPS else "company"
        trend = kpi_trend(user=request.user, last=data["last"], by=trend_by)
        charts = _trend_charts(trend, data["chart"])
        context.update(
            {
                "rows": rows,
                "data": data,
                "group_label": GROUP_LABELS[data["by"]],
                "months": len(months_between(data["first"], data["last"])),
                "trend": trend,
                "trend_label": GROUP_LABELS[trend_by],
                "charts": charts,
                "chart_data": [
                    {key: value for key, value in chart.items() if key != "rows"}
                    for chart in charts
                ],
                "plotly_url": reverse("web:commission_plotly") + f"?v={plotly_version()}",
                "excel_url": reverse("web:collections_kpis_excel") + "?" + request.GET.urlencode(),
            }
        )
    return render(
        request, "web/collections/kpis.html", context, status=200 if form.is_valid() else 400
    )


@login_required
def kpis_excel(request):
    _require(request.user, "web:collections_kpis_excel")
    form = _kpi_form(request)
    if not form.is_valid():
        return _refused(form)
    data = form.cleaned_data
    rows = kpi_report(user=request.user, first=data["first"], last=data["last"], by=data["by"])
    content = report_documents.kpis_xlsx(
        rows, by=data["by"], first=data["first"], last=data["last"]
    )
    return _download(content, XLSX, f"kpis-{data['first']}-{data['last']}-{data['by']}.xlsx")


# -- the worklist and the account page ----------------------------------------------------


class WorklistForm(forms.Form):
    collector = forms.ChoiceField(label="Portfolio", required=False)

    def __init__(self, *args, collectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].choices = [("", "Everyone I see")] + [
            (user.get_username(), user.get_full_name() or user.get_username())
            for user in collectors
        ]


def _collectors(user):
    """The collectors whose portfolios this person may look at: their own and their team's
    (a senior collector), or everyone with a portfolio (who sees everything)."""
    from django.contrib.auth import get_user_model

    from revdesk.foundation.scoping import viewer_for

    viewer = viewer_for(user)
    if viewer.sees_everything:
        holding = Customer.objects.filter(collector__isnull=False).values("collector_id")
        users = get_user_model().objects.filter(pk__in=holding)
    elif viewer.collector_ids == {user.pk}:
        return [user]  # a collector without a team: no need to ask
    else:
        users = get_user_model().objects.filter(pk__in=viewer.collector_ids)
    return list(users.order_by("username"))


def _last_day():
    """The daily job's last run, as the worklist says it (kept a minute in the cache: every
    visit asks)."""
    from django.core.cache import cache

    def read():
        return (
            CollectionsDay.objects.only(
                "day", "model_error_days", "held_out", "fallback_error_days"
            )
            .order_by("-started_at")
            .first()
        )

    return cache.get_or_set("revdesk:collections:last-day", read, 60)


WORKLIST_PAGE = 50
WORKLIST_ITEMS = 8  # invoices shown under a row (i); the account page has them all
WORKLIST_CACHE_SECONDS = 300


def _worklist_form(request):
    user = request.user
    collectors = _collectors(user)
    mine = user.get_username() if any(c.pk == user.pk for c in collectors) else ""
    chosen_name = request.GET.get("collector", request.POST.get("collector", mine))
    form = WorklistForm({"collector": chosen_name}, collectors=collectors)
    chosen = None
    if form.is_valid():
        chosen = next(
            (c for c in collectors if c.get_username() == form.cleaned_data["collector"]), None
        )
    return form, chosen


def _address_of(name: str):
    """A function from a pk to the page's address: reversed once, not once a row (reversing
    was a quarter of the worklist page's time)."""
    sample = reverse(name, args=[987654321])
    head, tail = sample.split("987654321")
    return lambda pk: f"{head}{pk}{tail}"


def _addresses(entries) -> None:
    account = _address_of("web:collections_account")
    log = _address_of("web:collections_activity_add")
    promise = _address_of("web:collections_promise_add")
    items = _address_of("web:collections_worklist_items")
    for entry in entries:
        pk = entry.customer_id
        entry.urls = {
            "account": account(pk),
            "log": log(pk),
            "promise": promise(pk),
            "items": items(pk),
        }


@login_required
def worklist_page(request):
    """The stored worklist (receivables.worklist: worked out by the daily job and again for
    an account whenever something changes on it), 50 rows a page."""
    _require(request.user, "web:collections_worklist")
    form, chosen = _worklist_form(request)
    if not form.is_valid():
        return render(request, "web/collections/worklist.html", {"form": form}, status=400)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/collections/worklist.html",
        {
            "form": form,
            "rows_html": _worklist_rows(request, chosen, query.urlencode()),
            "chosen": chosen,
            "last_day": _last_day(),
            "kinds": ActivityKind.choices,
            "outcomes": CallOutcome.choices,
            "back": request.get_full_path(),
        },
    )


def _worklist_rows(request, chosen, query: str) -> str:
    """The rows of a worklist page as HTML, kept in the cache until a row of the portfolio
    shown changes (the key has how many rows the person sees and when the last one was
    worked out), five minutes at most (a customer renamed shows by then): the page is read
    all day and changes a few times an hour."""
    from django.core.cache import cache
    from django.core.paginator import Paginator
    from django.db.models import Count, Max

    entries = worklist_entries(user=request.user, collector=chosen)
    seen = entries.order_by().aggregate(count=Count("pk"), last=Max("updated_at"))
    pages = max(1, -(-seen["count"] // WORKLIST_PAGE))
    try:
        number = min(max(int(request.GET.get("page", 1)), 1), pages)
    except ValueError:
        number = 1
    last = seen["last"].timestamp() if seen["last"] else 0
    key = (
        f"revdesk:worklist:{request.user.pk}:{chosen.pk if chosen else 0}:{number}:"
        f"{seen['count']}:{last}:{query}"
    )
    html = cache.get(key)
    if html is None:
        paginator = Paginator(entries, WORKLIST_PAGE)
        paginator.count = seen["count"]  # counted above for the key: not twice
        page = paginator.get_page(number)
        _addresses(page.object_list)
        html = render_to_string(
            "web/collections/partials/_worklist_rows.html",
            {
                "page": page,
                "rows": page.object_list,
                "offset": page.start_index() - 1 if page.object_list else 0,
                "query": query,
            },
        )
        cache.set(key, html, WORKLIST_CACHE_SECONDS)
    return mark_safe(html)


@login_required
def worklist_items_view(request, pk: int):
    """The invoices under a worklist row (i on the page), fetched when the row is opened:
    the page leaves them out (they were two thirds of its bytes). The oldest first, at most
    WORKLIST_ITEMS; the account page has them all. Only a row the person may see."""
    _require(request.user, "web:collections_worklist_items")
    entry = worklist_entries(user=request.user).filter(customer_id=pk).first()
    if entry is None:
        raise Http404("No such row on your worklist.")
    _addresses([entry])
    entry.more = max(0, len(entry.items) - WORKLIST_ITEMS)
    entry.shown_items = entry.items[:WORKLIST_ITEMS]
    invoice = _address_of("web:invoice_detail")
    for item in entry.shown_items:
        item["url"] = invoice(item["invoice_id"]) if item.get("invoice_id") else ""
    # a fragment: rendered without the request, so without the navigation's queries
    html = render_to_string("web/collections/partials/_worklist_items.html", {"row": entry})
    return HttpResponse(html)


@login_required
@require_POST
def worklist_refresh_view(request):
    """Work the worklist out again now, for the portfolio shown (after an import, say)."""
    _require(request.user, "web:collections_worklist_refresh")
    _, chosen = _worklist_form(request)
    collectors = _collectors(request.user)
    if chosen is None and not viewer_for(request.user).sees_everything:
        # everyone I see: each portfolio of mine
        count = sum(worklist_refresh(collector=c) for c in collectors)
    else:
        count = worklist_refresh(collector=chosen)
    messages.success(request, f"Worklist worked out again: {count} accounts need work today.")
    target = reverse("web:collections_worklist")
    if chosen is not None:
        target += f"?collector={chosen.get_username()}"
    return redirect(target)


def _account(request, pk: int) -> Customer:
    from django.shortcuts import get_object_or_404

    from revdesk.foundation.scoping import restrict

    return get_object_or_404(restrict(Customer.objects.all(), request.user), pk=pk)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label="What", choices=ActivityKind.choices)
    subject = forms.CharField(label="Summary", max_length=200)
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("", "—"), *CallOutcome.choices], required=False
    )
    contact = forms.ModelChoiceField(label="With", queryset=None, required=False)
    invoice = forms.ModelChoiceField(label="About", queryset=None, required=False)
    body = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    next_action = forms.CharField(label="Next", max_length=200, required=False)
    next_action_on = forms.DateField(label="By", widget=_date_input(), required=False)

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()
        self.fields["invoice"].queryset = Invoice.objects.filter(
            Invoice.open_q(), customer=customer
        ).order_by("due_on")
        # never a task assigned to the other kinds by mistake: tasks come from a next action
        self.fields["kind"].choices = [c for c in ActivityKind.choices if c[0] != "task"]


class PromiseForm(forms.Form):
    amount = forms.DecimalField(label="Amount", max_digits=18, decimal_places=2, min_value=0.01)
    promised_on = forms.DateField(label="By", widget=_date_input())
    grace_days = forms.IntegerField(label="Grace days", min_value=0, max_value=30, initial=2)
    invoices = forms.ModelMultipleChoiceField(label="For", queryset=None, required=False)
    contact = forms.ModelChoiceField(label="Promised by", queryset=None, required=False)
    note = forms.CharField(label="Note", max_length=200, required=False)

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()
        self.fields["invoices"].queryset = Invoice.objects.filter(
            Invoice.open_q(), customer=customer
        ).order_by("due_on")


class DisputeForm(forms.Form):
    invoice = forms.ModelChoiceField(label="Invoice", queryset=None)
    reason = forms.ChoiceField(label="What")
    amount = forms.DecimalField(
        label="Disputed amount", max_digits=18, decimal_places=2, min_value=0.01
    )
    description = forms.CharField(
        label="What the customer says", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        from revdesk.cases.models import ReasonCode
        from revdesk.receivables.disputes import DISPUTE_TYPES

        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = Invoice.objects.filter(
            Invoice.open_q(), customer=customer
        ).order_by("due_on")
        choices: dict[str, list] = {}
        reasons = ReasonCode.objects.filter(
            case_type__code__in=DISPUTE_TYPES, is_active=True
        ).values_list("case_type__code", "case_type__name", "code", "label")
        for type_code, type_name, code, label in reasons.order_by("case_type__name", "label"):
            choices.setdefault(type_name, []).append((f"{type_code}|{code}", label))
        self.fields["reason"].choices = list(choices.items())


def _back(request, customer: Customer) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:collections_account", args=[customer.pk])


def _submit(request, customer: Customer, form: forms.Form, refused: str, action):
    """A quick form of the worklist or account page: `action(cleaned data)` in the person's
    name, its message said (or what was wrong), back to where they were."""
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"{refused}: {problems}")
        return redirect(_back(request, customer))
    try:
        with acting_as(request.user, "web"):
            said = action(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, f"{refused}: {_validation_message(error)}")
    else:
        messages.success(request, said)
    return redirect(_back(request, customer))


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for messages in error.message_dict.values() for m in messages)
    return " ".join(error.messages)


@login_required
def account_page_view(request, pk: int):
    _require(request.user, "web:collections_account")
    customer = _account(request, pk)
    page = account_page(customer=customer, user=request.user)
    return render(
        request,
        "web/collections/account.html",
        {
            "page": page,
            "customer": customer,
            "activity_form": ActivityForm(customer=customer),
            "statement_to": getattr(recipient(customer), "email", ""),
            "dispute_form": DisputeForm(customer=customer),
            "promise_form": PromiseForm(customer=customer, initial={"grace_days": 2}),
            "back": request.get_full_path(),
        },
    )


@login_required
@require_POST
def activity_add(request, pk: int):
    _require(request.user, "web:collections_activity_add")
    customer = _account(request, pk)

    def log(data: dict) -> str:
        activity_log(actor=request.user, customer=customer, **data)
        return f"Logged on {customer.code}: {data['subject']}"

    form = ActivityForm(request.POST, customer=customer)
    return _submit(request, customer, form, "Not logged", log)


@login_required
@require_POST
def promise_add(request, pk: int):
    _require(request.user, "web:collections_promise_add")
    customer = _account(request, pk)

    def record(data: dict) -> str:
        promise = promise_make(actor=request.user, customer=customer, **data)
        return (
            f"{promise.number}: {promise.amount:,.2f} {promise.currency} by "
            f"{promise.promised_on.isoformat()}"
        )

    form = PromiseForm(request.POST, customer=customer)
    return _submit(request, customer, form, "No promise recorded", record)


@login_required
@require_POST
def dispute_add(request, pk: int):
    """Open a dispute, short payment or deduction on one of the account's invoices."""
    from revdesk.receivables.disputes import dispute_open

    _require(request.user, "web:collections_dispute_add")
    customer = _account(request, pk)

    def open_case(data: dict) -> str:
        case_type, reason = data["reason"].split("|", 1)
        case = dispute_open(
            actor=request.user,
            invoice=data["invoice"],
            case_type=case_type,
            reason=reason,
            amount=data["amount"],
            description=data["description"],
        )
        return (
            f"{case.case_type.name} {case.number} opened on {data['invoice'].number} "
            f"({case.team}): {data['amount']:,.2f} {case.currency}"
        )

    form = DisputeForm(request.POST, customer=customer)
    return _submit(request, customer, form, "No dispute opened", open_case)


class ShortPaymentForm(forms.Form):
    invoice = forms.ModelChoiceField(queryset=None)
    reason = forms.ChoiceField(label="Why")
    amount = forms.DecimalField(label="Amount", max_digits=18, decimal_places=2, min_value=0.01)
    description = forms.CharField(label="What the remittance says", required=False)

    def __init__(self, *args, payment, **kwargs):
        from revdesk.receivables.disputes import short_payment_reasons

        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = Invoice.objects.filter(
            applications__payment=payment, balance__gt=0
        )
        self.fields["reason"].choices = short_payment_reasons()


@login_required
@require_POST
def short_payment_add(request, pk: int):
    """A receipt paid an invoice short: the rest becomes a short payment case on the
    invoice, with the receipt as one of its subjects."""
    from django.shortcuts import get_object_or_404

    from revdesk.foundation.scoping import restrict
    from revdesk.receivables.disputes import dispute_open
    from revdesk.receivables.models import Payment

    _require(request.user, "web:collections_short_payment")
    payment = get_object_or_404(restrict(Payment.objects.all(), request.user), pk=pk)
    form = ShortPaymentForm(request.POST, payment=payment)
    if not form.is_valid():
        messages.error(request, "No case opened: choose the invoice, the reason and the amount.")
        return redirect(reverse("web:payment_detail", args=[payment.pk]))
    data = form.cleaned_data
    try:
        with acting_as(request.user, "web"):
            case = dispute_open(
                actor=request.user,
                invoice=data["invoice"],
                case_type="short_payment",
                reason=data["reason"],
                amount=data["amount"],
                description=data["description"],
                payment=payment,
            )
    except ValidationError as error:
        messages.error(request, f"No case opened: {_validation_message(error)}")
    else:
        messages.success(
            request,
            f"Short payment {case.number} opened on {data['invoice'].number} ({case.team}): "
            f"{data['amount']:,.2f} {case.currency}",
        )
    return redirect(reverse("web:payment_detail", args=[payment.pk]))


class ReversalForm(forms.Form):
    reversed_on = forms.DateField(label="Reversed on")
    reason = forms.CharField(label="Why", max_length=200)


def _reversal(request, pk: int, action, refused: str):
    """A reversal form of the payment page: `action(payment, on, reason)` in the person's
    name, its message said (or what was wrong), back to the payment."""
    from django.shortcuts import get_object_or_404

    from revdesk.foundation.scoping import restrict
    from revdesk.receivables.models import Payment

    payment = get_object_or_404(restrict(Payment.objects.all(), request.user), pk=pk)
    back = redirect(reverse("web:payment_detail", args=[payment.pk]))
    form = ReversalForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{refused}: give the day and say why.")
        return back
    try:
        with acting_as(request.user, "web"):
            said = action(payment, form.cleaned_data["reversed_on"], form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, f"{refused}: {_validation_message(error)}")
    else:
        messages.success(request, said)
    return back


@login_required
@require_POST
def payment_reverse(request, pk: int):
    """The receipt came back: it pays nothing from the day given, its invoices are open."""
    from revdesk.receivables.activities import receipt_returned

    _require(request.user, "web:payment_reverse")

    def reverse_receipt(payment, on, reason) -> str:
        reversals = receipt_returned(actor=request.user, payment=payment, on=on, reason=reason)
        reopened = len(reversals)
        return (
            f"{payment.number} reversed on {on.isoformat()}: "
            + (f"{reopened} invoice{'s' if reopened != 1 else ''} open again" if reopened else "")
            + ("; " if reopened else "")
            + f"{payment.amount:,.2f} {payment.currency} no longer received"
        )

    return _reversal(request, pk, reverse_receipt, "Not reversed")


@login_required
@require_POST
def payment_application_reverse(request, pk: int, application: int):
    """Take one application back (applied to the wrong invoice): the invoice is open again
    and the amount is the payment's to apply elsewhere."""
    from django.shortcuts import get_object_or_404

    from revdesk.receivables.services import application_reverse

    _require(request.user, "web:payment_application_reverse")

    def take_back(payment, on, reason) -> str:
        found = get_object_or_404(payment.applications.select_related("invoice"), pk=application)
        application_reverse(application=found, on=on, reason=reason, actor=request.user)
        return (
            f"{found.amount:,.2f} {payment.currency} taken back from {found.invoice.number}: "
            "it is open again and the amount is unapplied"
        )

    return _reversal(request, pk, take_back, "Not taken back")


@login_required
@require_POST
def invoice_document_view(request, pk: int):
    """Record what an invoice needs: a file, a reference, the day it went to the portal."""
    from django.shortcuts import get_object_or_404

    from revdesk.foundation.scoping import restrict
    from revdesk.receivables.documents import invoice_document_add

    _require(request.user, "web:collections_invoice_document")
    invoice = get_object_or_404(restrict(Invoice.objects.all(), request.user), pk=pk)
    upload = request.FILES.get("file")
    submitted = request.POST.get("submitted_on") or None
    try:
        day = dt.date.fromisoformat(submitted) if submitted else None
    except ValueError:
        messages.error(request, f"{submitted!r} is not a date written YYYY-MM-DD.")
        return redirect(_back(request, invoice.customer))
    try:
        with acting_as(request.user, "web"):
            document = invoice_document_add(
                actor=request.user,
                invoice=invoice,
                kind=request.POST.get("kind", ""),
                name=upload.name if upload else "",
                data=upload.read() if upload else None,
                reference=request.POST.get("reference", ""),
                submitted_on=day,
            )
    except ValidationError as error:
        messages.error(request, f"Not recorded: {_validation_message(error)}")
    else:
        messages.success(request, f"{invoice.number}: {document.get_kind_display()} recorded")
    return redirect(_back(request, invoice.customer))


@login_required
@require_POST
def task_done_view(request, pk: int):
    _require(request.user, "web:collections_task_done")
    from django.shortcuts import get_object_or_404

    task = get_object_or_404(Activity, pk=pk, done_at__isnull=True)
    customer = _account(request, task.customer_id)
    with acting_as(request.user, "web"):
        task_done(actor=request.user, task=task)
    messages.success(request, f"Done: {task.next_action or task.subject}")
    return redirect(_back(request, customer))


@login_required
@require_POST
def promise_cancel_view(request, pk: int):
    _require(request.user, "web:collections_promise_cancel")
    from django.shortcuts import get_object_or_404

    promise = get_object_or_404(PromiseToPay, pk=pk)
    customer = _account(request, promise.customer_id)
    try:
        with acting_as(request.user, "web"):
            promise_cancel(
                actor=request.user, promise=promise, reason=request.POST.get("reason", "")
            )
    except ValidationError as error:
        messages.error(request, f"{promise.number} not cancelled: {_validation_message(error)}")
    else:
        messages.success(request, f"{promise.number} cancelled")
    return redirect(_back(request, customer))


# -- statements of account -----------------------------------------------------------------


def _statement(request, pk: int):
    from revdesk.receivables.statements import statement_build

    customer = _account(request, pk)
    return statement_build(customer=customer, user=request.user)


@login_required
def statement_pdf_view(request, pk: int):
    from revdesk.receivables.statements import statement_pdf

    _require(request.user, "web:collections_statement_pdf")
    statement = _statement(request, pk)
    return _download(statement_pdf(statement), "application/pdf", f"{statement.file_stem}.pdf")


@login_required
def statement_excel_view(request, pk: int):
    from revdesk.receivables.statements import statement_xlsx

    _require(request.user, "web:collections_statement_excel")
    statement = _statement(request, pk)
    return _download(statement_xlsx(statement), XLSX, f"{statement.file_stem}.xlsx")


@login_required
@require_POST
def statement_send_view(request, pk: int):
    from revdesk.receivables.statements import statement_send

    _require(request.user, "web:collections_statement_send")
    customer = _account(request, pk)
    try:
        with acting_as(request.user, "web"):
            activity = statement_send(
                actor=request.user, customer=customer, to=request.POST.get("to") or None
            )
    except ValidationError as error:
        messages.error(request, _validation_message(error))
    else:
        messages.success(request, activity.subject)
    return redirect(_back(request, customer))
