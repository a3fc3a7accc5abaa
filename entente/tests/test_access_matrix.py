"""The generated access matrix: every page and every API operation, for every role of
both parties and an outsider, against records of every kind, scope and marking
(access_world.py), in the spirit of NetBox's generated permission tests.

The routes come from the URL resolver and the OpenAPI document, so a new route without a
case below fails `test_every_page_has_a_case` / `test_every_api_operation_has_a_case`.
For every route and user:

- nothing shown (page, list, count, trail, API answer) contains the token of a record
  the user may not see;
- a record the user may not see answers exactly as a record that does not exist
  (404 on pages; the same status and body in the API), for reads and writes alike;
- a refused write leaves no audit event behind;
- a record the user may see is never answered with 404 (no lock-out), nor with 5xx.
"""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from entente.accounts.services import token_create
from entente.audit.models import AuditEvent
from entente.core.registry import record_types
from entente.notices.enums import NoticeKind
from entente.notices.models import Notice
from entente.reports.services import calendar_feed_create
from entente.tests.access_world import OUTSIDERS, USERS, Entry, World, build, token
from entente.tests.api_helpers import API, api_client

pytestmark = pytest.mark.django_db

GET, POST = ("GET",), ("POST",)
MISSING_ID = "00000000-0000-4000-8000-000000000000"  # no record has it
MISSING_KEY = 987654321  # nor has any token this key (tokens keep integer ids)


@dataclass(frozen=True)
class Case:
    """How to reach a route: the kind of record its id names (None: no record), and
    which methods to try. `public` routes are answered before any record is read."""

    kind: str | None
    methods: tuple[str, ...] = GET
    data: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()  # sent with GET


