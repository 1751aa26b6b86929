"""The commission calculation: `calculate(inputs, periods=[...]) -> CommissionResult`.

The stages (DESIGN.md, engine shape) run as Ibis expressions over the input tables
(commission_stages.py): credit → measurement → earning → payable, every knowledge snapshot in
one pass (each row carries its snapshot). Their output, one table of commission lines per
snapshot, is small once aggregated per payee and period; the balance stage walks those totals
in period order:

- restatement: for period P the payee is owed everything earned through P as known at the end
  of P (claims approved by then) minus what earlier periods paid; a difference on an earlier
  period becomes `adjustment` lines in P, never a change to a closed period;
- draws: a recoverable draw tops the period up to the draw and the shortfall is owed, repaid
  from later earnings above the draw (`draw` and `recovery` lines); a non-recoverable one only
  tops up.

Periods before the first one asked for are worked out as history (what they paid, what is
owed), so a run of one period gives the same figures as a run of a range ending there; they
are not in the result. A period that an approved run closed (`inputs.closed`) is not worked
out again: what it paid is taken from that run's lines (`inputs.settled`), and whatever is
owed on it now (a late invoice dated in it, a claim, a corrected plan) is paid or recovered as
`adjustment` lines in the next open period, line by line against what was paid.

A period is paid by the run whose range contains its last day: a run of December pays the
fourth quarter and the year for quarterly and yearly plans.
"""

from __future__ import annotations

import bisect
import concurrent.futures
import contextlib
import datetime as dt
import functools
import hashlib
import io
import itertools
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from . import ENGINE_VERSION
from .backend import (
    MONEY,
    SQL_BACKENDS,
    STAGED_BACKENDS,
    cents,
    connect,
    inputs_put,
    money,
    sql_run,
    stage_store,
    table_put,
)
from .commission_inputs import (
    DECIMAL,
    CommissionInputs,
    InputError,
    Problem,
    memos_follow_originals,
    period_parse,
)
from .commission_stages import (
    FACTOR,
    MOVED,
    REVERSAL_TYPES,
    SCOPE_SCHEMA,
    SNAP,
    Compiler,
    Snapshot,
    dec,
    period_key,
    period_of,
    plan_key,
    plan_windows,
    reporting_pairs,
)
from .money import CENT, ZERO
from .plans import Plan

STAGES = ("credit", "measurement", "earning", "payable", "balance")

PAYOUT_SCHEMA = pa.schema(
    [
        ("payee", pa.string()),
        ("period", pa.string()),
        ("amount", pa.decimal128(38, 2)),
        ("currency", pa.string()),
    ]
)
LINE_SCHEMA = pa.schema(
    [
        ("payee", pa.string()),
        ("period", pa.string()),
        ("transaction_id", pa.string()),
        ("credit_share", DECIMAL),
        ("component", pa.string()),
        ("tier", pa.int32()),
        ("rate", DECIMAL),
        ("base", DECIMAL),
        ("amount", DECIMAL),
        ("currency", pa.string()),
        ("kind", pa.string()),
    ]
)
#: lines that are not earnings: they carry the draw balance, not what was earned
DRAW_KINDS = ("draw", "recovery")


@dataclass
class CommissionResult:
    """The payouts, and their explanation lines (LINE_SCHEMA, in order; None when the
    calculation was asked for the payouts alone: `calculate(explain=False)`)."""

    payouts: pa.Table
    lines: pa.Table | None
    fingerprint: str
    engine_version: str = ENGINE_VERSION
    periods: list[str] = field(default_factory=list)
    plan_versions: list[str] = field(default_factory=list)


def periods_expand(text: str) -> list[str]:
    """`2026-10` or a range `2026-01..2026-04` (months, quarters or years) as a list."""
    if ".." not in text:
        period_parse(text)
        return [text.strip()]
    first, last = (part.strip() for part in text.split("..", 1))
    start, _ = period_parse(first)
    _, end = period_parse(last)
    if end < start:
        raise ValueError(f"{text!r}: the range ends before it starts")
    if len(first) != len(last):
        raise ValueError(f"{text!r}: both ends must be written the same way")
    keys, day = [], start
    while day <= end:
        key = _key_of(day, first)
        keys.append(key)
        day = period_parse(key)[1] + dt.timedelta(days=1)
    return keys


@functools.cache
def _key_of(day: dt.date, sample: str) -> str:
    if len(sample) == 4:
        return f"{day.year}"
    if "Q" in sample:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


class _Digesting(io.RawIOBase):
    """A file that feeds what is written to it into a hash."""

    def __init__(self, digest):
        self.digest = digest

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        return len(data)


def fingerprint(inputs: CommissionInputs) -> str:
    """sha256 over the canonical input tables (rows sorted, Arrow IPC) and the plans as JSON."""
    digest = hashlib.sha256()
    for name in (
        "assignments",
        "transactions",
        "quotas",
        "payments",
        "fx",
        "payees",
        "credits",
        "claims",
        "settled",
    ):
        table = getattr(inputs, name)
        digest.update(name.encode())
        if table is None:
            digest.update(b"\0none")
            continue
        table = table.drop_columns([c for c in table.column_names if c.startswith("_")])
        table = table.sort_by([(c, "ascending") for c in table.column_names])
        with pa.ipc.new_stream(pa.PythonFile(_Digesting(digest), mode="w"), table.schema) as out:
            out.write_table(table)  # streamed into the digest, never whole in memory twice
    plans = {
        code: [json.loads(p.model_dump_json()) for p in versions]
        for code, versions in sorted(inputs.plans.items())
    }
    policies = {
        code: {"title": p.title, "splits": {k: str(v) for k, v in sorted(p.splits.items())}}
        for code, p in sorted(inputs.policies.items())
    }
    closed = sorted(inputs.closed)
    digest.update(
        json.dumps(
            {"plans": plans, "policies": policies, "closed": closed}, sort_keys=True
        ).encode()
    )
    return digest.hexdigest()


@functools.cache
def _span(period: str) -> tuple[dt.date, dt.date]:
    return period_parse(period)


@functools.cache
def _end(period: str) -> dt.date:
    return period_parse(period)[1]


def _order(period: str) -> tuple[dt.date, str]:
    return (_end(period), period)


def calculate(
    inputs: CommissionInputs,
    *,
    periods: list[str],
    backend: ibis.BaseBackend | None = None,
    progress: Callable[[str], None] | None = None,
    explain: bool = True,
) -> CommissionResult:
    """Payouts and explanation lines for `periods` (calculated in order; see module doc).

    With `explain=False` the lines are worked out all the same (the payouts come from them)
    but not gathered, sorted and handed back: at a million transactions that is two million
    lines and a couple of seconds, which a run that writes the payouts alone does not need."""
    if not periods:
        raise ValueError("no period to calculate")
    for period in periods:
        period_parse(period)
    asked = sorted(set(periods), key=_order)
    window_start, window_end = period_parse(asked[0])[0], _end(asked[-1])
    con = backend or connect()
    step = progress or (lambda stage: None)
    # the FX check, the inputs' hash and the payments' shares wait mostly on Arrow, hashlib
    # and DuckDB, which let go of the interpreter: they run beside the plain Python that sets
    # the calculation up, on the core it leaves free
    side = concurrent.futures.ThreadPoolExecutor(max_workers=3)
    checked = side.submit(fx_problems, inputs)
    fingerprinted = side.submit(fingerprint, inputs)
    try:
        inputs = memos_follow_originals(inputs)
        compiler = Compiler(inputs)
        factors = None
        if inputs.payments is not None and _keys(compiler.versions, _paid_later):
            factors = side.submit(_payment_factors, compiler.eligible, inputs.payments, window_end)
        snapshots = _snapshots(inputs, window_end)
        scopes = _Scopes.of(compiler, snapshots, window_end)
        step("credit")
        stages = _Stages(con.name in STAGED_BACKENDS)
        exprs = _pipeline(compiler, window_end, step, stages, factors)
    except Exception as error:
        # inputs the FX check refuses are what is wrong, whatever it broke on the way
        _refuse(checked, cause=error)
        raise
    finally:
        side.shutdown(wait=False)
    _refuse(checked)
    claims = pa.concat_tables(
        [
            scopes.claims(compiler.claim_credits(snapshot), index)
            for index, snapshot in enumerate(snapshots)
        ]
    )
    scope_of = functools.partial(_scope, scopes, len(snapshots))
    batches = _batches(scopes.everyone, inputs.transactions.num_rows)
    with _run(con, compiler, exprs, stages, claims, map(scope_of, batches), scopes) as (
        store,
        every_active,
    ):
        activity: list[set[tuple[str, str, str]]] = [set() for _ in snapshots]
        for row in every_active.to_pylist():
            activity[row[SNAP]].add((row["payee"], row["period"], row["currency"]))
        step("balance")
        payouts, lines = _balance(
            compiler, snapshots, scopes, store, activity, asked, window_start, window_end, explain
        )
    return CommissionResult(
        payouts=payouts,
        lines=lines,
        fingerprint=fingerprinted.result(),
        periods=asked,
        plan_versions=sorted(compiler.versions),
    )


