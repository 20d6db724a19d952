"""Test harness for security: a clock to move, a production app, a world with one
person per role, the route x role access walk, and hostile-input checks.

How to use it when you add routes
---------------------------------
1. Access matrix (tests/test_security_access_matrix.py): add one line to `ACCESS`
   per new endpoint naming the roles that may use it with the world's objects, e.g.
   ``"requests.detail": Access(MANAGERS_HERE | {VERIFIED})``. Role names and sets
   (EVERYONE, SIGNED_IN, MANAGERS_HERE, MANAGERS, OFFICIALS, VOLUNTEERS, ADMINS) are
   defined below. Until you declare it, `test_every_route_declares_who_may_use_it`
   fails and names the endpoint.
   - URL parameters are filled from the world by name (`PARAMETERS`: `resident_id`,
     `request_id`, `session_id`, `group_id`, `ward_id`, `code`, ...). A new name: add
     it to `PARAMETERS` (and to `ELSEWHERE` if it points into an area), or give the
     entry `params=lambda w: {...}`.
   - Non-GET methods are sent with a valid CSRF token and `data=lambda w: {...}`
     (empty by default, so a form usually answers 422 to those allowed).
   - An endpoint whose use by one role changes what the next role gets (deleting the
     object): `fresh_world=True`.
   - "Allowed" means the request reached the view and was served (2xx, 3xx other than
     to the login page, 4xx other than 401/403/404); "refused" means 403/404, or the
     login page for anonymous visitors. A 5xx always fails.
   - `test_changing_an_id_never_reaches_another_wards_objects` then also sends every
     endpoint with an area id (see `ELSEWHERE`) pointing into the other ward, as each
     non-admin role you allowed: it must be refused.
2. Hostile input (tests/test_security_hostile_input.py): add a `FormTarget` to
   `FORM_TARGETS` naming the endpoint, its fields (query parameters for GET), its
   method and the role that may use it (plus `fixed` values that must stay valid and
   `before_each` to undo what an accepted attack changed). Hypothesis then posts random
   and hostile values: never a 5xx, a visible message on 4xx, redirects stay on the
   site, nothing typed comes back as live markup.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Callable, Iterator
from urllib.parse import urlsplit

import time_machine
from flask import Flask

from tests.conftest import csrf_token_from


# --- time ---------------------------------------------------------------------------
class Clock:
    """Stops the clock at `start` (now by default) for the app and the test alike, and
    moves it when the test says so (time-machine)."""

    def __init__(self, start: datetime | None = None):
        self._traveller = time_machine.travel(start or datetime.now(timezone.utc), tick=False)
        self._coordinates = self._traveller.start()

    @property
    def moment(self) -> datetime:
        return datetime.now(timezone.utc)

    def advance(self, **delta) -> None:
        self._coordinates.shift(timedelta(**delta))

    def stop(self) -> None:
        self._traveller.stop()


# --- other app instances ---------------------------------------------------------------
@contextmanager
def disposing(app: Flask) -> Iterator[Flask]:
    """Use another app instance (a second worker, production settings) and close its pool."""
    from app.extensions import db

    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def second_worker(database_uri: str, **overrides):
    """Another instance of the test app on the same database, like a second gunicorn worker."""
    from app import create_app
    from tests.conftest import _config_dict

    return disposing(create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_uri,
                                 **overrides}))


def production_app(database_uri: str, **overrides):
    """`create_app(ProductionConfig)` with a secret key, on the test database (a context
    manager that closes its connections)."""
    from app import create_app
    from config import ProductionConfig

    settings = {
        "SECRET_KEY": "a-production-secret-key-used-only-in-tests-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Hashes made by the factories use cheap parameters; keep them so none is rehashed.
        "PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 1024, "PASSWORD_PARALLELISM": 1,
        **overrides,
    }
    config = type("ProductionTestConfig", (ProductionConfig,), settings)
    return disposing(create_app(config))


# --- the world: one person per role ---------------------------------------------------------
ANONYMOUS = "anonymous"
RESIDENT = "resident"
UNVERIFIED = "unverified volunteer"
VERIFIED = "verified volunteer"
OTHER_LEADER = "leader of another group"
LEADER = "leader of this group"
OTHER_OFFICIAL = "official of another ward"
OFFICIAL = "official of this ward"
ADMIN = "administrator"
ROLES = (ANONYMOUS, RESIDENT, UNVERIFIED, VERIFIED, OTHER_LEADER, LEADER, OTHER_OFFICIAL,
         OFFICIAL, ADMIN)

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
ADMINS = frozenset({ADMIN})
#: Those who manage this group and its residents (leader, official of its ward, admin).
MANAGERS_HERE = frozenset({LEADER, OFFICIAL, ADMIN})
#: Anyone who manages some group (a page open to managers, showing each their own scope).
MANAGERS = MANAGERS_HERE | {OTHER_LEADER, OTHER_OFFICIAL}
#: Ward officials of any ward and admins (a page showing each official their own ward).
OFFICIALS = frozenset({OFFICIAL, OTHER_OFFICIAL, ADMIN})
VOLUNTEERS = frozenset({UNVERIFIED, VERIFIED})


@dataclass
class World:
    """A ward with "this group" and "another group", a second ward, a person per role, and
    the objects URL parameters point at. "This" objects are about `resident`, Mrs Bình of
    this group (no account); `far_*` objects belong to the other ward."""

    ward: object
    group: object
    other_group: object
    other_ward: object
    far_group: object
    users: dict
    resident: object
    own_resident: object  # the record of the RESIDENT role's account
    household: object
    consent: object
    topic: object
    skill: object
    request: object
    session: object
    enrollment: object
    outcome: object
    message: object
    audit_event: object
    far_resident: object
    far_request: object
    far_session: object
    extra: dict = field(default_factory=dict)

    def user(self, role: str):
        return self.users.get(role)


def build_world(make) -> World:
    """Create the world with the test factories and commit it."""
    from app.models import (Consent, ConsentMethod, Enrollment, Gender, Household,
                            OutboxMessage, Outcome, RequestStatus, Role, SessionKind)
    from app.models.notify import OutboxStatus
    from app.models.sessions import CalendarFeed, NoShow, SessionReply
    from app.models.audit import AuditEvent

    db = make.db
    ward = make.ward(name="Phường Hàng Gai")
    group = make.group(ward, name="Tổ dân phố số 3")
    other_group = make.group(ward, name="Tổ dân phố số 5")
    other_ward = make.ward(name="Phường Hoàn Kiếm")
    far_group = make.group(other_ward, name="Tổ dân phố số 1")
    topic = make.topic("Zalo: nhắn tin, gọi video", core=True)
    skill = topic.skills[0]

    resident_account = make.user(name="Lê Văn Tám", roles=[(Role.RESIDENT, None)])
    own_resident = make.resident(group, name="Lê Văn Tám", gender=Gender.MALE,
                                 user_id=resident_account.id)
    verified = make.volunteer("Trần Văn Minh", groups=[group], topics=[topic])
    users = {
        RESIDENT: resident_account,
        UNVERIFIED: make.volunteer("Vũ Đức Long", verified=False, groups=[group]),
        VERIFIED: verified,
        OTHER_LEADER: make.leader(other_group, name="Phạm Thị Lan"),
        LEADER: make.leader(group, name="Đỗ Văn Hùng"),
        OTHER_OFFICIAL: make.official(other_ward, name="Hoàng Thị Mai"),
        OFFICIAL: make.official(ward, name="Bùi Văn Sơn"),
        ADMIN: make.admin(name="Quản Trị Viên"),
    }

    household = Household(group_id=group.id, address="12 ngõ Hàng Gai",
                          address_key="12 ngo hang gai")
    db.session.add(household)
    db.session.flush()
    resident = make.resident(group, name="Nguyễn Thị Bình", gender=Gender.FEMALE,
                             household_id=household.id, note="Mắt kém, nói to")
    consent = Consent(resident_id=resident.id, wording_version="2026-01",
                      method=ConsentMethod.IN_PERSON, captured_by_id=users[LEADER].id)
    db.session.add(consent)
    request = make.request(resident, topics=[topic], status=RequestStatus.ASSIGNED,
                           volunteer_id=verified.volunteer_profile.id)
    session = make.session(group, kind=SessionKind.ONE_TO_ONE, capacity=1,
                           volunteers=[verified], topics=[topic], request_id=request.id,
                           title="Hỗ trợ dùng Zalo")
    enrollment = Enrollment(session_id=session.id, resident_id=resident.id,
                            request_id=request.id)
    db.session.add(enrollment)
    db.session.flush()
    outcome = Outcome(enrollment_id=enrollment.id, attended=True, confidence=4,
                      skills=[skill], recorded_by_id=verified.id)
    message = OutboxMessage(kind="request_received", recipient_resident_id=resident.id,
                            context={"code": request.code})
    # A delivery that failed, shown to the group's managers (notify.failures).
    failed_message = OutboxMessage(kind="request_received", recipient_resident_id=resident.id,
                                   group_id=group.id, context={"code": request.code},
                                   status=OutboxStatus.FAILED, attempts=5,
                                   last_error="timeout")
    audit_event = AuditEvent(action="view", subject=f"resident:{resident.id}",
                             actor_id=users[LEADER].id, resident_id=resident.id,
                             ward_id=ward.id)
    db.session.add_all([outcome, message, failed_message, audit_event])

    far_resident = make.resident(far_group, name="Trịnh Văn Cường")
    far_request = make.request(far_resident, topics=[topic])
    far_session = make.session(far_group, topics=[topic])

    # An open request the verified volunteer may accept, and one assigned to them that
    # waits for a proposed time.
    open_request = make.request(own_resident, topics=[topic])
    waiting_request = make.request(own_resident, topics=[topic], status=RequestStatus.ASSIGNED,
                                   volunteer_id=verified.volunteer_profile.id)

    # The verified volunteer's calendar feed, a reminder reply link for Mrs Bình, and a
    # missed session recorded against the volunteer (which they may contest).
    profile = verified.volunteer_profile
    feed = CalendarFeed(volunteer_id=profile.id, token="feed-token-of-the-verified-volunteer")
    reply = SessionReply(token="reply-token-of-mrs-binh", session_id=session.id,
                         resident_id=resident.id)
    no_show = NoShow(session_id=session.id, volunteer_id=profile.id,
                     recorded_by_id=users[LEADER].id)
    far_no_show = NoShow(session_id=far_session.id, resident_id=far_resident.id)
    db.session.add_all([feed, reply, no_show, far_no_show])

    # The other ward's volunteer, household, seat, outcome and failed delivery.
    far_volunteer = make.volunteer("Đinh Văn Phúc", groups=[far_group], topics=[topic])
    far_household = Household(group_id=far_group.id, address="3 phố Tràng Tiền",
                              address_key="3 pho trang tien")
    far_enrollment = Enrollment(session_id=far_session.id, resident_id=far_resident.id,
                                request_id=far_request.id)
    db.session.add_all([far_household, far_enrollment])
    db.session.flush()
    far_outcome = Outcome(enrollment_id=far_enrollment.id, attended=True, confidence=3,
                          skills=[skill], recorded_by_id=far_volunteer.id)
    far_message = OutboxMessage(kind="request_received", recipient_resident_id=far_resident.id,
                                group_id=far_group.id, context={"code": far_request.code},
                                status=OutboxStatus.FAILED, attempts=5, last_error="timeout")
    db.session.add_all([far_outcome, far_message])
    make.commit()
    return World(ward=ward, group=group, other_group=other_group, other_ward=other_ward,
                 far_group=far_group, users=users, resident=resident,
                 own_resident=own_resident, household=household, consent=consent,
                 topic=topic, skill=skill, request=request, session=session,
                 enrollment=enrollment, outcome=outcome, message=message,
                 audit_event=audit_event, far_resident=far_resident,
                 far_request=far_request, far_session=far_session,
                 extra={"feed": feed, "reply": reply, "no_show": no_show,
                        "far_no_show": far_no_show, "open_request": open_request,
                        "waiting_request": waiting_request, "far_volunteer": far_volunteer,
                        "far_household": far_household, "far_enrollment": far_enrollment,
                        "far_outcome": far_outcome, "far_message": far_message,
                        "failed_message": failed_message})


#: URL parameters filled by name from the world. Add a name here when a route uses a new one.
PARAMETERS: dict[str, Callable[[World], object]] = {
    "resident_id": lambda w: w.resident.id,
    "request_id": lambda w: w.request.id,
    "session_id": lambda w: w.session.id,
    "group_id": lambda w: w.group.id,
    "ward_id": lambda w: w.ward.id,
    "household_id": lambda w: w.household.id,
    "consent_id": lambda w: w.consent.id,
    "topic_id": lambda w: w.topic.id,
    "skill_id": lambda w: w.skill.id,
    "enrollment_id": lambda w: w.enrollment.id,
    "outcome_id": lambda w: w.outcome.id,
    "message_id": lambda w: w.extra["failed_message"].id,
    "volunteer_id": lambda w: w.users[VERIFIED].volunteer_profile.id,
    "user_id": lambda w: w.users[VERIFIED].id,
    "code": lambda w: w.request.code,
    "group_code": lambda w: w.group.code,
    "slug": lambda w: w.topic.slug,
    "fmt": lambda w: "json",
    "no_show_id": lambda w: w.extra["no_show"].id,
}


#: The same parameters pointing at the other ward's objects (object-level checks).
ELSEWHERE: dict[str, Callable[[World], object]] = {
    "resident_id": lambda w: w.far_resident.id,
    "request_id": lambda w: w.far_request.id,
    "session_id": lambda w: w.far_session.id,
    "group_id": lambda w: w.far_group.id,
    "ward_id": lambda w: w.other_ward.id,
    "code": lambda w: w.far_request.code,
    "group_code": lambda w: w.far_group.code,
    "no_show_id": lambda w: w.extra["far_no_show"].id,
    "volunteer_id": lambda w: w.extra["far_volunteer"].volunteer_profile.id,
    "household_id": lambda w: w.extra["far_household"].id,
    "enrollment_id": lambda w: w.extra["far_enrollment"].id,
    "outcome_id": lambda w: w.extra["far_outcome"].id,
    "message_id": lambda w: w.extra["far_message"].id,
}


# --- the access walk --------------------------------------------------------------------
@dataclass(frozen=True)
class Access:
    """Who may use an endpoint (the roles whose request reaches the view and is served).

    params: URL values beyond PARAMETERS (a function of the world);
    data: form data for non-GET methods (a function of the world; a CSRF token is added);
    methods: the methods to try (default: every method of the route but HEAD/OPTIONS);
    fresh_world: rebuild the world before each role (for endpoints whose use by one role
    changes what the next one would get, e.g. deleting the object).
    """

    allowed: frozenset
    params: Callable[[World], dict] | None = None
    data: Callable[[World], dict] | None = None
    methods: tuple[str, ...] | None = None
    fresh_world: bool = False


@dataclass(frozen=True)
class Answer:
    status: int
    outcome: str  # "allowed", "denied", "login" (sent to sign in) or "error" (5xx)
    location: str = ""


LOGIN_PATH = "/dang-nhap"


def classify(response) -> Answer:
    status = response.status_code
    location = response.headers.get("HX-Redirect") or response.headers.get("Location") or ""
    if status >= 500:
        outcome = "error"
    elif urlsplit(location).path == LOGIN_PATH and status in (200, 301, 302, 303, 307):
        outcome = "login"
    elif status in (401, 403, 404):
        outcome = "denied"
    else:
        outcome = "allowed"
    return Answer(status, outcome, location)


def endpoints_of(app: Flask) -> dict[str, object]:
    """Every endpoint of the app (but static files) with its URL rule. An endpoint with
    several rules is listed once per rule, as ``endpoint[argument,...]`` for a rule taking
    arguments (e.g. ``coverage.ward`` and ``coverage.ward[ward_id]``)."""
    rules: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            rules.setdefault(rule.endpoint, []).append(rule)
    named = {}
    for endpoint, found in rules.items():
        for rule in found:
            key = endpoint
            if len(found) > 1 and rule.arguments:
                key += "[" + ",".join(sorted(rule.arguments)) + "]"
            named[key] = rule
    return named


def url_for_rule(app: Flask, rule, world: World, access: Access) -> str:
    from flask import url_for

    values = dict(access.params(world)) if access.params else {}
    for name in rule.arguments:
        if name not in values:
            if name not in PARAMETERS:
                raise KeyError(f"{rule.endpoint}: no value for URL parameter '{name}'; add it "
                               f"to PARAMETERS in tests/security_helpers.py or give the "
                               f"ACCESS entry params=lambda w: {{'{name}': ...}}")
            values[name] = PARAMETERS[name](world)
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


class RoleClients:
    """One test client per role, signed in through the real login form, signed in again
    whenever a request ended its session (logout, password change)."""

    def __init__(self, app: Flask, world: World):
        from tests.conftest import Client

        app.test_client_class = Client  # each request in its own app context, as in production
        self.app, self.world, self.clients = app, world, {}

    def _signed_in(self, client) -> bool:
        with client.session_transaction() as session:
            return "_user_id" in session

    def get(self, role: str):
        from app.extensions import limiter
        from tests.factories import Factory

        client = self.clients.get(role)
        if client is None or (role != ANONYMOUS and not self._signed_in(client)):
            client = self.app.test_client()
            if role != ANONYMOUS:
                limiter.reset()  # the walk signs in more often than a person may
                token = csrf_token_from(client.get(LOGIN_PATH))
                response = client.post(LOGIN_PATH, data={
                    "csrf_token": token, "phone": self.world.users[role].phone,
                    "password": Factory.PASSWORD})
                assert response.status_code == 303, f"{role} could not sign in"
            self.clients[role] = client
        return client


def csrf_token_for(client) -> str:
    """A CSRF token for this client's session, fetched from a page only when the session's
    secret changed (signing in starts a new session)."""
    with client.session_transaction() as session:
        raw = session.get("csrf_token")
    cached = getattr(client, "_csrf", None)
    if raw is None or cached is None or cached[0] != raw:
        token = csrf_token_from(client.get("/"))
        with client.session_transaction() as session:
            client._csrf = (session.get("csrf_token"), token)
    return client._csrf[1]


def request_as(clients: RoleClients, role: str, method: str, url: str, data: dict | None):
    from app.extensions import limiter

    client = clients.get(role)
    limiter.reset()
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method,
                       data={"csrf_token": csrf_token_for(client), **(data or {})})


def walk(app: Flask, build: Callable[[], World], access: dict[str, Access],
         reset: Callable[[], None]) -> dict[tuple[str, str], dict[str, Answer]]:
    """Send every declared endpoint and method as every role; return the answers.

    Roles refused by the table go first, so an allowed role that changes something (a
    logout, a withdrawal) cannot change what a refused one would get."""
    world = build()
    clients = RoleClients(app, world)
    rules = endpoints_of(app)
    answers = {}
    for endpoint, entry in sorted(access.items()):
        rule = rules[endpoint]
        methods = entry.methods or tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for method in methods:
            results = {}
            order = sorted(ROLES, key=lambda r: (r in entry.allowed, ROLES.index(r)))
            for role in order:
                if entry.fresh_world:
                    reset()
                    world = build()
                    clients = RoleClients(app, world)
                url = url_for_rule(app, rule, world, entry)
                data = entry.data(world) if entry.data else None
                results[role] = classify(request_as(clients, role, method, url, data))
            answers[(endpoint, method)] = results
    return answers


def mismatches(answers, access: dict[str, Access]) -> list[str]:
    """Lines describing every answer that differs from the table."""
    problems = []
    for (endpoint, method), results in answers.items():
        allowed = access[endpoint].allowed
        for role, answer in results.items():
            if answer.outcome == "error":
                ok = False
            elif role in allowed:
                ok = answer.outcome == "allowed"
            elif role == ANONYMOUS:
                ok = answer.outcome in ("login", "denied")
            else:
                ok = answer.outcome == "denied"
            if not ok:
                expected = "allowed" if role in allowed else "refused"
                problems.append(f"{method} {endpoint} as {role}: expected {expected}, got "
                                f"{answer.status} {answer.outcome} {answer.location}".rstrip())
    return problems


# --- hostile input -------------------------------------------------------------------------
@dataclass(frozen=True)
class FormTarget:
    """A form or htmx endpoint to attack with random and hostile values.

    fields: form fields (or, for GET, query parameters) that get hostile values (or a
    function of the world giving them, for fields named after ids);
    query: query-string parameters that get hostile values too (e.g. "next");
    fixed: values kept valid, a function of the world (e.g. a hidden id);
    role: who sends it (ANONYMOUS, or a role signed in from the world);
    params: URL values beyond PARAMETERS;
    before_each: puts back what an accepted attack changed (a function of the world and
    the database), so every example meets the same state.
    """

    endpoint: str
    fields: tuple[str, ...] | Callable[[World], tuple[str, ...]]
    method: str = "POST"
    role: str = ANONYMOUS
    query: tuple[str, ...] = ()
    fixed: Callable[[World], dict] | None = None
    params: Callable[[World], dict] | None = None
    before_each: Callable[[World, object], None] | None = None


MARKER = "zq7x"
#: Values that try to break out of text, attributes and templates; each carries MARKER.
HOSTILE = (
    f"<script>{MARKER}()</script>",
    f'"><img src=x onerror={MARKER}()>',
    f"' onmouseover='{MARKER}()",
    f'" hx-get="/{MARKER}" hx-trigger="load',
    f"<div hx-post=\"/{MARKER}\" hx-trigger=\"load\">x</div>",
    f"</textarea></title><script>{MARKER}</script>",
    f"{{{{7*7}}}}{MARKER}{{% raw %}}",
    f"javascript:{MARKER}()",
    f"<svg/onload={MARKER}()>",
    f"\x00\x01\x1b[31m{MARKER}\u202e\ufeff",
    f"Nguyễn Thị Bình{MARKER}' OR '1'='1",
    f"%3Cscript%3E{MARKER}",
)


def hostile_values():
    """A hypothesis strategy for one field value: random unicode, hostile markup, huge
    strings, numbers and phone-like strings."""
    from hypothesis import strategies as st

    huge = st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "<", '"', "ệ", "\x00", " "]),
                     st.integers(min_value=500, max_value=100_000))
    return st.one_of(
        st.text(max_size=200),
        st.sampled_from(HOSTILE),
        st.tuples(st.text(max_size=20), st.sampled_from(HOSTILE)).map("".join),
        huge,
        st.integers().map(str),
        st.from_regex(r"\A(\+84|0)[1-9][0-9]{8}\Z"),
        st.just(""),
    )


class _Markup(HTMLParser):
    """Collects where a marker ended up: tag names, attribute names and values, script
    and style contents."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.places: list[tuple[str, str, str]] = []  # (kind, tag/attribute, text)
        self._raw_tag = None

    def handle_starttag(self, tag, attrs):
        self.places.append(("tag", tag, tag))
        for name, value in attrs:
            self.places.append(("attribute-name", name, name))
            self.places.append(("attribute", name, value or ""))
        self._raw_tag = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._raw_tag = None

    def handle_data(self, data):
        if self._raw_tag:
            self.places.append(("raw", self._raw_tag, data))


