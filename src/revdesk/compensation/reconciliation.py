"""What was paid, and its reconciliation with what a run calculated.

`paid_import(path, actor=...)` loads a payroll file of what was actually paid (CSV or .xlsx;
columns payee, period, component (optional), amount, currency, paid_on, reference
(optional)): every bad cell is reported with its line, column, value and what was expected,
and nothing is loaded unless the whole file is right. Amounts are written with a point for
decimals and no separators: "0,500" could be 0.50 or 500.00, so it is refused, saying both.
Nothing is loaded twice: not the same file (by sha256), and not a payment already loaded —
the same payee, period, component, amount, currency, paid_on and reference (its natural key),
from any earlier file or earlier in the same file — so the same lines saved again, or sent
once as .xlsx and once as .csv, are refused, naming the file, line and date they came from.

Only approved and paid runs are reconciled (a draft can still be calculated again, under the
same run number): `reconciliation_build(run)` compares, by payee, period and currency, what the
run calculated with what was paid for the same payees and periods; `reconcile(run, actor=...)`
also stores every difference as a Variance row (re-running updates the rows, never duplicates
them), and `variance_cases_open(run, actor=...)` opens one commission inquiry per variance,
never two. A draft or reviewed run is refused with ReconciliationRefused, saying why.

How paid lines are compared: when every paid line of a payee and period names a component,
each component is compared with the run's lines of that component; when one or more has no
component, or nothing was paid, the payee's payout total is compared with everything paid.

Components are compared at the precision the payout is rounded at: a payout is rounded once,
so its components' unrounded sums (0.333 + 0.333 + 0.333 = 0.999, paid as 1.00) rounded one
by one would not add up to it and a cent would look missing. Each component's calculated
figure is its sum rounded down to the cent, and the cents left over up to the payout go one
each to the components payroll paid rounded up, then to the largest remainders (ties by
component name); the plan's own rounding line (kind "rounding") is shared out this way, not
compared on its own. So the component figures always add up to the payout, and payroll's
split of the same payout (0.34 + 0.33 + 0.33 in any order) shows no variance, while 0.99 paid
against 1.00 is a cent short. The variance is calculated − paid: positive means the payee is
still owed money, negative that they were paid too much. Nothing is hidden: any difference of
a cent or more is a variance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from revdesk.engine.commission_inputs import period_parse
from revdesk.engine.commissions import periods_expand
from revdesk.engine.money import CENT, ZERO, round_money
from revdesk.foundation.audit import audited_delete, audited_save
from revdesk.foundation.fields import validate_currency_code
from revdesk.foundation.sources import FileProblem, XlsxSource, source_open

from .models import CommissionRun, PaidImport, PaidLine, Payout, PayoutLine, RunStatus, Variance

COLUMNS = ("payee", "period", "component", "amount", "currency", "paid_on", "reference")
REQUIRED = ("payee", "period", "amount", "currency", "paid_on")
THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
PLAIN_AMOUNT = re.compile(r"-?\d+(\.\d+)?")
AMOUNT_EXPECTED = "an amount such as 1234.56 or -50.00 (a point for decimals, at most 2 decimals)"
TOTAL = ""  # the component of a comparison of payout totals
ROUNDING = "rounding"  # the kind of the line a plan rounding its period total adds
MAX_PROBLEMS = 1000


@dataclass(frozen=True)
class PaidProblem:
    """One bad cell or line of a paid file (line as Excel shows it, header = 1; None: the
    whole file)."""

    line: int | None
    column: str
    value: str
    expected: str

    def text(self, name: str) -> str:
        if self.line is None and not self.column and self.expected.startswith(f"{name} "):
            return self.expected  # a whole-file problem from the readers, named already
        where = name if self.line is None else f"{name}, line {self.line}"
        if self.column:
            where += f", column {self.column}"
        shown = f" {self.value!r}:" if self.value else ""
        return f"{where}:{shown} {self.expected}"

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
        }


class PaidImportRefused(ValueError):
    """Nothing was loaded: `problems` says what is wrong, line by line."""

    def __init__(self, name: str, problems: list[PaidProblem]):
        self.name = name
        self.problems = problems
        super().__init__("; ".join(problem.text(name) for problem in problems[:20]))


# -- reading the file ------------------------------------------------------------------------


def _file_rows(path: Path, name: str, encoding: str | None) -> list[tuple[int, list[str]]]:
    """Every non-blank row as (line as Excel shows it, cells), read by the house's file
    readers (foundation.sources): CSV in UTF-8 (or `encoding`) with its delimiter sniffed,
    or the 'paid' sheet (else the first) of an .xlsx, refused whole with the reason when it
    cannot be read."""
    try:
        source = source_open(
            path,
            kind="paid",
            encoding=encoding,
            delimiter=None,
            sheet=None,
            first_sheet=True,
            name=name,
        )
        try:
            return [(number, [cell.strip() for cell in cells]) for number, cells in source.rows()]
        finally:
            if isinstance(source, XlsxSource):
                source.close()
    except FileProblem as problem:
        raise PaidImportRefused(name, [PaidProblem(None, "", "", str(problem))]) from None


# -- checking every cell ---------------------------------------------------------------------


def _amount(text: str) -> Decimal | None:
    """A plain amount (a point for decimals, at most 2 decimals, no separators), else None."""
    if not PLAIN_AMOUNT.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value == value.quantize(CENT) else None


def _readings(text: str) -> list[str]:
    """What an amount written with a comma may have meant, each as a plain amount: "0,500" is
    0.50 with a decimal comma or 500.00 with a thousands separator; nothing is guessed."""
    readings = []
    if DECIMAL_COMMA.fullmatch(text):
        readings.append(Decimal(text.replace(",", ".")))
    if THOUSANDS.fullmatch(text):
        readings.append(Decimal(text.replace(",", "")))
    return list(
        dict.fromkeys(
            format(value.quantize(CENT), "f") for value in readings if value == value.quantize(CENT)
        )
    )


def _amount_expected(text: str) -> str:
    readings = _readings(text) if "," in text else []
    if not readings:
        return AMOUNT_EXPECTED if "," not in text else f"{AMOUNT_EXPECTED}, without separators"
    return (
        f"write {' or '.join(readings)}, without separators "
        "(a point for decimals, at most 2 decimals)"
    )


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _passes(check, text: str) -> bool:
    """Does text pass a check that raises on bad input (a period, a currency code)?"""
    try:
        check(text)
    except (ValueError, ValidationError):
        return False
    return True


def _header(cells: list[str]) -> tuple[dict[str, int], list[PaidProblem]]:
    problems = []
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip().lower()
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(
                PaidProblem(
                    1,
                    name,
                    cell,
                    f"a column of a paid file: {', '.join(COLUMNS)} "
                    "(component and reference may be left out)",
                )
            )
        elif name in positions:
            problems.append(PaidProblem(1, name, cell, "each column once: this one is twice"))
        else:
            positions[name] = index
    for name in REQUIRED:
        if name not in positions:
            problems.append(PaidProblem(1, name, "", f"a column named {name}: it is missing"))
    return positions, problems


def _lines(rows: list[tuple[int, list[str]]], payees: dict[str, int]):
    """(problems, checked lines as dicts) from the rows after the header."""
    positions, problems = _header(rows[0][1])
    if problems:
        return problems, []
    checked = []
    for number, cells in rows[1:]:

        def cell(name: str, cells=cells) -> str:
            index = positions.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        found: list[PaidProblem] = []
        payee, period, component = cell("payee"), cell("period"), cell("component")
        amount_text, currency, paid_on_text = (
            cell("amount"),
            cell("currency").upper(),
            cell("paid_on"),
        )
        reference = cell("reference")
        if not payee:
            found.append(PaidProblem(number, "payee", "", "a payee code (employee number)"))
        elif payee not in payees:
            found.append(
                PaidProblem(number, "payee", payee, "a payee code (employee number) Revdesk knows")
            )
        if not _passes(period_parse, period):
            found.append(
                PaidProblem(number, "period", period, "a period such as 2026-10 (or 2026-Q4)")
            )
        if len(component) > 60:
            found.append(
                PaidProblem(
                    number, "component", component, "a component code of 60 characters or fewer"
                )
            )
        amount = _amount(amount_text)
        if amount is None:
            found.append(
                PaidProblem(
                    number,
                    "amount",
                    amount_text,
                    _amount_expected(amount_text),
                )
            )
        if not _passes(validate_currency_code, currency):
            found.append(
                PaidProblem(
                    number, "currency", cell("currency"), "a currency code such as USD or EUR"
                )
            )
        paid_on = _date(paid_on_text)
        if paid_on is None:
            found.append(
                PaidProblem(
                    number, "paid_on", paid_on_text, "a date written 2026-11-30 (year-month-day)"
                )
            )
        if len(reference) > 80:
            found.append(
                PaidProblem(number, "reference", reference, "a reference of 80 characters or fewer")
            )
        if found:
            problems.extend(found)
            continue
        checked.append(
            {
                "line_number": number,
                "payee_id": payees[payee],
                "period": period,
                "component": component,
                "amount": amount,
                "currency": currency,
                "paid_on": paid_on,
                "reference": reference,
            }
        )
    return problems, checked


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _line_key(line) -> tuple:
    """What makes a paid line the same payment (its natural key): payee, period, component
    (whatever its case), amount, currency, paid_on and reference."""
    get = line.get if isinstance(line, dict) else lambda name: getattr(line, name)
    return (
        get("payee_id"),
        get("period"),
        get("component").casefold(),
        get("amount"),
        get("currency"),
        get("paid_on"),
        get("reference"),
    )


def _lines_loaded_before(checked: list[dict]) -> list[PaidProblem]:
    """A problem for every line already loaded (by an earlier file, or earlier in this one):
    the same payroll lines saved again, or sent once as .xlsx and once as .csv."""
    problems = []
    earlier: dict[tuple, PaidLine] = {}
    for line in (
        PaidLine.objects.filter(
            payee_id__in={line["payee_id"] for line in checked},
            period__in={line["period"] for line in checked},
        )
        .select_related("paid_import")
        .order_by("paid_import_id", "line_number")
    ):
        earlier.setdefault(_line_key(line), line)
    in_this_file: dict[tuple, int] = {}
    for line in checked:
        key = _line_key(line)
        before = earlier.get(key)
        if before is not None:
            record = before.paid_import
            problems.append(
                PaidProblem(
                    line["line_number"],
                    "",
                    "",
                    f"a line not loaded before: the same payment (payee, period, component, "
                    f"amount, currency, paid_on, reference) was loaded from "
                    f"{record.file_name}, line {before.line_number}, on "
                    f"{_when(record.created_at)} as paid import {record.pk}",
                )
            )
        elif key in in_this_file:
            problems.append(
                PaidProblem(
                    line["line_number"],
                    "",
                    "",
                    f"each payment once: line {in_this_file[key]} has the same payee, period, "
                    "component, amount, currency, paid_on and reference (give each payment its "
                    "own reference)",
                )
            )
        else:
            in_this_file[key] = line["line_number"]
    return problems


@transaction.atomic
def paid_import(
    path: Path, *, actor, name: str | None = None, encoding: str | None = None
) -> PaidImport:
    """Load a file of what was paid: all or nothing, never the same file or the same line twice,
    audited. A CSV is read as UTF-8 unless `encoding` (e.g. cp1252) says otherwise."""
    from revdesk.parties.models import Payee

    name = name or path.name
    rows = _file_rows(path, name, encoding)
    sha256 = _sha256(path)
    earlier = PaidImport.objects.filter(sha256=sha256).first()
    if earlier is not None:
        raise PaidImportRefused(
            name,
            [
                PaidProblem(
                    None,
                    "",
                    "",
                    f"a file not loaded before: this one was loaded on "
                    f"{_when(earlier.created_at)} as paid import {earlier.pk} "
                    f"({earlier.file_name}, {earlier.row_count} line(s)); nothing was loaded "
                    "again",
                )
            ],
        )
    if not rows:
        raise PaidImportRefused(
            name, [PaidProblem(None, "", "", "a header row and lines: the file is empty")]
        )
    problems, checked = _lines(rows, dict(Payee.objects.values_list("code", "id")))
    if not problems and not checked:
        problems = [
            PaidProblem(None, "", "", "lines of what was paid under the header: there are none")
        ]
    if not problems:
        problems = _lines_loaded_before(checked)
    if problems:
        raise PaidImportRefused(name, problems[:MAX_PROBLEMS])
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in checked:
        totals[line["currency"]] += line["amount"]
    record = PaidImport()
    audited_save(
        record,
        actor=actor,
        fields={
            "file_name": name[:255],
            "sha256": sha256,
            "row_count": len(checked),
            "totals": {
                currency: format(total.quantize(CENT), "f")
                for currency, total in sorted(totals.items())
            },
            "imported_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    PaidLine.objects.bulk_create(
        [PaidLine(paid_import=record, **line) for line in checked], batch_size=2000
    )
    return record


# -- reconciliation --------------------------------------------------------------------------

RECONCILED_STATUSES = (RunStatus.APPROVED, RunStatus.PAID)
NEXT_STEP = {
    RunStatus.DRAFT: "review it, then approve it",
    RunStatus.REVIEWED: "approve it",
}


class ReconciliationRefused(ValueError):
    """The run cannot be reconciled (yet): the message says why, in plain words."""


def reconciliation_refusal(run: CommissionRun) -> str | None:
    """Why `run` cannot be reconciled yet (None: it can). Only approved and paid runs are: what
    payroll paid is compared with what was approved for payment, and a draft can still be
    calculated again (replacing its figures under the same run number)."""
    if run.status in RECONCILED_STATUSES:
        return None
    return (
        f"Run {run.pk} ({run.periods}) is {run.get_status_display().lower()}: only approved "
        "and paid runs are reconciled with what payroll paid, because until it is approved the "
        f"run can still change; {NEXT_STEP.get(RunStatus(run.status), 'approve it')} first."
    )


def _require_reconcilable(run: CommissionRun) -> None:
    refusal = reconciliation_refusal(run)
    if refusal is not None:
        raise ReconciliationRefused(refusal)


@dataclass
class Comparison:
    """One payee, period, currency and component (TOTAL: the payout total): both figures."""

    payee: object
    period: str
    component: str
    currency: str
    calculated: Decimal
    paid: Decimal
    lines: list[PayoutLine] = field(default_factory=list)
    paid_lines: list[PaidLine] = field(default_factory=list)
    variance_record: Variance | None = None

    @property
    def variance(self) -> Decimal:
        return self.calculated - self.paid

    @property
    def key(self) -> tuple[int, str, str, str]:
        return (self.payee.pk, self.period, self.component, self.currency)

    @property
    def component_label(self) -> str:
        return self.component or "total"


@dataclass
class Reconciliation:
    run: CommissionRun
    comparisons: list[Comparison]

    @property
    def variances(self) -> list[Comparison]:
        return [row for row in self.comparisons if row.variance]

    def totals(self) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
        """Per currency: calculated, paid, variance."""
        sums: dict[str, list[Decimal]] = {}
        for row in self.comparisons:
            slot = sums.setdefault(row.currency, [ZERO, ZERO])
            slot[0] += row.calculated
            slot[1] += row.paid
        return {c: (a, b, a - b) for c, (a, b) in sorted(sums.items())}


def _run_periods(run: CommissionRun, payouts: list[Payout]) -> set[str]:
    try:
        expanded = set(periods_expand(run.periods))
    except ValueError:
        expanded = set()
    return expanded | {payout.period for payout in payouts}


def _component_figures(
    payout: Decimal, unrounded: dict[str, Decimal], paid: dict[str, Decimal]
) -> dict[str, Decimal]:
    """Each component's calculated figure to the cent, the figures adding up to the payout.

    Every component is rounded down to the cent, and the cents left over up to the payout go
    one each to the components payroll paid rounded up, then to those with the largest
    remainder (ties by component name): three components of 0.333 and a payout of 1.00 are
    0.34, 0.33 and 0.33, or the split payroll made of the same 1.00. When the components do
    not come to the payout within their rounding (never seen; a guard), each is rounded
    half-up on its own."""
    floors = {
        name: amount.quantize(CENT, rounding=ROUND_FLOOR) for name, amount in unrounded.items()
    }
    left = (payout - sum(floors.values(), ZERO)) / CENT
    fractional = [name for name, amount in unrounded.items() if amount != floors[name]]
    if left != left.to_integral_value() or not 0 <= left <= len(fractional):
        return {name: round_money(amount) for name, amount in unrounded.items()}
    order = sorted(
        fractional,
        key=lambda name: (
            paid.get(name) != floors[name] + CENT,
            floors[name] - unrounded[name],
            name,
        ),
    )
    up = set(order[: int(left)])
    return {name: floors[name] + (CENT if name in up else ZERO) for name in unrounded}


def reconciliation_build(run: CommissionRun) -> Reconciliation:
    """Calculated against paid for a run, without writing anything (stored variances and
    their cases are attached). Refused (ReconciliationRefused) unless the run is approved or
    paid."""
    from revdesk.parties.models import Payee

    _require_reconcilable(run)

    payouts = list(Payout.objects.filter(run=run).select_related("payee"))
    periods = _run_periods(run, payouts)
    calculated: dict[tuple[int, str, str], Decimal] = {}
    currencies: dict[tuple[int, str], set[str]] = defaultdict(set)
    for payout in payouts:
        key = (payout.payee_id, payout.period, payout.currency)
        calculated[key] = calculated.get(key, ZERO) + payout.amount
        currencies[(payout.payee_id, payout.period)].add(payout.currency)
    lines: dict[tuple[int, str, str], list[PayoutLine]] = defaultdict(list)
    for line in PayoutLine.objects.filter(run=run).order_by("period", "id"):
        own = currencies.get((line.payee_id, line.period), set())
        currency = line.currency or (next(iter(own)) if len(own) == 1 else "")
        lines[(line.payee_id, line.period, currency)].append(line)
    paid: dict[tuple[int, str, str], list[PaidLine]] = defaultdict(list)
    for paid_line in PaidLine.objects.filter(period__in=sorted(periods)).order_by(
        "paid_import_id", "line_number"
    ):
        paid[(paid_line.payee_id, paid_line.period, paid_line.currency)].append(paid_line)
    keys = set(calculated) | set(paid)
    payees = Payee.objects.in_bulk({key[0] for key in keys})
    stored = {
        (v.payee_id, v.period, v.component, v.currency): v
        for v in Variance.objects.filter(run=run).select_related("case")
    }
    comparisons: list[Comparison] = []
    for key in sorted(keys, key=lambda k: (k[1], payees[k[0]].code, k[2])):
        payee_id, period, currency = key
        paid_lines = paid.get(key, [])
        own_lines = lines.get(key, [])
        payee = payees[payee_id]
        if not paid_lines or any(not line.component for line in paid_lines):
            comparisons.append(
                Comparison(
                    payee=payee,
                    period=period,
                    component=TOTAL,
                    currency=currency,
                    calculated=calculated.get(key, ZERO),
                    paid=sum((line.amount for line in paid_lines), ZERO),
                    lines=own_lines,
                    paid_lines=paid_lines,
                )
            )
            continue
        paid_by_component: dict[str, list[PaidLine]] = {}
        names: dict[str, str] = {}
        for line in paid_lines:
            names.setdefault(line.component.casefold(), line.component)
            paid_by_component.setdefault(line.component.casefold(), []).append(line)
        by_component: dict[str, list[PayoutLine]] = {}
        for line in own_lines:
            name = line.component or line.kind
            if line.kind == ROUNDING and name.casefold() not in names:
                continue  # the payout's own rounding: shared out over the components below
            names.setdefault(name.casefold(), name)
            by_component.setdefault(name.casefold(), []).append(line)
        paid_sums = {
            folded: sum((line.amount for line in members), ZERO)
            for folded, members in paid_by_component.items()
        }
        figures = _component_figures(
            calculated.get(key, ZERO),
            {
                folded: sum((line.amount for line in by_component.get(folded, [])), ZERO)
                for folded in names
            },
            paid_sums,
        )
        for folded in sorted(names):
            members = by_component.get(folded, [])
            comparisons.append(
                Comparison(
                    payee=payee,
                    period=period,
                    component=names[folded],
                    currency=currency,
                    calculated=figures[folded],
                    paid=paid_sums.get(folded, ZERO),
                    lines=members,
                    paid_lines=paid_by_component.get(folded, []),
                )
            )
    for row in comparisons:
        row.variance_record = stored.get(row.key)
    return Reconciliation(run=run, comparisons=comparisons)


@transaction.atomic
def reconcile(run: CommissionRun, *, actor) -> Reconciliation:
    """Compare an approved or paid run with what was paid and store every variance as a
    Variance row (updated, never duplicated); a draft or reviewed run is refused.

    A stored variance whose payee, period and component no longer differ keeps its row with
    equal figures (settled); one that is no longer compared at all (e.g. payroll now pays that
    payee by component) is removed unless a case was opened on it."""
    run = CommissionRun.objects.select_for_update().get(pk=run.pk)
    _require_reconcilable(run)
    result = reconciliation_build(run)
    seen = set()
    for row in result.comparisons:
        record = row.variance_record
        if record is None and not row.variance:
            continue
        seen.add(row.key)
        if record is None:
            record = Variance(run=run, payee=row.payee)
            row.variance_record = record
        audited_save(
            record,
            actor=actor,
            fields={
                "period": row.period,
                "component": row.component,
                "currency": row.currency,
                "calculated": row.calculated,
                "paid": row.paid,
            },
        )
    for record in Variance.objects.filter(run=run, case__isnull=True):
        if (record.payee_id, record.period, record.component, record.currency) not in seen:
            audited_delete(record, actor=actor)
    return result


def variance_title(variance: Variance) -> str:
    component = variance.component or "total"
    return (
        f"Commission variance {variance.payee.code} {variance.payee.name}, {variance.period}, "
        f"{component}: calculated {variance.calculated:,.2f} {variance.currency}, paid "
        f"{variance.paid:,.2f} {variance.currency}"
    )[:200]


def _variance_description(variance: Variance, lines: list[PayoutLine]) -> str:
    difference = variance.calculated - variance.paid
    owed = "still owed to the payee" if difference > 0 else "paid too much"
    text = [
        f"Run {variance.run_id} ({variance.run.periods}) calculated {variance.calculated:,.2f} "
        f"{variance.currency} for {variance.payee.name} ({variance.payee.code}), "
        f"{variance.period}, {variance.component or 'payout total'}; payroll paid "
        f"{variance.paid:,.2f} {variance.currency}. Variance {difference:,.2f} "
        f"{variance.currency} ({owed}).",
        "",
        "The lines behind the calculated figure (transaction, credit share, tier, rate, base, "
        "amount, kind):",
    ]
    for line in lines[:200]:
        share = "" if line.credit_share is None else f"{line.credit_share.normalize():f}"
        rate = "" if line.rate is None else f"{line.rate.normalize():f}"
        base = "" if line.base is None else f"{line.base.normalize():f}"
        tier = "" if line.tier is None else str(line.tier)
        text.append(
            f"- {line.transaction_id or line.kind}: share {share}, tier {tier}, rate {rate}, "
            f"base {base}, amount {line.amount.normalize():f} ({line.kind})"
        )
    if len(lines) > 200:
        text.append(
            f"... and {len(lines) - 200} more: revdesk commissions reconcile {variance.run_id}"
        )
    return "\n".join(text)


@transaction.atomic
def variance_cases_open(
    run: CommissionRun, *, actor, source: str = "web", now: dt.datetime | None = None
) -> list:
    """Reconcile, then open one commission inquiry case per variance that has none yet (opened
    at `now`, default the present moment)."""
    from revdesk.cases.services import case_open

    result = reconcile(run, actor=actor)
    behind = {row.key: row.lines for row in result.comparisons}
    opened = []
    pending = (
        Variance.objects.select_for_update()
        .filter(run=run, case__isnull=True)
        .select_related("payee", "run")
        .order_by("period", "payee__code", "component", "currency")
    )
    for variance in pending:
        difference = variance.calculated - variance.paid
        if not difference:
            continue
        key = (variance.payee_id, variance.period, variance.component, variance.currency)
        case = case_open(
            actor=actor,
            case_type="commission_inquiry",
            title=variance_title(variance),
            description=_variance_description(variance, behind.get(key, [])),
            subjects=[variance.payee],
            reason="statement",
            amount=difference,
            currency=variance.currency,
            payee=variance.payee,
            source=source,
            now=now,
        )
        audited_save(variance, actor=actor, fields={"case": case})
        opened.append(case)
    return opened
