"""The commission stages as Ibis expressions: credit → measurement → earning → payable.

Only this module builds expressions; `commissions.calculate` runs them on a backend and does the
balance stage (restatement across periods, draws) over the few aggregated payee-period rows.
Every multiply is cast back to DECIMAL(38, 6) (Ibis does no decimal promotion of its own), every
rounding is `round(2)` on a DECIMAL (half away from zero on DuckDB and Spark, as Decimal's
ROUND_HALF_UP). The one division (pro rata of a payment) goes through a DECIMAL(38, 12) factor
that is exactly 1 once an invoice is fully paid.

Lines coming out of `earned_lines` carry: payee, plan (code), plan_key (code@version), period,
transaction_id, credit_share, component, tier, rate, base, amount, kind, date. The kinds are
earning | clawback | spif | bonus | override | cap | rounding (and, from the balance stage,
adjustment | draw | recovery).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.datatypes as dtypes
import pyarrow as pa
import pyarrow.compute as pc

from .backend import MONEY, money, product
from .commission_inputs import DECIMAL, REVERSAL_TYPES, CommissionInputs, period_parse
from .plans import Basis, Component, Filter, Plan, Spif

FACTOR = dtypes.Decimal(38, 12)
FOREVER = dt.date(9999, 12, 31)
DEAL_TYPES = ("invoice", "booking")

LINE_COLUMNS = (
    "payee",
    "plan",
    "plan_key",
    "period",
    "transaction_id",
    "credit_share",
    "component",
    "tier",
    "rate",
    "base",
    "amount",
    "kind",
    "date",
)


def plan_key(plan: Plan) -> str:
    return f"{plan.code}@{plan.version}"


def dec(value: Decimal | int | str) -> ibis.Value:
    """A DECIMAL(38, 6) literal."""
    return ibis.literal(Decimal(value), type=MONEY)


def mul(left: ibis.Value, right: ibis.Value) -> ibis.Value:
    return product(left, right)


ZERO = Decimal(0)


#: the month of a transaction ("2026-03"), a column of the compiler's transactions
TX_MONTH = "_tx_month"
#: the transaction columns a credited line may carry (with transaction_id, payee,
#: credit_share): those some plan reads (`Compiler.columns_read`)
CREDITED_COLUMNS = (
    "date",
    "type",
    "product_line",
    "sku",
    "segment",
    "territory",
    "units",
    "amount",
    "cost",
    "mrr",
    "tcv",
    "currency",
    "original_id",
    TX_MONTH,
)


#: the transaction column each basis measures (margin: amount less cost)
_BASIS_COLUMNS = {
    Basis.AMOUNT: "amount",
    Basis.MARGIN: "amount",
    Basis.UNITS: "units",
    Basis.MRR: "mrr",
    Basis.TCV: "tcv",
}


def period_of(lines: ibis.Table, period: str) -> ibis.Value:
    """The payout period of a line's transaction date (`period_key`), read from the month the
    compiler wrote on the transactions for monthly plans."""
    if period == "month" and TX_MONTH in lines.columns:
        return lines[TX_MONTH]
    return period_key(lines.date, period)


def period_key(date: ibis.Value, period: str) -> ibis.Value:
    """The payout period a date falls in, written as the plan's period says."""
    year = date.year().cast("string")
    if period == "year":
        return year
    if period == "quarter":
        return year.concat("-Q", date.quarter().cast("string"))
    return date.strftime("%Y-%m")


@dataclass(frozen=True)
class Snapshot:
    """What is known at a moment: the claims approved on or before `known_on`."""

    known_on: dt.date
    claim_ids: frozenset[str]


#: the knowledge snapshot a row belongs to: every snapshot is worked out in one pass, each
#: row carrying its snapshot's index, which every grouping, window and join between rows of
#: the pass keys on as it keys on the payee
SNAP = "_snap"

#: whether a credited row's transaction is one its snapshot's new claims moved (the first
#: snapshot's rows, and every direct credit, are not)
MOVED = "_moved"

_CLAIM_SCHEMA = {
    "transaction_id": "string",
    "payee": "string",
    "credit_share": MONEY,
    SNAP: "int32",
    MOVED: "boolean",
}
#: which payees' transactions each snapshot works out and which lines it gives: role `rows`,
#: the credited transactions of `payee` dated from `since` to `until`; role `moved`, only
#: those the snapshot's new claims moved; role `shown`, the payee's lines of those dates, of
#: the moved transactions alone when `moved_only` (the rest carried from earlier snapshots)
SCOPE_SCHEMA = ibis.schema(
    {
        "payee": "string",
        "role": "string",
        "since": "date",
        "until": "date",
        "moved_only": "boolean",
        SNAP: "int32",
    }
)


