"""Who may see which case.

Everyone who sees everything (administrators, sales operations, commissions analysts,
desk leaders) sees every case. Otherwise a person sees the cases of the teams they belong
to, the cases they own or opened, and the cases about what they may see: a collector the
cases on their portfolio's customers, a rep the cases on their customers and their own
claims, a distributor user their own company's claims. People outside the house's teams
(reps, distributor users) see only the external part of the conversation (selectors).
"""

from __future__ import annotations

from django.db.models import Q

from revdesk.foundation.scoping import Viewer, scope_public, scope_rule
from revdesk.parties.scoping import customer_visibility

from .models import (
    BusinessCalendar,
    Case,
    CaseType,
    ReasonCode,
    SlaTarget,
    Team,
    TeamMembership,
    WorkInstruction,
)

scope_public(CaseType, ReasonCode, SlaTarget, Team, WorkInstruction, BusinessCalendar)


def team_ids_of(user) -> list[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))


@scope_rule(Case)
def _case(viewer: Viewer) -> Q:
    user = viewer.user
    return (
        Q(team_id__in=team_ids_of(user))
        | Q(owner_id=user.pk)
        | Q(created_by_id=user.pk)
        | customer_visibility(viewer, "customer__")
        | Q(payee_id__in=viewer.payee_ids)
        | Q(distributor_id__in=viewer.distributor_ids)
    )


@scope_rule(TeamMembership)
def _membership(viewer: Viewer) -> Q:
    return Q(team_id__in=team_ids_of(viewer.user))
