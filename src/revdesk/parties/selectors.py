"""Reads of parties data, always restricted to what the person may see."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from revdesk.foundation.audit import change_history
from revdesk.foundation.scoping import restrict, viewer_for

from .choices import Role
from .models import Customer, Distributor, Payee, Territory
from .services import CUSTOMER_EDITABLE_FIELDS

CUSTOMER_DOCUMENTATION_FIELDS = frozenset(
    {"requires_po", "requires_proof_of_delivery", "requires_portal_upload", "portal_name"}
)
"""What the collections desk keeps up to date on the customers in its portfolio."""

CUSTOMER_EDITORS = frozenset({Role.ADMIN, Role.SALES_OPERATIONS})


def customer_list(*, user) -> QuerySet[Customer]:
    return restrict(
        Customer.objects.select_related("parent", "territory", "sales_rep", "collector"), user
    )


def customer_editable_fields(*, user, customer: Customer) -> frozenset[str]:
    """The fields of this customer that this person may change (empty: may not edit).

    Administrators and sales operations keep the customer master: every editable field.
    Collectors and senior collectors keep the documentation requirements (PO, proof of
    delivery, portal) of customers they can see. Everyone else reads only.
    """
    viewer = viewer_for(user)
    if getattr(user, "is_superuser", False) or viewer.has_role(*CUSTOMER_EDITORS):
        return frozenset(CUSTOMER_EDITABLE_FIELDS)
    if viewer.has_role(Role.COLLECTOR, Role.SENIOR_COLLECTOR) and customer.collector_id in (
        viewer.collector_ids
    ):
        return CUSTOMER_DOCUMENTATION_FIELDS
    return frozenset()


def customer_history(*, customer: Customer):
    """The change log of one customer, newest first (the caller has checked visibility)."""
    return change_history(customer)


def payee_list(*, user) -> QuerySet[Payee]:
    return restrict(Payee.objects.select_related("manager"), user)


def distributor_list(*, user) -> QuerySet[Distributor]:
    return restrict(Distributor.objects.all(), user)


def territory_list(*, user) -> QuerySet[Territory]:
    return restrict(Territory.objects.select_related("parent"), user)


def collector_list(*, user) -> QuerySet:
    """Logins that can own a collections portfolio (collectors and senior collectors)."""
    labels = [Role.COLLECTOR.label, Role.SENIOR_COLLECTOR.label]
    users = get_user_model().objects.filter(groups__name__in=labels, is_active=True).distinct()
    return users if viewer_for(user).sees_everything else users.none()
