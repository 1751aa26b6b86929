"""/api/cases: list (the queue's filters), one case with its subjects and timeline, open,
move, assign and comment. Everyone sees only the cases their scope allows; reps and
distributor users see and add only the external conversation."""

from django.contrib.auth import get_user_model
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from revdesk.foundation.api import ErrorOut, Pagination, ValidationErrorOut, visible_or_404
from revdesk.foundation.scoping import restrict
from revdesk.parties.models import Customer

from . import filtersets, selectors, services, triage, workflow
from .choices import Source, Visibility
from .models import Case, CaseType, ReasonCode, Team
from .schemas import (
    CaseAssignIn,
    CaseDetailOut,
    CaseEventOut,
    CaseFilter,
    CaseOpenIn,
    CaseOut,
    CaseTransitionIn,
    CommentIn,
)

router = Router(tags=["cases"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _case(user, number: str) -> Case:
    return visible_or_404(selectors.case_list(user), label="case", number=number)


def _detail(case: Case, user) -> Case:
    """The case as this person may see it, with its timeline for CaseDetailOut."""
    case = selectors.case_list(user).get(pk=case.pk)
    case.timeline = list(selectors.case_timeline(case, user))
    return case


def _works(user) -> None:
    if not selectors.sees_internal(user):
        raise HttpError(
            403, "Only the teams working cases may do this; you may add external comments."
        )


def _refused(field: str, message: str):
    return Status(422, {"detail": message, "errors": [{"field": field, "message": message}]})


@router.get("/cases", response=list[CaseOut], summary="Cases you may see, filtered as the queue")
@paginate(Pagination)
def case_list(request, filters: Query[CaseFilter]):
    cases = filters.filter(selectors.case_list(request.auth))
    if filters.owner:
        cases = cases.filter(filtersets.owner_q(filters.owner, request.auth))
    return cases.order_by("-opened_at", "-pk")


@router.get(
    "/cases/{number}",
    response={200: CaseDetailOut, 404: ErrorOut},
    summary="One case, with what it is about and its timeline",
)
def case_detail(request, number: str):
    return _detail(_case(request.auth, number), request.auth)


def _subject(user, kind: str, number: str):
    """An invoice, order or customer by its number, if this person may see it."""
    if kind == "customer":
        found = Customer.objects.filter(code=number).first()
    else:
        finder = next((f for f in triage.reference_finders() if f.name == kind), None)
        found = finder.resolve(number) if finder else None
    if found is not None:
        found = restrict(type(found)._default_manager.filter(pk=found.pk), user).first()
    return found


@router.post(
    "/cases",
    response={201: CaseDetailOut, **ERRORS},
    summary="Open a case (routed to its team like one opened on the page)",
)
def case_open(request, payload: CaseOpenIn):
    user = request.auth
    case_type = CaseType.objects.filter(code=payload.case_type, is_active=True).first()
    if case_type is None:
        return _refused("case_type", f"{payload.case_type!r} is not a case type.")
    reason = None
    if payload.reason:
        reason = ReasonCode.objects.filter(case_type=case_type, code=payload.reason).first()
        if reason is None:
            codes = ", ".join(case_type.reasons.values_list("code", flat=True))
            return _refused(
                "reason", f"{payload.reason!r} is not a reason of {case_type} (one of: {codes})."
            )
    customer = None
    if payload.customer:
        customer = restrict(Customer.objects.all(), user).filter(code=payload.customer).first()
        if customer is None:
            return _refused("customer", f"{payload.customer} is not a customer you may see.")
    subjects = [customer] if customer else []
    problems = []
    for index, subject in enumerate(payload.subjects):
        found = _subject(user, subject.kind, subject.number)
        if found is None:
            problems.append(
                {
                    "field": f"subjects.{index}.number",
                    "message": f"{subject.number} is not an {subject.kind} you may see.",
                    "value": subject.number,
                }
            )
        else:
            subjects.append(found)
    if problems:
        detail = "; ".join(problem["message"] for problem in problems)
        return Status(422, {"detail": f"Nothing was opened. {detail}", "errors": problems})
    case = services.case_open(
        actor=user,
        case_type=case_type,
        title=payload.title,
        description=payload.description,
        subjects=subjects,
        priority=payload.priority,
        reason=reason,
        amount=payload.amount,
        currency=payload.currency.strip().upper(),
        customer=customer,
        source=Source.API,
    )
    return Status(201, _detail(case, user))


@router.post(
    "/cases/{number}/transition",
    response={200: CaseDetailOut, **ERRORS},
    summary="Move the case to another status (resolve needs an outcome and a resolution)",
)
def case_transition(request, number: str, payload: CaseTransitionIn):
    user = request.auth
    case = _case(user, number)
    _works(user)
    try:
        case = services.case_transition(
            case, payload.status, actor=user, note=payload.note, outcome=payload.outcome
        )
    except workflow.TransitionRefused as error:
        return _refused("status", str(error))
    return Status(200, _detail(case, user))


@router.post(
    "/cases/{number}/assign",
    response={200: CaseDetailOut, **ERRORS},
    summary="Give the case to a team member, back to the queue, or to another team",
)
def case_assign(request, number: str, payload: CaseAssignIn):
    user = request.auth
    case = _case(user, number)
    _works(user)
    team = None
    if payload.team:
        team = Team.objects.filter(code=payload.team).first()
        if team is None:
            return _refused("team", f"{payload.team!r} is not a team.")
    owner = None
    if payload.owner:
        owner = get_user_model().objects.filter(username=payload.owner, is_active=True).first()
        if owner is None:
            return _refused("owner", f"{payload.owner!r} is not an active login.")
    case = services.case_assign(case, actor=user, owner=owner, team=team, note=payload.note)
    return Status(200, _detail(case, user))


@router.post(
    "/cases/{number}/comments",
    response={201: CaseEventOut, **ERRORS},
    summary="Comment on the case (@login mentions notify)",
)
def case_comment(request, number: str, payload: CommentIn):
    user = request.auth
    case = _case(user, number)
    visibility = payload.visibility
    if visibility == Visibility.INTERNAL and not selectors.sees_internal(user):
        return _refused("visibility", "You may add external comments only (visibility external).")
    event = services.comment_add(case, actor=user, body=payload.body, visibility=visibility)
    return Status(201, event)
