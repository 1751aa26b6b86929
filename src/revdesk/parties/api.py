"""/api/customers, /api/payees, /api/distributors, /api/territories."""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from revdesk.foundation.api import ErrorOut, Pagination, ValidationErrorOut, visible_or_404
from revdesk.foundation.scoping import viewer_for

from . import selectors
from .choices import Role
from .policies import customer_editable_fields
from .schemas import (
    ChangeRecordOut,
    CustomerFilter,
    CustomerOut,
    CustomerPatch,
    DistributorFilter,
    DistributorOut,
    PayeeFilter,
    PayeeOut,
    TerritoryFilter,
    TerritoryOut,
)
from .services import customer_update

router = Router(tags=["parties"])

NOT_FOUND = {404: ErrorOut}


@router.get("/customers", response=list[CustomerOut], summary="Customers you may see")
@paginate(Pagination)
def customer_list(request, filters: Query[CustomerFilter]):
    return filters.filter(selectors.customer_list(user=request.auth))


@router.get("/customers/{customer_id}", response={200: CustomerOut, **NOT_FOUND})
def customer_detail(request, customer_id: int):
    return visible_or_404(
        selectors.customer_list(user=request.auth), label="customer", id=customer_id
    )


@router.get(
    "/customers/{customer_id}/history",
    response={200: list[ChangeRecordOut], **NOT_FOUND},
    summary="The change log of one customer, newest first",
)
@paginate(Pagination)
def customer_history(request, customer_id: int):
    customer = visible_or_404(
        selectors.customer_list(user=request.auth), label="customer", id=customer_id
    )
    return selectors.customer_history(customer=customer)


_FOREIGN_KEYS = {
    "parent": ("customer", "code"),
    "territory": ("territory", "code"),
    "sales_rep": ("payee", "code"),
    "collector": ("collector", "username"),
}


def _related_lookups(user, data: dict) -> dict:
    """Replace the codes of related records by the records; unknown codes are field errors."""
    sources = {
        "parent": lambda: selectors.customer_list(user=user),
        "territory": lambda: selectors.territory_list(user=user),
        "sales_rep": lambda: selectors.payee_list(user=user),
        "collector": lambda: selectors.collector_list(user=user),
    }
    errors: dict[str, str] = {}
    for field, (noun, key) in _FOREIGN_KEYS.items():
        if field not in data or data[field] is None:
            continue
        found = sources[field]().filter(**{key: data[field]}).first()
        if found is None:
            errors[field] = f"No {noun} with {key} {data[field]!r} among the records you may see."
        else:
            data[field] = found
    if errors:
        raise ValidationError(errors)
    return data


def _role_names(user) -> str:
    labels = dict(Role.choices)
    names = sorted(labels.get(role, role) for role in viewer_for(user).roles)
    return ", ".join(names) or "no role"


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Change some fields of a customer (audited)",
)
def customer_patch(request, customer_id: int, payload: CustomerPatch):
    user = request.auth
    customer = visible_or_404(selectors.customer_list(user=user), label="customer", id=customer_id)
    data = payload.dict(exclude_unset=True)
    editable = customer_editable_fields(user=user, customer=customer)
    if not editable:
        raise HttpError(
            403, f"Your role ({_role_names(user)}) may read this customer but not change it."
        )
    refused = sorted(set(data) - editable)
    if refused:
        raise HttpError(
            403,
            f"You may change only {', '.join(sorted(editable))} on this customer; "
            f"not {', '.join(refused)}. Nothing was changed.",
        )
    try:
        customer_update(customer=customer, actor=user, data=_related_lookups(user, data))
    except PermissionDenied as error:
        raise HttpError(403, f"{error} Nothing was changed.") from error
    return selectors.customer_list(user=user).get(pk=customer.pk)


@router.get("/payees", response=list[PayeeOut], summary="Reps and managers you may see")
@paginate(Pagination)
def payee_list(request, filters: Query[PayeeFilter]):
    return filters.filter(selectors.payee_list(user=request.auth))


@router.get("/payees/{payee_id}", response={200: PayeeOut, **NOT_FOUND})
def payee_detail(request, payee_id: int):
    return visible_or_404(selectors.payee_list(user=request.auth), label="payee", id=payee_id)


@router.get("/distributors", response=list[DistributorOut])
@paginate(Pagination)
def distributor_list(request, filters: Query[DistributorFilter]):
    return filters.filter(selectors.distributor_list(user=request.auth))


@router.get("/distributors/{distributor_id}", response={200: DistributorOut, **NOT_FOUND})
def distributor_detail(request, distributor_id: int):
    return visible_or_404(
        selectors.distributor_list(user=request.auth), label="distributor", id=distributor_id
    )


@router.get("/territories", response=list[TerritoryOut])
@paginate(Pagination)
def territory_list(request, filters: Query[TerritoryFilter]):
    return filters.filter(selectors.territory_list(user=request.auth))


@router.get("/territories/{territory_id}", response={200: TerritoryOut, **NOT_FOUND})
def territory_detail(request, territory_id: int):
    return visible_or_404(
        selectors.territory_list(user=request.auth), label="territory", id=territory_id
    )
