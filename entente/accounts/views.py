"""The user's own personal API tokens: list, create (shown once), revoke."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.accounts.forms import TokenCreateForm
from entente.accounts.selectors import get_token_for_user, token_list_for
from entente.accounts.services import token_create, token_revoke


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            token, created = token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            form = TokenCreateForm()
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "accounts/token_list.html",
        {"tokens": token_list_for(request.user), "form": form, "created": created},
        status=status,
    )


@login_required
@require_POST
def token_revoke_view(request, pk):
    token = get_token_for_user(request.user, pk)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("token-list")
