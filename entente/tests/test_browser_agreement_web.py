"""The pages that keep an agreement on the web, in Chromium: in English and Arabic, at
1440 and 390 px, with no sideways scrolling on the phone. Screenshots land in
test-output/ to be looked at."""

import datetime as dt

import pytest
from django.urls import reverse

from entente.agreements.services.agreements import (
    agreement_event_record,
    area_create,
    clause_create,
    signatory_add,
)
from entente.agreements.services.commitments import commitment_create
from entente.core.enums import Scope
from entente.core.models import Handling
from entente.tests.browser import signed_in_as

WIDTHS = (1440, 390)


@pytest.mark.browser
def test_agreement_pages_in_english_and_arabic_on_a_desktop_and_a_phone(
    live_server, page, test_output, cast
):
    ac = cast.a_coordinator
    agreement = cast.agreement
    clause = clause_create(
        actor=ac,
        agreement=agreement,
        number="3",
        heading={"en": "Exchange of information", "ar": "تبادل المعلومات"},
        text={"en": "The parties exchange operational information through their contact cells."},
        handling=Handling(scope=Scope.SHARED),
    )
    area = area_create(
        actor=ac,
        agreement=agreement,
        code="cybercrime",
        name={"en": "Cybercrime", "ar": "الجرائم الإلكترونية"},
    )
    commitment_create(
        actor=ac, agreement=agreement, title={"en": "Designate a cyber contact point"}, responsible_party=cast.a, clauses=[clause], area=area, handling=Handling(scope=Scope.SHARED))  # fmt: skip
    signatory = signatory_add(
        actor=ac, agreement=agreement, party=cast.a, name="A. Director", function="Director General"
    )
    event = agreement_event_record(
        actor=ac, agreement=agreement, kind="signed", date=dt.date(2022, 5, 10),
        source="Joint press release", certainty="reported",
    )  # fmt: skip
    pages = {
        "agreement": agreement.get_absolute_url(),
        "agreement-create": reverse("agreements:agreement-create"),
        "agreement-edit": reverse("agreements:agreement-edit", args=[agreement.public_id]),
        "event-create": reverse("agreements:event-create", args=[agreement.public_id]),
        "event-edit": reverse("agreements:event-edit", args=[event.public_id]),
        "clause-create": reverse("agreements:clause-create", args=[agreement.public_id]),
        "clause-edit": reverse("agreements:clause-edit", args=[clause.public_id]),
        "area-create": reverse("agreements:area-create", args=[agreement.public_id]),
        "area-edit": reverse("agreements:area-edit", args=[area.public_id]),
        "signatory-add": reverse("agreements:signatory-add", args=[agreement.public_id]),
        "signatory-edit": reverse("agreements:signatory-edit", args=[signatory.public_id]),
    }
    base = live_server.url
    too_wide = []
    for language in ("en", "ar"):
        signed_in_as(page, base, ac, language=language)
        for name, path in pages.items():
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(base + path)
                assert response.status == 200, (name, language)
                assert page.locator("html").get_attribute("lang") == language
                shot = test_output / f"agreement-web-{name}-{language}-{width}.png"
                page.screenshot(path=shot, full_page=True)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    too_wide.append(f"{name} {language} {width}: {scroll}")
    assert too_wide == []
