"""Filters of the case queue (pages) — the API takes the same names (cases/schemas.py)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from revdesk.foundation.filtersets import FilterSet, SearchFilter

from . import queue
from .choices import Priority
from .models import Case, CaseType, ReasonCode, Team, TeamMembership
from .selectors import breached_q, open_q

MINE = "me"
UNASSIGNED = "unassigned"

CLOCK_CHOICES = [
    ("first_response_breached", "First response breached"),
    ("resolution_breached", "Resolution breached"),
    ("due_soon", "Due within 2 working hours"),
    ("due_next_day", "Due within the next working day"),
    ("paused", "Paused (waiting on customer)"),
]


def status_q(value: str) -> Q:
    if value == queue.OPEN_STATUS:
        return open_q()
    return Q(status=value)


def owner_q(value: str, user) -> Q:
    if value == UNASSIGNED:
        return Q(owner__isnull=True)
    if value == MINE:
        return Q(owner_id=getattr(user, "pk", None))
    return Q(owner__username=value)


def clock_q(value: str) -> Q:
    if value == "first_response_breached":
        return queue.first_response_breached_q()
    if value == "resolution_breached":
        return queue.resolution_breached_q()
    if value == "due_soon":
        return queue.due_within_q(queue.DUE_SOON_MINUTES)
    if value == "due_next_day":
        return queue.due_within_q(queue.WORKING_DAY_MINUTES)
    if value == "paused":
        return queue.paused_q()
    return Q()


def reason_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for code, label in ReasonCode.objects.filter(is_active=True).values_list("code", "label"):
        seen.setdefault(code, label)
    return sorted(seen.items(), key=lambda item: item[1].lower())


def owner_choices(user) -> list[tuple[str, str]]:
    """Me, Unassigned, then the members of the person's teams (everyone's for those
    who see every team)."""
    from revdesk.foundation.scoping import viewer_for

    memberships = TeamMembership.objects.all()
    if not viewer_for(user).sees_everything:
        memberships = memberships.filter(team__in=Team.objects.filter(memberships__user=user))
    people = (
        get_user_model()
        .objects.filter(pk__in=memberships.values("user_id"), is_active=True)
        .order_by("first_name", "username")
    )
    choices = [(MINE, "Me"), (UNASSIGNED, "Unassigned")]
    choices += [(person.username, person.get_full_name() or person.username) for person in people]
    return choices


class CaseFilterSet(FilterSet):
    q = SearchFilter(fields=("number", "title"), label="Number or title")
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), to_field_name="code", label="Team"
    )
    case_type = django_filters.ModelChoiceFilter(
        queryset=CaseType.objects.filter(is_active=True), to_field_name="code", label="Type"
    )
    status = django_filters.ChoiceFilter(
        choices=queue.STATUS_FILTER_CHOICES, method="filter_status", label="Status"
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    owner = django_filters.ChoiceFilter(choices=(), method="filter_owner", label="Owner")
    reason = django_filters.ChoiceFilter(choices=(), field_name="reason__code", label="Reason")
    customer = django_filters.CharFilter(field_name="customer__code", label="Customer code")
    breached = django_filters.BooleanFilter(method="filter_breached", label="Breached")
    clock = django_filters.ChoiceFilter(choices=CLOCK_CHOICES, method="filter_clock", label="Clock")

    class Meta:
        model = Case
        fields = [
            "q",
            "team",
            "case_type",
            "status",
            "priority",
            "owner",
            "reason",
            "customer",
            "breached",
            "clock",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["owner"].extra["choices"] = owner_choices(user)
        self.filters["reason"].extra["choices"] = reason_choices()

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value)) if value else queryset

    def filter_owner(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(owner_q(value, getattr(self.request, "user", None)))

    def filter_breached(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(breached_q()) if value else queryset.exclude(breached_q())

    def filter_clock(self, queryset, name, value):
        return queryset.filter(clock_q(value)) if value else queryset
