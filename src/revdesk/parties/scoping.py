"""Who may see what, by role.

- Administrators, sales operations and commissions analysts see everything.
- A manager linked to a payee sees that payee's whole reporting tree and their customers;
  a manager with no payee (a desk leader) sees everything.
- A senior collector sees their own portfolio and their team's; a collector only their own.
- A sales rep sees their own payee record, customers and orders.
- A distributor user sees only their own company and what was sold through it.
A person with several roles sees the union.
"""

from django.db.models import Q

from revdesk.foundation.scoping import Viewer, scope_public, scope_rule, viewer_factory_register

from .choices import Role
from .models import Customer, Distributor, Payee, Territory, UserProfile

SEES_EVERYTHING = {Role.ADMIN, Role.SALES_OPERATIONS, Role.COMMISSIONS_ANALYST}


def payee_tree_ids(root_id: int) -> set[int]:
    """The payee and everyone reporting to them, at any depth."""
    found = {root_id}
    frontier = {root_id}
    while frontier:
        frontier = set(
            Payee.objects.filter(manager_id__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found |= frontier
    return found


def user_roles(user) -> frozenset[str]:
    names = {group.name for group in user.groups.all()}
    labels = {label: value for value, label in Role.choices}
    return frozenset(labels[name] for name in names if name in labels)


def build_viewer(user) -> Viewer:
    roles = user_roles(user)
    if user.is_superuser or roles & SEES_EVERYTHING:
        return Viewer(user=user, roles=roles, sees_everything=True)
    # the payee record matters to managers and reps only (a collector's page needs no query)
    needs_payee = Role.MANAGER in roles or Role.SALES_REP in roles
    payee = Payee.objects.filter(user=user).only("pk").first() if needs_payee else None
    payee_ids: set[int] = set()
    collector_ids: set[int] = set()
    distributor_ids: set[int] = set()
    if Role.MANAGER in roles:
        if payee is None:
            return Viewer(user=user, roles=roles, sees_everything=True)
        payee_ids |= payee_tree_ids(payee.pk)
    if Role.SALES_REP in roles and payee is not None:
        payee_ids.add(payee.pk)
    if Role.COLLECTOR in roles or Role.SENIOR_COLLECTOR in roles:
        collector_ids.add(user.pk)
    if Role.SENIOR_COLLECTOR in roles:
        collector_ids |= set(
            UserProfile.objects.filter(team_lead=user).values_list("user_id", flat=True)
        )
    if Role.DISTRIBUTOR_USER in roles:
        profile = UserProfile.objects.filter(user=user).only("distributor_id").first()
        if profile and profile.distributor_id:
            distributor_ids.add(profile.distributor_id)
    return Viewer(
        user=user,
        roles=roles,
        payee_ids=frozenset(payee_ids),
        collector_ids=frozenset(collector_ids),
        distributor_ids=frozenset(distributor_ids),
    )


viewer_factory_register(build_viewer)
scope_public(Territory)


def customer_visibility(viewer: Viewer, prefix: str = "") -> Q:
    """Customers in a viewer's portfolio or sold by their reps; prefix reaches through a FK."""
    return Q(**{f"{prefix}collector_id__in": viewer.collector_ids}) | Q(
        **{f"{prefix}sales_rep_id__in": viewer.payee_ids}
    )


@scope_rule(Customer)
def _customer(viewer: Viewer) -> Q:
    return customer_visibility(viewer)


@scope_rule(Payee)
def _payee(viewer: Viewer) -> Q:
    return Q(pk__in=viewer.payee_ids)


@scope_rule(Distributor)
def _distributor(viewer: Viewer) -> Q:
    return Q(pk__in=viewer.distributor_ids)
