"""Every route x every role gets the answer this table declares.

Adding a route? Declare who may use it in ACCESS (see tests/security_helpers.py for the
role sets and how URL parameters are filled). Until then
`test_every_route_declares_who_may_use_it` fails and names the route.
"""
from __future__ import annotations

from tests.conftest import _empty_all_tables
from tests.security_helpers import (ADMINS, ANONYMOUS, EVERYONE, MANAGERS_HERE, OFFICIALS,
                                    SIGNED_IN, Access, build_world, endpoints_of, mismatches,
                                    walk, walk_elsewhere)

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
    "admin.resident_privacy": Access(MANAGERS_HERE),
    "admin.resident_export": Access(MANAGERS_HERE),
    "admin.resident_consent_withdraw": Access(MANAGERS_HERE),
    "admin.resident_erase": Access(MANAGERS_HERE),
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


def test_the_walk_notices_a_route_open_to_the_wrong_people(app, make):
    """The harness itself: declaring the admin page public is reported, per role."""
    wrong = {"admin.index": Access(EVERYONE)}
    problems = mismatches(walk(app, lambda: build_world(make), wrong,
                               reset=_empty_all_tables), wrong)
    assert len(problems) == len(EVERYONE) - 1
    assert any(f"as {ANONYMOUS}: expected allowed, got 302 login" in p for p in problems)