class _Stages:
    """The intermediate stages a backend stores (`backend.STAGED_BACKENDS`):
    `stages(label, expr)` gives back the table later steps read instead of `expr`."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.stored: list[tuple[str, ibis.Table]] = []

    def __call__(self, label: str, expr: ibis.Table) -> ibis.Table:
        if not self.enabled:
            return expr
        name = f"revdesk_{label}_{uuid.uuid4().hex}"
        self.stored.append((name, expr))
        return ibis.table(expr.schema(), name=name)


@contextlib.contextmanager
def _run(
    con: ibis.BaseBackend,
    compiler: Compiler,
    exprs: tuple[ibis.Table, ibis.Table],
    stages: _Stages,
    claims: pa.Table,
    scopes: Iterable[pa.Table],
    carrying: _Scopes,
) -> Iterator[tuple[_Lines, pa.Table]]:
    """Run the pipeline once for every snapshot, the snapshots' claim credits and scopes (the
    payees each works out, `_Scopes`) in the tables the expressions read them from, the
    stages stored first (`backend.STAGED_BACKENDS`); once per scope of `scopes` (batches of
    payees), the lines of each added to the last's; then the lines the snapshots carry over
    from earlier ones (`_Scopes.carried`). Gives the lines, kept in DuckDB for the balance
    stage to query (`_Lines`), and the activity as Arrow. On DuckDB the lines never leave
    it; from another backend they come back as Arrow into a DuckDB of the engine's own. Each
    stored stage is freed as soon as nothing left to run reads it."""
    lines_expr, active_expr = exprs
    table_put(con, compiler.claims_name, claims)
    # the first pass's inputs are in place before any SQL is compiled: both are plain Python,
    # and the first step can run only once both are done
    scopes = iter(scopes)
    first = next(scopes)
    table_put(con, compiler.scope_name, first)
    if con.name in SQL_BACKENDS:
        inputs_put(con, [lines_expr, active_expr, *(expr for _, expr in stages.stored)])
    # compiling is plain Python and running is the backend's: the SQL of each step is
    # compiled on a thread of its own while the step before it runs
    compiling = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    sql = {
        id(expr): compiling.submit(lambda expr=expr: str(con.compile(expr)))
        for expr in [*(expr for _, expr in stages.stored), active_expr, lines_expr]
    }
    compiling.shutdown(wait=False)
    kept: list[Callable[[], None]] = []
    store: _Lines | None = None
    actives: list[pa.Table] = []
    try:
        for number, scope in enumerate(itertools.chain([first], scopes)):
            if number:
                table_put(con, compiler.scope_name, scope)
            for name, expr in stages.stored:
                kept.append(stage_store(con, name, sql[id(expr)].result()))
            if con.name in SQL_BACKENDS:
                actives.append(sql_run(con, sql[id(active_expr)].result()))
            else:
                actives.append(con.to_pyarrow(active_expr))
            while len(kept) > 1:  # the lines read the last stage (earned) alone
                kept.pop(0)()
            if con.name == "duckdb":
                text = sql[id(lines_expr)].result()
                if store is None:
                    store = _Lines(con.con, text)  # type: ignore[attr-defined]
                else:
                    store.add(text)
            else:
                if con.name in SQL_BACKENDS:
                    lines = sql_run(con, sql[id(lines_expr)].result())
                else:
                    lines = con.to_pyarrow(lines_expr)
                lines = lines.cast(lines_expr.schema().to_pyarrow())
                if store is None:
                    store = _Lines.of(lines)
                else:
                    store.add_arrow(lines)
                del lines
            while kept:
                kept.pop()()
        assert store is not None
        store.carry(carrying.carried(), carrying.moved_table())
        schema = active_expr.schema().to_pyarrow()
        yield store, pa.concat_tables([active.cast(schema) for active in actives])
    finally:
        while kept:
            kept.pop()()
        if store is not None:
            store.close()


#: transactions a pass works out at once: above this, the payees are worked out in batches
#: (each with its reports' transactions for their overrides), so that a pass's stages fit
#: DuckDB's memory instead of spilling tens of gigabytes to disk
PASS_TRANSACTIONS = 2_000_000


def _batches(payees: set[str], transactions: int) -> list[set[str] | None]:
    """The payees of each pass: all at once (None) up to `PASS_TRANSACTIONS` transactions,
    else in as many equal batches as it takes."""
    count = -(-transactions // PASS_TRANSACTIONS)
    if count <= 1:
        return [None]
    ordered = sorted(payees)
    return [set(ordered[at::count]) for at in range(count)]


def _scope(scopes: _Scopes, count: int, payees: set[str] | None) -> pa.Table:
    """Every snapshot's scope for a batch of payees (None: everyone)."""
    return pa.concat_tables([scopes.table(index, payees) for index in range(count)])


# -- checks ------------------------------------------------------------------------------------


def _refuse(
    checked: concurrent.futures.Future[list[Problem]], cause: BaseException | None = None
) -> None:
    """InputError if the check of what the file checks cannot see (`fx_problems`) found
    anything wrong."""
    problems = checked.result()
    if problems:
        raise InputError(problems) from cause


def fx_problems(inputs: CommissionInputs) -> list[Problem]:
    """FX rates missing for a transaction in another currency than the plan the payee had on
    its date, each at its line of the transactions file. Worked out on the columns (a join of
    the transactions with the payees' plan windows), so ten million lines stay cheap."""
    windows = plan_windows(inputs)
    currency_of = {plan_key(p): p.currency for versions in inputs.plans.values() for p in versions}
    plans = pa.table(
        {
            "payee": windows["payee"],
            "w_first": windows["start"],
            "w_last": windows["end"],
            "w_currency": pa.array(
                [currency_of[key] for key in windows["plan_key"].to_pylist()], pa.string()
            ),
            "w_index": pa.array(range(windows.num_rows), pa.int64()),
        }
    )
    tx = inputs.transactions.select(["payee", "date", "currency"])
    tx = tx.append_column("_row", pa.array(range(tx.num_rows), pa.int64()))
    currencies = set(plans["w_currency"].to_pylist())
    if len(currencies) == 1:  # the usual case: only lines in another currency can miss a rate
        tx = tx.filter(pc.not_equal(tx["currency"], currencies.pop()))
    if not tx.num_rows or not plans.num_rows:
        return []
    joined = tx.join(plans, "payee")
    joined = joined.filter(
        pc.and_(
            pc.and_(
                pc.less_equal(joined["w_first"], joined["date"]),
                pc.less_equal(joined["date"], joined["w_last"]),
            ),
            pc.not_equal(joined["currency"], joined["w_currency"]),
        )
    )
    month = pc.strftime(joined["date"].cast(pa.timestamp("s")), format="%Y-%m")
    key = pc.binary_join_element_wise(month, joined["currency"], joined["w_currency"], "\x1f")
    rates: list[str] = []
    if inputs.fx is not None:
        rates = [
            f"{r['period']}\x1f{r['from']}\x1f{r['to']}"
            for r in inputs.fx.select(["period", "from", "to"]).to_pylist()
        ]
    joined = joined.append_column("_month", month)
    missing = joined.filter(pc.invert(pc.is_in(key, value_set=pa.array(rates, pa.string()))))
    missing = missing.sort_by([("_row", "ascending"), ("w_index", "ascending")])
    if "fx" in inputs.paths:
        where = f"add it to {inputs.source('fx')}"
    elif inputs.paths:  # file mode without --fx
        where = "give the rates in a file with --fx: period,from,to,rate"
    else:
        where = "add it to the fx file"
    place = inputs.places("transactions")
    return [
        (
            inputs.source("transactions"),
            place(row["_row"]),
            "currency",
            f"no FX rate from {row['currency']} to {row['w_currency']} for {row['_month']} "
            f"({where})",
        )
        for row in missing.to_pylist()
    ]


def _snapshots(inputs: CommissionInputs, window_end: dt.date) -> list[Snapshot]:
    """What is known when: one snapshot per month end by which claims were approved (and one
    with none). Knowledge is only ever taken at a period end, and every period (month,
    quarter, year) ends on a month end, so a claim approved on 12 May is known from 31 May
    on exactly as it would be from 12 May: one snapshot per month is enough."""
    approved: list[tuple[dt.date, str]] = []
    if inputs.claims is not None:
        for claim in inputs.claims.to_pylist():
            if claim["approved"] is not None and claim["approved"] <= window_end:
                month_end = _end(f"{claim['approved'].year}-{claim['approved'].month:02d}")
                approved.append((month_end, claim["claim_id"]))
    snapshots = [Snapshot(dt.date.min, frozenset())]
    for day in sorted({day for day, _ in approved}):
        ids = frozenset(claim for when, claim in approved if when <= day)
        snapshots.append(Snapshot(day, ids))
    return snapshots


@dataclass
class _Showing:
    """A payee worked out again in a snapshot, on the periods in `spans` ((first day, last
    day) each; None: every period). `tail`: the spans are every period from one on (a payee
    whose own credit moved, on a plan whose later periods depend on earlier ones:
    `_carries`); else they are the periods of the moved transactions alone (a payee on plans
    worked out period by period, or a manager whose reports' credit moved). The payee's own
    transactions go in from `lookback` (what those periods' lines depend on: the year for
    year-to-date tiers, the originals of tiered clawbacks; the spans alone when they depend
    on nothing before them), their reports' on `report_spans` (None: from the first day)."""

    snapshot: int
    spans: list[tuple[dt.date, dt.date]] | None
    tail: bool = True
    lookback: dt.date | None = None
    report_spans: list[tuple[dt.date, dt.date]] | None = None
    alone: bool = False  # the spans' lines depend on their own transactions alone
    #: when every line of the payee's plans stands on its own transaction
    #: (`_per_transaction`), the plan periods of the spans: the snapshot works out their
    #: lines of the transactions it moved alone, and carries the others' over from the
    #: snapshots before it (`_Lines.carry`); empty: the spans are worked out whole
    carried: frozenset[str] = frozenset()

    def covers(self, period: str) -> bool:
        if self.spans is None:
            return True
        first, last = _span(period)
        return any(start <= first and last <= end for start, end in self.spans)


