"""Reads: cases and their timelines as a person may see them."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
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
    page's navigation and header ask both, so one query answers them. Written as SQL: the
    same query built by the ORM (Exists and a counting Subquery) cost 3 ms of Python a page,
    more than the two simple queries it replaced (1.5 ms); this costs 0.2 ms."""
    from django.db import connection

    def name(model, field: str | None = None) -> str:
        meta = model._meta
        return connection.ops.quote_name(meta.get_field(field).column if field else meta.db_table)

    member, member_user = name(TeamMembership), name(TeamMembership, "user")
    notice, notice_user = name(Notification), name(Notification, "user")
    read_at = name(Notification, "read_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {member} WHERE {member_user} = %s), "
            f"(SELECT COUNT(*) FROM {notice} WHERE {notice_user} = %s AND {read_at} IS NULL)",
            [user.pk, user.pk],
        )
        on_team, unread = cursor.fetchone()
    return bool(on_team), int(unread)
