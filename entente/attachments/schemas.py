"""What the API shows of an attachment."""

from ninja import Field

from entente.apikit.schemas import PartyOwnedOut
from entente.core.schemas import PublicRef


class AttachmentOut(PartyOwnedOut):
    agreement: PublicRef
    record_type: str = Field(description="The record the file is on, e.g. agreements.commitment.")
    record_id: PublicRef = Field(alias="target")
    filename: str
    content_type: str
    size: int = Field(description="In bytes.")
    sha256: str
    uploaded_by: str = Field(description="Username.")

    @staticmethod
    def resolve_record_type(attachment) -> str:
        return f"{attachment.target_type.app_label}.{attachment.target_type.model}"

    @staticmethod
    def resolve_uploaded_by(attachment) -> str:
        return attachment.uploaded_by.get_username()
