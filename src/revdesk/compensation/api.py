"""/api/commissions: runs, payouts, a payee's explanation lines, claims.

Analysts, administrators and desk leaders see every run; everyone else sees only approved or
paid figures of the payees in their scope (compensation/scoping.py). Claims are filed here as
on the claim page and decided on their case (/api/cases/{number}/transition).
"""

from django.core.exceptions import ValidationError
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from revdesk.foundation.api import ErrorOut, Pagination, ValidationErrorOut, visible_or_404
from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.parties.choices import Role
from revdesk.parties.models import Payee
from revdesk.receivables.models import Invoice

from .claims import claim_file
from .models import CommissionRun, CreditingPolicy, Payout, PayoutLine
from .schemas import ClaimIn, ClaimOut, ExplanationOut, PayoutOut, RunOut
from .selectors import claim_list

router = Router(tags=["commissions"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


#: who may read commission figures through the API (others: 403, whatever else they see)
READERS = (Role.ADMIN, Role.COMMISSIONS_ANALYST, Role.MANAGER, Role.SALES_REP)


def _reader(user) -> None:
    if not (user.is_superuser or viewer_for(user).has_role(*READERS)):
        raise HttpError(
            403, "Commission figures are for the commissions desk, managers and sales reps."
        )


def _run(user, pk: int) -> CommissionRun:
    _reader(user)
    return visible_or_404(
        restrict(CommissionRun.objects.all(), user).distinct(), label="run", pk=pk
    )


@router.get("/commissions/runs", response=list[RunOut], summary="Calculation runs you may see")
@paginate(Pagination)
def run_list(request):
    _reader(request.auth)
    return restrict(CommissionRun.objects.all(), request.auth).distinct().order_by("-id")


@router.get("/commissions/runs/{pk}", response={200: RunOut, **ERRORS}, summary="One run")
def run_detail(request, pk: int):
    return _run(request.auth, pk)


@router.get(
    "/commissions/runs/{pk}/payouts",
    response={200: list[PayoutOut], **ERRORS},
    summary="A run's payouts (by payee and period) you may see",
)
@paginate(Pagination)
def run_payouts(request, pk: int, payee: str | None = None, period: str | None = None):
    run = _run(request.auth, pk)
    payouts = restrict(Payout.objects.filter(run=run), request.auth).select_related("payee")
    if payee:
        payouts = payouts.filter(payee__code=payee)
    if period:
        payouts = payouts.filter(period=period)
    return payouts.order_by("period", "payee__code", "currency")


@router.get(
    "/commissions/runs/{pk}/payees/{code}",
    response={200: ExplanationOut, **ERRORS},
    summary="Why a payee gets what they get in a run: payouts and every line behind them",
)
def run_explain(request, pk: int, code: str):
    run = _run(request.auth, pk)
    payouts = list(
        restrict(Payout.objects.filter(run=run, payee__code=code), request.auth)
        .select_related("payee")
        .order_by("period", "currency")
    )
    if not payouts:
        raise HttpError(404, f"No payout for {code} in run {pk} among the records you may see.")
    lines = restrict(PayoutLine.objects.filter(run=run, payee__code=code), request.auth).order_by(
        "period", "id"
    )
    return {"run": run.pk, "payee": code, "payouts": payouts, "lines": list(lines)}


@router.get("/commissions/claims", response=list[ClaimOut], summary="Claims you may see")
@paginate(Pagination)
def claims(request, decision: str | None = None):
    _reader(request.auth)
    return claim_list(request.auth, decision=decision)


@router.post(
    "/commissions/claims",
    response={201: ClaimOut, **ERRORS},
    summary="File a claim for credit under a crediting policy (opens its case)",
)
def claim_new(request, body: ClaimIn):
    user = request.auth
    viewer = viewer_for(user)
    staff = viewer.has_role(Role.COMMISSIONS_ANALYST, Role.ADMIN) or user.is_superuser
    own = Payee.objects.filter(user=user).first()
    if not staff and not viewer.has_role(Role.SALES_REP):
        raise HttpError(403, "Only reps, commissions analysts and administrators file claims.")
    policy = CreditingPolicy.objects.filter(number=body.policy).first()
    if policy is None:
        raise ValidationError({"policy": f"No crediting policy is numbered {body.policy!r}"})
    codes = {*body.roles.values(), *([body.claimant] if body.claimant else [])}
    payees = {p.code: p for p in Payee.objects.filter(code__in=codes)}
    if unknown := sorted(codes - set(payees)):
        raise ValidationError({"roles": f"No payee has code {', '.join(unknown)}"})
    found = {i.number: i for i in Invoice.objects.filter(number__in=body.invoices)}
    if missing := [n for n in body.invoices if n not in found]:
        raise ValidationError({"invoices": f"No invoice is numbered {', '.join(missing)}"})
    if staff and body.claimant:
        claimant = payees[body.claimant]
    elif own is not None and (not body.claimant or body.claimant == own.code):
        claimant = own
    else:
        raise HttpError(403, "A rep files claims for themself: leave claimant out.")
    claim = claim_file(
        actor=user,
        policy=policy,
        invoices=[found[n] for n in dict.fromkeys(body.invoices)],
        roles={role: payees[code] for role, code in body.roles.items()},
        claimant=claimant,
        description=body.description,
    )
    return Status(201, claim_list(user).get(pk=claim.pk))
