"""Figures for the home pages, read through the scoped querysets of the person asking.

Money is summed in Python Decimal per currency (never SQL SUM: SQLite has float affinity),
then converted to the reporting currency at the day's rate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from revdesk.catalog.models import Product
from revdesk.catalog.selectors import MissingFxRate, money_to_reporting
from revdesk.engine.money import ZERO, Money
from revdesk.foundation.scoping import restrict
from revdesk.orders.choices import OrderStatus
from revdesk.orders.models import Order, OrderLine
from revdesk.orders.selectors import orders_with_totals
from revdesk.parties.models import Customer, Distributor, Payee
from revdesk.receivables.models import Invoice
from revdesk.receivables.selectors import mark_days_overdue, open_invoice_list


@dataclass(frozen=True)
class Amounts:
    """Amounts per currency, and their total in the reporting currency where rates exist."""

    by_currency: dict[str, Decimal]
    reporting: Money | None
    missing_rates: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.by_currency


def amounts_total(pairs: Iterable[tuple[str, Decimal]], *, on: dt.date) -> Amounts:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for currency, amount in pairs:
        totals[currency] += amount
    reporting_currency = settings.REPORTING_CURRENCY
    reporting = Money(ZERO, reporting_currency)
    missing = []
    for currency, amount in sorted(totals.items()):
        try:
            reporting = reporting + money_to_reporting(money=Money(amount, currency), on=on)
        except MissingFxRate:
            missing.append(currency)
    return Amounts(
        by_currency=dict(sorted(totals.items())),
        reporting=None if missing else reporting.rounded(),
        missing_rates=tuple(missing),
    )


@dataclass
class CollectionsSummary:
    customers: int
    open_invoices: int
    open_amounts: Amounts
    overdue_invoices: int
    overdue_amounts: Amounts
    oldest_overdue: list[Invoice] = field(default_factory=list)


def collections_summary(*, user, today: dt.date, oldest: int = 10) -> CollectionsSummary:
    customers = restrict(Customer.objects.filter(is_active=True), user).count()
    open_invoices = open_invoice_list(user=user)
    rows = list(open_invoices.values_list("currency", "balance", "due_on"))
    overdue = open_invoices.filter(Invoice.overdue_q(today))
    overdue_rows = list(overdue.values_list("currency", "balance"))
    oldest_overdue = list(overdue.select_related("customer").order_by("due_on", "number")[:oldest])
    mark_days_overdue(oldest_overdue, today)
    return CollectionsSummary(
        customers=customers,
        open_invoices=len(rows),
        open_amounts=amounts_total(((c, b) for c, b, _ in rows), on=today),
        overdue_invoices=len(overdue_rows),
        overdue_amounts=amounts_total(overdue_rows, on=today),
        oldest_overdue=oldest_overdue,
    )


@dataclass
class OrdersSummary:
    start: dt.date
    end: dt.date
    orders: int
    amounts: Amounts
    recent: list[Order]


def orders_summary(*, user, start: dt.date, end: dt.date, recent: int = 8) -> OrdersSummary:
    """Orders booked between start and end (inclusive), not cancelled, that user may see."""
    orders = restrict(
        Order.objects.filter(booked_on__gte=start, booked_on__lte=end).exclude(
            status=OrderStatus.CANCELLED
        ),
        user,
    )
    lines = restrict(
        OrderLine.objects.filter(order__in=orders.values("pk")),
        user,
    ).values_list("order__currency", "amount")
    latest = orders_with_totals(
        orders.select_related("customer").order_by("-booked_on", "-number")[:recent]
    )
    return OrdersSummary(
        start=start,
        end=end,
        orders=orders.count(),
        amounts=amounts_total(lines, on=end),
        recent=latest,
    )


@dataclass
class OperationsSummary:
    payees: int
    customers: int
    distributors: int
    products: int
    open_invoices: int


def operations_summary(*, user) -> OperationsSummary:
    return OperationsSummary(
        payees=restrict(Payee.objects.filter(is_active=True), user).count(),
        customers=restrict(Customer.objects.filter(is_active=True), user).count(),
        distributors=restrict(Distributor.objects.filter(is_active=True), user).count(),
        products=restrict(Product.objects.filter(is_active=True), user).count(),
        open_invoices=open_invoice_list(user=user).count(),
    )


@dataclass
class CasesSummary:
    my_open: int
    team_open: int
    team_breached: int


def cases_summary(*, user) -> CasesSummary | None:
    """For people in case teams: their own open cases, and open and breached ones in their
    teams. None for everybody else."""
    from revdesk.cases.scoping import team_ids_of
    from revdesk.cases.selectors import breached_q, case_list, open_q

    teams = team_ids_of(user)
    if not teams:
        return None
    cases = case_list(user)
    in_teams = cases.filter(team_id__in=teams)
    return CasesSummary(
        my_open=cases.filter(open_q(), owner_id=user.pk).count(),
        team_open=in_teams.filter(open_q()).count(),
        team_breached=in_teams.filter(breached_q()).count(),
    )