# Every named page. Kinds: a kind of Entry, "record" for any registered record type.
PAGES = {
    "login": Case(None),
    "logout": Case(None, ()),  # signs the user out: nothing to see
    "mfa-setup": Case(None),
    "mfa-verify": Case(None),
    "mfa-recovery-codes": Case(None),
    "preferences": Case(None),
    "token-list": Case(None),
    "token-revoke": Case("token", POST),
    "lockout-list": Case(None),
    # Names a member by their user id, not a record: tests/test_security_lockout.py.
    "lockout-unlock": Case(None, ()),
    "password_change": Case(None),
    "password_change_done": Case(None),
    "password_reset": Case(None),
    "password_reset_done": Case(None),
    # Named by a link's user and token, no record: accounts/tests/test_passwords.py.
    "password_reset_confirm": Case(None, ()),
    "password_reset_complete": Case(None),
    "set_language": Case(None, ()),
    "attachments:upload": Case("record", POST),
    "attachments:download": Case("attachment"),
    "comments:comment-add": Case("record", POST),
    "comments:comment-edit": Case("comment", GET + POST),
    "comments:comment-delete": Case("comment", POST),
    "agreements:agreement-create": Case(None),
    "agreements:agreement-edit": Case("agreement", GET + POST),
    "agreements:event-create": Case("agreement", GET + POST),
    "agreements:event-edit": Case("event", GET + POST),
    "agreements:clause-create": Case("agreement", GET + POST),
    "agreements:clause-edit": Case("clause", GET + POST),
    "agreements:area-create": Case("agreement", GET + POST),
    "agreements:area-edit": Case("area", GET + POST),
    "agreements:signatory-add": Case("agreement", GET + POST),
    "agreements:signatory-edit": Case("signatory", GET + POST),
    "agreements:signatory-remove": Case("signatory", POST),
    "agreements:commitment-create": Case("agreement", GET + POST),
    "agreements:commitment-list": Case(None),
    "agreements:commitment-bulk-status": Case("commitment", POST, (("status", "done"),)),
    "agreements:commitment-detail": Case("commitment"),
    "agreements:commitment-edit": Case("commitment", GET + POST),
    "agreements:commitment-status": Case("commitment", GET + POST),
    "agreements:report-create": Case("commitment", POST),
    "agreements:report-accept": Case("report", POST),
    "agreements:report-answer": Case("report", POST),
    "meetings:meeting-list": Case(None),
    "meetings:meeting-create": Case("agreement", GET + POST),
    "meetings:meeting-detail": Case("meeting"),
    "meetings:meeting-edit": Case("meeting", GET + POST),
    "meetings:meeting-status": Case("meeting", POST),
    "meetings:meeting-agenda": Case("meeting"),
    "meetings:agenda-add": Case("meeting", POST),
    "meetings:agenda-carry-over": Case("meeting", POST),
    "meetings:agenda-item-edit": Case("agendaitem", GET + POST),
    "meetings:agenda-item-move": Case("agendaitem", POST),
    "meetings:agenda-item-remove": Case("agendaitem", POST),
    "meetings:attendance-set": Case("meeting", POST),
    "meetings:guest-add": Case("meeting", POST),
    "meetings:guest-status": Case("guest", POST),
    "meetings:guest-remove": Case("guest", POST),
    "meetings:minutes-edit": Case("meeting", POST),
    "meetings:decision-create": Case("meeting", POST),
    "meetings:decision-status": Case("decision", POST),
    "meetings:decision-commitments": Case("decision", GET + POST),
    "training:training-list": Case(None),
    "training:training-create": Case("agreement", GET + POST),
    "training:training-detail": Case("training"),
    "training:training-edit": Case("training", GET + POST),
    "training:training-status": Case("training", POST),
    "training:training-participation": Case("training", POST),
    "training:training-evaluation": Case("training", POST),
    "liaison:request-list": Case(None),
    "liaison:request-create": Case("agreement", GET + POST),
    "liaison:request-detail": Case("request"),
    "liaison:request-acknowledge": Case("request", POST),
    "liaison:request-clarify": Case("request", POST),
    "liaison:request-clarification-provide": Case("request", POST),
    "liaison:request-answer": Case("request", POST),
    "liaison:request-refuse": Case("request", POST),
    "liaison:request-close": Case("request", POST),
    "liaison:message-post": Case("request", POST),
    "reports:dashboard": Case(None),
    "reports:calendar": Case(None),
    "reports:agreement-list": Case(None),
    "reports:agreement-detail": Case("agreement"),
    "reports:agreement-calendar": Case("agreement"),
    "reports:feed-detail": Case(None),
    # The signed-in user's own feed, no record: reports/tests/test_calendar_feeds.py.
    "reports:feed-create": Case(None, POST),
    "reports:feed-revoke": Case(None, POST),
    # Named by a secret, read without a session: test_pages reads each user's own feed.
    "reports:feed-read": Case(None, ()),
    "reports:agreement-scorecard": Case("agreement"),
    "reports:agreement-report": Case("agreement"),
    "reports:agreement-report-pdf": Case("agreement"),
    "reports:meeting-pdf": Case("meeting"),
    "exports:commitment-export": Case(None, query=(("format", "csv"),)),
    "exports:meeting-export": Case(None, query=(("format", "csv"),)),
    "exports:training-export": Case(None, query=(("format", "csv"),)),
    "exports:request-export": Case(None, query=(("format", "csv"), ("tab", "all"))),
    "exports:portfolio-export": Case(None, query=(("format", "csv"),)),
    "exports:contact-export": Case(None, query=(("format", "csv"),)),
    "exports:agreement-export": Case("agreement"),
    "imports:import-upload": Case("agreement", GET + POST),
    # Named by a random key that only its uploader's user opens, no record:
    # imports/tests/test_views.py.
    "imports:import-map": Case(None, ()),
    "imports:import-check": Case(None, ()),
    "records:record-trail": Case("record"),
    "records:record-publish": Case("record", POST),
    # The start of every token: the search finds every record of the world.
    "records:record-search": Case(None, query=(("q", "tk"),)),
    # The directory: named by a party code (DIRECTORY_PARTY below); the pages that
    # change it answer 404 to every other party, visible contacts included, and are
    # covered by accounts/tests/test_views_directory.py.
    "directory:party-list": Case(None),
    "directory:party-detail": Case(None),
    "directory:unit-create": Case(None),
    "directory:unit-edit": Case(None, ()),
    "directory:contact-create": Case(None),
    "directory:contact-edit": Case(None, ()),
    "directory:contact-remove": Case(None, ()),
    "directory:member-list": Case(None),
    "directory:member-role": Case(None, ()),
    "directory:member-deactivate": Case(None, ()),
    "notices:notice-list": Case(None),
    "notices:notice-read-all": Case(None, POST),
    "notices:notice-dismiss": Case("notice", POST),
    "notices:notice-open": Case("notice"),
    "notices:notice-preferences": Case(None),
    "notices:record-follow": Case("record", POST),
    "notices:record-unfollow": Case("record", POST),
    "sync:peer-add": Case("agreement", GET + POST),
    "sync:peer-retire": Case("peer", POST),
}

