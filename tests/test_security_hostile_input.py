"""Random and hostile values posted to every form and htmx endpoint: never a server error,
always a visible message, and whatever was typed comes back as inert text.

Adding a form? Add a FormTarget to FORM_TARGETS (see tests/security_helpers.py).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from app.extensions import limiter
from app.models import LoginThrottle, Resident
from app.web import safe_local_path
from tests.security_helpers import (ANONYMOUS, LEADER, OFFICIAL, RESIDENT, Access, FormTarget,
                                    RoleClients, assert_handled, build_world, endpoints_of,
                                    hostile_values, send_hostile, url_for_rule)

FORM_TARGETS = [
    FormTarget("auth.login", fields=("phone", "password", "remember"), query=("next",)),
    FormTarget("auth.register", fields=("full_name", "phone", "birth_year", "kind",
                                        "organisation", "password", "password_confirm")),
    FormTarget("main.set_language", fields=("lang", "next")),
    FormTarget("auth.change_password", role=RESIDENT,
               fields=("current_password", "new_password", "new_password_confirm")),
    FormTarget("admin.audit_log", method="GET", role=OFFICIAL,
               fields=("action", "q", "resident", "page")),
    FormTarget("admin.resident_erase", role=LEADER, fields=("confirm", "reason"),
               before_each=lambda w, db: db.session.execute(update(Resident).where(
                   Resident.id == w.resident.id).values(erased_at=None))),
]

EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("target", FORM_TARGETS, ids=lambda t: t.endpoint)
def test_hostile_input_is_refused_kindly_and_comes_back_inert(app, make, db, target):
    world = build_world(make)
    clients = RoleClients(app, world)
    rule = endpoints_of(app)[target.endpoint]
    url = url_for_rule(app, rule, world, Access(frozenset(), params=target.params))
    fixed = target.fixed(world) if target.fixed else {}

    @EXAMPLES
    @given(values=st.fixed_dictionaries({name: hostile_values() for name in target.fields}),
           query=st.fixed_dictionaries({name: hostile_values() for name in target.query}),
           htmx=st.booleans())
    def attack(values, query, htmx):
        limiter.reset()
        db.session.execute(delete(LoginThrottle))
        if target.before_each:
            target.before_each(world, db)
        db.session.commit()
        if target.role == ANONYMOUS:
            clients.clients.pop(ANONYMOUS, None)  # a fresh visitor each time
        client = clients.get(target.role)
        response = send_hostile(client, url, target, values, fixed, query, htmx)
        assert_handled(response, {**values, **query})

    attack()


def test_every_form_target_names_a_real_endpoint(app):
    assert {t.endpoint for t in FORM_TARGETS} <= set(endpoints_of(app))


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\\evil.example", "/\\/evil.example", "https://evil.example",
    "/\t/evil.example", "/ /evil.example", "javascript:alert(1)", "", None, "evil",
    "/" + "a" * 2001,
])
def test_redirect_targets_that_could_leave_the_site_are_replaced(target):
    assert safe_local_path(target, "/") == "/"


@pytest.mark.parametrize("target", ["/", "/quan-tri/nhat-ky?q=binh&page=2", "/tra-cứu"])
def test_local_redirect_targets_are_kept(target):
    assert safe_local_path(target, "/") == target