#: Attributes holding a URL: input may only reach the query string of a local URL.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "hx-get", "hx-post",
                  "hx-put", "hx-patch", "hx-delete"}
#: Attributes where input would be live code.
CODE_ATTRIBUTE = re.compile(r"^(on|hx-|data-hx)|^(style|srcdoc)$")


def _inert_in_attribute(name: str, value: str) -> bool:
    if name in URL_ATTRIBUTES:
        parts = urlsplit(value)
        return (value.startswith("/") and not value.startswith(("//", "/\\"))
                and not parts.scheme and not parts.netloc and MARKER not in parts.path)
    return not CODE_ATTRIBUTE.search(name)
#: A message element with text in it (possibly inside <strong>/<em>/<span>).
VISIBLE_MESSAGE = re.compile(
    r'class="(?:error|flash flash-error|error-code)"[^>]*>\s*'
    r'(?:<(?:strong|b|em|span)\b[^>]*>\s*)*[^<\s]', re.I)


def assert_handled(response, sent: dict) -> None:
    """Never a server error; a refusal carries a visible message; redirects stay on the
    site; whatever was sent comes back inert."""
    status = response.status_code
    body = response.get_data(as_text=True)
    assert status < 500, f"{status} for {sent!r}"
    if status in (400, 413, 422, 429):
        assert VISIBLE_MESSAGE.search(body), f"{status} without a visible message"
    if 300 <= status < 400 or "HX-Redirect" in response.headers:
        location = response.headers.get("HX-Redirect") or response.headers["Location"]
        parts = urlsplit(location)
        assert not parts.scheme and not parts.netloc and location.startswith("/"), location
        assert not location.startswith(("//", "/\\")), location
    if "html" not in (response.mimetype or ""):
        return
    assert "49" + MARKER not in body, "template expression evaluated"
    parser = _Markup()
    parser.feed(body)
    for kind, name, text in parser.places:
        if MARKER not in text:
            continue
        assert kind == "attribute" and _inert_in_attribute(name, text), (
            f"input came back live in {kind} {name!r}: {text[:120]!r}")


