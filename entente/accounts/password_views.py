"""Changing one's password, and resetting a forgotten one by e-mail: Django's own views
with the site's templates (templates/registration/) and forms that audit the change.

The reset answers the same page, with the same status, whether or not an account has
the address given, and whether or not a message went out: past
settings.RESET_PER_HOUR requests an hour from one client or for one address, none
does. A reset link that does not hold is refused with 400, and recorded.
"""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

from entente.accounts.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from entente.accounts.lockout import client_address
from entente.accounts.passwords import password_reset_allowed, password_reset_link_refused


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    # Plain text; Django's default name ends in .html but is sent as text too.
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form) -> HttpResponse:
        allowed = password_reset_allowed(
            email=form.cleaned_data["email"], address=client_address(self.request)
        )
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm

    def dispatch(self, *args, **kwargs) -> HttpResponseBase:
        response = super().dispatch(*args, **kwargs)
        # Django shows its "invalid link" page with 200; a refusal is a 4xx, on record.
        if not self.validlink and response.status_code == 200:
            password_reset_link_refused(user=self.user)
            response.status_code = 400
        return response
