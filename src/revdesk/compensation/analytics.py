"""Commission analytics: the trends the commissions desk reports every month.

Read only. Every report covers a range of months and is built from stored runs:

**Which figures.** For every period in the range (a month, and the quarters and years that end
in it: a monthly run pays quarterly and yearly plans whose period ends in its month) the
figures come from one run: the newest approved or paid run covering the period; where there
is none, the newest reviewed run; else the newest draft. `Analytics.sources` says which run
and status each period's figures come from. A quarter's or a year's figures are reported in
the month it ends (2026-Q3 in 2026-09).

**Payout by component** (per month and currency): the run's explanation lines of the
month's periods, added up per component. A line without a component (a draw, a recovery, a
period-total rounding) counts under its kind, as statements group them. The components of a
month add up to its payouts.

**Payout by plan** (per month and currency): each payout counted under the plan the payee was
assigned on the last day of its period ("No plan" when none).

**Payout by region** (per month and currency): each payout counted under the region of the
territory the payee was assigned on the last day of its period (an owner assignment before an
overlay); the region is the top of the territory hierarchy ("No territory" when none).

**Attainment distribution** (for one month): every payee on a plan whose period ends in that
month (a monthly plan every month; a quarterly plan in March, June, September and December)
with a quota for the period (their own, loaded with `revdesk commissions quotas import`, else
the plan's `quota`), counted in the band of *credited ÷ quota*. Credited is what attainment is
measured on: the base of the earning and clawback lines of the plan's first component (as on
a payee's commissions page). Bands: below 50%, 50% to below 75%, 75% to below 100%, 100% to
below 125%, 125% and above (exactly at quota counts as 100–125%). A payee on the plan who was
credited nothing is at 0%.

**Cost of sales** (per month, in the reporting currency): commission ÷ commissioned revenue,
with both figures. Commission: the month's payouts. Commissioned revenue: the net amount
(amount − tax) of the invoices issued in the month that commission is calculated on (an order
with lines and commission eligibility, credited to its sales rep or, without one, to the owner
of the customer's territory on the invoice date), less the net of the credit memos issued in
the month on such invoices. Amounts in other currencies are converted at the rate in force
on the month's last day (the rule the calculation uses); an amount with no rate is left out
and named in `notes`. Revenue is counted when invoiced, also for plans paid on payment.

**Top variances**: the largest differences between what the run calculated and what payroll
paid (`Variance` rows of the runs the range's figures come from), by absolute size: payee,
period, component, calculated, paid, variance = calculated − paid, and the case about it.

Who sees what: a person sees only the payees they may see (a manager their team); the command
line (user None) sees everything. Money is added in Python Decimal, never in SQL
(docs/decisions/0002-money.md), and rounded half-up to the cent once, after adding.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q

from revdesk.engine.commission_inputs import period_parse
from revdesk.engine.money import round_money
from revdesk.foundation.spreadsheet import MONEY_FORMAT, PERCENT_FORMAT, Sheet

from .models import (
    CommissionRun,
    Payout,
    PayoutLine,
    PlanVersion,
    Quota,
    RunStatus,
    Variance,
)

ZERO = Decimal(0)
#: which run a period's figures come from: approved or paid first, then reviewed, then draft
STATUS_RANK = {RunStatus.PAID: 2, RunStatus.APPROVED: 2, RunStatus.REVIEWED: 1, RunStatus.DRAFT: 0}
#: lines whose base is what was credited to the payee (attainment is measured on it)
CREDIT_KINDS = ("earning", "clawback")
#: attainment bands: (label, lowest attainment included, highest excluded)
BANDS: tuple[tuple[str, Decimal | None, Decimal | None], ...] = (
    ("Below 50%", None, Decimal("0.50")),
    ("50% to 75%", Decimal("0.50"), Decimal("0.75")),
    ("75% to 100%", Decimal("0.75"), Decimal("1.00")),
    ("100% to 125%", Decimal("1.00"), Decimal("1.25")),
    ("125% and above", Decimal("1.25"), None),
)
NO_PLAN = "No plan"
NO_TERRITORY = "No territory"
TOP_VARIANCES = 10


class AnalyticsRefused(ValueError):
    """The range asked for cannot be reported: the reason in plain words."""


# -- months and periods --------------------------------------------------------------------


def month_parse(text: str, label: str = "month") -> str:
    """'2026-03' as written, or AnalyticsRefused saying what was expected."""
    text = (text or "").strip()
    shaped = len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit()
    if shaped and 1 <= int(text[5:]) <= 12 and int(text[:4]) >= 1900:
        return text
    raise AnalyticsRefused(f"{label} {text!r} is not a month: write it as 2026-03")


def months_between(first: str, last: str) -> list[str]:
    """Every month from first to last, both included ('2026-01', ..., '2026-10')."""
    if first > last:
        raise AnalyticsRefused(f"the range starts ({first}) after it ends ({last})")
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year}-{month:02d}" <= last:
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_of(period: str) -> str:
    """The month a period is reported in: the month it ends in (2026-Q3 -> 2026-09)."""
    last = period_parse(period)[1]
    return f"{last.year}-{last.month:02d}"


def periods_ending_in(month: str) -> list[str]:
    """The periods a monthly run pays in `month`: the month, and a quarter or year ending in it."""
    year, number = month[:4], int(month[5:])
    periods = [month]
    if number % 3 == 0:
        periods.append(f"{year}-Q{number // 3}")
    if number == 12:
        periods.append(year)
    return periods


def year_to_date(today: dt.date) -> tuple[str, str]:
    """January of today's year to today's month."""
    return f"{today.year}-01", f"{today.year}-{today.month:02d}"


# -- the reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """The run a period's figures come from."""

    period: str
    month: str
    run_id: int
    status: str

    @property
    def is_final(self) -> bool:
        return self.status in (RunStatus.APPROVED, RunStatus.PAID)


