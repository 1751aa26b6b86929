from django.urls import reverse

from .roles import PagesOpen, navigation_items, role_labels


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": navigation_items(user, request.path),
        "nav_roles": role_labels(user),
        "may_open": PagesOpen(user),
        "nav_admin_url": reverse("admin:index") if user.is_staff else None,
    }
