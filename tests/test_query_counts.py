"""The pages people use most run a fixed number of SQL queries however much data there is.

Each test builds a small world, counts the statements one request runs, grows the same
scope several-fold (more groups in the ward, residents, requests, sessions, volunteers,
messages) and counts again: the count must not grow (no N+1), and stays under a bound.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from flask import current_app, url_for
from sqlalchemy import event

from app.clock import local_to_utc, today_local
from app.extensions import db as _db
from app.models import Enrollment, Membership, RequestStatus, Role, SessionKind
from app.notify.outbox import notify

# A page may run a handful more statements on a bigger world only if the difference is a
# constant (e.g. a second page link appearing); it must never follow the number of rows.
SLACK = 2


@pytest.fixture
def count_queries(app, client):
    """Return f(url, **headers) -> (response, number of statements that request ran)."""

    def run(url, **headers):
        _db.session.commit()  # the client would flush the test's pending rows otherwise
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            response = client.get(url, headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", before)
        assert response.status_code == 200, (url, response.status_code)
        return response, len(statements)

    return run


class World:
    """A ward with a led group, an official, a verified volunteer and a topic; `grow`
    adds more of everything in the same ward and the same people's reach."""

    def __init__(self, make):
        self.make = make
        self.ward = make.ward()
        self.topic = make.topic(name="Dùng Zalo")
        self.group = make.group(self.ward)
        self.leader = make.leader(self.group)
        self.official = make.official(self.ward)
        self.volunteer = make.volunteer("Lê Văn Hùng", wards=[self.ward],
                                        topics=[self.topic], capacity=50)
        self.groups = [self.group]
        today = today_local()
        self.week = today + timedelta(days=7 - today.weekday())  # next Monday
        self.grow(1)

    def grow(self, times: int) -> None:
        make = self.make
        db = make.db
        for i in range(times):
            group = make.group(self.ward)
            self.groups.append(group)
            db.session.add(Membership(user_id=self.leader.id, role=Role.LEADER,
                                      group_id=group.id))
            for g in (group, self.group):
                other = make.volunteer(f"Phạm Thị Hoa {i}", groups=[g], topics=[self.topic])
                residents = [make.resident(g, name=f"Nguyễn Văn An {i} {k}") for k in range(3)]
                for k, resident in enumerate(residents):
                    make.request(resident, topics=[self.topic])
                    make.request(resident, topics=[self.topic], status=RequestStatus.ASSIGNED,
                                 volunteer_id=other.volunteer_profile.id)
                # Monday to Friday of next week, so the calendar's week holds them all
                # whatever day the test runs on.
                starts = local_to_utc(datetime.combine(self.week + timedelta(days=i % 5),
                                                       time(7 + i % 10)))
                for when, vols in ((starts, [self.volunteer, other]),
                                   (starts - timedelta(days=10), [self.volunteer])):
                    session = make.session(g, starts_at=when, volunteers=vols,
                                           topics=[self.topic])
                    for resident in residents:
                        db.session.add(Enrollment(session_id=session.id,
                                                  resident_id=resident.id))
                make.session(g, starts_at=starts + timedelta(hours=3),
                             kind=SessionKind.ONE_TO_ONE, capacity=1,
                             volunteers=[self.volunteer])
            for user in (self.volunteer, self.leader):
                notify("request_new_in_group", user=user, context={"group_name": group.name})
                notify("session_confirmed", user=user, context={"title": "Lớp học thử"})
        db.session.commit()


@pytest.fixture
def world(make):
    return World(make)


def _measure(world, auth, count_queries, user, url_of, *, bound: int):
    auth.login(user.phone)
    with current_app.test_request_context():
        url = url_of()
    count_queries(url)  # warm: first-request work (caches, the session cookie) is not the page
    _, small = count_queries(url)
    world.grow(4)
    response, large = count_queries(url)
    assert large <= small + SLACK, f"{url}: {small} queries, then {large} with 5x the data"
    assert large <= bound, f"{url}: {large} queries (bound {bound})"
    return response


def _url(endpoint, **values):
    return lambda: url_for(endpoint, **values)


def test_public_request_form_runs_few_queries_as_the_city_grows(world, client, count_queries):
    count_queries("/xin-ho-tro")
    _, small = count_queries("/xin-ho-tro")
    world.grow(4)
    _, large = count_queries("/xin-ho-tro")
    assert large <= small + SLACK
    assert large <= 10


def test_volunteer_feed_does_not_query_per_request(world, auth, count_queries):
    response = _measure(world, auth, count_queries, world.volunteer, _url("matching.near_me"),
                        bound=16)
    # The bigger world's open requests are all on the page: the count held while it grew.
    assert response.get_data(as_text=True).count('class="card match-card"') >= 30


def test_leader_dashboard_does_not_query_per_group(world, auth, count_queries):
    response = _measure(world, auth, count_queries, world.leader, _url("coverage.dashboard"),
                        bound=25)
    body = response.get_data(as_text=True)
    assert all(group.name in body for group in world.groups)


def test_request_queue_does_not_query_per_request(world, auth, count_queries):
    _measure(world, auth, count_queries, world.leader, _url("requests.queue"), bound=15)


@pytest.mark.clock
def test_group_week_calendar_does_not_query_per_session(world, auth, count_queries):
    _measure(world, auth, count_queries, world.leader,
             lambda: url_for("sessions.calendar", scope=f"g:{world.group.id}",
                             week=world.week.isoformat()), bound=20)


def test_ward_rollup_does_not_query_per_group(world, auth, count_queries):
    _measure(world, auth, count_queries, world.official,
             lambda: url_for("coverage.ward", ward_id=world.ward.id), bound=25)


def test_resident_search_does_not_query_per_resident(world, auth, count_queries):
    response = _measure(world, auth, count_queries, world.leader,
                        _url("residents.directory", q="nguyen van an"), bound=12)
    assert "Nguyễn Văn An" in response.get_data(as_text=True)


def test_volunteer_directory_does_not_query_per_volunteer(world, auth, count_queries):
    response = _measure(world, auth, count_queries, world.leader,
                        _url("volunteers.directory"), bound=20)
    assert "Phạm Thị Hoa" in response.get_data(as_text=True)


def test_volunteer_sessions_do_not_query_per_session(world, auth, count_queries):
    _measure(world, auth, count_queries, world.volunteer, _url("sessions.mine"), bound=22)


def test_inbox_does_not_query_per_message(world, auth, count_queries):
    _measure(world, auth, count_queries, world.leader, _url("notify.inbox"), bound=12)
