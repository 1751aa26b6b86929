"""Routing: which team owns a new case and who in it takes it. Rules are rows (RoutingRule),
tried in sequence; the first whose conditions all hold wins. With no rule, the case type's
default team keeps it in its queue, unassigned."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q

from revdesk.parties.models import Territory

from .choices import DONE_STATUSES, Assignment
from .models import Case, RoutingRule, Team, TeamMembership


@dataclass(frozen=True)
class Route:
    team: Team
    owner: object | None
    rule: RoutingRule | None
    why: str


def _territory_ancestors(territory_id: int | None) -> set[int]:
    """The territory and every territory above it (a rule on a region covers its areas)."""
    found: set[int] = set()
    while territory_id is not None and territory_id not in found:
        found.add(territory_id)
        territory_id = (
            Territory.objects.filter(pk=territory_id).values_list("parent_id", flat=True).first()
        )
    return found


def rule_matches(rule: RoutingRule, case: Case, territories: set[int]) -> bool:
    if rule.case_type_id and rule.case_type_id != case.case_type_id:
        return False
    if rule.reason_id and rule.reason_id != case.reason_id:
        return False
    if rule.customer_id and rule.customer_id != case.customer_id:
        return False
    if rule.territory_id and rule.territory_id not in territories:
        return False
    amount = case.amount
    if rule.min_amount is not None and (amount is None or amount < rule.min_amount):
        return False
    return not (
        rule.max_amount is not None and (amount is None or amount >= Decimal(rule.max_amount))
    )


def open_case_counts(team: Team) -> dict[int, int]:
    """Open cases each member of the team owns (any team), for least-loaded routing."""
    rows = (
        TeamMembership.objects.filter(team=team)
        .annotate(
            open_cases=Count(
                "user__owned_cases", filter=~Q(user__owned_cases__status__in=DONE_STATUSES)
            )
        )
        .values_list("user_id", "open_cases")
    )
    return dict(rows)


def pick_owner(team: Team, assignment: str, level: int = 0):
    """A member of the team who takes cases (at `level` or above), by the method given.

    Round-robin goes through members in username order, after the last one assigned.
    Least-loaded takes the member with the fewest open cases, ties by username.
    The team row is locked and its last assignment read from it, so two cases opened at
    once wait for each other instead of both going to the same person.
    """
    with transaction.atomic():
        locked = Team.objects.select_for_update().filter(pk=team.pk)
        last_assigned_id = locked.values_list("last_assigned_id", flat=True).first()
        return _pick(team, assignment, level, last_assigned_id)


def _pick(team: Team, assignment: str, level: int, last_assigned_id: int | None):
    members = list(
        TeamMembership.objects.filter(team=team, takes_cases=True, level__gte=level)
        .select_related("user")
        .order_by("user__username")
    )
    users = [m.user for m in members if m.user.is_active]
    if not users or assignment == Assignment.NOBODY:
        return None
    if assignment == Assignment.ROUND_ROBIN:
        ids = [u.pk for u in users]
        if last_assigned_id in ids:
            return users[(ids.index(last_assigned_id) + 1) % len(users)]
        return users[0]
    counts = open_case_counts(team)
    return min(users, key=lambda u: (counts.get(u.pk, 0), u.get_username()))


def _customer_rep(case: Case):
    """The signed-in user of the case customer's sales rep, when there is one and active."""
    rep = case.customer.sales_rep if case.customer_id else None
    user = rep.user if rep is not None and rep.user_id else None
    return user if user is not None and user.is_active else None


def route(case: Case) -> Route:
    """Where a new case goes. The case is not saved here."""
    territory_id = case.customer.territory_id if case.customer_id else None
    territories = _territory_ancestors(territory_id)
    for rule in RoutingRule.objects.filter(is_active=True).select_related("team", "owner"):
        if not rule_matches(rule, case, territories):
            continue
        if rule.assignment == Assignment.PERSON:
            owner = rule.owner
        elif rule.assignment == Assignment.CUSTOMER_REP:
            owner = _customer_rep(case) or pick_owner(rule.team, Assignment.LEAST_LOADED)
        else:
            owner = pick_owner(rule.team, rule.assignment)
        return Route(rule.team, owner, rule, f"routing rule {rule}")
    team = case.case_type.default_team
    return Route(team, None, None, f"no routing rule matched: the {team} queue")


class Router:
    """`route` for many new cases opened together (cases.services.cases_open_bulk): the rules,
    the territories and each team's members are read once, and the owners chosen follow each
    other as they would one case at a time (round-robin goes on after the last one chosen,
    least-loaded counts the cases just given out). The teams are locked on first use and
    their last assignment written by `finish`."""

    def __init__(self):
        self.rules = list(
            RoutingRule.objects.filter(is_active=True).select_related("team", "owner")
        )
        self.parents = dict(Territory.objects.values_list("pk", "parent_id"))
        self.last: dict[int, int | None] = {}
        self.members: dict[tuple[int, int], list] = {}
        self.counts: dict[int, dict[int, int]] = {}
        self.teams: dict[int, Team] = {}

    def ancestors(self, territory_id: int | None) -> set[int]:
        found: set[int] = set()
        while territory_id is not None and territory_id not in found:
            found.add(territory_id)
            territory_id = self.parents.get(territory_id)
        return found

    def route(self, case: Case) -> Route:
        territories = self.ancestors(case.customer.territory_id if case.customer_id else None)
        for rule in self.rules:
            if not rule_matches(rule, case, territories):
                continue
            if rule.assignment == Assignment.PERSON:
                owner = rule.owner
            elif rule.assignment == Assignment.CUSTOMER_REP:
                owner = _customer_rep(case) or self.pick(rule.team, Assignment.LEAST_LOADED)
            else:
                owner = self.pick(rule.team, rule.assignment)
            return Route(rule.team, owner, rule, f"routing rule {rule}")
        team = case.case_type.default_team
        return Route(team, None, None, f"no routing rule matched: the {team} queue")

    def _team(self, team: Team) -> None:
        if team.pk not in self.last:
            self.last[team.pk] = (
                Team.objects.select_for_update()
                .filter(pk=team.pk)
                .values_list("last_assigned_id", flat=True)
                .first()
            )
            self.teams[team.pk] = team

    def pick(self, team: Team, assignment: str, level: int = 0):
        self._team(team)
        key = (team.pk, level)
        if key not in self.members:
            self.members[key] = [
                m.user
                for m in TeamMembership.objects.filter(
                    team=team, takes_cases=True, level__gte=level
                )
                .select_related("user")
                .order_by("user__username")
                if m.user.is_active
            ]
        users = self.members[key]
        if not users or assignment == Assignment.NOBODY:
            return None
        if assignment == Assignment.ROUND_ROBIN:
            ids = [u.pk for u in users]
            last = self.last[team.pk]
            return users[(ids.index(last) + 1) % len(users)] if last in ids else users[0]
        if team.pk not in self.counts:
            self.counts[team.pk] = open_case_counts(team)
        counts = self.counts[team.pk]
        return min(users, key=lambda u: (counts.get(u.pk, 0), u.get_username()))

    def assigned(self, team: Team, owner) -> None:
        """A case of `team` went to `owner` (case_open notes it on the team the same way)."""
        self._team(team)
        self.last[team.pk] = owner.pk
        for counts in self.counts.values():
            if owner.pk in counts:
                counts[owner.pk] += 1

    def finish(self) -> None:
        for pk, team in self.teams.items():
            if self.last[pk] != team.last_assigned_id:
                Team.objects.filter(pk=pk).update(last_assigned_id=self.last[pk])
                team.last_assigned_id = self.last[pk]
