"""Every route x every role gets the answer this table declares.

Adding a route? Declare who may use it in ACCESS (see tests/security_helpers.py for the
role sets and how URL parameters are filled). Until then
`test_every_route_declares_who_may_use_it` fails and names the route.
"""
from __future__ import annotations

from tests.conftest import _empty_all_tables
from tests.security_helpers import (ADMIN, ADMINS, ANONYMOUS, EVERYONE, LEADER, MANAGERS,
                                    MANAGERS_HERE, OFFICIAL, OFFICIALS, SIGNED_IN, VERIFIED,
                                    VOLUNTEERS, Access, RoleClients, build_world, classify,
                                    endpoints_of, mismatches, request_as, walk, walk_elsewhere)

#: Nobody in the world: pages reached only by a browser that entered a tracking code
#: (tests/test_sessions_tracking*.py and tests/test_requests_* sign such a browser in).
NOBODY: frozenset = frozenset()
#: Managers here and the verified volunteer the request or session is assigned to.
ASSIGNED_OR_MANAGERS_HERE = MANAGERS_HERE | {VERIFIED}
#: Ward officials of this ward and administrators (a ward's own pages).
THIS_WARDS_OFFICIALS = frozenset({OFFICIAL, ADMIN})


def _group_area(w) -> dict:
    return {"level": "group", "key": w.group.id}

