"""What the bench measures: each page as the officer asks for it."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count

from entente.agreements.selectors import agreement_visible_to, commitment_visible_to
from entente.demo.bench.instance import Credentials
from entente.liaison.selectors import liaison_request_visible_to
from entente.meetings.selectors import meeting_visible_to
from entente.training.selectors import training_visible_to

# Beyond any list's last page: the paginator answers its last page.
LAST = "page=1000000"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    api: bool = False  # signed with the API token instead of the session


def pages(credentials: Credentials) -> list[Page]:
    """The pages of the issue's list, on records the officer sees (the agreement with
    the most commitments, the newest of each record)."""
    user = get_user_model().objects.get(username=credentials.username)
    agreement = (
        agreement_visible_to(user).annotate(size=Count("commitments")).order_by("-size", "pk")[0]
    )
    commitment = commitment_visible_to(user).latest("pk")
    request = liaison_request_visible_to(user).latest("pk")
    meeting = meeting_visible_to(user).latest("pk")
    training = training_visible_to(user).latest("pk")
    lists = {
        "commitments": "status=planned&sort=-due",
        "requests": "status=sent&sort=-sent",
        "meetings": "status=held&sort=starts",
        "trainings": "status=planned&sort=status",
        "agreements": "status=in_force&sort=title",
    }
    found = [
        Page("dashboard", "/"),
        Page("portfolio", "/agreements/"),
        Page("agreement page", f"/agreements/{agreement.public_id}/"),
        *[
            Page(
                f"{name} list, {edge} page",
                f"/{name}/?{query}" + ("" if edge == "first" else f"&{LAST}"),
            )
            for name, query in lists.items()
            for edge in ("first", "last")
        ],
        Page("commitment page", f"/commitments/{commitment.public_id}/"),
        Page("request page", f"/requests/{request.public_id}/"),
        Page("meeting page", f"/meetings/{meeting.public_id}/"),
        Page("training page", f"/trainings/{training.public_id}/"),
        Page("search", "/search/?q=cooperation"),
        Page("calendar", "/calendar/"),
        Page("calendar feed", f"/calendar/feed/{credentials.feed_secret}.ics"),
        *[Page(f"API {name}", f"/api/v1/{name}", api=True) for name in lists],
        Page("PDF report", f"/agreements/{agreement.public_id}/report.pdf"),
        Page("commitment export (CSV)", "/commitments/export/?format=csv&status=planned"),
    ]
    return found
