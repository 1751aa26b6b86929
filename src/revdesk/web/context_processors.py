from django.urls import reverse

from .roles import PagesOpen, may_open, navigation_items, role_labels


def navigation(request):
    """The navigation and the header of every page: two queries' worth of facts (the case
    team membership and the unread notifications) read in one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from revdesk.cases.selectors import team_member_and_unread

    on_team, unread = team_member_and_unread(user)
    return {
        "nav_items": navigation_items(user, request.path, on_team=on_team),
        "nav_roles": role_labels(user),
        "may_open": PagesOpen(user),
        "nav_admin_url": reverse("admin:index") if user.is_staff else None,
        # unread case notifications (None: not a person with case pages)
        "nav_notifications": unread if may_open(user, "web:case_notifications") else None,
    }
