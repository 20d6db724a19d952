"""Capacity is never exceeded, also when many people enrol at the same moment."""
from __future__ import annotations

import threading

from sqlalchemy import select

from app.extensions import db as _db
from app.models import Enrollment, EnrollmentStatus, Resident, Session
from app.refusal import Refusal
from app.sessions.seats import enroll
from tests.sessions_helpers import at, booked, next_local_day

CAPACITY, EXTRA = 5, 4


def test_capacity_plus_k_concurrent_enrolments_give_capacity_seats_and_k_waiting(app, make):
    group = make.group()
    day = next_local_day(1)
    session = booked(make, group, at(day, 9), at(day, 10, 30), capacity=CAPACITY)
    residents = [make.resident(group, name=f"Người Dân Số {i}") for i in range(CAPACITY + EXTRA)]
    session_id, resident_ids = session.id, [r.id for r in residents]
    make.commit()
    barrier = threading.Barrier(len(resident_ids))
    errors: list[BaseException] = []

    def take_a_seat(resident_id: int) -> None:
        with app.app_context(), app.test_request_context():
            barrier.wait()  # everyone presses "enrol" at the same moment
            try:
                enroll(_db.session.get(Session, session_id), _db.session.get(Resident, resident_id))
                _db.session.commit()
            except (Refusal, Exception) as exc:  # recorded, asserted below
                _db.session.rollback()
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=take_a_seat, args=(rid,)) for rid in resident_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    _db.session.expire_all()
    statuses = _db.session.scalars(select(Enrollment.status).where(
        Enrollment.session_id == session_id)).all()
    assert statuses.count(EnrollmentStatus.ENROLLED) == CAPACITY
    assert statuses.count(EnrollmentStatus.WAITING) == EXTRA


def test_enrolling_twice_keeps_one_seat(app, make, db):
    group = make.group()
    day = next_local_day(1)
    session = booked(make, group, at(day, 9), at(day, 10), capacity=2)
    binh = make.resident(group)
    make.commit()
    with app.test_request_context():
        first = enroll(session, binh)
        again = enroll(session, binh)
        db.session.commit()
    assert first.id == again.id
    assert len(db.session.scalars(select(Enrollment)).all()) == 1
