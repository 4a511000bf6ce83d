from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from awareness import converters, views

# Registered before the apps' URLs are included, which use them.
register_converter(converters.IdConverter, "id")
register_converter(converters.TokenConverter, "token")
register_converter(converters.SerialConverter, "serial")
register_converter(converters.YearConverter, "year")

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # An invitation's link to set a password (completion/invitations.py).
    path(
        "accounts/set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set_password",
    ),
    # Open to visitors too: the sign-in page offers the language switcher.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("cases/", include("cases.urls")),
    path("", include("lessons.urls")),
    path("", include("completion.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Only for `make run`: lets the error pages be looked at.
    urlpatterns += [path("_errors/<int:code>/", views.error_preview)]

handler403 = "awareness.views.forbidden"
handler404 = "awareness.views.not_found"
handler500 = "awareness.views.server_error"
