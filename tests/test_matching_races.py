"""The database decides: simultaneous accepts in real threads, on SQLite and PostgreSQL."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.extensions import db as _db
from app.matching import services
from app.refusal import Refusal
from app.models import HelpRequest, OutboxMessage, RequestStatus, VolunteerProfile
from tests.matching_helpers import neighbourhood, run_together


def _accept(profile_id: int, request_id: int):
    """One volunteer's tap, as its own request would run it: its own session, commit."""
    profile = _db.session.get(VolunteerProfile, profile_id)
    try:
        services.accept_request(profile, request_id)
    except Refusal as exc:
        _db.session.rollback()
        return exc.reason
    _db.session.commit()
    return "won"


def test_twenty_volunteers_tapping_one_request_at_once_make_exactly_one_winner(app, make, db):
    n = neighbourhood(make)
    volunteers = [make.volunteer(f"Tình Nguyện Viên {i}", topics=[n.zalo], groups=[n.group3])
                  for i in range(20)]
    request_id = make.request(n.binh, topics=[n.zalo]).id
    ids = [v.volunteer_profile.id for v in volunteers]
    make.commit()  # plain ids only from here on: the threads share no objects with the test

    results = run_together(app, 20, lambda i: _accept(ids[i], request_id))

    assert Counter(results) == {"won": 1, "taken": 19}, results
    db.session.expire_all()
    request = db.session.get(HelpRequest, request_id)
    assert request.status == RequestStatus.ASSIGNED
    assert request.volunteer_id == ids[results.index("won")]
    told = db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == "volunteer_assigned"))
    assert told == 1  # the losers' messages were rolled back with them


def test_one_volunteer_tapping_many_requests_at_once_stays_within_capacity(app, make, db):
    n = neighbourhood(make)
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3], capacity=2)
    request_ids = [make.request(n.binh, topics=[n.zalo]).id for _ in range(8)]
    profile_id = minh.volunteer_profile.id
    make.commit()

    results = run_together(app, 8, lambda i: _accept(profile_id, request_ids[i]))

    assert Counter(results) == {"won": 2, "capacity": 6}, results
    db.session.expire_all()
    held = db.session.scalar(select(func.count(HelpRequest.id)).where(
        HelpRequest.volunteer_id == profile_id))
    assert held == 2


def test_a_leader_assigning_while_volunteers_accept_still_gives_one_volunteer(app, make, db):
    n = neighbourhood(make)
    volunteers = [make.volunteer(f"Tình Nguyện Viên {i}", topics=[n.zalo], groups=[n.group3])
                  for i in range(6)]
    request_id = make.request(n.binh, topics=[n.zalo]).id
    ids = [v.volunteer_profile.id for v in volunteers]
    leader_id = n.leader.id
    make.commit()

    def work(i):
        if i == 0:
            from app.models import User
            try:
                services.assign_request(_db.session.get(User, leader_id), request_id, ids[0])
            except Refusal as exc:
                _db.session.rollback()
                return exc.reason
            _db.session.commit()
            return "won"
        return _accept(ids[i], request_id)

    results = run_together(app, 6, work)

    assert Counter(results) == {"won": 1, "taken": 5}, results
    db.session.expire_all()
    assert db.session.get(HelpRequest, request_id).volunteer_id == ids[results.index("won")]
