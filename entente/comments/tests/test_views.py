"""The comment thread on record pages: shown, added to, edited and deleted."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entente.comments.models import Comment
from entente.comments.services import comment_add
from entente.comments.tests.records import commitment, meeting, training
from entente.core.enums import Scope

pytestmark = pytest.mark.django_db

NOON_UTC = dt.datetime(2031, 1, 15, 12, 0, tzinfo=dt.UTC)  # 13:00 Casablanca and Amsterdam
SUMMER_UTC = dt.datetime(2031, 7, 15, 12, 0, tzinfo=dt.UTC)  # 13:00 Casablanca, 14:00 Amsterdam
MINE = "Edit : your comment Delete : your comment"


def entries(html: str) -> list[str]:
    found = re.findall(r'<li id="comment-[0-9a-f-]{36}"[^>]*>(.*?)</li>', html, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", e).split()) for e in found]


def add_url(record) -> str:
    return reverse("comments:comment-add", args=[record._meta.label_lower, record.public_id])


def posted(record, actor, text, when=SUMMER_UTC, **fields) -> Comment:
    comment = comment_add(actor=actor, record=record, text=text, **fields)
    Comment.objects.filter(pk=comment.pk).update(created_at=when)
    return comment


def test_the_thread_shows_each_reader_what_they_may_see_in_their_time_zone(client, cast):
    """Oldest first (newest last), times in the reader's party's zone."""
    record = commitment(cast)
    posted(record, cast.a_officer, "We sent the list.")
    posted(record, cast.b_officer, "Received, checking.", when=NOON_UTC + dt.timedelta(days=200))
    posted(record, cast.b_officer, "Slow, as usual.", scope=Scope.INTERNAL)
    client.force_login(cast.a_officer)
    html = client.get(record.get_absolute_url()).content.decode()
    assert entries(html) == [
        f"a_officer MA-DGSN 15 Jul 2031, 13:00 Casablanca / 14:00 Amsterdam Marking: TLP:AMBER History We sent the list. {MINE}",
        "b_officer NL-POL 3 Aug 2031, 13:00 Casablanca / 14:00 Amsterdam Marking: TLP:AMBER History Received, checking.",
    ]
    assert 'id="comment-form-title"' in html
    client.force_login(cast.b_coordinator)
    html = client.get(record.get_absolute_url()).content.decode()
    assert entries(html) == [
        "a_officer MA-DGSN 15 Jul 2031, 14:00 Amsterdam / 13:00 Casablanca Marking: TLP:AMBER History We sent the list.",
        "b_officer NL-POL 15 Jul 2031, 14:00 Amsterdam / 13:00 Casablanca Internal Marking: TLP:AMBER History Slow, as usual.",
        "b_officer NL-POL 3 Aug 2031, 14:00 Amsterdam / 13:00 Casablanca Marking: TLP:AMBER History Received, checking.",
    ]


@pytest.mark.parametrize("make", [meeting, training])
def test_meeting_and_training_pages_have_the_thread(client, cast, make):
    record = make(cast)
    posted(record, cast.b_officer, "See you there.")
    client.force_login(cast.a_reader)
    html = client.get(record.get_absolute_url()).content.decode()
    assert entries(html) == [
        "b_officer NL-POL 15 Jul 2031, 13:00 Casablanca / 14:00 Amsterdam Marking: TLP:AMBER History See you there."
    ]
    assert 'id="comment-form-title"' not in html  # a reader does not comment


def test_the_page_query_count_does_not_grow_with_the_thread(client, cast):
    record = commitment(cast)
    client.force_login(cast.a_officer)
    posted(record, cast.b_officer, "One")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(record.get_absolute_url()).status_code == 200
        return len(captured)

    one = queries()
    for n in range(3):
        posted(record, cast.a_officer if n % 2 else cast.b_officer, f"More {n}")
    assert queries() == one


def test_a_writer_comments_from_the_page(client, cast):
    record = training(cast)
    client.force_login(cast.b_officer)
    data = {
        "comment-text": "Two seats for us?",
        "comment-scope": "internal",
        "comment-marking": "TLP:AMBER",
    }
    response = client.post(add_url(record), data)
    assert response.status_code == 302
    assert response["Location"] == record.get_absolute_url() + "#comments"
    made = Comment.objects.get()
    assert (made.text, made.scope, made.owning_party, made.author) == (
        "Two seats for us?", "internal", cast.b, cast.b_officer,
    )  # fmt: skip


def test_a_refused_comment_says_why_and_writes_nothing(client, cast):
    record = commitment(cast)
    client.force_login(cast.a_officer)
    data = {"comment-text": "  ", "comment-scope": "shared", "comment-marking": "TLP:AMBER"}
    response = client.post(add_url(record), data, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Write a comment."]
    looser = data | {"comment-text": "Hi", "comment-marking": "TLP:GREEN"}
    response = client.post(add_url(record), looser, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Select a valid choice. TLP:GREEN is not one of the available choices."
    ]
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"), [("a_reader", 403), ("b_officer", 404), ("c_officer", 404)]
)
def test_who_may_not_comment_from_the_page(client, cast, who, status):
    record = commitment(cast, scope=Scope.INTERNAL)
    client.force_login(getattr(cast, who))
    data = {"comment-text": "Hello", "comment-scope": "shared", "comment-marking": "TLP:AMBER"}
    assert client.post(add_url(record), data).status_code == status
    assert Comment.objects.count() == 0


def test_the_author_edits_their_comment(client, cast):
    record = commitment(cast)
    comment = posted(record, cast.a_officer, "Frist")
    url = reverse("comments:comment-edit", args=[comment.public_id])
    client.force_login(cast.a_officer)
    assert "Frist" in client.get(url).content.decode()
    response = client.post(url, {"text": "First", "version": "1"})
    assert response["Location"] == f"{record.get_absolute_url()}#comment-{comment.public_id}"
    comment.refresh_from_db()
    assert (comment.text, comment.version) == ("First", 2)
    stale = client.post(url, {"text": "Overwrite", "version": "1"})
    assert stale.status_code == 409
    assert "The comment changed meanwhile" in stale.content.decode()
    comment.refresh_from_db()
    assert comment.text == "First"


@pytest.mark.parametrize(
    ("who", "status"),
    [("a_coordinator", 403), ("a_reader", 403), ("b_officer", 403), ("c_officer", 404)],
)
def test_only_the_author_edits_or_deletes_from_the_page(client, cast, who, status):
    comment = posted(commitment(cast), cast.a_officer, "Mine")
    client.force_login(getattr(cast, who))
    edit = reverse("comments:comment-edit", args=[comment.public_id])
    assert client.get(edit).status_code == status
    assert client.post(edit, {"text": "x", "version": "1"}).status_code == status
    delete = reverse("comments:comment-delete", args=[comment.public_id])
    assert client.post(delete).status_code == status
    assert Comment.objects.get().text == "Mine"


def test_the_author_deletes_their_comment(client, cast):
    record = meeting(cast)
    comment = posted(record, cast.b_officer, "Wrong thread")
    client.force_login(cast.b_officer)
    response = client.post(reverse("comments:comment-delete", args=[comment.public_id]))
    assert response["Location"] == record.get_absolute_url() + "#comments"
    assert Comment.objects.count() == 0
