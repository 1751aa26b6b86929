"""Calculation runs: every payee's commission for a period or a range, stored with lineage.

`run_create` calculates on the engine from the database (selectors.commission_inputs) and
keeps the payouts and every explanation line; `run_move` takes a run through
draft → reviewed → approved → paid (and a reviewed run back to draft). Approved and paid runs
lock their periods: a correction is an adjustment in a later period, which the engine's
restatement produces by itself. A new run over a draft's periods replaces the draft.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from revdesk.engine.commission_inputs import InputError, period_parse
from revdesk.engine.commissions import calculate, periods_expand
from revdesk.foundation.audit import audited_delete, audited_save

from .models import CommissionRun, Payout, PayoutLine, RunStatus
from .selectors import InputsRefused, commission_inputs

BATCH = 5000
STEPS = {
    RunStatus.DRAFT: (RunStatus.REVIEWED,),
    RunStatus.REVIEWED: (RunStatus.APPROVED, RunStatus.DRAFT),
    RunStatus.APPROVED: (RunStatus.PAID,),
    RunStatus.PAID: (),
}
#: status -> (who field, when field) set when a run reaches it
STAMPS = {
    RunStatus.REVIEWED: ("reviewed_by", "reviewed_at"),
    RunStatus.APPROVED: ("approved_by", "approved_at"),
    RunStatus.PAID: ("paid_by", "paid_at"),
}


class RunRefused(ValueError):
    """A run that cannot be made or moved; the message says why in plain words."""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _overlapping(first, last):
    return CommissionRun.objects.filter(starts_on__lte=last, ends_on__gte=first)


def _first_shared(periods: list[str], run: CommissionRun) -> str:
    for period in periods:
        start, end = period_parse(period)
        if start <= run.ends_on and end >= run.starts_on:
            return period
    return periods[0]


#: the key of the PostgreSQL lock that lets one run be made at a time
RUN_LOCK = 4_242_001


def _serialize() -> None:
    """One run is made at a time: locking the overlapping runs is not enough when there are
    none yet (two workers calculating the same new period would both go ahead). On
    PostgreSQL a transaction-level advisory lock waits for the other run to commit, and the
    second then finds the first's draft and replaces it; on SQLite the second writer is
    refused (the database is locked) rather than writing a second run."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUN_LOCK])


@transaction.atomic
def run_create(
    periods: str | list[str], *, actor, progress: Callable[[str], None] | None = None
) -> CommissionRun:
    """Calculate every payee for `periods` (2026-10, or a range 2026-07..2026-09) and store it.

    Refused when a period is approved or paid in another run, or under review; a draft over
    the same periods is replaced (the same run number when the periods are the same).
    """
    text = periods if isinstance(periods, str) else "..".join([periods[0], periods[-1]])
    try:
        keys = periods_expand(text) if isinstance(periods, str) else list(periods)
    except ValueError as error:
        raise RunRefused(str(error)) from None
    first, last = period_parse(keys[0])[0], period_parse(keys[-1])[1]
    step = progress or (lambda stage: None)
    _serialize()
    reused = None
    for other in _overlapping(first, last).select_for_update().order_by("id"):
        shared = _first_shared(keys, other)
        if other.status in (RunStatus.APPROVED, RunStatus.PAID):
            raise RunRefused(
                f"{shared} is {other.status} in run {other.pk}: corrections are adjustments in "
                "a later period"
            )
        if other.status == RunStatus.REVIEWED:
            raise RunRefused(
                f"{shared} is reviewed in run {other.pk}: send that run back to draft to "
                "calculate it again"
            )
        if reused is None and other.periods == text:
            reused = other
        else:
            audited_delete(other, actor=actor)
    step("reading")
    try:
        loaded = commission_inputs(keys)
        result = calculate(loaded.inputs, periods=keys, progress=step)
    except InputsRefused as error:
        raise RunRefused("; ".join(error.problems)) from None
    except InputError as error:
        messages = list(dict.fromkeys(message for *_, message in error.problems))
        raise RunRefused("; ".join(messages)) from None
    step("saving")
    from revdesk.parties.models import Payee

    payee_ids = dict(Payee.objects.values_list("code", "id"))
    totals: dict[str, Decimal] = {}
    payout_rows = result.payouts.to_pylist()
    for row in payout_rows:
        totals[row["currency"]] = totals.get(row["currency"], Decimal(0)) + row["amount"]
    run = reused or CommissionRun()
    if reused is not None:
        reused.payouts.all().delete()
        reused.lines.all().delete()
    audited_save(
        run,
        actor=actor,
        fields={
            "periods": text,
            "period_first": keys[0],
            "period_last": keys[-1],
            "starts_on": first,
            "ends_on": last,
            "status": RunStatus.DRAFT,
            "fingerprint": result.fingerprint,
            "engine_version": result.engine_version,
            "plan_versions": list(result.plan_versions),
            "totals": {currency: format(total, "f") for currency, total in sorted(totals.items())},
            "payee_count": len({row["payee"] for row in payout_rows}),
            "line_count": result.lines.num_rows,
            "notes": loaded.notes,
            "created_by": _user(actor),
        },
    )
    Payout.objects.bulk_create(
        (
            Payout(
                run=run,
                payee_id=payee_ids[row["payee"]],
                period=row["period"],
                amount=row["amount"],
                currency=row["currency"],
            )
            for row in payout_rows
        ),
        batch_size=BATCH,
    )
    for batch in result.lines.to_batches(max_chunksize=BATCH):
        PayoutLine.objects.bulk_create(
            [
                PayoutLine(
                    run=run,
                    payee_id=payee_ids[row["payee"]],
                    period=row["period"],
                    transaction_id=row["transaction_id"] or "",
                    credit_share=row["credit_share"],
                    component=row["component"] or "",
                    tier=row["tier"],
                    rate=row["rate"],
                    base=row["base"],
                    amount=row["amount"],
                    currency=row["currency"],
                    kind=row["kind"],
                )
                for row in batch.to_pylist()
            ],
            batch_size=BATCH,
        )
    return run


@transaction.atomic
def run_move(run: CommissionRun, to_status: str, *, actor) -> CommissionRun:
    """Move a run one allowed step: draft → reviewed → approved → paid, or reviewed → draft."""
    run = CommissionRun.objects.select_for_update().get(pk=run.pk)
    if to_status not in RunStatus.values:
        raise RunRefused(f"{to_status!r} is not a run status ({', '.join(RunStatus.values)})")
    allowed = STEPS[RunStatus(run.status)]
    if to_status not in allowed:
        following = " or ".join(allowed) if allowed else "nowhere: paid is the last step"
        raise RunRefused(f"Run {run.pk} is {run.status}: it can move to {following}")
    fields: dict[str, object] = {"status": to_status}
    if to_status in STAMPS:
        who, when = STAMPS[RunStatus(to_status)]
        fields |= {who: _user(actor), when: timezone.now()}
    if to_status == RunStatus.DRAFT:
        fields |= {"reviewed_by": None, "reviewed_at": None}
    audited_save(run, actor=actor, fields=fields)
    return run
