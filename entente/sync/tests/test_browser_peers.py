"""The agreement page's "Peer instances" in Chromium: English at 1440 px, Arabic at
390 px; the fingerprint reads left to right in both, and the phone does not scroll
sideways. Screenshots of the section land in test-output/."""

import pytest

from entente.sync.services import peer_add, peer_replace_key
from entente.sync.tests.conftest import new_key
from entente.tests.browser import signed_in_as


@pytest.mark.browser
def test_peers_section_in_english_and_arabic(live_server, page, test_output, cast):
    first = peer_add(
        actor=cast.a_coordinator,
        agreement=cast.agreement,
        party=cast.b,
        public_key=new_key(),
        address="https://entente.politie.example/",
    )
    peer = peer_replace_key(
        actor=cast.a_coordinator, peer=first, expected_version=1, public_key=new_key()
    )
    base = live_server.url
    for language, width in (("en", 1440), ("ar", 390)):
        signed_in_as(page, base, cast.a_coordinator, language=language)
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(base + cast.agreement.get_absolute_url())
        assert response.status == 200
        section = page.locator("#peers")
        fingerprints = section.locator("code.fingerprint")
        assert fingerprints.all_inner_texts() == [peer.fingerprint, first.fingerprint]
        direction = fingerprints.first.evaluate("e => getComputedStyle(e).direction")
        assert direction == "ltr"
        section.screenshot(path=test_output / f"peers-{language}-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
