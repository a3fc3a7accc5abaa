"""What the API takes and shows of a comment."""

from ninja import Field

from entente.apikit.schemas import PartyOwnedOut
from entente.comments.services import MAX_LENGTH
from entente.core.enums import Marking, Scope
from entente.core.schemas import In, NoNul, PublicRef, RedRecipients, id_in_path, maybe

CommentId = id_in_path("The comment's id.")

TEXT = Field(min_length=1, max_length=MAX_LENGTH, description="The comment, as plain text.")


class CommentIn(In):
    text: NoNul = TEXT
    scope: Scope | None = maybe("Internal to your party, or shared; by default as its record.")
    marking: Marking | None = maybe("By default the record's marking; never less strict than it.")
    red_recipients: RedRecipients = Field(
        default=[],
        max_length=100,
        description="Usernames who may see a comment marked TLP:RED under a record that "
        "is not; under a TLP:RED record the comment has the record's recipients.",
    )


class CommentPatchIn(In):
    text: NoNul = TEXT


class CommentOut(PartyOwnedOut):
    agreement: PublicRef
    record_type: str = Field(description="The record commented on, e.g. meetings.meeting.")
    record_id: PublicRef = Field(alias="target")
    author: str = Field(description="Username.")
    text: str

    @staticmethod
    def resolve_record_type(comment) -> str:
        return f"{comment.target_type.app_label}.{comment.target_type.model}"

    @staticmethod
    def resolve_author(comment) -> str:
        return comment.author.get_username()
