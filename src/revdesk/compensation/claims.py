"""Claims for credit under a crediting policy, worked as `commission_claim` cases.

A rep (or an analyst for them) files a claim naming the policy, the invoices and who played
each role of the policy's split; it opens a commission claim case with the invoices and the
payees as its subjects. The case is worked like any other; resolving it with the outcome
"claim approved" approves the claim (from that day the invoices' lines are credited by the
policy's split), "claim denied" or a rejection denies it, and reopening the case puts the
claim back to pending. The calculation pays or recovers the difference in the next open
period (engine restatement), never by changing a closed one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from revdesk.cases.choices import Outcome, Status
from revdesk.cases.services import case_open, transition_hook_register
from revdesk.cases.workflow import TransitionRefused
from revdesk.foundation.audit import audited_save
from revdesk.foundation.scoping import Viewer, scope_rule
from revdesk.foundation.views import user_has_role
from revdesk.parties.choices import Role
from revdesk.parties.models import Payee

from .models import ClaimDecision, CreditClaim, CreditClaimInvoice, CreditClaimRole, CreditingPolicy

CASE_TYPE = "commission_claim"
#: who may approve or deny a claim (resolve its case with a claim outcome)
DECIDERS = (Role.COMMISSIONS_ANALYST, Role.ADMIN, Role.MANAGER)


def _refuse(field: str, message: str):
    raise ValidationError({field: message})


def _day(now: dt.datetime) -> dt.date:
    return timezone.localdate(now)


@transaction.atomic
def claim_file(
    *,
    actor,
    policy: CreditingPolicy,
    invoices: Sequence,
    roles: Mapping[str, Payee],
    claimant: Payee,
    description: str,
    now: dt.datetime | None = None,
) -> CreditClaim:
    """File a claim: every role of the policy's split must be given a payee, and the invoices
    must be commissioned (on an order). Raises ValidationError naming what is wrong."""
    now = now or timezone.now()
    wanted = set(policy.splits)
    given = {role for role, payee in roles.items() if payee is not None}
    if missing := sorted(wanted - given):
        _refuse(
            "roles",
            f"{policy.number} splits credit by role: name the payee who was {', '.join(missing)}",
        )
    if extra := sorted(given - wanted):
        _refuse(
            "roles",
            f"{policy.number} has no role {', '.join(extra)} (its roles are "
            f"{', '.join(sorted(wanted))})",
        )
    if not invoices:
        _refuse("invoices", "Name at least one invoice the claim is about")
    if no_order := [invoice.number for invoice in invoices if invoice.order_id is None]:
        _refuse(
            "invoices",
            f"{', '.join(no_order)} is not on an order, so it earns no commission to claim",
        )
    if not description.strip():
        _refuse("description", "Say what happened: who specified, ordered and installed")
    open_claims = (
        CreditClaimInvoice.objects.filter(
            invoice__in=invoices,
            claim__decision__in=[ClaimDecision.PENDING, ClaimDecision.APPROVED],
        )
        .select_related("claim__case", "invoice")
        .order_by("invoice__number")
    )
    for item in open_claims:
        _refuse(
            "invoices",
            f"{item.invoice.number} already has claim {item.claim.case.number} "
            f"({item.claim.get_decision_display().lower()}): add to that case instead",
        )
    day = _day(now)
    if policy.valid_from > day or (policy.valid_to and policy.valid_to < day):
        _refuse("policy", f"{policy.number} is not in force on {day:%Y-%m-%d}")
    numbers = ", ".join(invoice.number for invoice in invoices)
    currencies = {invoice.currency for invoice in invoices}
    amount = (
        sum((invoice.amount - invoice.tax_amount for invoice in invoices), Decimal(0))
        if len(currencies) == 1
        else None
    )
    case = case_open(
        actor=actor,
        case_type=CASE_TYPE,
        title=f"Claim under {policy.number} on {numbers}",
        description=description,
        subjects=[*invoices, *dict.fromkeys(roles.values())],
        reason="split_credit",
        amount=amount,
        currency=next(iter(currencies)) if amount is not None else "",
        payee=claimant,
        now=now,
    )
    claim = CreditClaim()
    audited_save(
        claim,
        actor=actor,
        fields={"case": case, "policy": policy, "claimant": claimant, "filed_on": day},
    )
    CreditClaimInvoice.objects.bulk_create(
        CreditClaimInvoice(claim=claim, invoice=invoice) for invoice in invoices
    )
    CreditClaimRole.objects.bulk_create(
        CreditClaimRole(claim=claim, role=role, payee=payee)
        for role, payee in sorted(roles.items())
    )
    return claim


def _on_case_moved(case, *, from_status: str, to_status: str, actor, now) -> None:
    """What a commission claim case's status move means for its claim."""
    claim = CreditClaim.objects.select_for_update().filter(case=case).first()
    if claim is None:
        return
    if to_status == Status.RESOLVED and case.outcome in (
        Outcome.CLAIM_APPROVED,
        Outcome.CLAIM_DENIED,
    ):
        decision = (
            ClaimDecision.APPROVED
            if case.outcome == Outcome.CLAIM_APPROVED
            else ClaimDecision.DENIED
        )
    elif to_status == Status.REJECTED:
        decision = ClaimDecision.DENIED
    elif from_status in (Status.RESOLVED, Status.REJECTED, Status.CLOSED) and to_status not in (
        Status.RESOLVED,
        Status.REJECTED,
        Status.CLOSED,
    ):
        decision = ClaimDecision.PENDING
    else:
        return
    if decision == claim.decision:
        return
    _decider_check(claim, actor)
    decided = decision != ClaimDecision.PENDING
    audited_save(
        claim,
        actor=actor,
        fields={
            "decision": decision,
            "decided_on": _day(now) if decided else None,
            "decided_by": actor if decided and getattr(actor, "is_authenticated", False) else None,
        },
    )


def _decider_check(claim: CreditClaim, actor) -> None:
    """Only an analyst, a manager or an administrator changes a claim's decision (approving,
    denying, rejecting or reopening it), and never one named on the claim."""
    if not user_has_role(actor, DECIDERS):
        raise TransitionRefused(
            "Only a commissions analyst, a manager or an administrator decides a claim."
        )
    own = set(Payee.objects.filter(user=actor).values_list("pk", flat=True))
    named = {claim.claimant_id, *claim.roles.values_list("payee_id", flat=True)}
    if own & named:
        raise TransitionRefused(
            "You are named on this claim: another analyst or manager decides it."
        )


def claim_decide(claim: CreditClaim, *, approve: bool, resolution: str, actor, now=None):
    """Approve or deny a claim: resolves its case with the matching outcome."""
    from revdesk.cases.services import case_transition

    outcome = Outcome.CLAIM_APPROVED if approve else Outcome.CLAIM_DENIED
    case_transition(
        claim.case, Status.RESOLVED, actor=actor, note=resolution, outcome=outcome, now=now
    )
    claim.refresh_from_db()
    return claim


def hooks_register() -> None:
    transition_hook_register(CASE_TYPE, _on_case_moved)


@scope_rule(CreditClaim)
def _claim_scope(viewer: Viewer) -> Q:
    """A rep sees the claims they filed and those naming them in a role; staff who see
    everything see all (restrict lets them through before this rule)."""
    return Q(claimant_id__in=viewer.payee_ids) | Q(roles__payee_id__in=viewer.payee_ids)
