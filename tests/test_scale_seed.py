"""`seed-scale` fills a database with realistic, consistent data that benchmarks can log into."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, inspect, select, text

from app.models import (Group, HelpRequest, Outcome, Resident, Session, SessionVolunteer, User,
                        VolunteerArea, VolunteerProfile, Ward)
from app.requests.services import CODE_LENGTH, TRACKING_ALPHABET
from app.seeding.context import CODE_SPACE, request_code
from app.seeding.demo import DEMO_PASSWORD
from app.seeding.profiles import KNOWN_ACCOUNTS, PROFILES, Profile
from app.text import fold

TODAY = "2026-11-20"
# Local midnight of TODAY (UTC+7): every past event happened before it.
NOW = datetime(2026, 11, 19, 17, 0, tzinfo=timezone.utc)


@pytest.fixture
def seeded(runner, db):
    result = runner.invoke(args=["seed-scale", "--profile", "tiny", "--today", TODAY])
    assert result.exit_code == 0, result.output
    return result


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _rows(db, sql: str):
    return db.session.execute(text(sql)).all()


def test_tiny_profile_has_the_planned_sizes_and_vietnamese_names(seeded, db):
    tiny = PROFILES["tiny"]
    assert _count(db, Ward) == tiny.wards
    assert _count(db, Group) == tiny.groups
    assert _count(db, Resident) == tiny.residents
    assert _count(db, VolunteerProfile) == tiny.volunteers
    assert _count(db, Session) == tiny.sessions
    assert abs(_count(db, HelpRequest) - tiny.requests) <= tiny.requests * 0.05
    # District is the tiny profile scaled up, city ten times the district.
    district, city = PROFILES["district"], PROFILES["city"]
    assert city.residents == 10 * district.residents and city.sessions == 10 * district.sessions
    assert "0900 000 004" in seeded.output and DEMO_PASSWORD in seeded.output

    # Vietnamese names with diacritics, searchable without them.
    people = db.session.execute(select(Resident.full_name, Resident.name_search)).all()
    assert all(search == fold(name) for name, search in people)
    with_marks = [name for name, search in people if name.lower() != search]
    assert len(with_marks) > 0.9 * len(people)
    assert any(name.startswith("Nguyễn ") for name, _ in people)
    assert all(len(name.split()) >= 3 for name, _ in people)


def test_request_states_are_consistent(seeded, db):
    statuses = dict(db.session.execute(
        select(HelpRequest.status, func.count()).group_by(HelpRequest.status)).all())
    total = sum(statuses.values())
    assert statuses["done"] > 0.6 * total
    assert 0.02 * total < statuses["open"] < 0.2 * total
    assert statuses["scheduled"] > 0 and statuses["cancelled"] > 0

    # Open requests: no volunteer, no date, no seat anywhere.
    assert _rows(db, """
        SELECT r.id FROM help_request r WHERE r.status = 'open' AND (
            r.volunteer_id IS NOT NULL OR r.assigned_at IS NOT NULL OR r.closed_at IS NOT NULL
            OR EXISTS (SELECT 1 FROM enrollment e WHERE e.request_id = r.id)
            OR EXISTS (SELECT 1 FROM session s WHERE s.request_id = r.id))""") == []
    # Taken requests have a volunteer and the time they were taken.
    assert _rows(db, """
        SELECT id FROM help_request WHERE status IN ('assigned', 'scheduled', 'done')
          AND (volunteer_id IS NULL OR assigned_at IS NULL OR assigned_at < created_at)""") == []
    # A DONE request has a DONE session in which the resident attended and an outcome exists.
    assert _rows(db, """
        SELECT r.id FROM help_request r WHERE r.status = 'done' AND NOT EXISTS (
            SELECT 1 FROM enrollment e JOIN session s ON s.id = e.session_id
            JOIN outcome o ON o.enrollment_id = e.id
            WHERE e.request_id = r.id AND e.resident_id = r.resident_id
              AND s.status = 'done' AND o.attended)""") == []
    # A SCHEDULED request has a seat in a session still to come.
    assert _rows(db, f"""
        SELECT r.id FROM help_request r WHERE r.status = 'scheduled' AND NOT EXISTS (
            SELECT 1 FROM enrollment e JOIN session s ON s.id = e.session_id
            WHERE e.request_id = r.id AND e.status = 'enrolled'
              AND s.status IN ('proposed', 'confirmed')
              AND s.starts_at > '{NOW.strftime('%Y-%m-%d %H:%M:%S')}')""") == []
    # ASSIGNED, CANCELLED and DONE requests have no session still to come.
    assert _rows(db, """
        SELECT r.id FROM help_request r JOIN enrollment e ON e.request_id = r.id
        JOIN session s ON s.id = e.session_id
        WHERE r.status IN ('assigned', 'cancelled', 'done')
          AND s.status IN ('proposed', 'confirmed') AND e.status = 'enrolled'""") == []
    # Closed requests say when.
    assert _count(db, HelpRequest, HelpRequest.status.in_(["done", "cancelled"]),
                  HelpRequest.closed_at.is_(None)) == 0


def _volunteers_are_mostly_verified_and_minors_never_lead_a_home_visit(db):
    """Verification, availability masks, minors and the areas volunteers serve."""
    total = _count(db, VolunteerProfile)
    verified = _count(db, VolunteerProfile, VolunteerProfile.verified_at.is_not(None))
    assert 0.7 * total < verified < total
    masks = db.session.scalars(select(VolunteerProfile.availability)).all()
    assert all(0 < m < (1 << 21) for m in masks)
    year = int(TODAY[:4])
    assert _rows(db, f"""
        SELECT sv.id FROM session_volunteer sv JOIN session s ON s.id = sv.session_id
        JOIN volunteer_profile v ON v.id = sv.volunteer_id
        WHERE sv.role = 'lead' AND s.place = 'home' AND {year} - v.birth_year < 18""") == []
    assert _rows(db, f"""
        SELECT id FROM volunteer_profile
        WHERE {year} - birth_year < 18 AND guardian_consent_by IS NULL""") == []
    # Each volunteer serves a ward or some groups.
    assert _rows(db, """
        SELECT v.id FROM volunteer_profile v
        WHERE NOT EXISTS (SELECT 1 FROM volunteer_area a WHERE a.volunteer_id = v.id)""") == []


def test_sessions_outcomes_and_volunteers_follow_the_rules(seeded, db):
    _volunteers_are_mostly_verified_and_minors_never_lead_a_home_visit(db)
    # Outcomes only for past DONE sessions, one for every seat taken there.
    assert _rows(db, """
        SELECT o.id FROM outcome o JOIN enrollment e ON e.id = o.enrollment_id
        JOIN session s ON s.id = e.session_id
        WHERE s.status <> 'done' OR e.status <> 'enrolled' OR o.recorded_at < s.ends_at""") == []
    assert _rows(db, """
        SELECT e.id FROM enrollment e JOIN session s ON s.id = e.session_id
        WHERE s.status = 'done' AND e.status = 'enrolled'
          AND NOT EXISTS (SELECT 1 FROM outcome o WHERE o.enrollment_id = e.id)""") == []
    assert _count(db, Session, Session.status.in_(["proposed", "confirmed"]),
                  Session.starts_at < NOW) == 0
    assert _count(db, Session, Session.status == "done", Session.ends_at > NOW) == 0
    # Every session has exactly one lead volunteer, verified before it started.
    assert _rows(db, """
        SELECT s.id FROM session s
        WHERE (SELECT count(*) FROM session_volunteer sv
               WHERE sv.session_id = s.id AND sv.role = 'lead') <> 1""") == []
    assert _rows(db, """
        SELECT sv.id FROM session_volunteer sv JOIN session s ON s.id = sv.session_id
        JOIN volunteer_profile v ON v.id = sv.volunteer_id
        WHERE v.verified_at IS NULL OR v.verified_at > s.starts_at""") == []
    # No volunteer is booked twice at once, no community house hosts two classes at once.
    assert _rows(db, """
        SELECT a.id FROM session_volunteer a JOIN session sa ON sa.id = a.session_id
        JOIN session_volunteer b ON b.volunteer_id = a.volunteer_id AND b.id > a.id
        JOIN session sb ON sb.id = b.session_id
        WHERE sa.status <> 'cancelled' AND sb.status <> 'cancelled'
          AND sa.starts_at < sb.ends_at AND sb.starts_at < sa.ends_at""") == []
    assert _rows(db, """
        SELECT a.id FROM session a JOIN session b ON b.group_id = a.group_id AND b.id > a.id
        WHERE a.kind = 'class' AND b.kind = 'class'
          AND a.status <> 'cancelled' AND b.status <> 'cancelled'
          AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at""") == []
    # Seats never exceed capacity; skills achieved belong to the session's topics.
    assert _rows(db, """
        SELECT s.id FROM session s WHERE s.capacity < (
            SELECT count(*) FROM enrollment e WHERE e.session_id = s.id
              AND e.status = 'enrolled')""") == []
    assert _rows(db, """
        SELECT os.outcome_id FROM outcome_skill os JOIN skill k ON k.id = os.skill_id
        JOIN outcome o ON o.id = os.outcome_id JOIN enrollment e ON e.id = o.enrollment_id
        WHERE NOT EXISTS (SELECT 1 FROM session_topic st
                          WHERE st.session_id = e.session_id AND st.topic_id = k.topic_id)""") == []
    # Realistic rates: most seats attended, most attendees learned a skill.
    attended = _count(db, Outcome, Outcome.attended.is_(True))
    assert 0.7 < attended / _count(db, Outcome) < 0.95
    with_skill = db.session.scalar(text(
        "SELECT count(DISTINCT outcome_id) FROM outcome_skill"))
    assert with_skill > 0.8 * attended


def test_tracking_codes_are_spelt_like_the_forms_and_unique(seeded, db):
    """The request form's alphabet and length (no I, L, O, 0, 1: misheard on the phone)."""
    codes = db.session.scalars(select(HelpRequest.code)).all()
    assert codes and len(set(codes)) == len(codes)
    assert all(len(code) == CODE_LENGTH and set(code) <= set(TRACKING_ALPHABET)
               for code in codes), [c for c in codes if set(c) - set(TRACKING_ALPHABET)]
    # Unique well beyond the city profile's million requests.
    assert CODE_SPACE > 100 * PROFILES["city"].requests
    sample = [request_code(i) for i in range(1, 200_001)]
    assert len(set(sample)) == len(sample)


