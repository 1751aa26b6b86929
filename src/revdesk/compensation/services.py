"""Everything that writes plans and crediting policies: one function per action, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from revdesk.engine.commission_inputs import QUOTAS, InputError, table_read
from revdesk.engine.plan_files import plan_parse
from revdesk.foundation.audit import audited_delete, audited_save

from .models import CreditingPolicy, CreditSplit, PlanVersion, Quota


class PlanRefused(ValueError):
    """A plan file that was not saved: `problems` are (file, line, field, message)."""

    def __init__(self, problems: list[tuple[str, int | None, str, str]]):
        self.problems = problems
        super().__init__(str(InputError(problems)))


@transaction.atomic
def plan_version_save(text: str, *, actor, name: str = "plan.yaml") -> tuple[PlanVersion, bool]:
    """Save a plan file as a plan version. Returns (version, created).

    The same code and version with the same text is left alone (imports can be re-run); the
    same code and version with other text is refused: a changed plan is a new version.
    """
    try:
        plan = plan_parse(text, name)
    except InputError as error:
        raise PlanRefused(error.problems) from None
    existing = PlanVersion.objects.filter(code=plan.code, version=plan.version).first()
    if existing is not None:
        if existing.text.strip() == text.strip():
            return existing, False
        raise PlanRefused(
            [
                (
                    name,
                    None,
                    "version",
                    f"{plan.code} version {plan.version} exists with other content: give the "
                    f"changed plan version {_next_version(plan.code)}",
                )
            ]
        )
    version = PlanVersion()
    audited_save(
        version,
        actor=actor,
        fields={
            "code": plan.code,
            "version": plan.version,
            "name": plan.name,
            "valid_from": plan.valid_from,
            "valid_to": plan.valid_to,
            "currency": plan.currency,
            "text": text,
            "saved_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    return version, True


def _next_version(code: str) -> int:
    last = PlanVersion.objects.filter(code=code).order_by("-version").first()
    return (last.version + 1) if last else 1


@transaction.atomic
def crediting_policy_save(
    *,
    actor,
    number: str,
    title: str,
    text: str,
    splits: dict[str, object],
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> CreditingPolicy:
    """Create or change a crediting policy. Shares are exact decimals and add up to 1."""
    shares: dict[str, str] = {}
    for role, share in splits.items():
        try:
            value = Decimal(str(share))
        except InvalidOperation:
            raise ValidationError(
                {"splits": f"{role}: {share!r} is not a share such as 0.25"}
            ) from None
        if not value.is_finite() or value < 0 or value > 1:
            raise ValidationError({"splits": f"{role}: a share is between 0 and 1"})
        shares[role] = str(value)
    if not shares:
        raise ValidationError({"splits": "name at least one role and its share"})
    total = sum(Decimal(v) for v in shares.values())
    if total != 1:
        raise ValidationError({"splits": f"the shares add up to {total}, not 1"})
    policy = CreditingPolicy.objects.filter(number=number).first() or CreditingPolicy()
    audited_save(
        policy,
        actor=actor,
        fields={
            "number": number,
            "title": title,
            "text": text,
            "splits": shares,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    return policy


@dataclass
class QuotaLoad:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


@transaction.atomic
def quotas_load(path: Path, *, actor) -> QuotaLoad:
    """Load payees' quotas from a CSV or Parquet file (payee, period, amount): all or nothing,
    every bad line named (InputError); loading the same file twice changes nothing."""
    from revdesk.parties.models import Payee

    table = table_read(path, QUOTAS)
    payees = dict(Payee.objects.values_list("code", "id"))
    problems: list[tuple[str, int | None, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    rows = table.to_pylist()
    for line, row in enumerate(rows, start=2):
        if row["payee"] not in payees:
            problems.append((path.name, line, "payee", f"no payee has code {row['payee']!r}"))
        if row["amount"] < 0:
            problems.append((path.name, line, "amount", "a quota is zero or more"))
        key = (row["payee"], row["period"])
        if key in seen:
            problems.append(
                (path.name, line, "period", f"{key[0]} {key[1]} is already on line {seen[key]}")
            )
        seen[key] = line
    if problems:
        raise InputError(problems)
    result = QuotaLoad()
    existing = {
        (q.payee_id, q.period): q
        for q in Quota.objects.filter(payee_id__in={payees[r["payee"]] for r in rows})
    }
    for row in rows:
        quota = existing.get((payees[row["payee"]], row["period"]))
        amount = row["amount"].quantize(Decimal("0.01"))
        if quota is None:
            audited_save(
                Quota(),
                actor=actor,
                fields={
                    "payee_id": payees[row["payee"]],
                    "period": row["period"],
                    "amount": amount,
                },
            )
            result.created += 1
        elif audited_save(quota, actor=actor, fields={"amount": amount}):
            result.changed += 1
        else:
            result.unchanged += 1
    return result


@transaction.atomic
def credit_split_set(order, shares: dict, *, actor) -> list[CreditSplit]:
    """Split an order's credit between payees ({payee: share}); the shares are exact decimals
    above 0 that add up to 1. An empty mapping removes the split (the order's rep is credited
    again). Replaces the order's split as a whole, audited row by row."""
    parsed: dict = {}
    for payee, share in shares.items():
        try:
            value = Decimal(str(share))
        except InvalidOperation:
            raise ValidationError(
                {"shares": f"{payee.code}: {share!r} is not a share such as 0.5"}
            ) from None
        if not value.is_finite() or value <= 0 or value > 1:
            raise ValidationError({"shares": f"{payee.code}: a share is above 0 and at most 1"})
        if value != value.quantize(Decimal("0.000001")):
            raise ValidationError({"shares": f"{payee.code}: a share has at most 6 decimals"})
        parsed[payee] = value
    total = sum(parsed.values(), Decimal(0))
    if parsed and total != 1:
        raise ValidationError(
            {"shares": f"the shares of order {order.number} add up to {total}, not 1"}
        )
    existing = {split.payee_id: split for split in order.splits.select_for_update()}
    kept = []
    for payee, share in sorted(parsed.items(), key=lambda item: item[0].code):
        split = existing.pop(payee.pk, None) or CreditSplit(order=order, payee=payee)
        audited_save(split, actor=actor, fields={"share": share})
        kept.append(split)
    for split in existing.values():
        audited_delete(split, actor=actor)
    return kept
