"""Calendar files: the personal feed a calendar client reads by its secret URL, the
page where a user makes and revokes that URL, and the download of one agreement's
calendar. Every file holds exactly what its user may see at the moment it is read.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from entente.accounts.preferences import preferred_language
from entente.agreements.selectors import get_agreement_for_user
from entente.core.pages import done, signed_in
from entente.reports.ical import calendar_file_for
from entente.reports.selectors import calendar_feed_of, calendar_feed_owner
from entente.reports.services import calendar_feed_create, calendar_feed_revoke

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(body: bytes, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    # What a user may see changes; no cache may keep an older (or another's) answer.
    response["Cache-Control"] = "private, no-store"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def feed(request, secret: str):
    """The personal feed, read without a session: its secret URL is the credential."""
    user = calendar_feed_owner(secret)
    if user is None:
        raise Http404(_("No such calendar feed."))
    with translation.override(preferred_language(user) or settings.LANGUAGE_CODE):
        body = calendar_file_for(user, base_url=request.build_absolute_uri("/"))
    return _calendar_response(body)


@signed_in("GET", "HEAD")
def agreement_calendar(request, pk):
    agreement = get_agreement_for_user(request.user, pk)
    body = calendar_file_for(
        request.user, base_url=request.build_absolute_uri("/"), agreement=agreement
    )
    return _calendar_response(body, filename=f"agreement-{agreement.public_id}.ics")


def _feed_page(request, *, url: str = "", status: int = 200):
    context = {"feed": calendar_feed_of(request.user), "url": url}
    return render(request, "reports/feed_detail.html", context, status=status)


@signed_in("GET", "HEAD")
def feed_detail(request):
    return _feed_page(request)


@signed_in("POST")
def feed_create(request):
    """A new secret URL, shown on this answer only (only its hash is kept)."""
    _feed, secret = calendar_feed_create(actor=request.user)
    url = request.build_absolute_uri(reverse("reports:feed-read", args=[secret]))
    return _feed_page(request, url=url)


@signed_in("POST")
def feed_revoke(request):
    if calendar_feed_revoke(actor=request.user) is None:
        return done(request, _("You had no calendar feed."), reverse("reports:feed-detail"))
    return done(
        request,
        _("Calendar feed revoked: its address no longer works."),
        reverse("reports:feed-detail"),
    )