def send_hostile(client, url: str, target: FormTarget, values: dict, fixed: dict,
                 query: dict, htmx: bool):
    """Send one attack: form fields (or query parameters for GET) plus query values."""
    from urllib.parse import urlencode

    headers = {"HX-Request": "true"} if htmx else {}
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    if target.method == "GET":
        params = urlencode({**fixed, **values})
        return client.get(url + (("&" if "?" in url else "?") + params if params else ""),
                          headers=headers)
    data = {"csrf_token": csrf_token_for(client), **fixed, **values}
    return client.open(url, method=target.method, data=data, headers=headers)


def walk_elsewhere(app: Flask, world: World, access: dict[str, Access]) -> list[str]:
    """Object-level checks: every endpoint that takes an id of something in an area (in its
    URL, or as a query parameter named in ELSEWHERE given by the entry's params), sent
    by each role allowed for this area's object but with the other ward's object instead,
    must be refused (administrators excepted: they work everywhere). Public endpoints
    (open to everyone) are left out."""
    clients = RoleClients(app, world)
    rules = endpoints_of(app)
    problems = []
    for endpoint, entry in sorted(access.items()):
        rule = rules[endpoint]
        given = set(entry.params(world)) if entry.params else set()
        moved = sorted(name for name in set(rule.arguments) | given if name in ELSEWHERE)
        if not moved or entry.allowed == EVERYONE:
            continue
        far = {name: ELSEWHERE[name](world) for name in moved}
        params = entry.params

        def far_params(w, params=params, far=far):
            return {**(params(w) if params else {}), **far}

        url = url_for_rule(app, rule, world, Access(entry.allowed, params=far_params))
        methods = entry.methods or tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for method in methods:
            for role in sorted(entry.allowed - {ADMIN, ANONYMOUS}):
                data = entry.data(world) if entry.data else None
                answer = classify(request_as(clients, role, method, url, data))
                if answer.outcome != "denied":
                    problems.append(f"{method} {endpoint} as {role} with the other ward's "
                                    f"{', '.join(moved)}: got {answer.status} {answer.outcome}")
    return problems
