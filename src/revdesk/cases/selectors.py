"""Reads: cases and their timelines as a person may see them."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.parties.choices import Role

from .choices import DONE_STATUSES, PAUSED_STATUSES, Visibility
from .models import Attachment, Case, CaseEvent, EmailMessage, Notification, TeamMembership

#: Roles outside the house's teams: they see a case's external conversation only.
OUTSIDE_ROLES = {Role.SALES_REP, Role.DISTRIBUTOR_USER}


def sees_internal(user) -> bool:
    """Staff who work cases see internal comments; reps and distributor users do not."""
    viewer = viewer_for(user)
    if viewer.sees_everything or TeamMembership.objects.filter(user=user).exists():
        return True
    return bool(viewer.roles - OUTSIDE_ROLES)


def case_list(user) -> QuerySet[Case]:
    return restrict(Case.objects.all(), user).select_related(
        "case_type", "team", "owner", "customer", "reason"
    )


def open_q() -> Q:
    return ~Q(status__in=DONE_STATUSES)


def breached_q(now: dt.datetime | None = None) -> Q:
    """Open cases whose first-response or resolution clock has run out (paused ones too:
    a breach stays a breach)."""
    now = now or timezone.now()
    late_response = Q(first_response_at__isnull=True, first_response_due_at__lt=now) & ~Q(
        status__in=PAUSED_STATUSES
    )
    late_resolution = Q(resolution_due_at__lt=now) & ~Q(status__in=PAUSED_STATUSES)
    recorded = Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
    return open_q() & (late_response | late_resolution | recorded)


def case_for_user(user, number: str) -> Case | None:
    return case_list(user).filter(number=number).first()


def case_timeline(case: Case, user) -> QuerySet[CaseEvent]:
    events = case.events.select_related("actor").prefetch_related("attachments")
    if not sees_internal(user):
        events = events.filter(visibility=Visibility.EXTERNAL)
    return events


def case_attachments(case: Case, user) -> QuerySet[Attachment]:
    attachments = case.attachments.all()
    if not sees_internal(user):
        attachments = attachments.filter(
            Q(event__visibility=Visibility.EXTERNAL) | Q(uploaded_by=user)
        )
    return attachments


def case_messages(case: Case, user) -> QuerySet[EmailMessage]:
    if not sees_internal(user):
        return case.messages.none()
    return case.messages.all()


def unread_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("case")


def team_member_and_unread(user) -> tuple[bool, int]:
    """Is the person on a case team, and how many of their notifications are unread: every
    page's navigation and header ask both, so one query answers them."""
    from django.contrib.auth import get_user_model

    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            on_team=Exists(TeamMembership.objects.filter(user=OuterRef("pk"))),
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
        )
        .values_list("on_team", "unread")
        .get()
    )
