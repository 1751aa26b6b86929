from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from revdesk.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        # Our templates: the admin app's registration/ templates would win otherwise.
        auth_views.PasswordChangeView.as_view(template_name="web/password_change_form.html"),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path("api/", api.urls),
    path("", include("revdesk.web.urls")),
]