def _empty_lines() -> pa.Table:
    return pa.table(
        {
            "payee": pa.array([], pa.string()),
            "plan": pa.array([], pa.string()),
            "plan_key": pa.array([], pa.string()),
            "period": pa.array([], pa.string()),
            "transaction_id": pa.array([], pa.string()),
            "credit_share": pa.array([], DECIMAL),
            "component": pa.array([], pa.string()),
            "tier": pa.array([], pa.int32()),
            "rate": pa.array([], DECIMAL),
            "base": pa.array([], DECIMAL),
            "amount": pa.array([], DECIMAL),
            "kind": pa.array([], pa.string()),
            "date": pa.array([], pa.date32()),
        }
    )


class Compiler:
    """Turns the plans and input tables into the lines expression of every knowledge snapshot
    (each row carries its snapshot, `SNAP`)."""

    def __init__(self, inputs: CommissionInputs):
        self.inputs = inputs
        self.claims_name = f"revdesk_claims_{uuid.uuid4().hex}"
        self.scope_name = f"revdesk_scope_{uuid.uuid4().hex}"
        self.versions: dict[str, Plan] = {
            plan_key(plan): plan for versions in inputs.plans.values() for plan in versions
        }
        self.assign = ibis.memtable(plan_windows(inputs))
        # of the transactions, the columns the stages read (not the customer, say)
        tx = inputs.transactions
        read = {"id", "payee", "eligible", *self.columns_read()}
        self.eligible = _eligible(tx.select([name for name in tx.column_names if name in read]))
        # the month of every transaction, written once here rather than for every line
        dates = self.eligible["date"]
        days = pc.unique(dates)  # a few hundred: formatted once each
        month = pc.strftime(days, format="%Y-%m").take(pc.index_in(dates, value_set=days))
        self.eligible = self.eligible.append_column(TX_MONTH, month)
        self.tx = ibis.memtable(self.eligible)
        #: the transactions a reversal points at: what clawbacks and SPIFs look up (a small
        #: table to join, where every transaction would be built into each join's hash table)
        self.originals = ibis.memtable(_originals(self.eligible))
        self.rates = ibis.memtable(self._rate_table())
        self.fx = ibis.memtable(inputs.fx) if inputs.fx is not None else None
        self.quotas = ibis.memtable(self._quota_table()) if inputs.quotas is not None else None

    # -- reference data, small, prepared in Python --------------------------------------------

    def _rate_table(self) -> pa.Table:
        """Flat and product-line rates × multiplier of every plan version's components (for
        clawbacks at the original's rate); r_line is null for a flat rate."""
        rows: dict[str, list] = {"r_key": [], "r_component": [], "r_line": [], "r_rate": []}
        for key, plan in self.versions.items():
            for component in plan.components:
                if component.rate is not None:
                    table = {None: component.rate}
                else:
                    table = dict(component.rates_by_product_line or {})
                for line, rate in table.items():
                    rows["r_key"].append(key)
                    rows["r_component"].append(component.code)
                    rows["r_line"].append(line)
                    rows["r_rate"].append(rate * component.multiplier)
        return pa.table(
            rows,
            schema=pa.schema(
                [
                    ("r_key", pa.string()),
                    ("r_component", pa.string()),
                    ("r_line", pa.string()),
                    ("r_rate", DECIMAL),
                ]
            ),
        )

    def _quota_table(self) -> pa.Table:
        """Quotas with the year and end of their period, for year-to-date attainment."""
        quotas = self.inputs.quotas
        periods = quotas.column("period").to_pylist()
        end_of = {period: period_parse(period)[1] for period in set(periods)}
        ends = [end_of[period] for period in periods]
        return pa.table(
            {
                "q_payee": quotas.column("payee"),
                "q_period": quotas.column("period"),
                "q_amount": quotas.column("amount"),
                "q_year": pa.array([e.year for e in ends], pa.int32()),
                "q_end": pa.array(ends, pa.date32()),
            }
        )

    def draws(self) -> list[tuple[str, Plan, dt.date, dt.date]]:
        """(payee, plan, start, end) for every assignment to a plan version with a draw."""
        table = plan_windows(self.inputs).to_pylist()
        return [
            (row["payee"], self.versions[row["plan_key"]], row["start"], row["end"])
            for row in table
            if self.versions[row["plan_key"]].draw is not None
        ]

    def columns_read(self) -> set[str]:
        """The transaction columns the stages read: the date, type, product line (rates by
        product line), amount, currency, original and month every plan may, and those only
        some plans' bases and filters do (units, cost, MRR, TCV, SKU, segment, territory):
        a credited line carries no column no plan reads."""
        read = {"date", "type", "product_line", "amount", "currency", "original_id", TX_MONTH}
        bases: set[str] = set()
        filters: list[Filter] = []
        for plan in self.versions.values():
            for component in plan.components:
                bases.add(component.basis)
                filters.append(component.filter)
            for spif in plan.spifs:
                filters.append(spif.filter)
                if spif.per == "unit":
                    read.add("units")
            if plan.override is not None:
                bases.add(plan.override.basis)
        for basis in bases:
            read.add("cost" if basis == Basis.MARGIN else _BASIS_COLUMNS[basis])
        for chosen in filters:
            for column, values in (
                ("sku", chosen.skus),
                ("segment", chosen.segments),
                ("territory", chosen.territories),
            ):
                if values:
                    read.add(column)
        return read

    # -- credit --------------------------------------------------------------------------------

    def credited(self, window_end: dt.date) -> ibis.Table:
        """Who gets how much of each transaction, in every snapshot: the table named
        `scope_name` says which payees' transactions each snapshot works out (roles `rows` and
        `moved`: payee, since, until, never overlapping for one payee and snapshot), the one
        named `claims_name` the credit each snapshot's claims give (`claim_credits`, with
        `MOVED`). Both are filled at run time, so the expression is compiled once."""
        tx = self.tx
        direct = tx.select(transaction_id=tx.id, payee=tx.payee, credit_share=dec(1))
        if self.inputs.credits is not None:
            explicit = ibis.memtable(self.inputs.credits)
            explicit = explicit.select(
                transaction_id=explicit.transaction_id,
                payee=explicit.payee,
                credit_share=explicit.share.cast(MONEY),
            )
            direct = direct.anti_join(explicit, "transaction_id").union(explicit)
        direct = direct.mutate(**{MOVED: ibis.literal(False)})
        scope = ibis.table(SCOPE_SCHEMA, name=self.scope_name)
        claimed = ibis.table(ibis.schema(_CLAIM_SCHEMA), name=self.claims_name)
        # what the stages read of a transaction: its date, the columns plans filter on and
        # measure, what a clawback follows (not the seller, the customer or the file's line)
        read = self.columns_read()
        renamed = tx.select(
            transaction_id=tx.id,
            **{name: tx[name] for name in CREDITED_COLUMNS if name in tx.columns and name in read},
        )
        renamed = renamed.filter(renamed.date <= window_end)

        def scoped(credits: ibis.Table, role: str, by_snapshot: bool) -> ibis.Table:
            rows = scope.filter(scope.role == role).select("payee", "since", "until", SNAP)
            joined = credits.join(renamed, "transaction_id")
            on = [
                joined.payee == rows.payee,
                joined.date >= rows.since,
                joined.date <= rows.until,
            ]
            if by_snapshot:
                on.append(joined[SNAP] == rows[SNAP])
            joined = joined.join(rows, on)
            return joined.drop(
                *[c for c in joined.columns if c.endswith("_right")], "since", "until"
            )

        own = scoped(direct, "rows", False)
        own = own.anti_join(
            claimed,
            [own.transaction_id == claimed.transaction_id, own[SNAP] == claimed[SNAP]],
        )
        claimed_rows = scoped(claimed, "rows", True)
        moved = scoped(claimed.filter(claimed[MOVED]), "moved", True)
        return own.union(claimed_rows.select(*own.columns)).union(moved.select(*own.columns))

    def claim_credits(self, snapshot: Snapshot) -> pa.Table:
        """The credit of every transaction claimed by the snapshot's claims (policy splits).

        A transaction claimed more than once is credited by its latest approved claim alone
        (approval date, then claim id): claims never add up to more than the whole credit."""
        latest: dict[str, dict] = {}
        known = [claim for claim in self._claims if claim["claim_id"] in snapshot.claim_ids]
        for claim in sorted(known, key=lambda c: (c["approved"], c["claim_id"])):
            latest[claim["transaction_id"]] = claim
        rows: dict[tuple[str, str], Decimal] = {}
        for claim in latest.values():
            policy = self.inputs.policies[claim["policy"]]
            for role, share in policy.splits.items():
                payee = (claim.get(role) or "").strip()
                if payee:
                    key = (claim["transaction_id"], payee)
                    rows[key] = rows.get(key, ZERO) + share
        return pa.table(
            {
                "transaction_id": pa.array([k[0] for k in rows], pa.string()),
                "payee": pa.array([k[1] for k in rows], pa.string()),
                "credit_share": pa.array(list(rows.values()), DECIMAL),
            }
        )

    @functools.cached_property
    def _claims(self) -> list[dict]:
        """The claims as rows, read once for every snapshot."""
        claims = self.inputs.claims
        return claims.to_pylist() if claims is not None else []

    def with_plans(self, credited: ibis.Table) -> ibis.Table:
        """Each credited line with the payee's plan version in force on the transaction date."""
        assign = self.assign
        joined = credited.join(
            assign,
            [
                credited.payee == assign.payee,
                credited.date >= assign.start,
                credited.date <= assign.end,
            ],
        )
        return joined.drop("payee_right", "start", "end")

    # -- measurement ---------------------------------------------------------------------------

    def _fx_rate(self, lines: ibis.Table, currency: str) -> ibis.Table:
        """Add `fx`: one unit of the line's currency in the plan currency (1 when the same)."""
        if self.fx is None:
            return lines.mutate(fx=ibis.cases((lines.currency == currency, dec(1)), else_=None))
        fx = self.fx.filter(self.fx["to"] == currency)
        fx = fx.select(fx_period=fx.period, fx_from=fx["from"], fx_rate=fx.rate.cast(MONEY))
        month = lines[TX_MONTH] if TX_MONTH in lines.columns else lines.date.strftime("%Y-%m")
        lines = lines.mutate(_month=month)
        joined = lines.left_join(
            fx, [lines._month == fx.fx_period, lines.currency == fx.fx_from]
        ).drop("fx_period", "fx_from", "_month")
        return joined.mutate(
            fx=ibis.cases((joined.currency == currency, dec(1)), else_=joined.fx_rate)
        ).drop("fx_rate")

    @staticmethod
    def basis(lines: ibis.Table, basis: str) -> ibis.Value:
        """The measured basis of a credited line, in the plan currency."""
        if basis == Basis.UNITS:
            return mul(lines.units, lines.credit_share)
        if basis == Basis.MARGIN:
            raw = (lines.amount.cast(MONEY) - lines.cost.cast(MONEY)).cast(MONEY)
        else:
            raw = lines[_BASIS_COLUMNS[basis]].cast(MONEY)
        return mul(mul(raw.fill_null(dec(0)), lines.fx), lines.credit_share)

    @staticmethod
    def selected(lines: ibis.Table, chosen: Filter) -> ibis.Table:
        for column, values in (
            ("product_line", chosen.product_lines),
            ("sku", chosen.skus),
            ("segment", chosen.segments),
            ("type", chosen.transaction_types),
            ("territory", chosen.territories),
        ):
            if values:
                lines = lines.filter(lines[column].isin(values))
        return lines

    def _quota(self, lines: ibis.Table, plan: Plan, ytd: bool) -> ibis.Table:
        """Add `quota`: the payee's quota for the line's period (or year to date)."""
        fallback = dec(plan.quota) if plan.quota is not None else ibis.null(MONEY)
        if ytd and plan.quota is not None:
            index = {"month": lines.date.month(), "quarter": lines.date.quarter()}.get(
                plan.period, ibis.literal(1)
            )
            fallback = mul(dec(plan.quota), index.cast(MONEY))
        if self.quotas is None:
            return lines.mutate(quota=fallback)
        quotas = self.quotas
        if ytd:
            # the year's quotas up to each period's end, summed once per payee and period
            # (a few per payee), not once per line
            lines = lines.mutate(_end=lines.period_end, _year=lines.date.year())
            ends = lines.select("payee", "_year", "_end").distinct()
            joined = ends.join(
                quotas,
                [
                    ends.payee == quotas.q_payee,
                    ends._year == quotas.q_year,
                    quotas.q_end <= ends._end,
                ],
            )
            summed = joined.group_by(["payee", "_year", "_end"]).aggregate(
                _q=joined.q_amount.cast(MONEY).sum()
            )
            lines = lines.left_join(summed, ["payee", "_year", "_end"])
            lines = lines.drop(*[c for c in lines.columns if c.endswith("_right")])
            return lines.mutate(quota=lines._q.cast(MONEY).fill_null(fallback)).drop(
                "_q", "_end", "_year"
            )
        joined = lines.left_join(
            quotas, [lines.payee == quotas.q_payee, lines.period == quotas.q_period]
        )
        joined = joined.drop("q_payee", "q_period", "q_year", "q_end")
        return joined.mutate(quota=joined.q_amount.cast(MONEY).fill_null(fallback)).drop("q_amount")

    # -- earning -------------------------------------------------------------------------------

    def plan_lines(self, lines: ibis.Table, plan: Plan, originals: ibis.Table) -> list[ibis.Table]:
        """Every earning line of one plan version: components, clawbacks, SPIFs, bonuses."""
        key = plan_key(plan)
        mine = lines.filter(lines.plan_key == key)
        mine = mine.mutate(period=period_of(mine, plan.period))
        mine = self._fx_rate(mine, plan.currency)
        parts: list[ibis.Table] = []
        for component in plan.components:
            parts.extend(self._component_lines(mine, plan, component, originals))
        for spif in plan.spifs:
            parts.append(self._spif_lines(mine, plan, spif))
        if plan.bonuses:
            parts.append(self._bonus_lines(mine, plan))
        return parts

    def _shape(self, table: ibis.Table, plan: Plan, **values) -> ibis.Table:
        """Project to the line columns (values override or fill columns)."""
        columns = {
            "payee": table.payee,
            "plan": ibis.literal(plan.code),
            "plan_key": ibis.literal(plan_key(plan)),
            "period": table.period,
            "transaction_id": table.transaction_id,
            "credit_share": table.credit_share.cast(MONEY),
            "component": ibis.literal(""),
            "tier": ibis.null("int32"),
            "rate": ibis.null(MONEY),
            "base": dec(0),
            "amount": dec(0),
            "kind": ibis.literal("earning"),
            "date": table.date,
            SNAP: table[SNAP],
        }
        columns.update(values)
        shaped = table.select(**columns)
        return shaped.cast(
            {
                "tier": "int32",
                "rate": MONEY,
                "base": MONEY,
                "amount": MONEY,
                "credit_share": MONEY,
                "transaction_id": "string",
                "date": "date",
            }
        )

    def _component_lines(
        self, lines: ibis.Table, plan: Plan, component: Component, originals: ibis.Table
    ) -> list[ibis.Table]:
        chosen = self.selected(lines, component.filter)
        chosen = chosen.mutate(base=self.basis(chosen, component.basis))
        multiplier = dec(component.multiplier)
        clawing = plan.clawback is not None
        if clawing:
            is_claw = chosen.type.isin(REVERSAL_TYPES) & chosen.original_id.notnull()
            known = originals.select(o_id=originals.id)
            chosen = chosen.left_join(known, chosen.original_id == known.o_id)
            is_claw = is_claw & chosen.o_id.notnull()
            chosen = chosen.mutate(_claw=is_claw).drop("o_id")
            normal = chosen.filter(~chosen._claw).drop("_claw")
            reversals = chosen.filter(chosen._claw).drop("_claw")
        else:
            normal = chosen
            reversals = None
        if component.rate is not None:
            earned = self._shape(
                normal,
                plan,
                component=ibis.literal(component.code),
                rate=dec(component.rate),
                base=normal.base,
                amount=mul(mul(normal.base, dec(component.rate)), multiplier),
            )
        elif component.rates_by_product_line is not None:
            rate = ibis.cases(
                *[
                    (normal.product_line == line, dec(value))
                    for line, value in component.rates_by_product_line.items()
                ],
                else_=ibis.null(MONEY),
            )
            normal = normal.mutate(rate=rate)
            normal = normal.filter(normal.rate.notnull())
            earned = self._shape(
                normal,
                plan,
                component=ibis.literal(component.code),
                rate=normal.rate,
                base=normal.base,
                amount=mul(mul(normal.base, normal.rate), multiplier),
            )
        else:
            earned = self._tier_lines(normal, plan, component)
        parts = [earned]
        if reversals is not None:
            parts.append(self._clawback_lines(reversals, plan, component, earned, originals))
        return parts

    def _tier_lines(self, lines: ibis.Table, plan: Plan, component: Component) -> ibis.Table:
        tiers = component.tiers
        assert tiers is not None
        ytd = tiers.accumulate == "ytd"
        lines = lines.mutate(period_end=_period_end(lines.date, plan.period))
        if tiers.measure == "attainment":
            lines = self._quota(lines, plan, ytd)
        else:
            lines = lines.mutate(quota=dec(1))
        group = [lines[SNAP], lines.payee, lines.date.year() if ytd else lines.period]
        order = [lines.date, lines.transaction_id]
        lines = lines.mutate(
            cum_after=lines.base.cumsum(group_by=group, order_by=order).cast(MONEY)
        )
        lines = lines.mutate(cum_before=(lines.cum_after - lines.base).cast(MONEY))
        multiplier = dec(component.multiplier)
        bounds = []
        low = None
        for index, band in enumerate(tiers.bands, start=1):
            bounds.append((index, low, band.upto, band.rate))
            low = band.upto

        def bound(value: Decimal | None, quota: ibis.Value) -> ibis.Value:
            return ibis.null(MONEY) if value is None else mul(dec(value), quota)

        if tiers.method == "incremental":
            parts = []
            for index, lo, hi, rate in bounds:
                a = ibis.least(lines.cum_before, lines.cum_after)
                b = ibis.greatest(lines.cum_before, lines.cum_after)
                lo_v, hi_v = bound(lo, lines.quota), bound(hi, lines.quota)
                top = b if hi is None else ibis.least(b, hi_v)
                bottom = a if lo is None else ibis.greatest(a, lo_v)
                overlap = ibis.greatest((top - bottom).cast(MONEY), dec(0))
                sliced = lines.mutate(
                    slice=ibis.cases((lines.base < dec(0), -overlap), else_=overlap).cast(MONEY)
                )
                sliced = sliced.filter(sliced.slice != dec(0))
                parts.append(
                    self._shape(
                        sliced,
                        plan,
                        component=ibis.literal(component.code),
                        tier=ibis.literal(index, "int32"),
                        rate=dec(rate),
                        base=sliced.slice,
                        amount=mul(mul(sliced.slice, dec(rate)), multiplier),
                    )
                )
            return ibis.union(*parts, distinct=False)
        # retroactive: the whole basis at the tier reached at the end of the period
        part = [lines[SNAP], lines.payee, lines.period]
        lines = lines.mutate(reached=lines.base.sum().over(group_by=part).cast(MONEY))
        if ytd:
            totals = lines.group_by(
                [SNAP, "payee", "period", "period_end", "reached", "quota"]
            ).aggregate(_y=lines.date.year().max())
            totals = totals.mutate(
                cum=totals.reached.cumsum(
                    group_by=[totals[SNAP], totals.payee, totals._y], order_by=totals.period_end
                )
            )
            totals = totals.select(SNAP, "payee", "period", _cum=totals.cum.cast(MONEY))
            lines = (
                lines.join(totals, [SNAP, "payee", "period"])
                .mutate(reached=lambda t: t._cum)
                .drop("_cum")
            )

        def tier_of(reached: ibis.Value, quota: ibis.Value) -> tuple[ibis.Value, ibis.Value]:
            index_cases, rate_cases = [], []
            for index, _lo, hi, rate in bounds:
                if hi is None:
                    continue
                index_cases.append((reached <= bound(hi, quota), ibis.literal(index, "int32")))
                rate_cases.append((reached <= bound(hi, quota), dec(rate)))
            last_index, last_rate = bounds[-1][0], bounds[-1][3]
            if not index_cases:
                return ibis.literal(last_index, "int32"), dec(last_rate)
            return (
                ibis.cases(*index_cases, else_=ibis.literal(last_index, "int32")),
                ibis.cases(*rate_cases, else_=dec(last_rate)),
            )

        index, rate = tier_of(lines.reached, lines.quota)
        lines = lines.mutate(tier=index, rate=rate)
        earned = self._shape(
            lines,
            plan,
            component=ibis.literal(component.code),
            tier=lines.tier,
            rate=lines.rate,
            base=lines.base,
            amount=mul(mul(lines.base, lines.rate), multiplier),
        )
        if not ytd:
            return earned
        # year to date: the basis of earlier periods this year moves to the new rate too
        periods = lines.group_by(
            [SNAP, "payee", "period", "period_end", "reached", "rate"]
        ).aggregate(
            own=lines.base.sum().cast(MONEY), _y=lines.date.year().max(), date=lines.date.max()
        )
        periods = periods.mutate(
            previous_rate=periods.rate.lag().over(
                group_by=[periods[SNAP], periods.payee, periods._y], order_by=periods.period_end
            )
        )
        periods = periods.mutate(before=(periods.reached - periods.own).cast(MONEY))
        catch_up = periods.filter(
            periods.previous_rate.notnull() & (periods.previous_rate != periods.rate)
        )
        catch_up = catch_up.mutate(transaction_id=ibis.null("string"), credit_share=dec(1))
        step = (catch_up.rate - catch_up.previous_rate.cast(MONEY)).cast(MONEY)
        trued = self._shape(
            catch_up,
            plan,
            component=ibis.literal(component.code),
            rate=step,
            base=catch_up.before,
            amount=mul(mul(catch_up.before, step), multiplier),
        )
        return earned.union(trued, distinct=False)

    def _clawback_lines(
        self,
        reversals: ibis.Table,
        plan: Plan,
        component: Component,
        earned: ibis.Table,
        originals: ibis.Table,
    ) -> ibis.Table:
        """A reversal at the original's rate when the original is inside the window, else 0.

        The original's rate is that of the plan version the payee had on the original's
        date (a memo in August reverses a June sale at June's rate): a flat or product-line
        rate × multiplier from the plan files, or for tiers the original's own slices."""
        window = plan.clawback.window_months  # type: ignore[union-attr]
        origin = originals.select(
            o_id=originals.id, o_date=originals.date, o_line=originals.product_line
        )
        rev = reversals.join(origin, reversals.original_id == origin.o_id).drop("o_id")
        rev = rev.mutate(inside=rev.o_date >= rev.date - ibis.interval(months=window))
        if component.tiers is not None:
            return self._tier_clawback_lines(rev, plan, component, earned)
        assign = self.assign.select(
            a_payee=self.assign.payee,
            a_key=self.assign.plan_key,
            a_start=self.assign.start,
            a_end=self.assign.end,
        )
        rev = rev.left_join(
            assign,
            [rev.payee == assign.a_payee, rev.o_date >= assign.a_start, rev.o_date <= assign.a_end],
        ).drop("a_payee", "a_start", "a_end")
        rates = self.rates.filter(self.rates.r_component == component.code)
        rev = rev.left_join(
            rates,
            [
                rev.a_key == rates.r_key,
                rates.r_line.isnull() | (rates.r_line == rev.o_line),
            ],
        )
        rate = ibis.cases((rev.inside & rev.r_rate.notnull(), rev.r_rate.cast(MONEY)), else_=dec(0))
        return self._shape(
            rev,
            plan,
            component=ibis.literal(component.code),
            rate=money(rate),
            base=rev.base,
            amount=mul(rev.base, rate),
            kind=ibis.literal("clawback"),
        )

    def _tier_clawback_lines(
        self, rev: ibis.Table, plan: Plan, component: Component, earned: ibis.Table
    ) -> ibis.Table:
        """Tiers: the reversal spread over the original's own tier slices (for this payee)."""
        mine = earned.filter(earned.kind == "earning")
        slices = mine.select(
            s_snap=mine[SNAP],
            s_tid=mine.transaction_id,
            s_payee=mine.payee,
            s_tier=mine.tier,
            s_rate=mine.rate,
            s_base=mine.base,
        )
        totals = slices.group_by(["s_snap", "s_tid", "s_payee"]).aggregate(
            s_total=slices.s_base.sum().cast(MONEY), s_count=slices.s_base.count()
        )
        slices = slices.join(totals, ["s_snap", "s_tid", "s_payee"])
        joined = rev.left_join(
            slices,
            [
                rev[SNAP] == slices.s_snap,
                rev.original_id == slices.s_tid,
                rev.payee == slices.s_payee,
            ],
        )
        # a partial reversal spanning several slices: pro rata (the one division, at 12
        # places, then 6; exact for the halves and quarters memos usually take back). It is
        # a DOUBLE division on every backend, said explicitly: DuckDB divides decimals as
        # DOUBLE, Spark as a DECIMAL cut to 6 places
        whole = joined.s_total.cast("float64").nullif(0)
        ratio = (joined.base.cast("float64") / whole).cast(FACTOR)
        share = ibis.cases(
            (joined.s_count == 1, joined.base),
            (joined.base == -joined.s_total, -joined.s_base),
            else_=money(joined.s_base.cast(FACTOR) * ratio),
        )
        base = money(
            ibis.cases((joined.inside & joined.s_rate.notnull(), share), else_=joined.base)
        )
        rate = money(
            ibis.cases((joined.inside & joined.s_rate.notnull(), joined.s_rate), else_=dec(0))
        )
        return self._shape(
            joined,
            plan,
            component=ibis.literal(component.code),
            tier=joined.s_tier,
            rate=rate,
            base=base,
            amount=mul(mul(base, rate), dec(component.multiplier)),
            kind=ibis.literal("clawback"),
        )

    def _spif_lines(self, lines: ibis.Table, plan: Plan, spif: Spif) -> ibis.Table:
        chosen = self.selected(lines, spif.filter)
        windowed = spif.valid_from is not None or spif.valid_to is not None
        if windowed or spif.per == "deal":
            found = self.originals
            origin = found.select(w_id=found.id, w_amount=found.amount, w_date=found.date)
            chosen = chosen.left_join(origin, chosen.original_id == origin.w_id)
        if windowed:
            # a memo is held to the window on its original's date: a return takes back what
            # the sale earned inside the window, whenever it comes
            reverses = chosen.type.isin(REVERSAL_TYPES) & chosen.w_date.notnull()
            day = ibis.cases((reverses, chosen.w_date), else_=chosen.date)
            if spif.valid_from is not None:
                chosen = chosen.filter(day >= spif.valid_from)
            if spif.valid_to is not None:
                chosen = chosen.filter(day <= spif.valid_to)
        if spif.per == "unit":
            base = mul(chosen.units, chosen.credit_share)
        else:
            # per deal: an invoice or booking earns it; a memo takes it back only when it
            # reverses the whole original, and not once the original is outside the
            # clawback window; a partial memo leaves it alone
            whole = (
                chosen.type.isin(REVERSAL_TYPES)
                & chosen.w_amount.notnull()
                & (chosen.amount.cast(MONEY) == -chosen.w_amount.cast(MONEY))
            )
            chosen = chosen.filter(chosen.type.isin(DEAL_TYPES) | whole)
            if plan.clawback is not None:
                months = ibis.interval(months=plan.clawback.window_months)
                outside = chosen.w_date.notnull() & (chosen.w_date < chosen.date - months)
            else:
                outside = ibis.literal(False)
            base = ibis.cases(
                (chosen.type.isin(DEAL_TYPES), chosen.credit_share.cast(MONEY)),
                (outside, dec(0)),
                else_=money(-chosen.credit_share.cast(MONEY)),
            )
        if windowed or spif.per == "deal":
            chosen = chosen.mutate(_spif_base=money(base)).drop("w_id", "w_amount", "w_date")
            base = chosen._spif_base
        return self._shape(
            chosen,
            plan,
            component=ibis.literal(spif.code),
            rate=dec(spif.amount),
            base=base,
            amount=mul(base, dec(spif.amount)),
            kind=ibis.literal("spif"),
        )

    def _bonus_lines(self, lines: ibis.Table, plan: Plan) -> ibis.Table:
        """Attainment: the first component's basis over the period ÷ the period's quota."""
        first = plan.components[0] if plan.components else Component(code="all", rate=0)
        chosen = self.selected(lines, first.filter)
        chosen = chosen.mutate(base=self.basis(chosen, first.basis))
        chosen = self._quota(chosen, plan, ytd=False)
        totals = chosen.group_by([SNAP, "payee", "period", "quota"]).aggregate(
            base=chosen.base.sum().cast(MONEY), date=chosen.date.max()
        )
        totals = totals.mutate(transaction_id=ibis.null("string"), credit_share=dec(1))
        parts = []
        for bonus in plan.bonuses:
            reached = totals.filter(
                totals.quota.notnull()
                & (totals.base >= mul(dec(bonus.attainment_at_least), totals.quota))
            )
            parts.append(
                self._shape(
                    reached,
                    plan,
                    component=ibis.literal(bonus.code),
                    rate=ibis.null(MONEY),
                    base=reached.base,
                    amount=dec(bonus.amount),
                    kind=ibis.literal("bonus"),
                )
            )
        return ibis.union(*parts, distinct=False)

    def override_lines(
        self, credited: ibis.Table, plan: Plan, managers: ibis.Table
    ) -> ibis.Table | None:
        """A manager's override on the basis credited to everyone reporting to them, for the
        managers of `managers` (payee, `SNAP`, `moved_only`): the snapshots working them out,
        on the transactions the snapshot moved alone when `moved_only`."""
        override = plan.override
        if override is None or self.inputs.payees is None:
            return None
        pairs = reporting_pairs(self.inputs.payees, override.levels)
        if not pairs:
            return None
        team = ibis.memtable(
            pa.table(
                {
                    "manager": pa.array([p[0] for p in pairs], pa.string()),
                    "report": pa.array([p[1] for p in pairs], pa.string()),
                }
            )
        )
        lines = credited.join(team, credited.payee == team.report).drop("report")
        lines = lines.rename(report="payee").rename(payee="manager")
        lines = lines.semi_join(
            managers,
            [
                lines.payee == managers.payee,
                lines[SNAP] == managers[SNAP],
                ~managers.moved_only | lines[MOVED],
            ],
        )
        assign = self.assign.filter(self.assign.plan_key == plan_key(plan))
        lines = lines.join(
            assign,
            [lines.payee == assign.payee, lines.date >= assign.start, lines.date <= assign.end],
        ).drop("payee_right", "start", "end", "report")
        lines = lines.mutate(period=period_of(lines, plan.period))
        lines = self._fx_rate(lines, plan.currency)
        base = self.basis(lines, override.basis)
        return self._shape(
            lines,
            plan,
            component=ibis.literal(override.code),
            rate=dec(override.rate),
            base=base,
            amount=mul(base, dec(override.rate)),
            kind=ibis.literal("override"),
        )


