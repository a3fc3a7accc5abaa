"""Comment services: who comments on what, edits and deletes, with the marking rules."""

import pytest

from entente.audit.models import AuditEvent
from entente.comments.models import Comment
from entente.comments.selectors import comment_visible_to, comments_of
from entente.comments.services import comment_add, comment_delete, comment_update
from entente.comments.tests.records import commitment, meeting, training
from entente.core.enums import Marking, Scope
from entente.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db


def seen_by(user, record) -> list[str]:
    return [comment.text for comment in comments_of(user, record)]


def test_both_parties_comment_on_a_shared_record(cast):
    record = commitment(cast)
    mine = comment_add(actor=cast.a_officer, record=record, text=" We are on it. ")
    theirs = comment_add(actor=cast.b_officer, record=record, text="Thanks.")
    assert (mine.owning_party, mine.scope, mine.marking, mine.text, mine.author) == (
        cast.a, Scope.SHARED, Marking.AMBER, "We are on it.", cast.a_officer,
    )  # fmt: skip
    assert (theirs.owning_party, theirs.agreement) == (cast.b, cast.agreement)
    for user in (cast.a_reader, cast.a_coordinator, cast.b_officer, cast.b_coordinator):
        assert seen_by(user, record) == ["We are on it.", "Thanks."]
    assert seen_by(cast.c_officer, record) == []
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.target_type, event.actor) == (
        "create", "comments.comment", cast.b_officer,
    )  # fmt: skip


@pytest.mark.parametrize("make", [commitment, meeting, training])
def test_every_commentable_kind_takes_comments(cast, make):
    record = make(cast)
    comment_add(actor=cast.b_coordinator, record=record, text="Noted.")
    assert seen_by(cast.a_officer, record) == ["Noted."]


def test_an_agreement_takes_no_comments(cast):
    with pytest.raises(NotFound):
        comment_add(actor=cast.a_officer, record=cast.agreement, text="Hello")


def test_read_only_roles_may_not_comment(cast):
    with pytest.raises(PermissionDenied, match="Your role does not allow changes."):
        comment_add(actor=cast.a_reader, record=commitment(cast), text="Hello")
    assert Comment.objects.count() == 0


def test_a_hidden_record_is_not_found(cast):
    internal = commitment(cast, scope=Scope.INTERNAL)
    for outsider in (cast.b_officer, cast.c_officer):
        with pytest.raises(NotFound):
            comment_add(actor=outsider, record=internal, text="Hello")
    assert Comment.objects.count() == 0


def test_an_internal_comment_stays_with_its_party(cast):
    record = commitment(cast)
    comment_add(actor=cast.b_officer, record=record, text="Between us.", scope=Scope.INTERNAL)
    comment_add(actor=cast.a_officer, record=record, text="Shared.")
    assert seen_by(cast.b_coordinator, record) == ["Between us.", "Shared."]
    assert seen_by(cast.a_coordinator, record) == ["Shared."]
    assert list(comment_visible_to(cast.a_officer).values_list("text", flat=True)) == ["Shared."]


def test_a_comment_is_never_marked_less_strictly_than_its_record(cast):
    record = commitment(cast)  # TLP:AMBER
    with pytest.raises(ValidationError) as error:
        comment_add(actor=cast.a_officer, record=record, text="Hi", marking=Marking.GREEN)
    assert error.value.message_dict == {
        "marking": ["A comment cannot be marked less strictly than its record (TLP:AMBER)."]
    }
    assert Comment.objects.count() == 0


def test_a_stricter_marking_follows_the_marking_rules(cast):
    record = commitment(cast)
    with pytest.raises(ValidationError) as error:
        comment_add(actor=cast.a_officer, record=record, text="Hi", marking=Marking.AMBER_STRICT)
    assert error.value.message_dict == {
        "marking": ["Only a coordinator of the owning party may mark a record TLP:AMBER+STRICT."]
    }
    strict = comment_add(
        actor=cast.a_coordinator, record=record, text="Hi", marking=Marking.AMBER_STRICT
    )
    assert strict.marking == Marking.AMBER_STRICT
    red = comment_add(
        actor=cast.b_coordinator,
        record=record,
        text="For one reader.",
        marking=Marking.RED,
        red_recipients=[cast.b_officer],
    )
    assert set(red.red_recipients.all()) == {cast.b_officer, cast.b_coordinator}
    assert seen_by(cast.b_officer, record) == ["Hi", "For one reader."]
    assert seen_by(cast.a_coordinator, record) == ["Hi"]


def test_under_a_red_record_a_comment_has_its_recipients(cast):
    record = commitment(
        cast,
        actor=cast.a_coordinator,
        marking=Marking.RED,
        red_recipients=[cast.a_officer, cast.b_officer],
    )
    comment = comment_add(actor=cast.b_officer, record=record, text="Seen.")
    assert comment.marking == Marking.RED
    # The record's recipients, its marking coordinator among them: no one else.
    recipients = {cast.a_coordinator, cast.a_officer, cast.b_officer}
    assert set(comment.red_recipients.all()) == recipients
    assert seen_by(cast.a_officer, record) == ["Seen."]
    assert seen_by(cast.a_coordinator, record) == ["Seen."]
    assert comment_visible_to(cast.b_coordinator).count() == 0
    assert comment_visible_to(cast.a_reader).count() == 0
    with pytest.raises(ValidationError) as error:
        comment_add(
            actor=cast.b_officer, record=record, text="x", red_recipients=[cast.a_coordinator]
        )
    assert error.value.message_dict == {
        "red_recipients": ["A comment on a TLP:RED record has the record's recipients."]
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("  \n", "Write a comment."),
        ("a\x00b", "Null characters are not allowed."),
        ("x" * 10_001, "A comment has at most 10000 characters."),
    ],
)
def test_a_text_that_is_no_comment_is_refused(cast, text, message):
    record = commitment(cast)
    with pytest.raises(ValidationError) as error:
        comment_add(actor=cast.a_officer, record=record, text=text)
    assert error.value.message_dict == {"text": [message]}
    assert Comment.objects.count() == 0


def test_the_author_edits_their_comment(cast):
    comment = comment_add(actor=cast.a_officer, record=commitment(cast), text="First")
    edited = comment_update(
        actor=cast.a_officer, comment=comment, expected_version=1, text="Second"
    )
    assert (edited.text, edited.version) == ("Second", 2)
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.before["text"], event.after["text"]) == (
        "update", "First", "Second",
    )  # fmt: skip
    with pytest.raises(ConflictError):
        comment_update(actor=cast.a_officer, comment=edited, expected_version=1, text="Third")


def test_only_the_author_edits_or_deletes(cast):
    comment = comment_add(actor=cast.a_officer, record=commitment(cast), text="Mine")
    with pytest.raises(PermissionDenied, match="Only the author of a comment may change it."):
        comment_update(actor=cast.a_coordinator, comment=comment, expected_version=1, text="x")
    with pytest.raises(PermissionDenied, match="Only the party that owns this record"):
        comment_delete(actor=cast.b_officer, comment=comment)
    with pytest.raises(NotFound):
        comment_delete(actor=cast.c_officer, comment=comment)
    assert Comment.objects.get().text == "Mine"


def test_the_author_deletes_their_comment(cast):
    record = commitment(cast)
    comment = comment_add(actor=cast.a_officer, record=record, text="Oops")
    comment_delete(actor=cast.a_officer, comment=comment)
    assert Comment.objects.count() == 0
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.before["text"], event.after) == ("delete", "Oops", None)
