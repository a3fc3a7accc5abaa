"""The base of the web UI: sign-in, layout, security headers, error pages, marking banner."""

import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import permission_denied

from entente.core.enums import Marking, Scope
from entente.core.pages import server_error
from entente.testing import PASSWORD, UserFactory

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


class _Page(HTMLParser):
    """Collects the forms (action, method, field names) and the text of #id elements."""

    VOID = {"input", "meta", "link", "br", "img", "hr", "source", "area", "col", "wbr"}

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.texts: dict[str, str] = {}
        self.scripts: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self._form: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs.get("src", ""))
        if tag == "form":
            self._form = {
                "action": attrs.get("action"),
                "method": attrs.get("method"),
                "fields": [],
            }
            self.forms.append(self._form)
        if tag in {"input", "select", "textarea"} and self._form is not None:
            self._form["fields"].append(attrs.get("name"))
        if tag not in self.VOID:
            self._open.append((tag, attrs.get("id")))
            if attrs.get("id"):
                self.texts[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.texts[element_id] += data

    def text(self, element_id: str) -> str:
        return " ".join(self.texts[element_id].split())


def _page(response) -> _Page:
    return _Page(response.content.decode())


def _assert_no_inline_code(html: str) -> None:
    assert INLINE_SCRIPT.findall(html) == []
    assert STYLE_ELEMENT.findall(html) == []
    assert STYLE_ATTRIBUTE.findall(html) == []
    assert EVENT_HANDLER.findall(html) == []


def test_login_page_renders_the_sign_in_form(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["registration/login.html", "base.html"]
    page = _page(response)
    assert page.forms == [
        {
            "action": "/i18n/setlang/",
            "method": "post",
            "fields": ["csrfmiddlewaretoken", "next", "language"],
        },
        {
            "action": "/accounts/login/",
            "method": "post",
            "fields": ["csrfmiddlewaretoken", "username", "password", "next"],
        },
    ]
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html
    assert 'id="session-user"' not in html  # nobody is signed in


def test_login_with_a_wrong_password_shows_the_error(client, cast):
    response = client.post(reverse("login"), {"username": "a_officer", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Please enter a correct username and password. Note that both fields may be case-sensitive."
    ]
    assert '<ul class="errorlist nonfield">' in response.content.decode()


def test_login_then_home_shows_party_and_role(client, cast):
    response = client.post(
        reverse("login"), {"username": "a_officer", "password": PASSWORD, "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"

    response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 200
    page = _page(response)
    assert page.text("session-user") == "a_officer Party: MA-DGSN Role: Contact-cell officer"
    assert [t.name for t in response.templates][:2] == ["reports/dashboard.html", "base.html"]


def test_home_shows_coordinator_of_the_other_party(client, cast):
    assert client.login(username="b_coordinator", password=PASSWORD)

    page = _page(client.get(reverse("reports:dashboard")))

    assert page.text("session-user") == "b_coordinator Party: NL-POL Role: Coordinator"


def test_home_for_superuser_without_membership(client, db):
    UserFactory(username="operator", is_superuser=True, is_staff=True)
    assert client.login(username="operator", password=PASSWORD)

    response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 200
    assert _page(response).text("session-user") == "operator Operator, no party"


def test_home_navigation_marks_the_current_page(client, cast):
    client.force_login(cast.a_reader)

    html = client.get(reverse("reports:dashboard")).content.decode()

    links = re.findall(r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>', html)
    assert links == [
        ("/", ' aria-current="page"', "Dashboard"),
        ("/agreements/", "", "Portfolio"),
        ("/commitments/", "", "Commitments"),
        ("/meetings/", "", "Meetings"),
        ("/trainings/", "", "Trainings"),
        ("/requests/", "", "Requests"),
        ("/calendar/", "", "Calendar"),
        ("/directory/", "", "Directory"),
    ]


def test_home_anonymous_is_redirected_to_login(client, db):
    response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_pages_send_a_strict_content_security_policy(client, cast):
    client.force_login(cast.a_officer)

    for url in [reverse("login"), reverse("reports:dashboard")]:
        header = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in header.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert "'unsafe-inline'" not in header
        assert "'unsafe-eval'" not in header


def test_pages_have_no_inline_scripts_styles_or_handlers(client, cast):
    anonymous = [client.get(reverse("login")), client.get("/no-such-page/")]
    client.force_login(cast.a_officer)
    signed_in = [client.get(reverse("reports:dashboard")), client.get("/no-such-page/")]

    for response in anonymous + signed_in:
        html = response.content.decode()
        _assert_no_inline_code(html)
        assert _page(response).scripts == ["/static/vendor/htmx.min.js", "/static/js/entente.js"]


def test_base_has_landmarks_skip_link_and_language_attributes(client, cast):
    client.force_login(cast.a_officer)

    html = client.get(reverse("reports:dashboard")).content.decode()

    assert '<html lang="en" dir="ltr">' in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main" class="site-main" tabindex="-1">' in html
    assert '<nav class="main-nav" aria-label="Main">' in html
    assert re.findall(r"<(header|footer) class=\"site-(?:header|footer)\">", html) == [
        "header",
        "footer",
    ]


def test_switching_to_arabic_renders_right_to_left(client, cast):
    client.force_login(cast.a_officer)

    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    html = client.get(reverse("reports:dashboard")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<option value="ar" lang="ar" selected>العربية</option>' in html


def test_sign_out_by_post(client, cast):
    client.force_login(cast.a_officer)

    assert client.get(reverse("logout")).status_code == 405  # Django 5 signs out by POST only
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("reports:dashboard"))["Location"] == "/accounts/login/?next=/"


def test_404_page_uses_the_layout(client, cast):
    client.force_login(cast.a_officer)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    assert _page(response).text("main") == (
        "404 Page not found This page does not exist, or you may not see it. Back to the dashboard"
    )


def test_403_page_shows_the_reason(db):
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()

    response = permission_denied(request, PermissionDenied("Your role does not allow changes."))

    assert response.status_code == 403
    html = response.content.decode()
    _assert_no_inline_code(html)
    assert _Page(html).text("main") == (
        "403 Not allowed Your role does not allow changes. Back to the dashboard"
    )


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")

    _assert_no_inline_code(html)
    assert '<html lang="en" dir="ltr">' in html
    assert _Page(html).text("main") == (
        "500 Something went wrong The server could not complete your request. Try again "
        "in a moment; if the problem persists, tell your administrator when it happened. "
        "Back to the dashboard"
    )


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (OperationalError("database is locked"), 503, "The database cannot be reached"),
        (InterfaceError("connection already closed"), 503, "The database cannot be reached"),
        (
            OperationalError("database or disk is full"),
            507,
            "disk is full, so changes cannot be saved",
        ),
    ],
)
def test_a_database_outage_answers_its_status_and_message_not_500(error, status, message):
    page, api = (RequestFactory().get(path) for path in ("/commitments/", "/api/v1/commitments"))
    for request in (page, api):
        try:
            raise error
        except type(error):
            response = server_error(request)
        assert response.status_code == status
        assert message in response.content.decode()
        assert response.get("Retry-After") == ("60" if status == 503 else None)
    assert response["Content-Type"] == "application/problem+json"


def test_any_other_error_answers_the_500_page():
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize(
    ("marking", "scope", "css_class", "text"),
    [
        (
            Marking.RED,
            Scope.INTERNAL,
            "marking-red",
            "Marking: TLP:RED Named recipients only; no further disclosure. "
            "Scope: Internal to MA-DGSN",
        ),
        (
            Marking.AMBER_STRICT,
            Scope.SHARED,
            "marking-amber-strict",
            "Marking: TLP:AMBER+STRICT Limited disclosure: the recipient's organisation only. "
            "Scope: Shared",
        ),
        (
            Marking.AMBER,
            Scope.SHARED,
            "marking-amber",
            "Marking: TLP:AMBER Limited disclosure: the recipient's organisation and its "
            "clients, on a need-to-know basis. Scope: Shared",
        ),
        (
            Marking.GREEN,
            Scope.INTERNAL,
            "marking-green",
            "Marking: TLP:GREEN Limited disclosure: the recipient's community. "
            "Scope: Internal to MA-DGSN",
        ),
        (
            Marking.CLEAR,
            Scope.SHARED,
            "marking-clear",
            "Marking: TLP:CLEAR Disclosure is not limited. Scope: Shared",
        ),
    ],
)
def test_marking_banner_states_marking_and_scope_in_text(cast, marking, scope, css_class, text):
    record = cast.agreement
    record.marking = marking
    record.scope = scope

    html = render_to_string("_marking_banner.html", {"record": record})

    _assert_no_inline_code(html)
    assert re.findall(r'class="marking-banner ([a-z-]+)"', html) == [css_class]
    wrapped = _Page(f'<div id="banner">{html}</div>')
    assert wrapped.text("banner") == text


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", ["Dashboard"]),
        ("/agreements/", ["Portfolio"]),
        ("/commitments/", ["Commitments"]),
        ("/requests/", ["Requests"]),
        ("/calendar/", ["Calendar"]),
        ("/directory/", ["Directory"]),
        ("/directory/MA-DGSN/", ["Directory"]),
        ("/accounts/tokens/", []),
    ],
)
def test_navigation_marks_the_section_of_the_page(client, cast, path, current):
    client.force_login(cast.a_officer)
    items = client.get(path).context["main_nav"]
    assert [str(item["label"]) for item in items if item["current"]] == current


def test_navigation_marks_trainings_on_the_new_training_page_of_an_agreement(client, cast):
    client.force_login(cast.a_officer)
    items = client.get(f"/agreements/{cast.agreement.public_id}/trainings/new/").context["main_nav"]
    assert [str(item["label"]) for item in items if item["current"]] == ["Trainings"]


def test_fieldset_tag_groups_the_named_fields_in_order_under_their_legend():
    class Form(forms.Form):
        starts_on = forms.DateField(label="Starts")
        place = forms.CharField(label="Place")

    html = Template('{% load fields %}{% fieldset form "When and where" "place starts_on" %}')
    assert html.render(Context({"form": Form()})) == (
        "<fieldset><legend>When and where</legend>"
        '<div class="field"><label for="id_place">Place:</label>\n\n\n\n'
        '<input type="text" name="place" required id="id_place"></div>'
        '<div class="field"><label for="id_starts_on">Starts:</label>\n\n\n\n'
        '<input type="text" name="starts_on" required id="id_starts_on"></div>'
        "</fieldset>"
    )
