"""Reads of parties data, always restricted to what the person may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from revdesk.foundation.audit import change_history
from revdesk.foundation.scoping import may_see, restrict, viewer_for

from .choices import Role
from .models import Customer, Distributor, Payee, Territory

COLLECTOR_GROUPS = (Role.COLLECTOR.label, Role.SENIOR_COLLECTOR.label)
NOT_VISIBLE = "(not visible to you)"


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
    """The active collectors and senior collectors whose portfolios this person works with.

    Everyone for those who see everything; a senior collector their team (themselves and
    the collectors who report to them); a collector themselves; nobody for anyone else.
    The one list behind the edit form, the customers' Collector filter and the API's
    collector field. Who may change a customer's collector at all is the policy's
    (parties/policies.py: editors and senior collectors), so a collector offered only
    themselves here still cannot assign anyone.
    """
    users = get_user_model().objects.filter(groups__name__in=COLLECTOR_GROUPS, is_active=True)
    viewer = viewer_for(user)
    if viewer.sees_everything:
        return users.distinct()
    return users.filter(pk__in=viewer.collector_ids).distinct()


@dataclass(frozen=True)
class CustomerPage:
    customer: Customer
    parent_visible: bool
    children: list[Customer]
    contacts: list


def customer_page(*, customer: Customer, user) -> CustomerPage:
    """The parties part of a visible customer's page, each part restricted."""
    children = restrict(Customer.objects.filter(parent=customer), user).order_by("name")
    return CustomerPage(
        customer=customer,
        parent_visible=customer.parent is not None and may_see(user, customer.parent),
        children=list(children),
        contacts=list(customer.contacts.all()),
    )


@dataclass(frozen=True)
class PayeePage:
    payee: Payee
    reporting_line: list[str]
    reports: list[Payee]
    territories: list
    plans: list
    customers: list[Customer]


def payee_reporting_line(*, payee: Payee, user) -> list[str]:
    """The managers above a visible payee, top first, named as this person may see them.

    A manager the person may see is named; so is the payee's own direct manager (a rep may
    see who they report to); any manager higher up that the person may not see reads
    "(not visible to you)". Two reads however deep the line: the reporting structure (keys
    only), then the names the person may see.
    """
    managers = dict(Payee.objects.filter(manager__isnull=False).values_list("pk", "manager_id"))
    chain: list[int] = []
    node = payee.manager_id
    while node is not None and node not in chain and len(chain) < 20:
        chain.append(node)
        node = managers.get(node)
    visible = {p.pk: p for p in restrict(Payee.objects.filter(pk__in=chain), user)}
    if payee.manager is not None:
        visible.setdefault(payee.manager_id, payee.manager)
    return [str(visible[pk]) if pk in visible else NOT_VISIBLE for pk in reversed(chain)]


def payee_page(*, payee: Payee, user) -> PayeePage:
    """What the payee page shows of a visible payee, each part restricted."""
    reports = restrict(Payee.objects.filter(manager=payee), user).order_by("name")
    customers = restrict(Customer.objects.filter(sales_rep=payee), user).order_by("name")
    return PayeePage(
        payee=payee,
        reporting_line=payee_reporting_line(payee=payee, user=user),
        reports=list(reports),
        territories=list(payee.territory_assignments.select_related("territory")),
        plans=list(payee.plan_assignments.all()),
        customers=list(customers[:100]),
    )
