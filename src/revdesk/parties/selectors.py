"""Reads of parties data, always restricted to what the person may see."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from revdesk.foundation.audit import change_history
from revdesk.foundation.scoping import restrict, viewer_for

from .choices import Role
from .models import Customer, Distributor, Payee, Territory


def customer_list(*, user) -> QuerySet[Customer]:
    return restrict(
        Customer.objects.select_related("parent", "territory", "sales_rep", "collector"), user
    )


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
