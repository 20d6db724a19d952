"""`resident_progress` — what the coverage figures count — always says what the outcomes say.

Every kind of write that can change a resident's progress is made through the app's own
services or the ORM, and after each the stored rows are compared with the definitions
computed from the outcomes (`progress.differences`), and a resident's flags are read back.
"""
from __future__ import annotations

import threading

from sqlalchemy import select

from app.coverage import progress
from app.coverage import targets
from app.models import Enrollment, Outcome, ResidentProgress, Skill
from app.outcomes import services as outcomes
from tests.coverage_helpers import attended, days_ago, past_session, town


def _flags(db, resident):
    row = db.session.get(ResidentProgress, resident.id, populate_existing=True)
    return None if row is None else (row.basic, row.smartphone_topic, row.epayment_topic)


def _consistent(db) -> bool:
    db.session.flush()
    return progress.differences(db.session.connection()) == 0


def test_logging_and_correcting_outcomes_keep_each_residents_progress(make, db):
    t = town(make)
    assert _consistent(db)
    assert _flags(db, t.r1) == (True, True, True)      # A and B over two sessions
    assert _flags(db, t.r2) == (False, False, False)   # reached with one skill of A
    assert _flags(db, t.r3) is None                    # did not come: not reached
    assert _flags(db, t.r11) is None                   # never came to anything

    # A leader's correction takes b1 back from r1's second session: no longer basic.
    outcome = db.session.scalar(select(Outcome).join(Enrollment).where(
        Enrollment.resident_id == t.r1.id, Enrollment.session_id == t.s2.id))
    outcomes.correct_outcome(t.v1, outcome, outcomes.AttendeeEntry(outcome.enrollment_id, True),
                             "Ghi nhầm kỹ năng")
    assert _flags(db, t.r1) == (False, True, False)
    assert _consistent(db)

    # r11 comes to a class and learns all of A: reached, smartphone topic done.
    s7 = past_session(make, t.g5, days_ago(1), topics=[t.a])
    attended(make, t.r11, s7, [t.a1, t.a2])
    assert _flags(db, t.r11) == (False, True, False)
    # Marked as not come after all: not reached any more.
    seat = db.session.scalar(select(Enrollment).where(Enrollment.session_id == s7.id))
    seat.outcome.attended = False
    assert _flags(db, t.r11) is None
    assert _consistent(db)


def test_what_basic_means_changes_with_the_core_topics_and_their_checklists(make, db):
    t = town(make)
    # Only topic A required: r2 still lacks a2; r1, r4, r5, r7, r9, r10 have A.
    targets.set_core_topics({t.a.id})
    assert _flags(db, t.r2)[0] is False and _flags(db, t.r10)[0] is True
    assert _consistent(db)
    # A new skill in A's checklist: nobody has completed A any more.
    t.a.skills.append(Skill(name="a3", position=3))
    db.session.flush()
    assert _flags(db, t.r1) == (False, False, True)
    assert _consistent(db)
    # The checklist item is taken out again: A is complete once more for those who had it.
    db.session.delete(t.a.skills[-1])
    db.session.flush()
    assert _flags(db, t.r1) == (True, True, True)
    assert _consistent(db)


def test_the_ward_figures_follow_a_logged_outcome_at_once(client, auth, make, db):
    t = town(make)
    leader = make.leader(t.g3)
    assert auth.login(leader.phone).status_code == 303
    before = client.get(f"/do-bao-phu/so-lieu/reached?level=group&key={t.g3.id}")
    assert "Ngô Văn Chín" in before.get_data(as_text=True)
    r12 = make.resident(t.g3, "Lý Thị Mười Hai")
    s8 = past_session(make, t.g3, days_ago(1), topics=[t.a])
    attended(make, r12, s8, [t.a1])
    make.commit()
    after = client.get(f"/do-bao-phu/so-lieu/reached?level=group&key={t.g3.id}")
    assert "Lý Thị Mười Hai" in after.get_data(as_text=True)


def test_two_outcomes_for_one_resident_saved_at_the_same_moment_both_count(app, make, db):
    """Two volunteers log two sessions of one resident at once: topic A in one, B in the
    other. Whichever commits last must still see the other's skills: basic skills."""
    t = town(make)
    r12 = make.resident(t.g3, "Lý Thị Mười Hai")
    s8 = past_session(make, t.g3, days_ago(2), topics=[t.a])
    s9 = past_session(make, t.g3, days_ago(1), topics=[t.b])
    seats = [make._add(Enrollment(session_id=s.id, resident_id=r12.id)) for s in (s8, s9)]
    make.commit()
    work = [(seats[0].id, [t.a1.id, t.a2.id]), (seats[1].id, [t.b1.id])]
    db.session.rollback()  # the test's own transaction must not hold SQLite's write lock
    barrier = threading.Barrier(2)
    errors = []

    def log(enrollment_id, skill_ids):
        with app.app_context():
            from app.extensions import db as thread_db
            try:
                barrier.wait(timeout=30)
                skills = thread_db.session.scalars(select(Skill).where(
                    Skill.id.in_(skill_ids))).all()
                thread_db.session.add(Outcome(enrollment_id=enrollment_id, attended=True,
                                              skills=list(skills)))
                thread_db.session.commit()
            except Exception as exc:  # reported by the assertion below, never a hang
                errors.append(repr(exc))
            finally:
                thread_db.session.remove()

    threads = [threading.Thread(target=log, args=args) for args in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    assert _flags(db, r12) == (True, True, True)
    assert _consistent(db)