def test_times_spread_over_two_years_in_utc(seeded, db):
    oldest = db.session.scalar(select(func.min(HelpRequest.created_at)))
    newest = db.session.scalar(select(func.max(HelpRequest.created_at)))
    assert oldest.tzinfo is not None
    assert NOW - timedelta(days=740) < oldest < NOW - timedelta(days=600)
    assert NOW - timedelta(days=7) < newest <= NOW
    # Residents exist before anything they asked for; the campaign grows over time.
    assert _rows(db, """
        SELECT r.id FROM help_request r JOIN resident p ON p.id = r.resident_id
        WHERE p.created_at > r.created_at""") == []
    last_year = _count(db, HelpRequest, HelpRequest.created_at > NOW - timedelta(days=365))
    assert last_year > 0.6 * _count(db, HelpRequest)
    # Sessions happen in the day, local time (UTC+7): between 8:00 and 21:00.
    hours = {(s.hour + 7) % 24 for s in db.session.scalars(select(Session.starts_at))}
    assert min(hours) >= 8 and max(hours) <= 19


def test_every_foreign_key_points_to_an_existing_row(seeded, db):
    inspector = inspect(db.session.connection())
    checked = 0
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            for column, parent_column in zip(fk["constrained_columns"], fk["referred_columns"]):
                dangling = db.session.scalar(text(
                    f'SELECT count(*) FROM "{table}" c LEFT JOIN "{fk["referred_table"]}" p '
                    f'ON p."{parent_column}" = c."{column}" '
                    f'WHERE c."{column}" IS NOT NULL AND p."{parent_column}" IS NULL'))
                assert dangling == 0, f"{table}.{column}"
                checked += 1
    assert checked > 30