def _carries(plan: Plan) -> bool:
    """Whether a change of credit in one period changes the plan's lines of later periods:
    year-to-date tiers (the running total), pay on payment (releases in later periods) and
    clawbacks of tiered components (a memo takes back the original's own tier slices).
    Everything else is worked out period by period (caps, rounding, bonuses, flat and
    product-line clawbacks, which read the rate from the plan files)."""
    return (
        plan.payable_on == "payment"
        or any(c.tiers is not None and c.tiers.accumulate == "ytd" for c in plan.components)
        or (plan.clawback is not None and any(c.tiers is not None for c in plan.components))
    )


def _per_transaction(plan: Plan) -> bool:
    """Whether each of the plan's lines depends on its own credited transaction alone (and
    on the plan files, rates, originals and payments), never on the payee's other
    transactions: no tiers, bonuses, caps or floors, no rounding of the period total.
    Overrides, flat and product-line rates, their clawbacks, SPIFs and their releases on
    payment are."""
    return (
        plan.rounding != "period_total"
        and plan.cap is None
        and plan.floor is None
        and not plan.bonuses
        and all(c.tiers is None and c.cap is None and c.floor is None for c in plan.components)
    )


def _lookback(plan: Plan, since: dt.date, first_day: dt.date) -> dt.date:
    """The first day whose credited transactions the plan's lines from `since` on depend on."""
    if plan.payable_on == "payment":
        return first_day  # a payment releases the lines of an invoice of any age
    start = since
    if any(c.tiers is not None and c.tiers.accumulate == "ytd" for c in plan.components):
        start = dt.date(since.year, 1, 1)
    if plan.clawback is not None and any(c.tiers is not None for c in plan.components):
        if start != since:
            return first_day  # originals from another year, with that year's tiers
        months = since.year * 12 + since.month - 1 - plan.clawback.window_months
        back = dt.date(months // 12, months % 12 + 1, 1)
        start = min(start, _span(_key_for(back, plan.period))[0])
    return max(start, first_day)


class _Scopes:
    """Which payees each snapshot works out again, and how far. The first (no claim known)
    works out everyone. A later one only the payees its new claims move credit from or to,
    and their managers, whose overrides are on their reports' credit: everyone else's lines
    are those of an earlier snapshot, unchanged, since a payee's lines depend only on their
    own credited transactions (and a manager's on their reports'). So a year with a claim
    approved every month works out about one year and a little, not thirteen.

    - A payee whose plans are worked out period by period (no `_carries`) is worked out only
      on the plan periods holding the moved transactions, from those periods' transactions.
    - So is a manager shown only for their reports' moved credit (overrides are per
      transaction, caps and rounding per period), with the reports' transactions of those
      periods: unless one of the manager's plans is payable on payment, which moves lines
      into later periods.
    - A payee whose every plan has each line stand on its own transaction
      (`_per_transaction`: overrides, flat rates, pay on payment) is worked out on the moved
      transactions alone (theirs or their reports'), on their periods (from the first of
      them on, when a payment may release a line later); the lines of the others in those
      periods are the earlier snapshots', carried over (`carried`, `_Lines.carry`): a
      manager costs the rows the claims move, not the months they touch.
    - Nor does a snapshot work out a payee's lines beyond the day before the next snapshot
      that works out all of the payee's periods again: a period is read from the snapshot
      known at its end, and its lines depend only on transactions up to its end.

    `owner(index, payee, period)` is the snapshot whose table holds the payee's lines of the
    period as known at snapshot `index`. Each snapshot's scope table has rows of three roles:
    `rows`, the credited transactions of a payee dated from `since` to `until` that go into
    the calculation (shown payees' own, and their managers' reports'); `moved`, the same of
    the transactions the snapshot moved alone (reports of a manager whose lines are carried);
    and `shown`, the payees whose lines dated from `since` to `until` the snapshot gives (of
    the moved transactions alone when `moved_only`)."""

    def __init__(
        self,
        showings: list[dict[str, _Showing]],
        reports: dict[str, set[str]],
        everyone: set[str],
        known: list[dt.date],
        first_day: dt.date,
        window_end: dt.date,
        moved: list[set[str]] | None = None,
        per_transaction: set[str] | None = None,
    ):
        self.showings = showings  # per snapshot (the first: none, it works out everyone)
        #: per snapshot, the transactions its new claims moved (what carried lines leave out)
        self.moved = moved or [set() for _ in known]
        #: the payees whose every plan's lines each stand on their own transaction
        #: (`_per_transaction`): two snapshots' lines of theirs differ only in the transactions
        #: moved in between (`_Restatements.add`)
        self.per_transaction = per_transaction or set()
        self.reports = reports
        self.everyone = everyone
        self.known = known
        self.first_day = first_day
        self.window_end = window_end
        self.by_payee: dict[str, list[_Showing]] = defaultdict(list)  # by snapshot
        self._covering: dict[tuple[str, str], list[int]] = {}  # the snapshots showing a period
        self._everywhere: set[str] = set()  # payees some snapshot shows on every period
        for shown in self.showings[1:]:
            for payee, showing in shown.items():
                self.by_payee[payee].append(showing)
                if showing.spans is None:
                    self._everywhere.add(payee)
        # the periods each snapshot shows, listed once (months, quarters and years inside its
        # spans), rather than every showing asked about every period
        for payee, showings in self.by_payee.items():
            if payee in self._everywhere:
                continue  # (worked out period by period, `owner`)
            for showing in showings:
                assert showing.spans is not None
                for period in _keys_within(showing.spans, _KINDS):
                    self._covering.setdefault((payee, period), []).append(showing.snapshot)

    @classmethod
    def of(cls, compiler: Compiler, snapshots: list[Snapshot], window_end: dt.date) -> _Scopes:
        inputs = compiler.inputs
        tx = inputs.transactions
        everyone = set(pc.unique(tx["payee"]).to_pylist())
        base: dict[str, set[str]] = defaultdict(set)  # transaction -> payees without claims
        claims: dict[str, list[dict]] = defaultdict(list)  # transaction -> its claims
        dates: dict[str, dt.date] = {}
        if inputs.claims is not None:
            for claim in inputs.claims.to_pylist():
                claims[claim["transaction_id"]].append(claim)
        if claims:
            claimed = tx.filter(pc.is_in(tx["id"], value_set=pa.array(list(claims), pa.string())))
            for row in claimed.select(["id", "payee", "date"]).to_pylist():
                base[row["id"]].add(row["payee"])
                dates[row["id"]] = row["date"]
        if inputs.credits is not None:
            credits = inputs.credits.select(["transaction_id", "payee"])
            everyone.update(pc.unique(credits["payee"]).to_pylist())
            ids = pa.array(list(claims), pa.string())
            explicit = credits.filter(pc.is_in(credits["transaction_id"], value_set=ids))
            for tid in set(explicit["transaction_id"].to_pylist()):
                base[tid] = set()  # an explicit split replaces the transaction's own payee
            for row in explicit.to_pylist():
                base[row["transaction_id"]].add(row["payee"])
        everyone.update(inputs.assignments["payee"].to_pylist())
        if inputs.payees is not None:
            everyone.update(inputs.payees["id"].to_pylist())
        managers: dict[str, set[str]] = defaultdict(set)  # report -> managers with overrides
        reports: dict[str, set[str]] = defaultdict(set)
        for plan in compiler.versions.values():
            if plan.override is not None and inputs.payees is not None:
                for manager, report in reporting_pairs(inputs.payees, plan.override.levels):
                    managers[report].add(manager)
                    reports[manager].add(report)
        first_day = pc.min(tx["date"]).as_py() or window_end
        plans_of: dict[str, list[Plan]] = defaultdict(list)
        for row in inputs.assignments.select(["payee", "plan"]).to_pylist():
            plans_of[row["payee"]].extend(inputs.plans.get(row["plan"], []))
        showings: list[dict[str, _Showing]] = [{}]
        moved_per: list[set[str]] = [set()]
        for index, (before, now) in enumerate(itertools.pairwise(snapshots), start=1):
            new_ids = now.claim_ids - before.claim_ids
            moved_by: dict[str, set[str]] = defaultdict(set)  # payee -> transactions moved
            moved_per.append(
                {
                    claim["transaction_id"]
                    for listed in claims.values()
                    for claim in listed
                    if claim["claim_id"] in new_ids
                }
            )
            for tid in moved_per[-1]:
                payees = set(base[tid])
                for claim in claims[tid]:
                    if claim["claim_id"] in now.claim_ids:
                        payees |= _claim_payees(inputs, claim)
                for payee in payees:
                    moved_by[payee].add(tid)
            relevant: dict[str, set[str]] = defaultdict(set)  # shown payee -> moved
            for payee, moved in moved_by.items():
                relevant[payee] |= moved
                for manager in managers.get(payee, ()):
                    relevant[manager] |= moved
            shown: dict[str, _Showing] = {}
            for payee, moved in relevant.items():
                plans = plans_of.get(payee, [])
                days = sorted({dates[tid] for tid in moved})
                paid_later = any(plan.payable_on == "payment" for plan in plans)
                if not plans:
                    shown[payee] = _Showing(index, None, lookback=first_day)
                    continue
                periods = sorted({_span(_key_for(day, p.period)) for day in days for p in plans})
                since = periods[0][0]
                lookback = min(_lookback(plan, since, first_day) for plan in plans)
                if all(_per_transaction(plan) for plan in plans):
                    # a payment releases a moved transaction's lines in any later period
                    spans = [(since, window_end)] if paid_later else periods
                    kinds = {plan.period for plan in plans}
                    shown[payee] = _Showing(
                        index,
                        spans,
                        tail=False,
                        lookback=max(since, first_day),
                        report_spans=spans,
                        alone=True,
                        carried=frozenset(_keys_within(spans, kinds)),
                    )
                elif paid_later or (payee in moved_by and any(_carries(p) for p in plans)):
                    shown[payee] = _Showing(
                        index,
                        [(since, window_end)],
                        lookback=lookback,
                        report_spans=None if paid_later else [(since, window_end)],
                    )
                else:
                    shown[payee] = _Showing(
                        index,
                        periods,
                        tail=False,
                        lookback=lookback,
                        report_spans=periods,
                        alone=lookback == max(since, first_day),
                    )
            showings.append(shown)
            everyone |= set(moved_by)  # (the first snapshot's scope: it costs nothing to name them)
        known = [snapshot.known_on for snapshot in snapshots]
        per_transaction = {
            payee
            for payee, plans in plans_of.items()
            if plans and all(_per_transaction(plan) for plan in plans)
        }
        return cls(
            showings, reports, everyone, known, first_day, window_end, moved_per, per_transaction
        )

    def claims(self, credits: pa.Table, index: int) -> pa.Table:
        """Snapshot `index`'s claim credits (`Compiler.claim_credits`) with the snapshot and
        whether the snapshot's new claims moved the transaction (`MOVED`)."""
        ids = pa.array(sorted(self.moved[index]), pa.string())
        moved = pc.is_in(credits["transaction_id"], value_set=ids)
        snapshot = pa.array([index] * credits.num_rows, pa.int32())
        return credits.append_column(SNAP, snapshot).append_column(MOVED, moved)

    def carried(self) -> pa.Table:
        """The payees' plan periods whose lines each snapshot carries over from the ones before
        it (`_Showing.carried`): snapshot, payee, period."""
        rows = [
            (index, payee, period)
            for index, shown in enumerate(self.showings)
            for payee, showing in shown.items()
            for period in sorted(showing.carried)
        ]
        return pa.table(
            {
                SNAP: pa.array([row[0] for row in rows], pa.int32()),
                "payee": pa.array([row[1] for row in rows], pa.string()),
                "period": pa.array([row[2] for row in rows], pa.string()),
            }
        )

    def moved_table(self) -> pa.Table:
        """The transactions each snapshot's new claims moved: transaction_id, snapshot."""
        rows = [(tid, index) for index, moved in enumerate(self.moved) for tid in sorted(moved)]
        return pa.table(
            {
                "transaction_id": pa.array([row[0] for row in rows], pa.string()),
                SNAP: pa.array([row[1] for row in rows], pa.int32()),
            }
        )

    def until(self, index: int, payee: str) -> dt.date:
        """The last day whose lines of `payee` snapshot `index` gives: the day before the
        next snapshot working out all of the payee's periods is known (else the window's
        end)."""
        for showing in self.by_payee.get(payee, ()):
            if showing.snapshot > index and showing.tail:
                return min(self.known[showing.snapshot] - dt.timedelta(days=1), self.window_end)
        return self.window_end

    def table(self, index: int, payees: set[str] | None = None) -> pa.Table:
        """Snapshot `index`'s scope (of the payees it shows among `payees`, if given: their
        rows, with their reports' for their overrides)."""
        rows: list[_Range] = []
        if index == 0:
            shown = {payee: _Showing(0, None) for payee in self.everyone}
        else:
            shown = self.showings[index]
        for payee, showing in shown.items():
            if payees is not None and payee not in payees:
                continue
            until = self.until(index, payee)
            if showing.spans and not showing.tail and showing.alone:
                # periods that depend on nothing before them: their own transactions alone
                for start, end in showing.spans:
                    rows.append((payee, "rows", start, min(end, until), False))
            else:
                rows.append((payee, "rows", showing.lookback or self.first_day, until, False))
            carried = bool(showing.carried)
            for start, end in showing.spans or [(self.first_day, self.window_end)]:
                rows.append((payee, "shown", start, end, carried))
            # the reports' transactions for the overrides: only the moved ones when carried
            role = "moved" if carried else "rows"
            for report in self.reports.get(payee, ()):
                for start, end in showing.report_spans or [(self.first_day, until)]:
                    rows.append((report, role, start, min(end, until), False))
        rows = _merged(rows)
        names = ["payee", "role", "since", "until", "moved_only"]
        types = [pa.string(), pa.string(), pa.date32(), pa.date32(), pa.bool_()]
        columns = {
            name: pa.array([row[column] for row in rows], kind)
            for column, (name, kind) in enumerate(zip(names, types, strict=True))
        }
        columns[SNAP] = pa.array([index] * len(rows), pa.int32())
        return pa.table(columns, schema=SCOPE_SCHEMA.to_pyarrow())

    def owner(self, index: int, payee: str, period: str) -> int:
        covering = self._covering.get((payee, period))
        if covering is None and payee in self._everywhere:
            covering = [s.snapshot for s in self.by_payee.get(payee, ()) if s.covers(period)]
            self._covering[(payee, period)] = covering
        if not covering:
            return 0
        at = bisect.bisect_right(covering, index)
        return covering[at - 1] if at else 0


_Range = tuple[str, str, dt.date, dt.date, bool]


def _merged(rows: list[_Range]) -> list[_Range]:
    """The (payee, role, since, until, moved_only) rows sorted, overlapping or touching ranges
    of one payee and role made one, and a payee's `moved` ranges cut where their `rows`
    ranges already take all of the payee's transactions: a transaction falls in one range at
    most, so joining the ranges never counts it twice."""
    out: list[_Range] = []
    for payee, role, since, until, flag in sorted(rows):
        if since > until:
            continue
        if out and out[-1][:2] == (payee, role) and since <= out[-1][3] + dt.timedelta(days=1):
            if until > out[-1][3]:
                out[-1] = (payee, role, out[-1][2], until, flag)
            continue
        out.append((payee, role, since, until, flag))
    whole: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for payee, role, since, until, _ in out:
        if role == "rows":
            whole[payee].append((since, until))
    cut: list[_Range] = []
    for payee, role, since, until, flag in out:
        if role != "moved":
            cut.append((payee, role, since, until, flag))
            continue
        for start, end in _minus((since, until), whole.get(payee, [])):
            cut.append((payee, role, start, end, flag))
    return cut


def _minus(
    span: tuple[dt.date, dt.date], taken: list[tuple[dt.date, dt.date]]
) -> list[tuple[dt.date, dt.date]]:
    """The days of `span` outside every range of `taken` (sorted, not overlapping)."""
    left: list[tuple[dt.date, dt.date]] = []
    start, end = span
    for first, last in taken:
        if last < start or first > end:
            continue
        if first > start:
            left.append((start, first - dt.timedelta(days=1)))
        start = last + dt.timedelta(days=1)
        if start > end:
            return left
    left.append((start, end))
    return left


#: the kinds of plan period
_KINDS = frozenset({"month", "quarter", "year"})


def _keys_within(spans: list[tuple[dt.date, dt.date]], kinds: Iterable[str]) -> set[str]:
    """The keys of the plan periods of `kinds` (month, quarter, year) inside the spans."""
    keys: set[str] = set()
    for first, last in spans:
        for kind in kinds:
            keys.update(_keys_inside(first, last, kind))
    return keys


@functools.cache
def _keys_inside(first: dt.date, last: dt.date, kind: str) -> frozenset[str]:
    """The keys of the plan periods of one kind from `first` to `last` (a few dozen spans
    recur for thousands of payees: worked out once each)."""
    keys: set[str] = set()
    day = first
    while day <= last:
        key = _key_for(day, kind)
        if first <= _span(key)[0] and _end(key) <= last:
            keys.add(key)
        day = _end(key) + dt.timedelta(days=1)
    return frozenset(keys)


def _claim_payees(inputs: CommissionInputs, claim: dict) -> set[str]:
    """Everyone a claim credits: the payees named in the roles its policy splits."""
    policy = inputs.policies[claim["policy"]]
    return {(claim.get(role) or "").strip() for role in policy.splits} - {""}


def _snapshot_at(snapshots: list[Snapshot], day: dt.date) -> int:
    index = 0
    for position, snapshot in enumerate(snapshots):
        if snapshot.known_on <= day:
            index = position
    return index


# -- the expression ------------------------------------------------------------------------------


def _pipeline(
    compiler: Compiler,
    window_end: dt.date,
    step: Callable[[str], None],
    stages: _Stages,
    factors: concurrent.futures.Future[pa.Table] | None,
) -> tuple[ibis.Table, ibis.Table]:
    """The lines and the activity (payee, period, currency) of every snapshot, in one pass:
    each row carries its snapshot (`SNAP`)."""
    credited = stages("credited", compiler.credited(window_end))
    scope = ibis.table(SCOPE_SCHEMA, name=compiler.scope_name)
    shown = scope.filter(scope.role == "shown")
    # the shown payees' own lines; the others are only there for their managers' overrides
    own = credited.semi_join(shown, [credited.payee == shown.payee, credited[SNAP] == shown[SNAP]])
    planned = stages("planned", compiler.with_plans(own))
    # what earns: of a payee whose lines are carried over, the moved transactions alone (the
    # others are still planned: they tell whether the payee was active in the period)
    earning = planned.semi_join(
        shown,
        [
            planned.payee == shown.payee,
            planned[SNAP] == shown[SNAP],
            ~shown.moved_only | planned[MOVED],
        ],
    )
    step("measurement")
    versions = compiler.versions
    parts: list[ibis.Table] = []
    active_parts: list[ibis.Table] = []
    for key, plan in sorted(versions.items()):
        parts.extend(compiler.plan_lines(earning, plan, compiler.originals))
        override = compiler.override_lines(credited, plan, shown)
        if override is not None:
            parts.append(override)
        mine = planned.filter(planned.plan_key == key)
        active_parts.append(
            mine.select(
                mine[SNAP],
                payee=mine.payee,
                period=period_of(mine, plan.period),
                currency=ibis.literal(plan.currency),
            )
        )
    step("earning")
    lines = ibis.union(*parts, distinct=False)
    lines = stages("earned", _round_lines(lines, versions))
    lines = _caps(lines, versions)
    step("payable")
    lines = _payable(compiler, lines, versions, factors)
    lines = _round_totals(lines, versions)
    currency = ibis.cases(
        *[(lines.plan_key == key, ibis.literal(p.currency)) for key, p in versions.items()],
        else_=ibis.literal(""),
    )
    lines = lines.mutate(currency=currency)
    active = ibis.union(*active_parts, distinct=True)
    kept = [
        lines[SNAP] == shown[SNAP],
        lines.payee == shown.payee,
        lines.date >= shown.since,
        lines.date <= shown.until,
    ]
    lines = lines.semi_join(shown, kept).select(SNAP, *LINE_SCHEMA.names)  # what balance reads
    on = [active[SNAP] == shown[SNAP], active.payee == shown.payee]
    return lines, active.semi_join(shown, on)


def _keys(versions: dict[str, Plan], test: Callable[[Plan], bool]) -> list[str]:
    return [key for key, plan in versions.items() if test(plan)]


def _round_lines(lines: ibis.Table, versions: dict[str, Plan]) -> ibis.Table:
    keys = _keys(versions, lambda p: p.rounding == "line")
    if not keys:
        return lines
    rounded = ibis.cases((lines.plan_key.isin(keys), cents(lines.amount)), else_=lines.amount)
    return lines.mutate(amount=rounded.cast(MONEY))


def _caps(lines: ibis.Table, versions: dict[str, Plan]) -> ibis.Table:
    """Cap and floor lines per component, then on the plan total, per payee and period."""
    component_limits = [
        (key, c.code, c.cap, c.floor)
        for key, plan in versions.items()
        for c in plan.components
        if c.cap is not None or c.floor is not None
    ]
    if component_limits:
        limits = ibis.memtable(
            pa.table(
                {
                    "l_key": pa.array([x[0] for x in component_limits], pa.string()),
                    "l_component": pa.array([x[1] for x in component_limits], pa.string()),
                    "l_cap": pa.array([x[2] for x in component_limits], DECIMAL),
                    "l_floor": pa.array([x[3] for x in component_limits], DECIMAL),
                }
            )
        )
        # (only the lines of plans with a limit are summed: a manager's override lines are
        # most of the lines, and their plan may have none)
        capped = sorted({x[0] for x in component_limits})
        earning = lines.filter(
            lines.kind.isin(["earning", "clawback"]) & lines.plan_key.isin(capped)
        )
        lines = lines.union(
            _limit_lines(earning, limits, ["component"], "l_component"), distinct=False
        )
    plan_limits = [
        (key, p.cap, p.floor) for key, p in versions.items() if p.cap is not None or p.floor
    ]
    if plan_limits:
        limits = ibis.memtable(
            pa.table(
                {
                    "l_key": pa.array([x[0] for x in plan_limits], pa.string()),
                    "l_cap": pa.array([x[1] for x in plan_limits], DECIMAL),
                    "l_floor": pa.array([x[2] for x in plan_limits], DECIMAL),
                }
            )
        )
        mine = lines.filter(lines.plan_key.isin(sorted({x[0] for x in plan_limits})))
        lines = lines.union(_limit_lines(mine, limits, [], None), distinct=False)
    return lines


def _limit_lines(
    lines: ibis.Table, limits: ibis.Table, extra: list[str], limit_column: str | None
) -> ibis.Table:
    keys = [SNAP, "payee", "plan", "plan_key", "period", *extra]
    totals = lines.group_by(keys).aggregate(
        total=lines.amount.sum().cast(MONEY), date=lines.date.max()
    )
    predicates = [totals.plan_key == limits.l_key]
    if limit_column:
        predicates.append(totals.component == limits[limit_column])
    joined = totals.join(limits, predicates)
    cap = ibis.cases(
        (
            joined.l_cap.notnull() & (joined.total > joined.l_cap.cast(MONEY)),
            (joined.l_cap.cast(MONEY) - joined.total).cast(MONEY),
        ),
        (
            joined.l_floor.notnull() & (joined.total < joined.l_floor.cast(MONEY)),
            (joined.l_floor.cast(MONEY) - joined.total).cast(MONEY),
        ),
        else_=dec(0),
    )
    joined = joined.mutate(_cap=cap.cast(MONEY))
    joined = joined.filter(joined._cap != dec(0))
    return joined.select(
        payee=joined.payee,
        plan=joined.plan,
        plan_key=joined.plan_key,
        period=joined.period,
        transaction_id=ibis.null("string"),
        credit_share=ibis.null(MONEY),
        component=joined.component if extra else ibis.literal(""),
        tier=ibis.null("int32"),
        rate=ibis.null(MONEY),
        base=joined.total,
        amount=joined._cap,
        kind=ibis.literal("cap"),
        date=joined.date,
        **{SNAP: joined[SNAP]},
    )


def _paid_later(plan: Plan) -> bool:
    return plan.payable_on == "payment"


def _payable(
    compiler: Compiler,
    lines: ibis.Table,
    versions: dict[str, Plan],
    factors: concurrent.futures.Future[pa.Table] | None,
) -> ibis.Table:
    """Payable on payment: a transaction's lines are released pro rata to what is paid, in the
    period of each payment (a reversal is payable at once; `factors`: `_payment_factors`,
    being worked out, if there are payments)."""
    keys = _keys(versions, _paid_later)
    if not keys:
        return lines
    held = (
        lines.plan_key.isin(keys)
        & lines.transaction_id.notnull()
        & lines.kind.isin(["earning", "spif", "override"])
    )
    tx = compiler.tx
    reversals = tx.filter(tx.type.isin(REVERSAL_TYPES)).select(t_id=tx.id)  # the few to look up
    lines = lines.left_join(reversals, lines.transaction_id == reversals.t_id)
    held = held & lines.t_id.isnull()
    lines = lines.mutate(_held=held).drop("t_id")
    now = lines.filter(~lines._held).drop("_held")
    later = lines.filter(lines._held).drop("_held")
    if factors is None:
        return now
    payments = ibis.memtable(factors.result())
    released = later.join(payments, later.transaction_id == payments.p_id)
    line_keys = _keys(versions, lambda p: p.rounding == "line")

    def share(factor: ibis.Value) -> ibis.Value:
        raw = money(released.amount.cast(MONEY) * factor)
        return ibis.cases(
            (released.plan_key.isin(line_keys or ["\0"]), cents(raw)), else_=raw
        ).cast(MONEY)

    def base_share(factor: ibis.Value) -> ibis.Value:
        return money(released.base.cast(MONEY) * factor)

    period = ibis.cases(
        *[
            (released.plan_key == key, period_key(released.p_date, versions[key].period))
            for key in keys
        ],
        else_=released.period,
    )
    released = released.mutate(
        period=period,
        amount=(share(released.p_factor) - share(released.p_previous)).cast(MONEY),
        base=(base_share(released.p_factor) - base_share(released.p_previous)).cast(MONEY),
        date=released.p_date,
    ).drop("p_id", "p_date", "p_factor", "p_previous")
    return now.union(released, distinct=False)


#: a payment's share of its invoice to 12 places, half away from zero, from amounts in
#: millionths (HUGEINT: 128 bits hold the quotient's numerator exactly)
_FACTORS_SQL = """
with whole as (
    select id, (round(amount, 6) * 1000000)::HUGEINT as w from tx
    where amount <> 0 and id in (select invoice_id from pay)
),
paid as (
    select pay.invoice_id as p_id, pay.date as p_date,
           (round(pay.amount, 6) * 1000000)::HUGEINT as a
    from pay join whole on pay.invoice_id = whole.id
    where pay.date <= DATE '{window_end}'
),
running as (
    select p_id, p_date, a,
           sum(a) over (
               partition by p_id order by p_date, a
               rows between unbounded preceding and current row
           )::HUGEINT as after
    from paid
)
select p_id, p_date,
       {after} as p_factor,
       {before} as p_previous
from running join whole on running.p_id = whole.id
order by p_id, p_date, a
"""


def _share_sql(paid: str) -> str:
    return (
        f"case when {paid} = w then 1000000000000::HUGEINT else sign({paid}) * sign(w) * "
        f"((abs({paid}) * 2000000000000 + abs(w)) // (2 * abs(w))) end"
    )


def _payment_factors(tx: pa.Table, payments: pa.Table, window_end: dt.date) -> pa.Table:
    """Each payment up to `window_end` with the share of its invoice paid through it
    (p_factor) and before it (p_previous): exactly 1 once the invoice is paid in full, else
    the quotient to 12 places, half away from zero. Payments are input rows, so the quotients
    are worked out here, exactly (in whole millionths, 128-bit integers), the same for every
    backend: DuckDB divides decimals as DOUBLE and Spark to 6 places. An invoice of zero
    releases nothing."""
    import duckdb

    factor = FACTOR.to_pyarrow()
    con = duckdb.connect()
    try:
        con.register("tx", tx.select(["id", "amount"]))
        con.register("pay", payments.select(["invoice_id", "date", "amount"]))
        sql = _FACTORS_SQL.format(
            after=_share_sql("after"),
            before=_share_sql("(after - a)"),
            window_end=window_end.isoformat(),  # a date: nothing to escape
        )
        result = con.sql(sql).to_arrow_table()
    finally:
        con.close()

    def scaled(column: pa.ChunkedArray) -> pa.Array:
        """Millionths of millionths (an integer, DECIMAL(38, 0)) read as DECIMAL(38, 12)."""
        whole = column.combine_chunks().cast(pa.decimal128(38, 0))
        return pa.Array.from_buffers(factor, len(whole), whole.buffers())

    return pa.table(
        {
            "p_id": result["p_id"].cast(pa.string()),
            "p_date": result["p_date"].cast(pa.date32()),
            "p_factor": scaled(result["p_factor"]),
            "p_previous": scaled(result["p_previous"]),
        }
    )


def _round_totals(lines: ibis.Table, versions: dict[str, Plan]) -> ibis.Table:
    keys = _keys(versions, lambda p: p.rounding == "period_total")
    if not keys:
        return lines
    mine = lines.filter(lines.plan_key.isin(keys))
    totals = mine.group_by([SNAP, "payee", "plan", "plan_key", "period"]).aggregate(
        total=mine.amount.sum().cast(MONEY), date=mine.date.max()
    )
    totals = totals.mutate(_r=(cents(totals.total) - totals.total).cast(MONEY))
    totals = totals.filter(totals._r != dec(0))
    rounding = totals.select(
        payee=totals.payee,
        plan=totals.plan,
        plan_key=totals.plan_key,
        period=totals.period,
        transaction_id=ibis.null("string"),
        credit_share=ibis.null(MONEY),
        component=ibis.literal("rounding"),
        tier=ibis.null("int32"),
        rate=ibis.null(MONEY),
        base=totals.total,
        amount=totals._r,
        kind=ibis.literal("rounding"),
        date=totals.date,
        **{SNAP: totals[SNAP]},
    )
    return lines.union(rounding, distinct=False)


# -- balance: restatement and draws ----------------------------------------------------------------


#: what an adjustment is matched on: the same transaction, component, tier and rate, whatever
#: period and kind (an approved adjustment line pays off the line it corrected)
_MATCH = ("transaction_id", "component", "tier", "rate")
#: the columns of a line the restatement compares
_PICKED = pa.schema(
    [LINE_SCHEMA.field(name) for name in (*_MATCH, "kind", "credit_share", "base", "amount")]
)


_NO_PICKED = _PICKED.empty_table()
_ORDERED_PICKS = pa.schema(
    [
        *_PICKED,
        pa.field("group", pa.int64()),
        pa.field("after", pa.bool_()),
        pa.field("seq", pa.int32()),
        pa.field("_row", pa.int64()),
    ]
)


@dataclass
class _Settled:
    """What closed periods paid, per (payee, currency) and period: their explanation lines."""

    lines: dict[tuple[str, str], dict[str, list[dict]]]
    closed: frozenset[str]

    @classmethod
    def of(cls, inputs: CommissionInputs) -> _Settled:
        lines: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        if inputs.settled is not None:
            for row in inputs.settled.select(list(LINE_SCHEMA.names)).to_pylist():
                lines[(row["payee"], row["currency"])][row["period"]].append(row)
        return cls(lines, frozenset(inputs.closed))

    def table(self, account: tuple[str, str], periods: list[str]) -> pa.Table:
        """The lines paid in `periods`, with the columns a restatement compares."""
        rows = [row for period in periods for row in self.lines.get(account, {}).get(period, [])]
        if not rows:
            return _NO_PICKED
        return pa.Table.from_pylist(rows, schema=_PICKED)


def _balance(
    compiler: Compiler,
    snapshots: list[Snapshot],
    scopes: _Scopes,
    store: _Lines,
    activity: list[set[tuple[str, str, str]]],
    asked: list[str],
    window_start: dt.date,
    window_end: dt.date,
    explain: bool,
) -> tuple[pa.Table, pa.Table | None]:
    settled = _Settled.of(compiler.inputs)
    # per snapshot: (payee, currency) -> period -> amount, and each period's digest
    totals, digests = store.digests(len(snapshots))
    candidates: dict[tuple[str, str], set[str]] = defaultdict(set)
    for index, per in enumerate(totals):
        for account, periods in per.items():
            candidates[account].update(periods)
        for payee, period, currency in activity[index]:
            candidates[(payee, currency)].add(period)
    for account, periods in settled.lines.items():
        candidates[account].update(periods)
    draws: dict[tuple[str, str], dict[str, Plan]] = defaultdict(dict)
    for payee, plan, start, end in compiler.draws():
        day = start
        last = min(end, window_end)
        while day <= last:
            key = _key_for(day, plan.period)
            draws[(payee, plan.currency)][key] = plan
            candidates[(payee, plan.currency)].add(key)
            day = _end(key) + dt.timedelta(days=1)

    # a claim approved in a period restates earlier ones, and what a closed period owes now is
    # paid in the periods asked for: those periods are worked out too
    for keys in candidates.values():
        samples = {len(key) if "Q" not in key else -1: key for key in keys}
        days = [snapshot.known_on for snapshot in snapshots[1:]]
        if keys & settled.closed:
            days.extend(_end(period) for period in asked)
        for day in days:
            for sample in samples.values():
                keys.add(_key_of(day, sample))
    covered = _covering(asked)
    payout_rows: list[dict] = []
    extra_lines: list[dict] = []
    restatements = _Restatements()
    line_picks: list[tuple[int, str, str, str]] = []  # (snapshot, payee, currency, period)

    def same(first: int, second: int, key: tuple[str, str, str]) -> bool:
        """Whether a payee's lines of a period are the same in two snapshots, told by their
        count and their sums of amounts and bases (plain and absolute): a claim changes few
        periods, and only those are compared line by line."""
        return first == second or digests[first].get(key) == digests[second].get(key)

    known_at: dict[str, int] = {}  # period -> the snapshot known at its end
    for account in sorted(candidates):
        payee, currency = account
        periods = sorted((p for p in candidates[account] if _end(p) <= window_end), key=_order)
        paid = ZERO
        owed = ZERO
        previous: int | None = None  # the snapshot the previous period was known at
        done: list[str] = []
        # what each done period earned as known at the previous period's snapshot: between
        # two snapshots only the periods a snapshot in between works out again can change
        values: list[Decimal] = []
        showings = scopes.by_payee.get(payee, [])
        pending: list[str] = []  # closed periods whose lines are what was paid, not as known
        owners: dict[tuple[int, str], int] = {}

        def owner(index: int, period: str, payee=payee, owners=owners) -> int:
            key = (index, period)
            if key not in owners:
                owners[key] = scopes.owner(index, payee, period)
            return owners[key]

        for period in periods:
            index = known_at.get(period)
            if index is None:
                index = known_at[period] = _snapshot_at(snapshots, _end(period))
            changed: list[int] = []  # the done periods known otherwise than at `previous`
            if previous is not None and index != previous:
                between = [s for s in showings if previous < s.snapshot <= index]
                if between:
                    changed = [at for at, q in enumerate(done) if any(s.covers(q) for s in between)]
                for at in changed:
                    q = done[at]
                    values[at] = totals[owner(index, q)].get(account, {}).get(q, ZERO)
            known = owner(index, period)
            earned = totals[known].get(account, {})
            value = earned.get(period, ZERO)
            shown = _end(period) >= window_start
            plan = draws.get(account, {}).get(period)
            if not shown and period in settled.closed:
                rows = settled.lines.get(account, {}).get(period, [])
                paid += sum((r["amount"] for r in rows if r["kind"] not in DRAW_KINDS), ZERO)
                for row in rows:
                    if row["kind"] == "recovery" or (
                        row["kind"] == "draw" and plan is not None and plan.draw.recoverable
                    ):
                        owed += row["amount"]
                done.append(period)
                values.append(value)
                pending.append(period)
                previous = index
                continue
            through = sum(values, ZERO) + value  # (in period order, as known at `index`)
            net = through - paid
            paid += net
            new_lines: list[dict] = []
            paying = shown and period in covered  # (history's adjustments are in its totals)
            group = None
            if done and (pending or (previous is not None and previous != index)):
                restated = [
                    q
                    for q in (done[at] for at in changed)
                    if paying
                    and q not in pending
                    and previous is not None
                    and not same(owner(previous, q), owner(index, q), (payee, currency, q))
                ]
                if paying and (pending or restated):
                    group = restatements.add(
                        settled.table(account, pending),
                        [(owner(previous, q), q) for q in restated],
                        [(owner(index, q), q) for q in [*pending, *restated]],
                        payee,
                        period,
                        currency,
                        narrow=payee in scopes.per_transaction,
                    )
                pending = []
            total = net
            if plan is not None and plan.draw is not None:
                amount = plan.draw.amount
                if total < amount:
                    top_up = amount - total
                    new_lines.append(_line(payee, period, currency, "draw", top_up, base=total))
                    if plan.draw.recoverable:
                        owed += top_up
                    total = amount
                elif owed > 0:
                    repay = min(owed, total - amount)
                    if repay > 0:
                        new_lines.append(
                            _line(payee, period, currency, "recovery", -repay, base=total)
                        )
                        owed -= repay
                        total -= repay
            elif owed > 0 and total > 0:
                repay = min(owed, total)
                new_lines.append(_line(payee, period, currency, "recovery", -repay, base=total))
                owed -= repay
                total -= repay
            is_active = (payee, period, currency) in activity[known]
            has_lines = period in earned or bool(new_lines)
            if paying and (is_active or has_lines or group is not None):
                payout_rows.append(
                    {
                        "payee": payee,
                        "period": period,
                        "amount": total.quantize(CENT, rounding=ROUND_HALF_UP),
                        "currency": currency,
                        # paid only if the restatement finds something owed
                        "_group": None if is_active or has_lines else group,
                    }
                )
                extra_lines.extend(new_lines)
                line_picks.append((known, payee, currency, period))
            done.append(period)
            values.append(value)
            previous = index
    adjusted, owing = restatements.lines(store, scopes.moved_table())
    payout_rows = [row for row in payout_rows if _kept(row.pop("_group"), owing)]
    payout_rows.sort(key=lambda r: (_order(r["period"]), r["payee"], r["currency"]))
    payouts = pa.Table.from_pylist(payout_rows, schema=PAYOUT_SCHEMA)
    if not explain:
        return payouts, None
    return payouts, store.shown(line_picks, pa.concat_tables([adjusted, _lines_of(extra_lines)]))


def _kept(group: int | None, owing: set[int]) -> bool:
    return group is None or group in owing


def _covering(asked: list[str]) -> set[str]:
    """The periods a run pays: those asked for, and every plan period (month, quarter, year)
    whose last day falls inside the range (a run of December pays Q4 and the year)."""
    start, end = period_parse(asked[0])[0], _end(asked[-1])
    keys = set(asked)
    day = start
    while day <= end:
        for sample in ("2026", "2026-Q1", "2026-01"):
            key = _key_of(day, sample)
            if start <= _end(key) <= end:
                keys.add(key)
        day += dt.timedelta(days=1)
    return keys


@functools.cache
def _key_for(day: dt.date, period: str) -> str:
    return _key_of(day, {"year": "2026", "quarter": "2026-Q1"}.get(period, "2026-01"))


def _line(
    payee: str, period: str, currency: str, kind: str, amount: Decimal, *, base: Decimal
) -> dict:
    return {
        "payee": payee,
        "period": period,
        "transaction_id": None,
        "credit_share": None,
        "component": kind,
        "tier": None,
        "rate": None,
        "base": base,
        "amount": amount,
        "currency": currency,
        "kind": kind,
    }


class _Lines:
    """Every snapshot's lines in one DuckDB table (`SNAP` and the line columns), and
    what the balance stage asks of them: per snapshot, payee, currency and period the totals
    and digests (`digests`), the lines of some of them (`picked`, `shown`). The lines stay in
    DuckDB, which spills what does not fit its memory limit to disk, and only what is asked
    comes to Python."""

    def __init__(self, con: Any, sql: str, owned: ibis.BaseBackend | None = None):
        self.con = con  # a DuckDB connection
        self.owned = owned  # the engine's own DuckDB, let go with the table
        self.name = f"revdesk_lines_{uuid.uuid4().hex}"
        con.execute(f'CREATE TEMP TABLE "{self.name}" AS {sql}')
        #: what the balance stage reads: the lines, with those carried over once `carry` ran
        self.read = self.name
        self.dropped: list[str] = []  # what `close` drops besides the lines (views first)

    def add(self, sql: str) -> None:
        """Add the lines another pass (of other payees) gives."""
        self.con.execute(f'INSERT INTO "{self.name}" {sql}')

    def carry(self, carried: pa.Table, moved: pa.Table) -> None:
        """Give each snapshot the lines it carries over (`carried`: snapshot, payee, period;
        `_Showing.carried`): every line of the payee and period an earlier snapshot worked
        out, unless a snapshot since then, up to this one, moved its transaction (`moved`:
        transaction_id, snapshot) and so worked it out again. It reads the lines as the
        pipeline left them, never lines carried already.

        The carried lines are not copied: `read` becomes a view of the lines and of the
        carried ones, which each query of the balance stage works out as it reads them. A
        manager's period is carried into every later snapshot that works the manager out
        again: copied, they were most of the rows (60 million of 94 million at 10M
        transactions), which the digests and restatements then scanned, spilled to disk."""
        if not carried.num_rows:
            return
        tag = uuid.uuid4().hex
        carried_name, moved_name = f"revdesk_carried_{tag}", f"revdesk_moved_{tag}"
        view = f"{self.name}_all"
        names = ", ".join(f'l."{name}"' for name in LINE_SCHEMA.names)
        self._keep(carried_name, carried)
        self._keep(moved_name, moved)
        self.con.execute(
            f"""
            CREATE TEMP VIEW "{view}" AS
            SELECT * FROM "{self.name}"
            UNION ALL
            SELECT l.{SNAP}, {names.replace('l."', '"')}
            FROM (
                SELECT c.{SNAP}, l.{SNAP} AS _from, {names}
                FROM "{self.name}" l JOIN "{carried_name}" c
                  ON l.payee = c.payee AND l.period = c.period AND l.{SNAP} < c.{SNAP}
            ) l
            ANTI JOIN "{moved_name}" m
              ON m.transaction_id = l.transaction_id
             AND m.{SNAP} > l._from AND m.{SNAP} <= l.{SNAP}
            """
        )
        self.dropped.insert(0, f'VIEW IF EXISTS "{view}"')
        self.read = view

    def _keep(self, name: str, table: pa.Table) -> None:
        """Keep an Arrow table as a temporary table for as long as the lines (a view reads
        it after the Arrow table is gone)."""
        self.con.register("revdesk_arrived", table)
        try:
            self.con.execute(f'CREATE TEMP TABLE "{name}" AS FROM revdesk_arrived')
        finally:
            self.con.unregister("revdesk_arrived")
        self.dropped.append(f'TABLE IF EXISTS "{name}"')

    def add_arrow(self, table: pa.Table) -> None:
        self.con.register("revdesk_arrived", table)
        try:
            self.add("SELECT * FROM revdesk_arrived")
        finally:
            self.con.unregister("revdesk_arrived")

    @classmethod
    def of(cls, table: pa.Table) -> _Lines:
        """Lines that came from another backend, in a DuckDB of the engine's own."""
        backend = connect()
        con = backend.con  # type: ignore[attr-defined]
        con.register("revdesk_arrived", table)
        try:
            return cls(con, "SELECT * FROM revdesk_arrived", owned=backend)
        finally:
            con.unregister("revdesk_arrived")

    def close(self) -> None:
        for what in self.dropped:
            self.con.execute(f"DROP {what}")
        self.con.execute(f'DROP TABLE IF EXISTS "{self.name}"')
        if self.owned is not None:
            self.owned.disconnect()

    def digests(
        self, count: int
    ) -> tuple[list[dict[tuple[str, str], dict[str, Decimal]]], list[dict[tuple, str]]]:
        """Per snapshot: (payee, currency) -> period -> the total amount; and (payee,
        currency, period) -> a digest of the period's lines (their count and the sums of their
        amounts and bases, plain and absolute, written out exactly as text: one string per
        period comes to Python, not five numbers)."""
        totals: list[dict[tuple[str, str], dict[str, Decimal]]] = [
            defaultdict(dict) for _ in range(count)
        ]
        digests: list[dict[tuple, str]] = [{} for _ in range(count)]
        sums = ("sum(amount)", "sum(abs(amount))", "sum(base)", "sum(abs(coalesce(base, 0)))")
        written = ", ".join(f"coalesce(CAST({value} AS VARCHAR), '-')" for value in sums)
        table = self.con.sql(
            f"""
            SELECT {SNAP}, payee, currency, period, sum(amount) AS total,
                   concat_ws('|', count(*), {written}) AS digest
            FROM "{self.read}" GROUP BY ALL
            """
        ).to_arrow_table()
        columns = [table[name].to_pylist() for name in table.column_names]
        for snapshot, payee, currency, period, total, digest in zip(*columns, strict=True):
            totals[snapshot][(payee, currency)][period] = total
            digests[snapshot][(payee, currency, period)] = digest
        return totals, digests

    def restated(self, picks: pa.Table, settled: pa.Table, moved: pa.Table) -> pa.Table:
        """The restatements (`_Restatements`): per group (`picks`: group, after, seq and the
        snapshot, payee, currency and period whose lines it compares, of the transactions
        `moved` after snapshot `since` up to `until` alone when those are set; `settled`:
        lines paid, on the before side, in the order paid) and transaction, component, tier
        and rate, the change in base and amount (after − before) and in credit share (each
        side's last line's), where money moved (or a transaction's base did), in order.

        A side's last line is the one of its highest seq; within a period paid, the last paid;
        within a period's lines, the last by every column (nulls last), which, the matched
        columns being equal, is the one with the highest credit share, a line without one
        last of all: whatever backend or thread made the lines, the same line is last. It is
        found by `arg_max` on (seq, place paid, no share, share), without sorting the lines;
        only for the keys where money moved, found first by the sums alone (most of the lines
        compared are the same on both sides: the arg_max is the dear part)."""
        columns = ", ".join(f'l."{name}"' for name in _PICKED.names)
        listed = ", ".join(f'"{name}"' for name in _PICKED.names)
        names = ("group", *_MATCH)
        keys = ", ".join(f'"{name}"' for name in names)
        same = " AND ".join(f'c."{name}" IS NOT DISTINCT FROM k."{name}"' for name in names)
        draws = ", ".join(f"'{kind}'" for kind in DRAW_KINDS)
        last = "{'seq': seq, 'paid': _row, 'none': credit_share IS NULL, 'share': credit_share}"
        on = f"""l.{SNAP} = p.{SNAP} AND l.payee = p.payee
                 AND l.currency = p.currency AND l.period = p.period"""
        # a narrowed pick (`_Restatements.add`): the lines of the transactions moved after
        # snapshot `since` up to `until` alone (found from the few moved transactions first)
        compared = f"""
            SELECT * FROM (
                SELECT p."group", p.after, p.seq, {columns}, CAST(0 AS BIGINT) AS _row
                FROM revdesk_picks p JOIN "{self.read}" l ON {on}
                WHERE p.since IS NULL
                UNION ALL
                SELECT p."group", p.after, p.seq, {columns}, CAST(0 AS BIGINT) AS _row
                FROM revdesk_picks p JOIN (
                    SELECT * FROM "{self.read}"
                    WHERE transaction_id IN (SELECT transaction_id FROM revdesk_moved)
                ) l ON {on}
                SEMI JOIN revdesk_moved m
                  ON m.transaction_id = l.transaction_id
                 AND m.{SNAP} > p.since AND m.{SNAP} <= p.until
                WHERE p.since IS NOT NULL
                UNION ALL
                SELECT "group", after, seq, {listed}, _row FROM revdesk_settled
            )
            WHERE kind NOT IN ({draws})
        """
        self.con.register("revdesk_picks", picks)
        self.con.register("revdesk_settled", settled)
        self.con.register("revdesk_moved", moved)
        try:
            return self.con.sql(
                f"""
                WITH compared AS MATERIALIZED ({compared}),
                moved AS (
                    SELECT * FROM (
                        SELECT {keys},
                               sum(CASE WHEN after THEN 1 ELSE -1 END * coalesce(base, 0)) AS base,
                               sum(CASE WHEN after THEN 1 ELSE -1 END * amount) AS amount
                        FROM compared GROUP BY {keys}
                    )
                    WHERE amount <> 0 OR (base <> 0 AND transaction_id IS NOT NULL)
                ),
                shares AS (
                    SELECT {", ".join(f'c."{name}"' for name in names)},
                           coalesce(arg_max(coalesce(credit_share, 0), {last})
                                    FILTER (WHERE after), 0)
                           - coalesce(arg_max(coalesce(credit_share, 0), {last})
                                      FILTER (WHERE NOT after), 0) AS credit_share
                    FROM compared c SEMI JOIN moved k ON {same}
                    GROUP BY ALL
                )
                SELECT {", ".join(f'k."{name}"' for name in names)}, k.base, k.amount,
                       c.credit_share
                FROM moved k JOIN shares c ON {same}
                ORDER BY {", ".join(f'k."{name}" ASC NULLS LAST' for name in names)}
                """
            ).to_arrow_table()
        finally:
            self.con.unregister("revdesk_picks")
            self.con.unregister("revdesk_settled")
            self.con.unregister("revdesk_moved")

    def shown(self, picks: list[tuple[int, str, str, str]], extra: pa.Table) -> pa.Table:
        """The explanation lines of the payouts shown, each period's from the snapshot it was
        read from, with the balance stage's own lines (`extra`), in order: period, payee,
        transaction, component, tier, kind, then every other column (nulls last): lines that
        tie on all of them are the same."""
        table = pa.table(
            {
                SNAP: pa.array([p[0] for p in picks], pa.int32()),
                "payee": pa.array([p[1] for p in picks], pa.string()),
                "currency": pa.array([p[2] for p in picks], pa.string()),
                "period": pa.array([p[3] for p in picks], pa.string()),
            }
        )
        names = list(LINE_SCHEMA.names)
        listed = ", ".join(f'"{name}"' for name in names)
        chosen = ", ".join(f'l."{name}"' for name in names)
        extra = extra.select(names)
        first = ("period", "payee", "transaction_id", "component", "tier", "kind")
        keys = [*first, *(name for name in names if name not in first)]
        order = ", ".join(f'"{name}" ASC NULLS LAST' for name in keys)
        self.con.register("revdesk_picks", table)
        self.con.register("revdesk_extra", extra)
        try:
            lines = self.con.sql(
                f"""
                SELECT {listed} FROM (
                    SELECT {chosen}
                    FROM revdesk_picks p JOIN "{self.read}" l
                      ON l.{SNAP} = p.{SNAP} AND l.payee = p.payee
                     AND l.currency = p.currency AND l.period = p.period
                    UNION ALL
                    SELECT {listed} FROM revdesk_extra
                )
                ORDER BY {order}
                """
            ).to_arrow_table()
        finally:
            self.con.unregister("revdesk_picks")
            self.con.unregister("revdesk_extra")
        return lines.cast(LINE_SCHEMA)


class _Restatements:
    """What earlier periods are owed now, line by line, for every payee and period at once:
    `after` (as known now) − `before` (as paid or as known then, adjustments paid since
    included), as `adjustment` lines in the period that pays them, one per transaction,
    component, tier and rate (`_MATCH`). A line's credit share is the change in share (each
    side's last line's), its base and amount the changes in their sums. Draw lines carry the
    draw balance, not earnings: they are left out.

    `add` files one payee and period's comparison and gives its group number; `lines` works
    them all out in one query where the lines are (`_Lines.restated`) and gives the
    adjustment lines and the groups that have any."""

    def __init__(self):
        self.settled: list[pa.Table] = []  # what closed periods paid, the before of a group
        #: (group, after, seq, snapshot, payee, currency, period, since, until): the lines of
        #: the transactions moved after snapshot `since` up to `until` alone, if not None
        self.picks: list[tuple] = []
        self.where: list[tuple[str, str, str]] = []  # group -> (payee, period, currency)

    def add(
        self,
        settled: pa.Table,
        before: list[tuple[int, str]],
        after: list[tuple[int, str]],
        payee: str,
        period: str,
        currency: str,
        narrow: bool = False,
    ) -> int:
        """File a comparison: before, the lines `settled` (what closed periods paid) then the
        lines of each (snapshot, period) of `before`; after, those of `after`. The lines are
        read where they are kept when the comparisons are worked out (`lines`).

        `narrow`: each of the payee's lines stands on its own transaction (`_Scopes.
        per_transaction`), so a period's lines as known at two snapshots differ only in the
        transactions that claims moved in between: only those are compared (a manager's
        period holds every report's transactions; a claim moves a few)."""
        group = len(self.where)
        if settled.num_rows:
            count = settled.num_rows
            self.settled.append(
                settled.append_column("group", pa.array([group] * count, pa.int64()))
                .append_column("after", pa.array([False] * count, pa.bool_()))
                .append_column("seq", pa.array([-1] * count, pa.int32()))
                .append_column("_row", pa.array(range(count), pa.int64()))
            )
        bounds: dict[str, tuple[int, int]] = {}
        if narrow:
            earlier = {wanted: snapshot for snapshot, wanted in before}
            bounds = {
                wanted: (earlier[wanted], snapshot)
                for snapshot, wanted in after
                if wanted in earlier
            }
        for side, picks in ((False, before), (True, after)):
            for seq, (snapshot, wanted) in enumerate(picks):
                since, until = bounds.get(wanted, (None, None))
                self.picks.append(
                    (group, side, seq, snapshot, payee, currency, wanted, since, until)
                )
        self.where.append((payee, period, currency))
        return group

    def lines(self, store: _Lines, moved: pa.Table) -> tuple[pa.Table, set[int]]:
        """The adjustment lines and the groups that have any (`moved`: the transactions
        each snapshot moved, `_Scopes.moved_table`)."""
        names = ["group", "after", "seq", SNAP, "payee", "currency", "period", "since", "until"]
        types = [
            pa.int64(),
            pa.bool_(),
            pa.int32(),
            pa.int32(),
            *[pa.string()] * 3,
            pa.int32(),
            pa.int32(),
        ]
        picks = pa.table(
            {
                name: pa.array([pick[at] for pick in self.picks], kind)
                for at, (name, kind) in enumerate(zip(names, types, strict=True))
            }
        )
        settled = (
            pa.concat_tables(self.settled).cast(_ORDERED_PICKS)
            if self.settled
            else _ORDERED_PICKS.empty_table()
        )
        changed = store.restated(picks, settled, moved)
        groups = changed["group"].to_pylist()
        where = [self.where[group] for group in groups]
        count = changed.num_rows
        columns = {
            "payee": pa.array([w[0] for w in where], pa.string()),
            "period": pa.array([w[1] for w in where], pa.string()),
            "transaction_id": changed["transaction_id"],
            "credit_share": changed["credit_share"],
            "component": changed["component"],
            "tier": changed["tier"],
            "rate": changed["rate"],
            "base": changed["base"],
            "amount": changed["amount"],
            "currency": pa.array([w[2] for w in where], pa.string()),
            "kind": pa.array(["adjustment"] * count, pa.string()),
        }
        return pa.table(columns).cast(LINE_SCHEMA), set(groups)


def _lines_of(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=LINE_SCHEMA)


__all__ = ["STAGES", "CommissionResult", "calculate", "fingerprint", "periods_expand"]
