"""Random and hostile values posted to every form and htmx endpoint: never a server error,
always a visible message, and whatever was typed comes back as inert text.

Adding a form? Add a FormTarget to FORM_TARGETS (see tests/security_helpers.py).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from app.extensions import limiter
from app.models import LoginThrottle, Resident
from app.web import safe_local_path
from tests.conftest import csrf_token_from
from tests.security_helpers import (ANONYMOUS, LEADER, OFFICIAL, RESIDENT, VERIFIED, Access,
                                    FormTarget,
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
    FormTarget("residents.resident_erase", role=LEADER, fields=("confirm", "reason"),
               before_each=lambda w, db: db.session.execute(update(Resident).where(
                   Resident.id == w.resident.id).values(erased_at=None))),
    # the public request form, its inline checks and the tracking form
    FormTarget("requests.new", query=("to",), fields=(
        "full_name", "phone", "ward", "group", "topics", "times", "place", "address", "gender",
        "birth_year", "note", "consent", "consent_method", "website")),
    FormTarget("requests.check", fields=("_field", "full_name", "phone", "address", "note",
                                         "birth_year")),
    FormTarget("requests.refill", fields=("ward", "group", "full_name", "phone", "note")),
    FormTarget("requests.track", fields=("code", "phone")),
    # a volunteer proposing a time, and their profile
    FormTarget("sessions.propose", role=VERIFIED,
               fields=("day", "starts", "ends", "place", "place_name"),
               params=lambda w: {"request_id": w.extra["waiting_request"].id}),
    FormTarget("volunteers.profile", role=VERIFIED, fields=(
        "kind", "organisation", "birth_year", "zalo", "topics", "availability", "areas",
        "weekly_capacity", "paused_until", "guardian_consent_by", "guardian_consent_on")),
    # a leader creating a class, logging and correcting outcomes
    FormTarget("sessions.new_class", role=LEADER, fields=(
        "group_id", "title", "topic_ids", "place", "place_name", "capacity", "lead_id",
        "helper_ids", "weeks", "scope", "day", "starts", "ends")),
    FormTarget("outcomes.log", role=LEADER, fields=lambda w: tuple(
        f"a{w.enrollment.id}_{name}" for name in ("attended", "skills", "confidence",
                                                  "follow_up", "note")),
               before_each=lambda w, db: _session_just_ended(w, db)),
    FormTarget("outcomes.correct", role=LEADER, fields=(
        "x_attended", "x_skills", "x_confidence", "x_follow_up", "x_note", "reason")),
]

def _session_just_ended(world, db) -> None:
    """The world's session ended an hour ago and nobody has logged it yet."""
    from datetime import timedelta

    from app.models import Outcome, Session, SessionStatus
    from app.models.outcomes import OutcomeRevision, outcome_skill
    from app.clock import utcnow

    ended = utcnow().replace(microsecond=0) - timedelta(hours=1)
    outcomes = [o.id for o in db.session.scalars(
        select(Outcome).where(Outcome.enrollment_id == world.enrollment.id))]
    db.session.execute(delete(OutcomeRevision).where(OutcomeRevision.outcome_id.in_(outcomes)))
    db.session.execute(delete(outcome_skill).where(outcome_skill.c.outcome_id.in_(outcomes)))
    db.session.execute(delete(Outcome).where(Outcome.id.in_(outcomes)))
    db.session.execute(update(Session).where(Session.id == world.session.id).values(
        starts_at=ended - timedelta(hours=1), ends_at=ended, status=SessionStatus.CONFIRMED))


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
    fields = target.fields(world) if callable(target.fields) else target.fields

    @EXAMPLES
    @given(values=st.fixed_dictionaries({name: hostile_values() for name in fields}),
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


def test_nul_characters_are_dropped_before_any_view_sees_them(app):
    """PostgreSQL refuses to store them: a pasted NUL must not become a server error."""
    from flask import request

    with app.test_request_context("/?q=a%00b", method="POST", data={"note": "x\x00y"}):
        assert request.args["q"] == "ab"
        assert request.form["note"] == "xy" and request.values.getlist("note") == ["xy"]


def test_a_group_id_beyond_a_database_integer_is_a_message_not_an_error(client):
    page = client.get("/xin-ho-tro")
    response = client.post("/xin-ho-tro", data={"csrf_token": csrf_token_from(page),
                                                "group": "2147483648", "ward": "99999999999"})
    assert response.status_code == 422