def plan_windows(inputs: CommissionInputs) -> pa.Table:
    """payee × plan version in force: the overlap of the assignment and the version."""
    rows: dict[str, list] = {"payee": [], "plan_key": [], "start": [], "end": []}
    table = inputs.assignments
    for payee, code, start, end in zip(
        table.column("payee").to_pylist(),
        table.column("plan").to_pylist(),
        table.column("valid_from").to_pylist(),
        table.column("valid_to").to_pylist(),
        strict=True,
    ):
        for plan in inputs.plans.get(code, []):
            first = max(start, plan.valid_from)
            last = min(end or FOREVER, plan.valid_to or FOREVER)
            if first <= last:
                rows["payee"].append(payee)
                rows["plan_key"].append(plan_key(plan))
                rows["start"].append(first)
                rows["end"].append(last)
    return pa.table(
        rows,
        schema=pa.schema(
            [
                ("payee", pa.string()),
                ("plan_key", pa.string()),
                ("start", pa.date32()),
                ("end", pa.date32()),
            ]
        ),
    )


def _eligible(tx: pa.Table) -> pa.Table:
    """The transactions that can earn: eligible is not false, and a memo reversing an
    ineligible original is ineligible too (a sale that earned nothing takes nothing back)."""
    eligible = pc.invert(pc.equal(tx["eligible"], False).fill_null(False))
    barred = pc.filter(tx["id"], pc.invert(eligible))
    reverses_barred = pc.is_in(tx["original_id"], value_set=barred).fill_null(False)
    return tx.filter(pc.and_(eligible, pc.invert(reverses_barred)))


def _originals(tx: pa.Table) -> pa.Table:
    """The transactions some other transaction reverses (its original_id)."""
    referenced = pc.unique(tx["original_id"].drop_null())
    return tx.filter(pc.is_in(tx["id"], value_set=referenced))


def _period_end(date: ibis.Value, period: str) -> ibis.Value:
    """The last day of the plan period a date falls in."""
    if period == "year":
        start = ibis.date(date.year(), 1, 1)
        return (start + ibis.interval(years=1)) - ibis.interval(days=1)
    if period == "quarter":
        start = ibis.date(date.year(), (date.quarter() - 1) * 3 + 1, 1)
        return (start + ibis.interval(months=3)) - ibis.interval(days=1)
    start = ibis.date(date.year(), date.month(), 1)
    return (start + ibis.interval(months=1)) - ibis.interval(days=1)


def reporting_pairs(payees: pa.Table, levels: int) -> list[tuple[str, str]]:
    manager_of = {row["id"]: row["manager"] for row in payees.to_pylist() if row.get("manager")}
    pairs = []
    for report in manager_of:
        manager, depth = manager_of.get(report), 1
        while manager and depth <= levels:
            pairs.append((manager, report))
            manager, depth = manager_of.get(manager), depth + 1
    return pairs