# The party whose directory pages the matrix opens: party A, whose internal contact
# must never show to B or the outsider.
DIRECTORY_PARTY = "MA-DGSN"

# Every API operation, as "METHOD /path" under /api/v1: the kind of record its first path
# parameter names (None: the operation names no record).
API_OPERATIONS = {
    "GET /me": None,
    "GET /tokens": None,
    "POST /tokens": None,
    "DELETE /tokens/{token_id}": "token",
    "GET /parties": None,
    "GET /units": None,
    "GET /parties/{party_code}/contacts": None,
    "GET /agreements": None,
    "POST /agreements": None,
    "GET /agreements/{agreement_id}": "agreement",
    "PATCH /agreements/{agreement_id}": "agreement",
    "POST /agreements/{agreement_id}/status": "agreement",
    "POST /agreements/{agreement_id}/publish": "agreement",
    "POST /agreements/{agreement_id}/marking": "agreement",
    "GET /agreements/{agreement_id}/events": "agreement",
    "POST /agreements/{agreement_id}/events": "agreement",
    "GET /agreements/{agreement_id}/clauses": "agreement",
    "POST /agreements/{agreement_id}/clauses": "agreement",
    "GET /agreements/{agreement_id}/areas": "agreement",
    "POST /agreements/{agreement_id}/areas": "agreement",
    "PATCH /events/{event_id}": "event",
    "PATCH /clauses/{clause_id}": "clause",
    "PATCH /areas/{area_id}": "area",
    "GET /commitments": None,
    "GET /commitments/{commitment_id}": "commitment",
    "PATCH /commitments/{commitment_id}": "commitment",
    "POST /agreements/{agreement_id}/commitments": "agreement",
    "POST /commitments/{commitment_id}/status": "commitment",
    "POST /commitments/{commitment_id}/publish": "commitment",
    "POST /commitments/{commitment_id}/marking": "commitment",
    "GET /commitments/{commitment_id}/indicator-values": "commitment",
    "POST /commitments/{commitment_id}/indicator-values": "commitment",
    "GET /commitments/{commitment_id}/reports": "commitment",
    "POST /commitments/{commitment_id}/reports": "commitment",
    "GET /reports/{report_id}": "report",
    "POST /reports/{report_id}/accept": "report",
    "POST /reports/{report_id}/answer": "report",
    "POST /reports/{report_id}/attachments": "report",
    "POST /agreements/{agreement_id}/attachments": "agreement",
    "POST /commitments/{commitment_id}/attachments": "commitment",
    "GET /attachments/{attachment_id}": "attachment",
    "GET /attachments/{attachment_id}/content": "attachment",
    "GET /audit/head": None,
    "GET /audit/{record_type}/{record_id}": "record",
    "GET /follows/{record_type}/{record_id}": "record",
    "PUT /follows/{record_type}/{record_id}": "record",
    "DELETE /follows/{record_type}/{record_id}": "record",
    "GET /meetings": None,
    "GET /meetings/{meeting_id}": "meeting",
    "PATCH /meetings/{meeting_id}": "meeting",
    "POST /agreements/{agreement_id}/meetings": "agreement",
    "POST /meetings/{meeting_id}/status": "meeting",
    "PUT /meetings/{meeting_id}/minutes": "meeting",
    "POST /meetings/{meeting_id}/agenda-items": "meeting",
    "GET /meetings/{meeting_id}/carry-over-candidates": "meeting",
    "POST /meetings/{meeting_id}/carry-over": "meeting",
    "PATCH /agenda-items/{item_id}": "agendaitem",
    "POST /agenda-items/{item_id}/position": "agendaitem",
    "DELETE /agenda-items/{item_id}": "agendaitem",
    "PUT /meetings/{meeting_id}/attendance/{contact_id}": "meeting",
    "POST /meetings/{meeting_id}/guests": "meeting",
    "POST /guests/{guest_id}/status": "guest",
    "DELETE /guests/{guest_id}": "guest",
    "POST /meetings/{meeting_id}/decisions": "meeting",
    "POST /decisions/{decision_id}/status": "decision",
    "POST /decisions/{decision_id}/commitments": "decision",
    "GET /trainings": None,
    "GET /trainings/{training_id}": "training",
    "PATCH /trainings/{training_id}": "training",
    "POST /agreements/{agreement_id}/trainings": "agreement",
    "POST /trainings/{training_id}/status": "training",
    "PUT /trainings/{training_id}/participations/{party_code}": "training",
    "PUT /trainings/{training_id}/evaluation": "training",
    "GET /reciprocity": None,
    "GET /requests": None,
    "GET /requests/{request_id}": "request",
    "GET /requests/{request_id}/messages": "request",
    "POST /requests/{request_id}/messages": "request",
    "POST /agreements/{agreement_id}/requests": "agreement",
    "POST /requests/{request_id}/acknowledge": "request",
    "POST /requests/{request_id}/ask-clarification": "request",
    "POST /requests/{request_id}/clarification": "request",
    "POST /requests/{request_id}/answer": "request",
    "POST /requests/{request_id}/refuse": "request",
    "POST /requests/{request_id}/close": "request",
    "GET /search": None,
    "GET /commitments/{commitment_id}/comments": "commitment",
    "POST /commitments/{commitment_id}/comments": "commitment",
    "GET /meetings/{meeting_id}/comments": "meeting",
    "POST /meetings/{meeting_id}/comments": "meeting",
    "GET /trainings/{training_id}/comments": "training",
    "POST /trainings/{training_id}/comments": "training",
    "GET /comments/{comment_id}": "comment",
    "PATCH /comments/{comment_id}": "comment",
    "DELETE /comments/{comment_id}": "comment",
    "GET /agreements/{agreement_id}/peers": "agreement",
    "POST /agreements/{agreement_id}/peers": "agreement",
    "GET /peers/{peer_id}": "peer",
}