ACCESS: dict[str, Access] = {
    # main
    "main.home": Access(EVERYONE),
    "main.set_language": Access(EVERYONE, data=lambda w: {"lang": "vi", "next": "/"}),
    "main.healthz": Access(EVERYONE),
    # auth: signed-in people asking for the login or register page are sent home (allowed)
    "auth.login": Access(EVERYONE),
    "auth.register": Access(EVERYONE),
    "auth.logout": Access(SIGNED_IN),
    "auth.change_password": Access(SIGNED_IN),
    # admin
    "admin.index": Access(ADMINS),
    "admin.audit_log": Access(OFFICIALS),
    # areas: the QR poster's link and image are public; posters are printed by managers
    "areas.group_link": Access(EVERYONE, params=lambda w: {"code": w.group.code}),
    "areas.qr": Access(EVERYONE, params=lambda w: {"code": w.group.code}),
    "areas.groups": Access(MANAGERS),
    "areas.poster": Access(MANAGERS_HERE),
    "areas.leaflet": Access(MANAGERS_HERE),
    # requests: the public form and the tracking page are for everyone; a request's record
    # for its managers and the volunteer it is assigned to
    "requests.new": Access(EVERYONE),
    "requests.check": Access(EVERYONE),
    "requests.refill": Access(EVERYONE),
    "requests.groups_for_ward": Access(EVERYONE, params=lambda w: {"phuong": w.ward.id}),
    "requests.created": Access(EVERYONE),
    "requests.track": Access(EVERYONE),
    # a browser that has not entered the code is sent back to the tracking form
    "requests.tracked": Access(EVERYONE),
    "requests.cancel_tracked": Access(EVERYONE),
    "requests.forget": Access(EVERYONE),
    "requests.queue": Access(MANAGERS),
    "requests.detail": Access(ASSIGNED_OR_MANAGERS_HERE),
    "requests.cancel": Access(MANAGERS_HERE),
    # residents: records of an area only for those who manage it
    "residents.directory": Access(MANAGERS),
    "residents.detail": Access(MANAGERS_HERE),
    # a resident's data rights: see, export, withdraw consent, erase
    "residents.resident_privacy": Access(MANAGERS_HERE),
    "residents.resident_export": Access(MANAGERS_HERE),
    "residents.resident_consent_withdraw": Access(MANAGERS_HERE),
    "residents.resident_erase": Access(MANAGERS_HERE),
    # volunteers
    "volunteers.profile": Access(VOLUNTEERS),
    "volunteers.directory": Access(MANAGERS),
    "volunteers.detail": Access(MANAGERS_HERE | {VERIFIED}),  # the volunteer's own profile
    "volunteers.verify": Access(MANAGERS_HERE),
    "volunteers.revoke": Access(MANAGERS_HERE),
    "volunteers.partner": Access(MANAGERS_HERE),
    # matching: the feed is the volunteers' (an unverified one is told why it is empty and
    # why accepting is refused); suggestions and assigning are the managers'
    "matching.near_me": Access(VOLUNTEERS),
    "matching.accept": Access(VOLUNTEERS, params=lambda w: {
        "request_id": w.extra["open_request"].id}),
    "matching.assignment": Access(frozenset({VERIFIED})),
    "matching.hand_back": Access(frozenset({VERIFIED})),
    "matching.suggestions": Access(MANAGERS_HERE),
    "matching.assign": Access(MANAGERS_HERE),
    "matching.batch": Access(MANAGERS),
    # sessions
    "sessions.propose": Access(ASSIGNED_OR_MANAGERS_HERE, params=lambda w: {
        "request_id": w.extra["waiting_request"].id}),
    "sessions.detail": Access(ASSIGNED_OR_MANAGERS_HERE),
    "sessions.confirm": Access(MANAGERS_HERE),
    "sessions.reschedule": Access(ASSIGNED_OR_MANAGERS_HERE),
    "sessions.cancel": Access(ASSIGNED_OR_MANAGERS_HERE),
    "sessions.volunteer_cannot_come": Access(ASSIGNED_OR_MANAGERS_HERE),
    "sessions.new_class": Access(MANAGERS),
    "sessions.edit_class": Access(MANAGERS_HERE),
    "sessions.fill": Access(MANAGERS_HERE),
    "sessions.remove_enrollment": Access(MANAGERS_HERE),
    "sessions.attendance_sheet": Access(MANAGERS_HERE),
    "sessions.sign_in": Access(MANAGERS_HERE),
    "sessions.no_shows": Access(MANAGERS),
    "sessions.resolve_no_show": Access(MANAGERS_HERE),
    "sessions.contest_no_show": Access(frozenset({VERIFIED})),  # recorded against them
    "sessions.calendar": Access(MANAGERS),
    "sessions.mine": Access(VOLUNTEERS),
    "sessions.reset_feed": Access(VOLUNTEERS),
    # secret addresses: the feed's token and the reminder's one-tap reply link
    "sessions.feed": Access(EVERYONE, params=lambda w: {"token": w.extra["feed"].token}),
    "sessions.reply": Access(EVERYONE, params=lambda w: {"token": w.extra["reply"].token}),
    "sessions.tracked": Access(NOBODY),
    "sessions.track_confirm": Access(NOBODY, data=lambda w: {"request_id": w.request.id}),
    "sessions.track_reschedule": Access(NOBODY, data=lambda w: {"request_id": w.request.id}),
    "sessions.track_cannot_come": Access(NOBODY, data=lambda w: {"request_id": w.request.id}),
    "sessions.track_contest": Access(NOBODY, data=lambda w: {"request_id": w.request.id}),
    # outcomes
    "outcomes.log": Access(ASSIGNED_OR_MANAGERS_HERE),
    "outcomes.hours": Access(MANAGERS_HERE),
    "outcomes.correct": Access(MANAGERS_HERE),
    "outcomes.pending": Access(SIGNED_IN),  # each sees the sessions they must log (or none)
    "outcomes.progress": Access(ASSIGNED_OR_MANAGERS_HERE),
    "outcomes.survey": Access(ASSIGNED_OR_MANAGERS_HERE),
    "outcomes.certificate": Access(VOLUNTEERS),  # one's own certificate
    "outcomes.certificate[volunteer_id]": Access(MANAGERS_HERE | {VERIFIED}),
    # coverage: a group's figures for its managers, a ward's for its officials
    "coverage.dashboard": Access(MANAGERS),
    "coverage.definitions": Access(MANAGERS),
    "coverage.group": Access(MANAGERS_HERE),
    "coverage.denominators": Access(MANAGERS_HERE),
    "coverage.figure": Access(MANAGERS_HERE, params=lambda w: {
        "figure": "reached", **_group_area(w)}),
    "coverage.export": Access(MANAGERS_HERE, params=lambda w: {"fmt": "csv", **_group_area(w)}),
    "coverage.ward": Access(OFFICIALS),  # sends an official to their own ward
    "coverage.ward[ward_id]": Access(THIS_WARDS_OFFICIALS),
    "coverage.monthly_report": Access(THIS_WARDS_OFFICIALS),
    "coverage.district": Access(OFFICIALS, params=lambda w: {"ten": w.ward.district}),
    "coverage.overall": Access(ADMINS),
    "coverage.recount": Access(ADMINS),
    "coverage.targets": Access(THIS_WARDS_OFFICIALS, params=lambda w: {
        "level": "ward", "key": w.ward.id}),
    "coverage.core_topics": Access(ADMINS),
    # notify
    "notify.inbox": Access(SIGNED_IN),
    "notify.bell": Access(EVERYONE),  # anonymous visitors are told to stop polling
    "notify.preferences": Access(SIGNED_IN),
    "notify.resident_preferences": Access(MANAGERS_HERE),
    "notify.failures": Access(MANAGERS),
    "notify.retry_failure": Access(MANAGERS_HERE, fresh_world=True),
    "notify.resolve_failure": Access(MANAGERS_HERE, fresh_world=True),
    "notify.dev_outbox": Access(ADMINS),
    "notify.dev_deliver": Access(ADMINS),
}


