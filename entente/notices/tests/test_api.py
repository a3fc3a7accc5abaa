"""The follow API: read, follow, unfollow a record through its own door."""

from entente.notices.models import Follow
from entente.testing import agreement_between
from entente.tests.api_helpers import API, UNKNOWN, api_client


def test_follow_read_and_unfollow_a_record(cast):
    api = api_client(cast.b_officer)
    url = f"{API}/follows/agreements.agreement/{cast.agreement.public_id}"
    assert api.get(url).json() == {"following": False}
    response = api.put(url)
    assert (response.status_code, response.json()) == (200, {"following": True})
    assert api.put(url).json() == {"following": True}  # following twice is following
    assert list(Follow.objects.values_list("user__username", "target_id")) == [
        ("b_officer", cast.agreement.public_id)
    ]
    assert api.get(url).json() == {"following": True}
    assert api.delete(url).status_code == 204
    assert api.get(url).json() == {"following": False}
    assert Follow.objects.count() == 0


def test_what_may_not_be_seen_or_followed_answers_404(cast):
    api = api_client(cast.b_officer)
    hidden = agreement_between(cast.a, cast.c, title_en="Not theirs")
    for path in (
        f"agreements.agreement/{hidden.public_id}",
        f"agreements.agreement/{UNKNOWN}",
        f"accounts.nothing/{UNKNOWN}",
    ):
        for method in (api.get, api.put, api.delete):
            assert method(f"{API}/follows/{path}").status_code == 404
    assert Follow.objects.count() == 0
