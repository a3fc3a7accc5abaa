from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from entente.core.pages import done, safe_next, signed_in
from entente.core.pagination import page_of
from entente.core.registry import record_page_url
from entente.notices.forms import NoticePreferencesForm
from entente.notices.selectors import (
    get_followable_for_user,
    get_notice_for_user,
    notice_target,
    notice_targets,
    notice_visible_to,
    preferences_of,
)
from entente.notices.services import (
    notice_dismiss,
    notice_preferences_set,
    notices_mark_all_read,
    record_follow,
    record_unfollow,
)


@signed_in("GET")
def notice_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, notice_visible_to(request.user))
    # Each record's own name (title, or reference and subject), for whoever still sees
    # it: here, unlike in an e-mail, the reader is in the application.
    targets = notice_targets(request.user, page.object_list)
    rows = [
        (notice, str(targets.get((notice.target_type_id, notice.target_id), "")))
        for notice in page.object_list
    ]
    return render(request, "notices/notice_list.html", {"page": page, "rows": rows})


@signed_in("GET", "POST")
def notice_preferences(request: HttpRequest) -> HttpResponse:
    """Per kind of notice: e-mail at once, a daily digest, or in the application only."""
    chosen = dict(preferences_of(request.user).values_list("kind", "channel"))
    form = NoticePreferencesForm(request.POST or None, initial=chosen)
    if request.method == "POST" and form.is_valid():
        notice_preferences_set(actor=request.user, channels=form.cleaned_data)
        return done(request, _("Your notice settings are saved."), request.path)
    names = " ".join(form.fields)
    return render(request, "notices/notice_preferences.html", {"form": form, "names": names})


@signed_in("POST")
def notice_dismiss_view(request: HttpRequest, pk) -> HttpResponse:
    notice = get_notice_for_user(request.user, pk)
    notice_dismiss(actor=request.user, notice=notice)
    url = safe_next(request, reverse("notices:notice-list"))
    return done(request, _("The notice is marked read."), url)


@signed_in("POST")
def notice_read_all(request: HttpRequest) -> HttpResponse:
    count = notices_mark_all_read(actor=request.user)
    message = _("%(count)d notice(s) marked read.") % {"count": count}
    return done(request, message, reverse("notices:notice-list"))


@signed_in("GET")
def notice_open(request: HttpRequest, pk) -> HttpResponse:
    """Marks the notice read and goes to its record: 404 when the recipient may no
    longer see the record, as for any record they may not see."""
    notice = get_notice_for_user(request.user, pk)
    record = notice_target(notice)
    notice_dismiss(actor=request.user, notice=notice)
    return HttpResponseRedirect(record_page_url(record) or reverse("notices:notice-list"))


@signed_in("POST")
def record_follow_view(request: HttpRequest, record_type: str, pk) -> HttpResponse:
    message = _("You follow this record: you will be told of what happens to it.")
    return _follow_change(request, record_type, pk, record_follow, message)


@signed_in("POST")
def record_unfollow_view(request: HttpRequest, record_type: str, pk) -> HttpResponse:
    message = _("You no longer follow this record.")
    return _follow_change(request, record_type, pk, record_unfollow, message)


def _follow_change(request: HttpRequest, record_type: str, pk, change, message) -> HttpResponse:
    record = get_followable_for_user(request.user, record_type, pk)
    change(actor=request.user, record=record)
    url = safe_next(request, record_page_url(record) or reverse("notices:notice-list"))
    return done(request, message, url)
