"""Signing in and out, the second factor, personal API tokens: under /accounts/.

No namespace: Django's auth views and the templates reverse "login", "logout", ...
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from entente.accounts import password_views, views, views_lockout

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/setup/", views.mfa_setup, name="mfa-setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa-verify"),
    path("mfa/recovery-codes/", views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("preferences/", views.preferences, name="preferences"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token-revoke"),
]

# Lockout after failed sign-ins: the party administrator's list of locked members.
urlpatterns += [
    path("lockouts/", views_lockout.lockout_list, name="lockout-list"),
    path("lockouts/<int:pk>/unlock/", views_lockout.lockout_unlock_view, name="lockout-unlock"),
]

# Changing one's password, and resetting a forgotten one by e-mail (Django's URL names).
urlpatterns += [
    path("password/change/", password_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
