"""/api/collections: the worklist, the reports (aging, Top Past Due, KPIs), and logging an
activity or a promise, for the collections desk (collectors see their portfolio, senior
collectors their team's, leaders and administrators everyone's; anyone else: 403)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from revdesk.engine.aging import GROUPS, Buckets
from revdesk.foundation.api import (
    Amount,
    AmountIn,
    ErrorOut,
    Pagination,
    ValidationErrorOut,
    visible_or_404,
)
from revdesk.foundation.context import acting_as
from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.parties.choices import Role
from revdesk.parties.models import Customer

from .activities import activity_log, promise_make
from .choices import ActivityKind, CallOutcome
from .models import Invoice
from .reports import TREND_GROUPS, aging_report, kpi_report, kpi_trend, top_past_due_report
from .worklist import worklist_entries

router = Router(tags=["collections"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
DESK = (Role.ADMIN, Role.SALES_OPERATIONS, Role.COLLECTOR, Role.SENIOR_COLLECTOR, Role.MANAGER)


def _desk(user) -> None:
    if not (user.is_superuser or viewer_for(user).has_role(*DESK)):
        raise HttpError(403, "The collections desk's figures are for collectors and leaders.")


class WorkItemOut(Schema):
    number: str
    due_on: dt.date | None
    days_past_due: int
    amount: Amount
    currency: str
    disputed: Amount = Decimal("0.00")
    predicted_pay_on: dt.date | None = None
    predicted_by: str = ""
    missing: list[str] = []


class WorklistRowOut(Schema):
    customer: str = Field(description="Customer code")
    name: str
    collector: str | None
    score: Decimal = Field(description="0 to 100; the parts add up to it")
    parts: list[tuple[str, Decimal]]
    at_risk: Amount = Field(description="In the reporting currency")
    oldest_days: int
    next_action: str
    why: str
    overdue: dict[str, Amount]
    coming_due: dict[str, Amount]
    items: list[WorkItemOut]
    worked_out_on: dt.date

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.code

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_collector(obj) -> str | None:
        return obj.collector.get_username() if obj.collector_id else None

    @staticmethod
    def resolve_worked_out_on(obj) -> dt.date:
        return obj.on


@router.get(
    "/collections/worklist",
    response={200: list[WorklistRowOut], **ERRORS},
    summary="The worklist, most urgent first (of one collector with ?collector=LOGIN)",
)
@paginate(Pagination)
def worklist_rows(request, collector: str | None = None):
    user = request.auth
    _desk(user)
    chosen = None
    if collector:
        chosen = get_user_model().objects.filter(username=collector).first()
        if chosen is None:
            raise ValidationError({"collector": f"No login {collector!r}"})
    return worklist_entries(user=user, collector=chosen).select_related("collector")


class AgingQuery(Schema):
    as_of: dt.date = Field(default_factory=dt.date.today)
    by: str = Field("customer", description=", ".join(GROUPS))
    basis: str = Field("due", description="due (days past due) or invoice (age)")
    buckets: str = Field("30,60,90,120", description="each bucket's upper limit in days")


@router.get(
    "/collections/aging",
    response={200: list[dict], **ERRORS},
    summary="The aging on a day, per customer (or --by) and currency; amounts as text",
)
def aging_rows(request, query: Query[AgingQuery]):
    _desk(request.auth)
    if query.by not in GROUPS:
        raise ValidationError({"by": f"write one of {', '.join(GROUPS)}"})
    try:
        buckets = Buckets.parse(query.buckets, query.basis)
    except ValueError as error:
        raise ValidationError({"buckets": str(error)}) from error
    report = aging_report(user=request.auth, as_of=query.as_of, by=query.by, buckets=buckets)
    return [_plain(row) for row in report.rows]


def _plain(row: dict) -> dict:
    return {
        key: (format(value, "f") if isinstance(value, Decimal) else value)
        for key, value in row.items()
        if key != "customer_id"
    }


class TopRowOut(Schema):
    rank: int
    customer: str
    name: str
    currency: str
    past_due: Amount
    oldest_days_past_due: int
    net_open: Amount
    items_past_due: int
    key_account: bool
    collector: str
    open_disputes: int
    disputed: Amount

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.code

    @staticmethod
    def resolve_key_account(obj) -> bool:
        return obj.is_key_account


@router.get(
    "/collections/top-past-due",
    response={200: list[TopRowOut], **ERRORS},
    summary="The Top Past Due list on a day (per currency)",
)
def top_rows(request, as_of: dt.date | None = None, top: int = 20, by: str = "customer"):
    _desk(request.auth)
    if by not in ("customer", "parent") or top < 1:
        raise ValidationError({"by": "customer or parent, and top 1 or more"})
    report = top_past_due_report(user=request.auth, as_of=as_of or dt.date.today(), top=top, by=by)
    return report.rows


class OpenDisputesOut(Schema):
    count: int = Field(description="Disputes open at the end of the last month")
    amount: Amount
    average_age_days: Decimal | None = Field(
        None, description="Their ages added up ÷ how many (two decimals)"
    )
    oldest_days: int | None
    buckets: dict[str, Amount] = Field(description="Amount by age: 0-30, 31-60, 61-90, over-90")


class KpiOut(Schema):
    key: str = Field(description="The customer, parent, collector or region; empty for the company")
    currency: str
    sales: Amount
    ar_begin: Amount
    ar_end: Amount
    ar_end_current: Amount
    ar_end_receivable: Amount = Field(
        description="Open invoices and debit memos at the end, before credits (% current's base)"
    )
    unapplied_cash: Amount
    disputes: OpenDisputesOut
    figures: dict[str, Decimal | None]
    notes: list[str]

    @staticmethod
    def resolve_disputes(obj) -> dict:
        values = obj.figures.values
        return {
            "count": obj.disputes.count,
            "amount": obj.disputes.amount,
            "average_age_days": values.get("dispute_average_age_days"),
            "oldest_days": obj.disputes.oldest_days,
            "buckets": obj.disputes.buckets,
        }

    @staticmethod
    def resolve_figures(obj) -> dict:
        return obj.figures.values

    @staticmethod
    def resolve_notes(obj) -> list[str]:
        return obj.figures.notes


def _months_checked(**months: str) -> None:
    for name, month in months.items():
        try:
            dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            raise ValidationError({name: f"{month!r}: write YYYY-MM"}) from None


@router.get(
    "/collections/kpis",
    response={200: list[KpiOut], **ERRORS},
    summary="DSO, best possible DSO, ADD, CEI, % current, unapplied cash and dispute aging "
    "of the months first..last",
)
def kpi_rows(request, first: str, last: str, by: str = "company"):
    _desk(request.auth)
    if by not in GROUPS:
        raise ValidationError({"by": f"write one of {', '.join(GROUPS)}"})
    _months_checked(first=first, last=last)
    if first > last:
        raise ValidationError({"last": "the last month comes after the first"})
    return kpi_report(user=request.auth, first=first, last=last, by=by)


class KpiTrendLineOut(Schema):
    key: str = Field(description="The collector or region; empty for the company")
    currency: str
    figures: list[dict[str, Decimal | None]] = Field(description="One per month, in order")


class KpiTrendOut(Schema):
    months: list[str] = Field(description="Each month's figures are over the quarter it ends")
    by: str
    lines: list[KpiTrendLineOut]


@router.get(
    "/collections/kpis/trend",
    response={200: KpiTrendOut, **ERRORS},
    summary="Every KPI month by month up to last (each over the quarter it ends), per "
    "company, collector or region",
)
def kpi_trend_lines(request, last: str, count: int = 12, by: str = "company"):
    _desk(request.auth)
    if by not in TREND_GROUPS:
        raise ValidationError({"by": f"write one of {', '.join(TREND_GROUPS)}"})
    if not 1 <= count <= 24:
        raise ValidationError({"count": "from 1 to 24 months"})
    _months_checked(last=last)
    trend = kpi_trend(user=request.auth, last=last, count=count, by=by)
    lines = [
        {"key": key, "currency": currency, "figures": [k.values for k in values]}
        for currency, groups in trend.series.items()
        for key, values in groups.items()
    ]
    return {"months": trend.months, "by": trend.by, "lines": lines}


class ActivityIn(Schema):
    customer: str = Field(description="Customer code")
    kind: ActivityKind = ActivityKind.CALL
    subject: str
    body: str = ""
    outcome: CallOutcome | None = None
    invoice: str | None = Field(None, description="Invoice number")
    next_action: str = ""
    next_action_on: dt.date | None = None


class ActivityOut(Schema):
    id: int
    customer: str
    kind: str
    subject: str
    occurred_at: dt.datetime
    next_action: str
    next_action_on: dt.date | None

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.code


def _customer(user, code: str) -> Customer:
    return visible_or_404(restrict(Customer.objects.all(), user), label="customer", code=code)


def _invoice(customer: Customer, number: str | None) -> Invoice | None:
    if not number:
        return None
    found = Invoice.objects.filter(number=number, customer=customer).first()
    if found is None:
        raise ValidationError({"invoice": f"{customer.code} has no invoice {number}"})
    return found


@router.post(
    "/collections/activities",
    response={201: ActivityOut, **ERRORS},
    summary="Log a call, e-mail, note, statement or portal upload on an account",
)
def activity_new(request, body: ActivityIn):
    user = request.auth
    _desk(user)
    customer = _customer(user, body.customer)
    if body.kind == ActivityKind.TASK:
        raise ValidationError({"kind": "a task comes from a next action with a date"})
    with acting_as(user, "api"):
        activity = activity_log(
            actor=user,
            customer=customer,
            kind=body.kind,
            subject=body.subject,
            body=body.body,
            outcome=body.outcome or "",
            invoice=_invoice(customer, body.invoice),
            next_action=body.next_action,
            next_action_on=body.next_action_on,
        )
    return Status(201, activity)


class PromiseIn(Schema):
    customer: str
    amount: AmountIn
    promised_on: dt.date
    grace_days: int = Field(2, ge=0, le=30)
    currency: str | None = None
    invoices: list[str] = []
    note: str = ""


class PromiseOut(Schema):
    number: str
    customer: str
    amount: Amount
    currency: str
    promised_on: dt.date
    deadline: dt.date
    status: str
    received: Amount

    @staticmethod
    def resolve_customer(obj) -> str:
        return obj.customer.code


@router.post(
    "/collections/promises",
    response={201: PromiseOut, **ERRORS},
    summary="Record a promise to pay (evaluated every day: kept or broken)",
)
def promise_new(request, body: PromiseIn):
    user = request.auth
    _desk(user)
    customer = _customer(user, body.customer)
    invoices = [_invoice(customer, number) for number in dict.fromkeys(body.invoices)]
    with acting_as(user, "api"):
        promise = promise_make(
            actor=user,
            customer=customer,
            amount=body.amount,
            promised_on=body.promised_on,
            currency=body.currency,
            grace_days=body.grace_days,
            invoices=invoices,
            note=body.note,
        )
    return Status(201, promise)


__all__ = ["router"]