def test_known_accounts_log_in_with_the_printed_password_and_have_their_scope(seeded, auth, db):
    for _key, phone, _name, _desc in KNOWN_ACCOUNTS:
        assert auth.login(phone, DEMO_PASSWORD).status_code == 303, phone
        auth.logout()
    by_phone = {u.phone: u for u in db.session.scalars(select(User).where(
        User.phone.in_([a[1] for a in KNOWN_ACCOUNTS])))}
    leader, official = by_phone["+84900000004"], by_phone["+84900000002"]
    assert len(leader.led_group_ids()) == 1 and leader.is_leader
    assert len(official.official_ward_ids()) == 1
    assert by_phone["+84900000001"].is_admin
    volunteer = by_phone["+84900000005"].volunteer_profile
    assert volunteer.is_verified and not volunteer.is_minor()
    assert _count(db, SessionVolunteer, SessionVolunteer.volunteer_id == volunteer.id) > 0


def test_a_single_ward_with_a_set_backlog_for_the_batch_benchmark(runner, auth, db,
                                                                   monkeypatch):
    """The ward profile (one ward, 2,000 requests waiting, 500 volunteers), here small."""
    ward = PROFILES["ward"]
    assert (ward.wards, ward.open_requests, ward.volunteers) == (1, 2_000, 500)
    monkeypatch.setitem(PROFILES, "ward", Profile(wards=1, groups=4, residents=160,
                                                  volunteers=20, requests=240, sessions=240,
                                                  open_requests=60))
    result = runner.invoke(args=["seed-scale", "--profile", "ward", "--today", TODAY])
    assert result.exit_code == 0, result.output

    assert _count(db, Ward) == 1 and _count(db, VolunteerProfile) == 20
    assert _count(db, HelpRequest, HelpRequest.status == "open") == 60
    assert _count(db, HelpRequest, HelpRequest.status == "done") > 60  # and a history
    # Every volunteer serves the ward, whole or some of its groups.
    assert db.session.scalar(select(func.count(func.distinct(VolunteerArea.volunteer_id)))) == 20
    # Every known account exists; both officials are officials of this ward.
    for _key, phone, _name, _desc in KNOWN_ACCOUNTS:
        assert auth.login(phone, DEMO_PASSWORD).status_code == 303, phone
        auth.logout()
    officials = db.session.scalars(select(User).where(
        User.phone.in_(["+84900000002", "+84900000003"]))).all()
    assert [len(u.official_ward_ids()) for u in officials] == [1, 1]


