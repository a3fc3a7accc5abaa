"""The notices pages: the header count, the list, dismiss, mark all read, and opening a
notice, which marks it read and goes to the record only while its recipient sees it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from entente.agreements.models import Agreement
from entente.core.enums import Scope
from entente.notices.enums import NoticeKind
from entente.notices.models import Notice
from entente.testing import agreement_between


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
