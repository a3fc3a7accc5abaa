"""The notices pages: the header count, the list, dismiss, mark all read, and opening a
notice, which marks it read and goes to the record only while its recipient sees it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from entente.agreements.models import Agreement
from entente.core.enums import Scope
from entente.notices.enums import Channel, NoticeKind
from entente.notices.models import Follow, Notice
from entente.testing import agreement_between

MISSING = "00000000-0000-4000-8000-000000000000"


def notice(user, record, key) -> Notice:
    return Notice.objects.create(
        recipient=user,
        kind=NoticeKind.AGREEMENT_EXPIRY,
        target_type=ContentType.objects.get_for_model(record),
        target_id=record.public_id,
        key=key,
    )


@pytest.fixture
def client_b(cast) -> Client:
    client = Client()
    client.force_login(cast.b_officer)
    return client


def test_header_counts_unread_and_list_shows_only_mine(cast, client_b):
    mine = notice(cast.b_officer, cast.agreement, "one")
    notice(cast.b_officer, cast.agreement, "two")
    notice(cast.a_officer, cast.agreement, "theirs")
    page = client_b.get(reverse("notices:notice-list")).content.decode()
    assert "Notices: 2 unread" in page
    assert page.count(reverse("notices:notice-dismiss", args=[mine.public_id])) == 1
    assert page.count("/open/") == 2


def test_dismiss_and_mark_all_read(cast, client_b):
    first = notice(cast.b_officer, cast.agreement, "one")
    second = notice(cast.b_officer, cast.agreement, "two")
    theirs = notice(cast.a_officer, cast.agreement, "theirs")
    client_b.post(reverse("notices:notice-dismiss", args=[first.public_id]))
    assert list(Notice.objects.filter(read_at__isnull=True).order_by("key")) == [theirs, second]
    assert (
        client_b.post(reverse("notices:notice-dismiss", args=[theirs.public_id])).status_code == 404
    )
    client_b.post(reverse("notices:notice-read-all"))
    assert list(Notice.objects.filter(read_at__isnull=True)) == [theirs]


def test_open_marks_read_and_goes_to_the_record(cast, client_b):
    seen = notice(cast.b_officer, cast.agreement, "one")
    response = client_b.get(reverse("notices:notice-open", args=[seen.public_id]))
    assert response.status_code == 302
    assert response["Location"] == cast.agreement.get_absolute_url()
    seen.refresh_from_db()
    assert seen.read_at is not None


def test_open_answers_404_once_the_record_is_hidden(cast, client_b):
    internal = agreement_between(cast.a, cast.b, title_en="Soon internal")
    stale = notice(cast.b_officer, internal, "stale")
    Agreement.objects.filter(pk=internal.pk).update(scope=Scope.INTERNAL)
    response = client_b.get(reverse("notices:notice-open", args=[stale.public_id]))
    assert response.status_code == 404
    stale.refresh_from_db()
    assert stale.read_at is None
    assert "Soon internal" not in client_b.get(reverse("notices:notice-list")).content.decode()


def test_opening_the_record_by_any_route_marks_its_notices_read(cast, client_b):
    about = notice(cast.b_officer, cast.agreement, "one")
    other = notice(cast.b_officer, agreement_between(cast.a, cast.b, title_en="Other"), "two")
    page = client_b.get(cast.agreement.get_absolute_url()).content.decode()
    # Read before the page is drawn: its header counts the one notice left.
    assert "Notices: 1 unread" in page
    assert list(Notice.objects.filter(read_at__isnull=True)) == [other]
    about.refresh_from_db()
    assert about.read_at is not None


def test_follow_and_unfollow_from_the_records_page(cast, client_b):
    url = cast.agreement.get_absolute_url()
    follow = reverse(
        "notices:record-follow", args=["agreements.agreement", cast.agreement.public_id]
    )
    unfollow = reverse(
        "notices:record-unfollow", args=["agreements.agreement", cast.agreement.public_id]
    )
    assert f'action="{follow}"' in client_b.get(url).content.decode()
    response = client_b.post(follow, {"next": url})
    assert (response.status_code, response["Location"]) == (302, url)
    assert list(Follow.objects.values_list("user__username", "target_id")) == [
        ("b_officer", cast.agreement.public_id)
    ]
    page = client_b.get(url).content.decode()
    assert f'action="{unfollow}"' in page and ">Unfollow<" in page
    client_b.post(unfollow)
    assert Follow.objects.count() == 0


def test_follow_refuses_what_the_user_may_not_see_or_may_not_follow(cast, client_b):
    hidden = agreement_between(cast.a, cast.c, title_en="Not theirs")
    for name, record in (("agreements.agreement", hidden), ("accounts.party", cast.b)):
        url = reverse("notices:record-follow", args=[name, getattr(record, "public_id", MISSING)])
        assert client_b.post(url).status_code == 404
    area_url = reverse("notices:record-follow", args=["agreements.cooperationarea", MISSING])
    assert client_b.post(area_url).status_code == 404
    assert Follow.objects.count() == 0


def test_notice_settings_list_every_kind_and_save_the_choice(cast, client_b):
    url = reverse("notices:notice-preferences")
    page = client_b.get(url).content.decode()
    for kind in NoticeKind:
        assert f'name="{kind.value}"' in page
        assert str(kind.label) in page
    choices = dict.fromkeys(NoticeKind.values, Channel.IMMEDIATE)
    choices |= {NoticeKind.COMMENT: Channel.DIGEST, NoticeKind.MEETING_SOON: Channel.NONE}
    assert client_b.post(url, choices).status_code == 302
    assert dict(cast.b_officer.notice_preferences.values_list("kind", "channel")) == choices
    wrong = client_b.post(url, choices | {NoticeKind.COMMENT: "pigeon"})
    assert wrong.status_code == 200
    assert "Select a valid choice" in wrong.content.decode()
    assert (
        reverse("notices:notice-preferences")
        in client_b.get(reverse("notices:notice-list")).content.decode()
    )
