"""A user's language and time zone: chosen in their profile, else the browser's language
and the party's zone; the header's language switch keeps a signed-in user's choice."""

import pytest
from django.http import HttpResponse
from django.utils import timezone, translation

from entente.accounts.middleware import PreferencesMiddleware
from entente.accounts.models import Profile
from entente.accounts.preferences import profile_update
from entente.audit.models import AuditEvent
from entente.core.errors import ValidationError


def _seen_by(rf, user, **headers) -> tuple[str, str]:
    seen = []

    def view(request):
        seen.append((timezone.get_current_timezone_name(), translation.get_language()))
        return HttpResponse()

    request = rf.get("/", **headers)
    request.user = user
    with translation.override("en"):
        PreferencesMiddleware(view)(request)
    return seen[0]


def test_times_are_shown_in_the_party_time_zone_by_default(cast, rf):
    assert _seen_by(rf, cast.a_officer) == ("Africa/Casablanca", "en")
    assert _seen_by(rf, cast.b_officer) == ("Europe/Amsterdam", "en")
    assert timezone.get_current_timezone_name() == "UTC"


def test_the_users_own_zone_and_language_win(cast, rf):
    profile_update(actor=cast.a_officer, language="fr", time_zone="Europe/Paris")
    assert _seen_by(rf, cast.a_officer) == ("Europe/Paris", "fr")
    assert _seen_by(rf, cast.a_coordinator) == ("Africa/Casablanca", "en")


def test_profile_update_is_audited_and_refuses_what_it_does_not_keep(cast):
    profile_update(actor=cast.a_officer, language="ar")
    event = AuditEvent.objects.get(action="preferences")
    assert (event.actor, event.before, event.after) == (
        cast.a_officer,
        {"language": ""},
        {"language": "ar"},
    )
    with pytest.raises(ValidationError) as refused:
        profile_update(actor=cast.a_officer, time_zone="Mars/Olympus", language="xx")
    assert set(refused.value.message_dict) == {"time_zone", "language"}
    with pytest.raises(ValidationError) as refused:
        profile_update(actor=cast.a_officer, is_staff=True)
    assert list(refused.value.message_dict) == ["is_staff"]
    assert Profile.objects.get(user=cast.a_officer).language == "ar"


def test_preferences_page_saves_language_and_zone(cast, client):
    client.force_login(cast.b_officer)
    page = client.get("/accounts/preferences/")
    assert page.status_code == 200
    assert "Your party&#x27;s (Europe/Amsterdam)" in page.content.decode()
    response = client.post(
        "/accounts/preferences/", {"language": "nl", "time_zone": "Africa/Casablanca"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "nl"
    profile = Profile.objects.get(user=cast.b_officer)
    assert (profile.language, profile.time_zone) == ("nl", "Africa/Casablanca")
    assert client.get("/accounts/preferences/").headers["Content-Language"] == "nl"


def test_preferences_page_names_the_refused_field_and_saves_nothing(cast, client):
    client.force_login(cast.b_officer)
    page = client.post("/accounts/preferences/", {"language": "nl", "time_zone": "Nowhere/Zone"})
    assert page.status_code == 200
    assert page.context["form"].errors.keys() == {"time_zone"}
    assert not Profile.objects.filter(user=cast.b_officer).exists()


def test_preferences_need_signing_in(client):
    response = client.get("/accounts/preferences/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")


def test_language_switch_keeps_a_signed_in_users_choice(cast, client):
    client.force_login(cast.a_officer)
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/commitments/"})
    assert (response.status_code, response.headers["Location"]) == (302, "/commitments/")
    assert Profile.objects.get(user=cast.a_officer).language == "ar"
    assert client.get("/commitments/").headers["Content-Language"] == "ar"


def test_language_switch_for_visitors_only_sets_the_cookie(client, db):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert response.cookies["django_language"].value == "fr"
    assert Profile.objects.count() == 0


def test_unsupported_browser_language_falls_back_to_the_default(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert page.headers["Content-Language"] == "en"
