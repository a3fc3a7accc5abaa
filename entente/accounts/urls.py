"""Signing in and out, the second factor, personal API tokens: under /accounts/.

No namespace: Django's auth views and the templates reverse "login", "logout", ...
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from entente.accounts import views, views_lockout

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/setup/", views.mfa_setup, name="mfa-setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa-verify"),
    path("mfa/recovery-codes/", views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token-revoke"),
]

# Lockout after failed sign-ins: the party administrator's list of locked members.
urlpatterns += [
    path("lockouts/", views_lockout.lockout_list, name="lockout-list"),
    path("lockouts/<int:pk>/unlock/", views_lockout.lockout_unlock_view, name="lockout-unlock"),
]
