from django.urls import reverse

from .roles import PagesOpen, may_open, navigation_items, role_labels


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": navigation_items(user, request.path),
        "nav_roles": role_labels(user),
        "may_open": PagesOpen(user),
        "nav_admin_url": reverse("admin:index") if user.is_staff else None,
        "nav_notifications": _unread(user),
    }


def _unread(user) -> int | None:
    """Unread case notifications, for the header (None: not a person with case pages)."""
    if not may_open(user, "web:case_notifications"):
        return None
    from revdesk.cases.selectors import unread_notifications

    return unread_notifications(user).count()
