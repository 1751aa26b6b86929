"""Writes that touch only the person's own things: saved queue views, notifications read.

Nothing here changes a case, so nothing goes on a timeline or in the change log.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Notification, SavedView

#: Query parameters a saved view never keeps (paging, exports, CSRF).
NOT_KEPT = {"page", "export", "csrfmiddlewaretoken"}


def saved_view_query(query: str) -> str:
    """The filters of a queue query string, without paging or export."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?")) if k not in NOT_KEPT and v != ""]
    return urlencode(pairs)


@transaction.atomic
def saved_view_save(*, user, name: str, query: str) -> tuple[SavedView, bool]:
    """Keep the queue's filters under a name; saving a name again replaces its filters.
    Returns (view, created)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the view a name, e.g. “My breached disputes”."})
    if len(name) > 80:
        raise ValidationError({"name": f"A view name has at most 80 characters ({len(name)})."})
    query = saved_view_query(query)
    if not query:
        raise ValidationError({"name": "Choose some filters first: this view would show all."})
    if len(query) > 1000:
        raise ValidationError({"name": "These filters are too long to keep as a view."})
    view, created = SavedView.objects.update_or_create(
        user=user, name=name, defaults={"query": query}
    )
    return view, created


@transaction.atomic
def saved_view_delete(*, user, view_id: int) -> bool:
    deleted, _ = SavedView.objects.filter(user=user, pk=view_id).delete()
    return bool(deleted)


def notifications_read(*, user, case=None, ids=None, now=None) -> int:
    """Mark the person's unread notifications read: all, those of one case, or by id."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if case is not None:
        unread = unread.filter(case=case)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=now or timezone.now())
