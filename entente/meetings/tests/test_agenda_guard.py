"""Once a meeting is held or cancelled its agenda is closed: nothing is added or carried."""

import pytest

from entente.core.errors import ValidationError
from entente.meetings.services.agenda import agenda_carry_over, agenda_item_add
from entente.meetings.services.decisions import decision_record
from entente.meetings.services.meetings import meeting_change_status
from entente.meetings.tests.test_api import post
from entente.meetings.tests.test_services import counts, future_meeting, new_meeting
from entente.tests.api_helpers import api_client

CLOSED = {"meeting": ["The agenda can be changed only while the meeting is planned."]}


@pytest.mark.parametrize("status", ["held", "cancelled"])
def test_no_item_is_added_or_carried_over_once_held_or_cancelled(cast, status):
    earlier = new_meeting(cast)
    decision = decision_record(actor=cast.a_officer, meeting=earlier, text="Open")
    meeting = earlier if status == "held" else future_meeting(cast)
    meeting = meeting_change_status(
        actor=cast.a_officer, meeting=meeting, status=status, expected_version=1
    )
    before = counts()
    for who in (cast.a_officer, cast.b_officer):
        with pytest.raises(ValidationError) as exc:
            agenda_item_add(actor=who, meeting=meeting, title="Late point")
        assert exc.value.message_dict == CLOSED
    if status == "cancelled":
        with pytest.raises(ValidationError) as exc:
            agenda_carry_over(actor=cast.a_officer, meeting=meeting, decisions=[decision])
        assert exc.value.message_dict == CLOSED
    assert counts() == before


def test_api_answers_422_naming_the_meeting(cast):
    meeting = meeting_change_status(
        actor=cast.a_officer, meeting=new_meeting(cast), status="held", expected_version=1
    )
    client = api_client(cast.b_officer)
    before = counts()
    response = post(client, f"/api/v1/meetings/{meeting.public_id}/agenda-items", {"title": "X"})
    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"field": "meeting", "message": CLOSED["meeting"][0]}],
    )
    assert counts() == before