def test_every_route_declares_who_may_use_it(app):
    routes = set(endpoints_of(app))
    undeclared = sorted(routes - ACCESS.keys())
    assert not undeclared, (
        "declare who may use these routes in ACCESS (tests/test_security_access_matrix.py): "
        + ", ".join(undeclared))
    assert not sorted(ACCESS.keys() - routes), "ACCESS names routes that no longer exist"


def test_every_route_answers_every_role_as_declared(app, make):
    answers = walk(app, lambda: build_world(make), ACCESS, reset=_empty_all_tables)
    problems = mismatches(answers, ACCESS)
    assert not problems, "\n".join(["answers that differ from ACCESS:"] + problems)


def test_changing_an_id_never_reaches_another_wards_objects(app, make):
    """A leader or official who edits the id in a URL gets a refusal, not the other ward's
    resident, request or session."""
    problems = walk_elsewhere(app, build_world(make), ACCESS)
    assert not problems, "\n".join(["reached another area's objects:"] + problems)


def test_coverage_figures_exports_and_targets_of_another_ward_are_refused(app, make):
    """Coverage names its area in the query string (level and key), out of reach of the
    walk above: the other ward's group and ward are refused to this ward's people."""
    world = build_world(make)
    clients = RoleClients(app, world)
    far_group, far_ward = world.far_group.id, world.other_ward.id
    urls = [f"/do-bao-phu/so-lieu/reached?level=group&key={far_group}",
            f"/do-bao-phu/so-lieu/reached?level=ward&key={far_ward}",
            f"/do-bao-phu/xuat.csv?level=group&key={far_group}",
            f"/do-bao-phu/xuat.xlsx?level=ward&key={far_ward}",
            f"/do-bao-phu/chi-tieu?level=ward&key={far_ward}",
            f"/do-bao-phu/chi-tieu?level=group&key={far_group}"]
    answers = {(role, url): classify(request_as(clients, role, "GET", url, None))
               for role in (LEADER, OFFICIAL) for url in urls}
    reached = [f"{role} {url}: {a.status}" for (role, url), a in answers.items()
               if a.outcome != "denied"]
    assert not reached, reached
    # the same addresses with this ward's ids are served to its official
    mine = classify(request_as(clients, OFFICIAL, "GET",
                               f"/do-bao-phu/xuat.csv?level=ward&key={world.ward.id}", None))
    assert mine.outcome == "allowed"


def test_the_walk_notices_a_route_open_to_the_wrong_people(app, make):
    """The harness itself: declaring the admin page public is reported, per role."""
    wrong = {"admin.index": Access(EVERYONE)}
    problems = mismatches(walk(app, lambda: build_world(make), wrong,
                               reset=_empty_all_tables), wrong)
    assert len(problems) == len(EVERYONE) - 1
    assert any(f"as {ANONYMOUS}: expected allowed, got 302 login" in p for p in problems)