@dataclass
class Breakdown:
    """Payouts per month and series (component, plan or region) in one currency."""

    dimension: str
    currency: str
    months: list[str]
    series: list[str]  # largest total first
    values: dict[tuple[str, str], Decimal]  # (month, series) -> amount, in cents

    def amount(self, month: str, series: str) -> Decimal | None:
        return self.values.get((month, series))

    def month_total(self, month: str) -> Decimal:
        return sum((self.values.get((month, name), ZERO) for name in self.series), ZERO)

    def series_total(self, series: str) -> Decimal:
        return sum((self.values.get((month, series), ZERO) for month in self.months), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((self.month_total(month) for month in self.months), ZERO)

    def rows(self) -> list[tuple[str, list[Decimal | None], Decimal]]:
        """(month, amount per series, month total) for tables."""
        return [
            (month, [self.amount(month, name) for name in self.series], self.month_total(month))
            for month in self.months
        ]


@dataclass(frozen=True)
class CostOfSales:
    month: str
    currency: str
    commission: Decimal
    revenue: Decimal

    @property
    def ratio(self) -> Decimal | None:
        """Commission ÷ revenue as a fraction to four places (0.0487 is 4.87%), half-up."""
        if not self.revenue:
            return None
        return (self.commission / self.revenue).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AttainmentRow:
    payee_code: str
    payee_name: str
    plan: str
    period: str
    credited: Decimal  # in cents
    quota: Decimal
    currency: str
    attainment: Decimal  # credited ÷ quota as a fraction to four places (1.0250 is 102.50%)
    band: str  # decided on the exact fraction


@dataclass
class Attainment:
    month: str | None
    rows: list[AttainmentRow]
    sources: list[Source]

    @property
    def bands(self) -> list[tuple[str, int]]:
        counts = {label: 0 for label, _, _ in BANDS}
        for row in self.rows:
            counts[row.band] += 1
        return list(counts.items())


@dataclass(frozen=True)
class VarianceRow:
    run_id: int
    payee_code: str
    payee_name: str
    period: str
    component: str
    currency: str
    calculated: Decimal
    paid: Decimal
    case_number: str | None

    @property
    def variance(self) -> Decimal:
        return self.calculated - self.paid


@dataclass
class Analytics:
    first: str
    last: str
    months: list[str]
    reporting_currency: str
    sources: list[Source]
    by_component: list[Breakdown]
    by_plan: list[Breakdown]
    by_region: list[Breakdown]
    cost_of_sales: list[CostOfSales]
    attainment: Attainment
    variances: list[VarianceRow]
    notes: list[str] = field(default_factory=list)
    sees_everyone: bool = True

    @property
    def months_without_run(self) -> list[str]:
        covered = {source.month for source in self.sources}
        return [month for month in self.months if month not in covered]

    @property
    def includes_drafts(self) -> bool:
        return any(not source.is_final for source in self.sources)


def analytics_sources(months: list[str]) -> list[Source]:
    """Per period paid in these months, the run its figures come from (see the module)."""
    wanted = {period: month for month in months for period in periods_ending_in(month)}
    best: dict[str, tuple[int, str]] = {}
    for period, run_id, status in (
        Payout.objects.filter(period__in=list(wanted))
        .values_list("period", "run_id", "run__status")
        .distinct()
    ):
        rank = (STATUS_RANK.get(status, -1), run_id)
        current = best.get(period)
        if current is None or rank > (STATUS_RANK.get(current[1], -1), current[0]):
            best[period] = (run_id, status)
    return sorted(
        (Source(period, wanted[period], run, status) for period, (run, status) in best.items()),
        key=lambda source: (source.month, len(source.period), source.period),
    )


def _by_run(sources: list[Source]) -> Q:
    """Rows of exactly these (run, period) pairs."""
    runs: dict[int, list[str]] = defaultdict(list)
    for source in sources:
        runs[source.run_id].append(source.period)
    condition = Q(pk__in=[])
    for run_id, periods in runs.items():
        condition |= Q(run_id=run_id, period__in=periods)
    return condition


def _visible_payees(user):
    """None: everyone (the command line, or a person who sees every payee); else a queryset."""
    from revdesk.foundation.scoping import restrict
    from revdesk.parties.models import Payee

    if user is None:
        return None
    visible = restrict(Payee.objects.all(), user)
    if visible.count() == Payee.objects.count():
        return None
    return visible.values("pk")


@dataclass
class _Payout:
    payee_id: int
    period: str
    month: str
    amount: Decimal
    currency: str


def _breakdown(
    dimension: str, months: list[str], amounts: dict[tuple[str, str, str], Decimal]
) -> list[Breakdown]:
    """One Breakdown per currency from amounts keyed (month, series, currency)."""
    per_currency: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for (month, series, currency), amount in amounts.items():
        per_currency[currency][(month, series)] = round_money(amount)
    breakdowns = []
    for currency in sorted(per_currency):
        values = per_currency[currency]
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (_, series), amount in values.items():
            totals[series] += amount
        series = sorted(totals, key=lambda name: (-abs(totals[name]), name))
        shown = [month for month in months if any((month, name) in values for name in series)]
        breakdowns.append(Breakdown(dimension, currency, shown, series, values))
    return breakdowns


@dataclass
class _Organisation:
    """Plan and territory assignments, plan versions and the territory tree, read once."""

    plans: dict[int, list[tuple[dt.date, dt.date | None, str]]]
    territories: dict[int, list[tuple[dt.date, dt.date | None, str, int]]]
    region_name: dict[int, str]
    versions: dict[str, list[PlanVersion]]
    parsed: dict[int, object] = field(default_factory=dict)

    @classmethod
    def read(cls) -> _Organisation:
        from revdesk.parties.models import PlanAssignment, Territory, TerritoryAssignment

        plans: dict[int, list] = defaultdict(list)
        for payee_id, start, end, code in PlanAssignment.objects.values_list(
            "payee_id", "valid_from", "valid_to", "plan_code"
        ):
            plans[payee_id].append((start, end, code))
        territories: dict[int, list] = defaultdict(list)
        for payee_id, start, end, role, territory_id in TerritoryAssignment.objects.values_list(
            "payee_id", "valid_from", "valid_to", "role", "territory_id"
        ):
            territories[payee_id].append((start, end, role, territory_id))
        parent: dict[int, int | None] = {}
        name: dict[int, str] = {}
        for pk, parent_id, territory_name in Territory.objects.values_list(
            "pk", "parent_id", "name"
        ):
            parent[pk], name[pk] = parent_id, territory_name
        region_name = {}
        for pk in parent:
            top, seen = pk, {pk}
            while parent.get(top) is not None and parent[top] not in seen:
                top = parent[top]
                seen.add(top)
            region_name[pk] = name[top]
        versions: dict[str, list[PlanVersion]] = defaultdict(list)
        for version in PlanVersion.objects.order_by("code", "valid_from", "version"):
            versions[version.code].append(version)
        return cls(plans, territories, region_name, versions)

    @staticmethod
    def _covers(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
        return start <= day and (end is None or end >= day)

    def plan_code(self, payee_id: int, day: dt.date) -> str | None:
        found = [
            (start, code)
            for start, end, code in self.plans.get(payee_id, [])
            if self._covers(start, end, day)
        ]
        return max(found)[1] if found else None

    def region(self, payee_id: int, day: dt.date) -> str:
        found = [
            (role != "owner", start, territory_id)
            for start, end, role, territory_id in self.territories.get(payee_id, [])
            if self._covers(start, end, day)
        ]
        if not found:
            return NO_TERRITORY
        found.sort(key=lambda entry: (entry[0], -entry[1].toordinal(), entry[2]))
        return self.region_name[found[0][2]]

    def plan(self, code: str, day: dt.date):
        """The parsed plan version of `code` in force on `day`, or None."""
        from revdesk.engine.plan_files import plan_parse

        candidates = [
            version
            for version in self.versions.get(code, [])
            if self._covers(version.valid_from, version.valid_to, day)
        ]
        if not candidates:
            return None
        version = max(candidates, key=lambda entry: (entry.valid_from, entry.version))
        if version.pk not in self.parsed:
            self.parsed[version.pk] = plan_parse(version.text, f"{version.code} v{version.version}")
        return self.parsed[version.pk]


def _rate(source: str, target: str, day: dt.date) -> Decimal | None:
    """The rate in force on `day` (the inverse of the published one if only that exists)."""
    from revdesk.catalog.selectors import MissingFxRate, fx_rate_on

    try:
        return fx_rate_on(currency=source, quote_currency=target, on=day)
    except MissingFxRate:
        pass
    try:
        inverse = fx_rate_on(currency=target, quote_currency=source, on=day)
    except MissingFxRate:
        return None
    if not inverse:
        return None
    return (Decimal(1) / inverse).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _revenue(months: list[str], visible) -> dict[str, dict[str, Decimal]]:
    """Commissioned revenue per month and currency (see the module): the invoices issued in the
    month that a run credits to someone, net of tax, less the net of the credit memos issued in
    the month on such invoices. Credited to: the order's sales rep, else the owner of the
    customer's territory on the invoice date (as the calculation credits them)."""
    from revdesk.receivables.models import CreditMemo, Invoice

    from .selectors import TerritoryOwners

    first = period_parse(months[0])[0]
    last = period_parse(months[-1])[1]
    owners = TerritoryOwners()
    visible_codes = None if visible is None else set(visible.values_list("code", flat=True))
    commissioned = Invoice.objects.filter(
        order__commission_eligible=True, order__lines__isnull=False
    )

    def credited(rep: str | None, territory: str | None, issued: dt.date) -> bool:
        payee = rep or owners.on(territory, issued)
        return payee is not None and (visible_codes is None or payee in visible_codes)

    revenue: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for _pk, issued, currency, amount, tax, rep, territory in (
        commissioned.filter(issued_on__gte=first, issued_on__lte=last)
        .values_list(
            "pk",
            "issued_on",
            "currency",
            "amount",
            "tax_amount",
            "order__sales_rep__code",
            "customer__territory__code",
        )
        .distinct()
    ):
        if credited(rep, territory, issued):
            revenue[f"{issued.year}-{issued.month:02d}"][currency] += amount - tax
    for _pk, issued, currency, amount, gross, tax, invoiced, rep, territory in (
        CreditMemo.objects.filter(
            issued_on__gte=first, issued_on__lte=last, invoice__in=commissioned.values("pk")
        )
        .values_list(
            "pk",
            "issued_on",
            "currency",
            "amount",
            "invoice__amount",
            "invoice__tax_amount",
            "invoice__issued_on",
            "invoice__order__sales_rep__code",
            "invoice__customer__territory__code",
        )
        .distinct()
    ):
        if credited(rep, territory, invoiced):
            net = round_money(amount * (gross - tax) / gross) if gross else amount
            revenue[f"{issued.year}-{issued.month:02d}"][currency] -= net
    return revenue


def _attainment(
    month: str | None, sources: list[Source], organisation: _Organisation, visible
) -> Attainment:
    from revdesk.parties.models import Payee

    if month is None:
        return Attainment(None, [], [])
    ending = {source.period: source for source in sources if source.month == month}
    payees = Payee.objects.order_by("code")
    if visible is not None:
        payees = payees.filter(pk__in=visible)
    candidates = []  # (payee, plan code, plan, period key)
    for payee in payees.only("pk", "code", "name"):
        day = period_parse(month)[1]
        code = organisation.plan_code(payee.pk, day)
        plan = organisation.plan(code, day) if code else None
        if plan is None or not plan.components:
            continue
        key = {
            "month": month,
            "quarter": f"{month[:4]}-Q{(int(month[5:]) + 2) // 3}",
            "year": month[:4],
        }[plan.period]
        if month_of(key) != month or key not in ending:
            continue
        candidates.append((payee, code, plan, key))
    used = sorted({ending[key] for *_, key in candidates}, key=lambda source: source.period)
    own_quota = {
        (payee_id, period): amount
        for payee_id, period, amount in Quota.objects.filter(period__in=list(ending)).values_list(
            "payee_id", "period", "amount"
        )
    }
    credited: dict[tuple[int, str, str], Decimal] = defaultdict(lambda: ZERO)
    if used:
        for payee_id, period, component, base in PayoutLine.objects.filter(
            _by_run(used), kind__in=CREDIT_KINDS
        ).values_list("payee_id", "period", "component", "base"):
            credited[(payee_id, period, component)] += base or ZERO
    rows = []
    for payee, code, plan, key in candidates:
        quota = own_quota.get((payee.pk, key), plan.quota)
        if not quota:
            continue
        amount = credited.get((payee.pk, key, plan.components[0].code), ZERO)
        ratio = amount / quota
        band = next(
            label
            for label, low, high in BANDS
            if (low is None or ratio >= low) and (high is None or ratio < high)
        )
        rows.append(
            AttainmentRow(
                payee_code=payee.code,
                payee_name=payee.name,
                plan=code,
                period=key,
                credited=round_money(amount),
                quota=round_money(quota),
                currency=plan.currency,
                attainment=ratio.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
                band=band,
            )
        )
    return Attainment(month, rows, used)


def _variances(sources: list[Source], visible, limit: int) -> list[VarianceRow]:
    if not sources:
        return []
    variances = Variance.objects.filter(_by_run(sources))
    if visible is not None:
        variances = variances.filter(payee__in=visible)
    rows = [
        VarianceRow(run_id, code, name, period, component, currency, calculated, paid, case)
        for run_id, code, name, period, component, currency, calculated, paid, case in (
            variances.values_list(
                "run_id",
                "payee__code",
                "payee__name",
                "period",
                "component",
                "currency",
                "calculated",
                "paid",
                "case__number",
            )
        )
        if calculated != paid
    ]
    rows.sort(key=lambda row: (-abs(row.variance), row.period, row.payee_code, row.component))
    return rows[:limit]


def commission_analytics(
    *,
    first: str,
    last: str,
    user,
    attainment_month: str | None = None,
    top: int = TOP_VARIANCES,
    progress: Callable[[str], None] | None = None,
) -> Analytics:
    """Every report for the months first..last (YYYY-MM), as this person may see them (user
    None: everyone). attainment_month: the month of the attainment distribution (default: the
    last month of the range that a run covers). AnalyticsRefused for a range written wrong."""
    step = progress or (lambda _stage: None)
    first, last = month_parse(first, "From"), month_parse(last, "To")
    months = months_between(first, last)
    if attainment_month:
        attainment_month = month_parse(attainment_month, "Attainment month")
    step("sources")
    visible = _visible_payees(user)
    sources = analytics_sources(months)
    notes: list[str] = []

    step("payouts")
    payouts_query = Payout.objects.filter(_by_run(sources)) if sources else Payout.objects.none()
    if visible is not None:
        payouts_query = payouts_query.filter(payee__in=visible)
    payouts = [
        _Payout(payee_id, period, month_of(period), amount, currency)
        for payee_id, period, amount, currency in payouts_query.values_list(
            "payee_id", "period", "amount", "currency"
        )
    ]
    currency_of = {(row.payee_id, row.period): row.currency for row in payouts}

    step("components")
    components: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    lines = PayoutLine.objects.filter(_by_run(sources)) if sources else PayoutLine.objects.none()
    if visible is not None:
        lines = lines.filter(payee__in=visible)
    for payee_id, period, component, kind, amount, currency in lines.values_list(
        "payee_id", "period", "component", "kind", "amount", "currency"
    ).iterator(chunk_size=5000):
        currency = currency or currency_of.get((payee_id, period), "")
        components[(month_of(period), component or kind, currency)] += amount

    step("plans and regions")
    organisation = _Organisation.read()
    plans: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    regions: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in payouts:
        day = period_parse(row.period)[1]
        plans[(row.month, organisation.plan_code(row.payee_id, day) or NO_PLAN, row.currency)] += (
            row.amount
        )
        regions[(row.month, organisation.region(row.payee_id, day), row.currency)] += row.amount

    step("cost of sales")
    reporting = settings.REPORTING_CURRENCY
    commission: dict[str, Decimal] = defaultdict(lambda: ZERO)
    covered = sorted({source.month for source in sources})
    missing: set[tuple[str, str, str]] = set()

    def converted(amount: Decimal, currency: str, month: str) -> Decimal | None:
        if currency == reporting:
            return amount
        rate = _rate(currency, reporting, period_parse(month)[1])
        if rate is None:
            missing.add((currency, reporting, month))
            return None
        return amount * rate

    for row in payouts:
        value = converted(row.amount, row.currency, row.month)
        if value is not None:
            commission[row.month] += value
    cost_of_sales = []
    if covered:
        revenue = _revenue(covered, visible)
        for month in covered:
            total = ZERO
            for currency, amount in sorted(revenue.get(month, {}).items()):
                value = converted(amount, currency, month)
                if value is not None:
                    total += value
            cost_of_sales.append(
                CostOfSales(month, reporting, round_money(commission[month]), round_money(total))
            )
    for currency, target, month in sorted(missing):
        notes.append(
            f"No {currency} to {target} rate on the last day of {month}: the {currency} amounts "
            f"of {month} are left out of cost of sales."
        )

    step("attainment")
    if attainment_month is None:
        attainment_month = covered[-1] if covered else None
    elif attainment_month not in covered:
        notes.append(f"No run covers {attainment_month}: there is no attainment to show for it.")
    attainment_sources = analytics_sources([attainment_month]) if attainment_month else []
    attainment = _attainment(attainment_month, attainment_sources, organisation, visible)

    step("variances")
    variances = _variances(sources, visible, top)
    for month in months:
        if month not in covered:
            notes.append(f"No run covers {month} yet.")
    return Analytics(
        first=first,
        last=last,
        months=months,
        reporting_currency=reporting,
        sources=sources,
        by_component=_breakdown("Component", months, components),
        by_plan=_breakdown("Plan", months, plans),
        by_region=_breakdown("Region", months, regions),
        cost_of_sales=cost_of_sales,
        attainment=attainment,
        variances=variances,
        notes=notes,
        sees_everyone=visible is None,
    )


def run_status_label(status: str) -> str:
    return RunStatus(status).label if status in RunStatus.values else status


# -- as JSON and as Excel --------------------------------------------------------------------


def _breakdown_json(breakdown: Breakdown) -> dict:
    return {
        "currency": breakdown.currency,
        "series": breakdown.series,
        "months": [
            {
                "month": month,
                "amounts": {
                    name: str(amount)
                    for name, amount in zip(breakdown.series, amounts, strict=True)
                    if amount is not None
                },
                "total": str(total),
            }
            for month, amounts, total in breakdown.rows()
        ],
    }


def analytics_json(report: Analytics) -> dict:
    """The reports with money as strings (exact), for --json and scripts."""
    return {
        "from": report.first,
        "to": report.last,
        "reporting_currency": report.reporting_currency,
        "sources": [
            {"period": s.period, "month": s.month, "run": s.run_id, "status": s.status}
            for s in report.sources
        ],
        "by_component": [_breakdown_json(entry) for entry in report.by_component],
        "by_plan": [_breakdown_json(entry) for entry in report.by_plan],
        "by_region": [_breakdown_json(entry) for entry in report.by_region],
        "cost_of_sales": [
            {
                "month": row.month,
                "currency": row.currency,
                "commission": str(row.commission),
                "revenue": str(row.revenue),
                "cost_of_sales": None if row.ratio is None else str(row.ratio),
            }
            for row in report.cost_of_sales
        ],
        "attainment": {
            "month": report.attainment.month,
            "bands": [{"band": label, "payees": count} for label, count in report.attainment.bands],
            "payees": [
                {
                    "payee": row.payee_code,
                    "name": row.payee_name,
                    "plan": row.plan,
                    "period": row.period,
                    "credited": str(row.credited),
                    "quota": str(row.quota),
                    "currency": row.currency,
                    "attainment": str(row.attainment),
                    "band": row.band,
                }
                for row in report.attainment.rows
            ],
        },
        "top_variances": [
            {
                "run": row.run_id,
                "payee": row.payee_code,
                "name": row.payee_name,
                "period": row.period,
                "component": row.component,
                "currency": row.currency,
                "calculated": str(row.calculated),
                "paid": str(row.paid),
                "variance": str(row.variance),
                "case": row.case_number,
            }
            for row in report.variances
        ],
        "notes": report.notes,
    }


SHEETS = (
    "Sources",
    "By component",
    "By plan",
    "By region",
    "Attainment",
    "Cost of sales",
    "Top variances",
)


def _breakdown_sheet(workbook, title: str, breakdowns: list[Breakdown]) -> None:
    sheet = Sheet(workbook, title)
    if not breakdowns:
        sheet.header(["Month", "Currency", "Total"])
    for index, breakdown in enumerate(breakdowns):
        if index:
            sheet.row([None])
        sheet.header(["Month", "Currency", *breakdown.series, "Total"])
        money = [MONEY_FORMAT] * (len(breakdown.series) + 1)
        for month, amounts, total in breakdown.rows():
            sheet.row([month, breakdown.currency, *amounts, total], [None, None, *money])
        sheet.row(
            [
                "Total",
                breakdown.currency,
                *[breakdown.series_total(name) for name in breakdown.series],
                breakdown.total,
            ],
            [None, None, *money],
        )
    sheet.finish()


def analytics_xlsx(report: Analytics) -> bytes:
    """One sheet per report (see SHEETS), money as numbers with two decimals."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)

    sources = Sheet(workbook, "Sources")
    sources.header(["Period", "Reported in", "Run", "Status"])
    for source in report.sources:
        sources.row([source.period, source.month, source.run_id, run_status_label(source.status)])
    if report.notes:
        sources.row([None])
        for note in report.notes:
            sources.row([note])
    sources.finish()

    _breakdown_sheet(workbook, "By component", report.by_component)
    _breakdown_sheet(workbook, "By plan", report.by_plan)
    _breakdown_sheet(workbook, "By region", report.by_region)

    attainment = Sheet(workbook, "Attainment")
    attainment.header(["Band", "Payees"])
    for label, count in report.attainment.bands:
        attainment.row([label, count])
    attainment.row([None])
    attainment.header(
        ["Payee", "Name", "Plan", "Period", "Credited", "Quota", "Currency", "Attainment", "Band"]
    )
    for row in report.attainment.rows:
        attainment.row(
            [
                row.payee_code,
                row.payee_name,
                row.plan,
                row.period,
                row.credited,
                row.quota,
                row.currency,
                row.attainment,
                row.band,
            ],
            [None, None, None, None, MONEY_FORMAT, MONEY_FORMAT, None, PERCENT_FORMAT, None],
        )
    attainment.finish()

    cost = Sheet(workbook, "Cost of sales")
    cost.header(["Month", "Currency", "Commission", "Commissioned revenue", "Cost of sales"])
    for row in report.cost_of_sales:
        cost.row(
            [row.month, row.currency, row.commission, row.revenue, row.ratio],
            [None, None, MONEY_FORMAT, MONEY_FORMAT, PERCENT_FORMAT],
        )
    cost.finish()

    variances = Sheet(workbook, "Top variances")
    variances.header(
        [
            "Run",
            "Payee",
            "Name",
            "Period",
            "Component",
            "Currency",
            "Calculated",
            "Paid",
            "Variance",
            "Case",
        ]
    )
    for row in report.variances:
        variances.row(
            [
                row.run_id,
                row.payee_code,
                row.payee_name,
                row.period,
                row.component or "total",
                row.currency,
                row.calculated,
                row.paid,
                row.variance,
                row.case_number or "",
            ],
            [None, None, None, None, None, None, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT, None],
        )
    variances.finish()

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def analytics_runs(report: Analytics) -> dict[int, CommissionRun]:
    """The runs the report's figures come from, by number (for links and labels)."""
    ids = {source.run_id for source in report.sources} | {
        source.run_id for source in report.attainment.sources
    }
    return CommissionRun.objects.in_bulk(ids)