# Query values sent with an operation's GET.
API_QUERIES = {"GET /search": {"q": "tk", "limit": 200}}

# Path parameters that only qualify the record the first one names.
QUALIFIERS = {"contact_id": "1", "party_code": "NL-POL"}


# --- the routes ----------------------------------------------------------------------


def page_patterns() -> dict[str, URLPattern]:
    """Every named page outside the admin, by its reversible name."""
    found: dict[str, URLPattern] = {}

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in ("admin", "api"):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner)
            elif pattern.name:
                found[namespace + pattern.name] = pattern

    walk(get_resolver(), "")
    return found


def api_operations(client: Client) -> dict[str, dict]:
    """Every operation of the OpenAPI document, as "METHOD /path" under the API root."""
    document = client.get(f"{API}/openapi.json").json()
    return {
        f"{method.upper()} {path.removeprefix(API)}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_every_page_has_a_case():
    assert set(page_patterns()) == set(PAGES)


def test_every_api_operation_has_a_case(client):
    assert set(api_operations(client)) == set(API_OPERATIONS)


# --- the world and its users -----------------------------------------------------------


@pytest.fixture
def world(cast) -> World:
    world = build(cast)
    for name in USERS + OUTSIDERS:
        user = world.users[name]
        issued, _raw = token_create(actor=user, name=f"Token {token(name.replace('_', ''))}")
        world.add("token", issued, name.replace("_", ""), {name})
        if notice := _notice_for(world, user):
            world.add("notice", notice, f"notice{name.replace('_', '')}", {name})
    for name in USERS + OUTSIDERS:
        world.feeds[name] = calendar_feed_create(actor=world.users[name])[1]
    return world


def _notice_for(world: World, user) -> Notice | None:
    """A notice to `user` about the first registered record they see (none if none)."""
    registered = {entry.name for entry in record_types()}
    for entry in world.entries:
        record = entry.record
        if user.username in entry.viewers and record._meta.label_lower in registered:
            return Notice.objects.create(
                recipient=user,
                kind=NoticeKind.REQUEST_NEW,
                target_type=ContentType.objects.get_for_model(record),
                target_id=record.public_id,  # type: ignore[attr-defined]
                key=f"matrix:{record.public_id}",  # type: ignore[attr-defined]
            )
    return None


def entries_for(world: World, kind: str | None) -> Sequence[Entry | None]:
    if kind is None:
        return [None]
    if kind == "record":
        registered = {entry.name for entry in record_types()}
        return [e for e in world.entries if e.record._meta.label_lower in registered]
    return world.of_kind(kind)


def record_id(record: Model) -> str:
    """How URLs name the record: its public id (tokens, which are no records, by key)."""
    return str(getattr(record, "public_id", record.pk))


def missing_id(record: Model) -> str:
    return MISSING_ID if hasattr(record, "public_id") else str(MISSING_KEY)


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type") == "application/pdf":  # what the file says, not its bytes
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", "replace")


class Findings(list):
    """Every broken promise of one test, listed together rather than only the first."""

    def check(self, ok: bool, where: str, what: str) -> None:
        if not ok:
            self.append(f"{where}: {what}")

    def hidden_not_shown(self, world: World, username: str, response, where: str) -> None:
        body = body_of(response)
        leaked = sorted(t for t in world.forbidden_tokens(username) if t in body)
        self.check(not leaked, where, f"shows {leaked}")

    def seen_as(self, sees: bool, response, where: str) -> None:
        """A visible record is never 404; a hidden one always is."""
        status = response.status_code
        self.check(status < 500, where, f"answers {status}")
        self.check(
            (status != 404) == sees,
            where,
            f"answers {status} to a {'visible' if sees else 'hidden'} record",
        )

    def write_refused(self, client, url: str, data: dict, world: World, username: str) -> None:
        """A page write naming a hidden record: 404, or 403 for a role that writes nothing
        at all, and no audit event."""
        before = AuditEvent.objects.count()
        response = client.post(url, data)
        self.last_status = response.status_code
        membership = world.users[username].membership
        allowed = (404,) if membership.can_write else (403, 404)
        self.check(
            response.status_code in allowed, f"POST {url}", f"answers {response.status_code}"
        )
        self.check(AuditEvent.objects.count() == before, f"POST {url}", "wrote an audit event")

    def verdict(self, username: str) -> None:
        assert not self, f"{len(self)} broken for {username}:\n" + "\n".join(self)


# --- pages -----------------------------------------------------------------------------


def page_url(name: str, entry: Entry | None, *, missing: bool = False) -> str:
    converters = page_patterns()[name].pattern.converters
    kwargs = {}
    for key in converters:
        if key == "code":
            kwargs[key] = DIRECTORY_PARTY
            continue
        assert entry is not None, f"{name} names a record"
        if key == "record_type":
            kwargs[key] = entry.record._meta.label_lower
        else:
            kwargs[key] = missing_id(entry.record) if missing else record_id(entry.record)
    return reverse(name, kwargs=kwargs)


def post_data(case: Case, entry: Entry, *, missing: bool = False) -> dict:
    data = dict(case.data)
    if case.data:  # the bulk form names its rows in the body, not in the URL
        pk = missing_id(entry.record) if missing else record_id(entry.record)
        data |= {"selected": pk, f"version-{pk}": "1"}
    return data


@pytest.mark.parametrize("username", USERS + OUTSIDERS)
def test_pages(world, username):
    client = Client()
    client.force_login(world.users[username])
    findings = Findings()
    for name, case in PAGES.items():
        if not case.methods:
            continue
        for entry in entries_for(world, case.kind):
            url = page_url(name, entry)
            sees = entry is None or username in entry.viewers
            if "GET" in case.methods:
                response = client.get(url, dict(case.query))
                findings.hidden_not_shown(world, username, response, f"GET {url}")
                if entry is None and "code" in page_patterns()[name].pattern.converters:
                    # Who may open a party's directory pages: test_views_directory.py.
                    status = response.status_code
                    findings.check(status < 500, f"GET {url}", f"answers {status}")
                else:
                    findings.seen_as(sees, response, f"GET {url}")
            if "POST" in case.methods and not sees:
                findings.write_refused(client, url, post_data(case, entry), world, username)
                missing_url = page_url(name, entry, missing=True)
                missing = client.post(missing_url, post_data(case, entry, missing=True))
                findings.check(
                    missing.status_code == findings.last_status,
                    f"POST {url}",
                    "differs from missing",
                )
    # The user's calendar feed, as a calendar client reads it: by its secret, no session.
    url = reverse("reports:feed-read", args=[world.feeds[username]])
    feed = Client().get(url)
    findings.check(feed.status_code == 200, f"GET {url}", f"answers {feed.status_code}")
    findings.hidden_not_shown(world, username, feed, f"GET {url}")
    findings.verdict(username)


# --- the API ---------------------------------------------------------------------------


def api_path(template: str, kind: str | None, entry: Entry | None, *, missing=False) -> str:
    def fill(match):
        name = match.group(1)
        if name in QUALIFIERS:
            return QUALIFIERS[name]
        if name == "record_type":
            return entry.record._meta.label_lower
        return missing_id(entry.record) if missing else record_id(entry.record)

    return API + re.sub(r"\{(\w+)\}", fill, template)


def minimal_body(operation: dict, components: dict) -> dict:
    """A body with a plausible value for each required property, so that a write gets
    past validation to the record wherever the schema allows it."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return {}
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return {
        name: sample(schema["properties"][name], components) for name in schema.get("required", [])
    }


def sample(schema: dict, components: dict):
    if "$ref" in schema:
        return sample(components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "enum" in schema:
        return schema["enum"][0]
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return sample(schema[combined][0], components)
    kind = schema.get("type")
    formats = {"date": "2031-01-01", "date-time": "2031-01-01T10:00:00Z"}
    if kind == "string":
        return formats.get(schema.get("format", ""), "x")
    return {"integer": 1, "number": 1, "boolean": False, "array": [], "object": {}}.get(kind or "")


def without_ids(response, entry: Entry) -> tuple[int, str]:
    """Status and body with the record's id (or the missing id) taken out."""
    body = body_of(response)
    for value in (missing_id(entry.record), record_id(entry.record)):
        body = re.sub(rf"\b{re.escape(value)}\b", "{id}", body)
    return response.status_code, body


@pytest.mark.parametrize("username", USERS + OUTSIDERS)
def test_api(world, username, client, settings):
    # One user walks every operation on every record within the minute: the rate limit
    # (its own tests) would answer 429 long before the walk ends.
    settings.API_RATE_LIMIT = 100_000
    operations = api_operations(client)
    components = client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    api = api_client(world.users[username])
    findings = Findings()
    for key, operation in operations.items():
        method, template = key.split(" ")
        kind = API_OPERATIONS[key]
        for entry in entries_for(world, kind):
            sees = entry is None or username in entry.viewers
            if method == "GET":
                query = API_QUERIES.get(key, {})
                _api_read(findings, world, username, api, template, kind, entry, query)
            elif not sees:  # writes to visible records are the apps' own tests
                body = minimal_body(operation, components)
                _api_write(findings, api, method, template, kind, entry, body)
    findings.verdict(username)


def _api_read(findings, world, username, api, template, kind, entry, query) -> None:
    url = api_path(template, kind, entry)
    response = api.get(url, query)
    findings.hidden_not_shown(world, username, response, f"GET {url}")
    if entry is None:
        findings.check(response.status_code < 500, f"GET {url}", f"answers {response.status_code}")
        return
    sees = username in entry.viewers
    findings.seen_as(sees, response, f"GET {url}")
    if not sees:
        missing = api.get(api_path(template, kind, entry, missing=True))
        findings.check(
            without_ids(response, entry) == without_ids(missing, entry),
            f"GET {url}",
            "differs from a missing record",
        )


def _api_write(findings, api, method, template, kind, entry, body) -> None:
    """A write naming a hidden record: refused as for a missing one, nothing written."""
    url = api_path(template, kind, entry)
    send = getattr(api, method.lower())
    options = {"content_type": "application/json", "HTTP_IF_MATCH": '"1"'}
    before = AuditEvent.objects.count()
    response = send(url, body, **options)
    where = f"{method} {url}"
    findings.check(AuditEvent.objects.count() == before, where, "wrote an audit event")
    findings.check(
        response.status_code in (404, 422, 428), where, f"answers {response.status_code}"
    )
    missing = send(api_path(template, kind, entry, missing=True), body, **options)
    findings.check(
        without_ids(response, entry) == without_ids(missing, entry),
        where,
        "differs from a missing record",
    )


def test_viewers_see_the_tokens(world):
    """The matrix looks for tokens; this shows they are there to be found: every viewer
    finds a record's token on its page and in its API answer."""
    paths = {
        "agreement": "/agreements/{}",
        "commitment": "/commitments/{}",
        "meeting": "/meetings/{}",
        "training": "/trainings/{}",
        "request": "/requests/{}",
    }
    missing = []
    for name in USERS:
        client, api = Client(), api_client(world.users[name])
        client.force_login(world.users[name])
        for kind, path in paths.items():
            for entry in world.of_kind(kind):
                if name not in entry.viewers:
                    continue
                page = client.get(entry.record.get_absolute_url())
                answer = api.get(API + path.format(record_id(entry.record)))
                for where, response in (("page", page), ("API", answer)):
                    if entry.token not in body_of(response):
                        missing.append(f"{name} {kind} {entry.token} {where}")
    assert missing == []
