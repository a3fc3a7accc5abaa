from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from entente.accounts import mfa
from entente.accounts import views as account_views
from entente.api import api

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/setup/", mfa.mfa_setup, name="mfa-setup"),
    path("accounts/mfa/verify/", mfa.mfa_verify, name="mfa-verify"),
    path("accounts/tokens/", account_views.token_list, name="token-list"),
    path("accounts/tokens/<int:pk>/revoke/", account_views.token_revoke_view, name="token-revoke"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("entente.agreements.urls")),
    path("", include("entente.meetings.urls")),
    path("", include("entente.training.urls")),
    path("", include("entente.liaison.urls")),
    path("", include("entente.reports.urls")),
    path("", include("entente.audit.urls")),
    path("api/v1/", api.urls),
]