def _fingerprint(db) -> str:
    digest = hashlib.sha256()
    for query in ("SELECT full_name, phone FROM resident ORDER BY id",
                  "SELECT code, status, created_at FROM help_request ORDER BY id",
                  "SELECT starts_at, title, status FROM session ORDER BY id",
                  "SELECT enrollment_id, attended, confidence FROM outcome ORDER BY id"):
        for row in db.session.execute(text(query)):
            digest.update(repr(tuple(str(v) for v in row)).encode())
    return digest.hexdigest()


def test_refuses_a_database_with_data_unless_forced_and_is_deterministic(seeded, runner, db):
    first = _fingerprint(db)
    refused = runner.invoke(args=["seed-scale", "--profile", "tiny", "--today", TODAY])
    assert refused.exit_code != 0 and "--force" in refused.output
    assert _count(db, Resident) == PROFILES["tiny"].residents

    forced = runner.invoke(args=["seed-scale", "--profile", "tiny", "--today", TODAY,
                                 "--force"])
    assert forced.exit_code == 0, forced.output
    db.session.expire_all()
    assert _count(db, Resident) == PROFILES["tiny"].residents
    assert _fingerprint(db) == first

    other_seed = runner.invoke(args=["seed-scale", "--profile", "tiny", "--today", TODAY,
                                     "--force", "--seed", "7"])
    assert other_seed.exit_code == 0
    assert _fingerprint(db) != first
