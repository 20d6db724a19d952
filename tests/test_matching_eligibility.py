"""Who may take a request: every eligibility rule, one by one, through the accept service."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import today_local, utcnow
from app.matching import services
from app.refusal import Refusal
from app.models import HelpRequest, OutboxMessage, Place, RequestStatus
from tests.matching_helpers import MONDAY_EVENING, SATURDAY_MORNING, neighbourhood


def accept(db, user, help_request) -> str | None:
    """Accept as this volunteer; None on success, else the refusal reason."""
    try:
        services.accept_request(user.volunteer_profile, help_request.id)
    except Refusal as exc:
        db.session.rollback()
        return exc.reason
    db.session.commit()
    return None


@pytest.fixture
def n(make):
    return neighbourhood(make)


def test_a_verified_volunteer_who_fits_gets_the_request_and_the_resident_is_told(make, db, n):
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3],
                          availability=SATURDAY_MORNING, verified_by=n.leader)
    request = make.request(n.binh, topics=[n.zalo], preferred_times=SATURDAY_MORNING)
    make.commit()

    assert accept(db, minh, request) is None

    db.session.expire_all()
    request = db.session.get(HelpRequest, request.id)
    assert request.status == RequestStatus.ASSIGNED
    assert request.volunteer_id == minh.volunteer_profile.id
    assert request.assigned_at is not None and request.companion_volunteer_id is None
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient_resident_id == n.binh.id))
    assert message.kind == "volunteer_assigned"
    assert message.context["volunteer_name"] == "Trần Văn Minh"
    assert message.context["verified_by"] == "Nguyễn Văn Thắng"


def _unverified(profile, make, n):
    profile.verified_at = None


def _revoked(profile, make, n):
    profile.revoked_at = utcnow()


def _inactive_account(profile, make, n):
    profile.user.active = False


def _paused(profile, make, n):
    profile.paused_until = today_local() + timedelta(days=3)


def _minor_without_consent(profile, make, n):
    profile.birth_year = today_local().year - 16


def _full_this_week(profile, make, n):
    profile.weekly_capacity = 1
    make.request(n.binh, topics=[n.zalo], status=RequestStatus.ASSIGNED, volunteer_id=profile.id)


def _serves_another_ward(profile, make, n):
    profile.areas.clear()
    make.db.session.flush()
    from app.models import VolunteerArea
    profile.areas.append(VolunteerArea(ward_id=n.other_ward.id))


def _teaches_other_topics(profile, make, n):
    profile.topics = [n.bank]


def _busy_at_those_times(profile, make, n):
    profile.availability = MONDAY_EVENING


@pytest.mark.parametrize("change, reason", [
    (_unverified, "verified"),
    (_revoked, "verified"),
    (_inactive_account, "verified"),
    (_paused, "active"),
    (_minor_without_consent, "consent"),
    (_full_this_week, "capacity"),
    (_serves_another_ward, "area"),
    (_teaches_other_topics, "topic"),
    (_busy_at_those_times, "time"),
])
def test_each_rule_alone_keeps_a_volunteer_from_a_request(make, db, n, change, reason):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3], availability=SATURDAY_MORNING)
    request = make.request(n.binh, topics=[n.zalo], preferred_times=SATURDAY_MORNING,
                           place=Place.COMMUNITY_HOUSE)
    change(minh.volunteer_profile, make, n)
    make.commit()

    assert accept(db, minh, request) == reason
    db.session.expire_all()
    assert db.session.get(HelpRequest, request.id).status == RequestStatus.OPEN
    assert services.refusal_message(reason)  # a kind sentence for each reason


def test_a_volunteer_serving_the_whole_ward_takes_requests_of_any_of_its_groups(make, db, n):
    minh = make.volunteer(topics=[n.zalo], wards=[n.ward])
    hung = make.resident(n.group5, name="Trần Văn Hùng")
    request = make.request(hung, topics=[n.zalo])
    make.commit()
    assert accept(db, minh, request) is None


def test_a_request_without_preferred_times_fits_any_free_volunteer(make, db, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3], availability=MONDAY_EVENING)
    request = make.request(n.binh, topics=[n.zalo], preferred_times=0)
    make.commit()
    assert accept(db, minh, request) is None


def test_a_volunteer_without_any_free_time_is_never_matched(make, db, n):
    minh = make.volunteer(topics=[n.zalo], groups=[n.group3], availability=0)
    request = make.request(n.binh, topics=[n.zalo], preferred_times=0)
    make.commit()
    assert accept(db, minh, request) == "time"


def test_a_request_already_taken_cannot_be_taken_again(make, db, n):
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3])
    long = make.volunteer("Vũ Đức Long", topics=[n.zalo], groups=[n.group3])
    request = make.request(n.binh, topics=[n.zalo])
    make.commit()
    assert accept(db, minh, request) is None
    assert accept(db, long, request) == "taken"
    db.session.expire_all()
    assert db.session.get(HelpRequest, request.id).volunteer_id == minh.volunteer_profile.id


# --- minors ------------------------------------------------------------------------------------
def _minor(make, n, **kw):
    lan = make.volunteer("Lê Thu Hà", topics=[n.zalo], groups=[n.group3],
                         birth_year=today_local().year - 16, **kw)
    lan.volunteer_profile.guardian_consent_by = "Lê Văn Tuấn (bố)"
    lan.volunteer_profile.guardian_consent_on = today_local()
    return lan


@pytest.mark.parametrize("place", [Place.COMMUNITY_HOUSE, Place.REMOTE])
def test_a_minor_with_consent_helps_at_the_community_house_and_remotely(make, db, n, place):
    lan = _minor(make, n)
    request = make.request(n.binh, topics=[n.zalo], place=place)
    make.commit()
    assert accept(db, lan, request) is None


@pytest.mark.clock
def test_a_minor_never_visits_a_home_alone(make, db, n):
    lan = _minor(make, n)
    request = make.request(n.binh, topics=[n.zalo], place=Place.HOME)
    make.commit()
    assert accept(db, lan, request) == "home"


@pytest.mark.clock
def test_a_minor_visits_a_home_with_their_adult_partner_who_is_counted_too(make, db, n):
    minh = make.volunteer("Trần Văn Minh", topics=[n.bank], groups=[n.group5], capacity=2)
    lan = _minor(make, n)
    lan.volunteer_profile.adult_partner_id = minh.volunteer_profile.id
    request = make.request(n.binh, topics=[n.zalo], place=Place.HOME)
    make.commit()

    assert accept(db, lan, request) is None

    db.session.expire_all()
    request = db.session.get(HelpRequest, request.id)
    assert request.volunteer_id == lan.volunteer_profile.id
    assert request.companion_volunteer_id == minh.volunteer_profile.id
    from app.volunteers.services import weekly_load
    assert weekly_load([minh.volunteer_profile.id])[minh.volunteer_profile.id] == 1
    told = db.session.scalars(select(OutboxMessage.recipient_user_id).where(
        OutboxMessage.kind == "volunteer_assigned")).all()
    assert minh.id in told  # the adult partner knows they are going


@pytest.mark.parametrize("partner_state", ["paused", "full", "revoked"])
def test_a_minor_cannot_visit_a_home_when_their_partner_cannot_come(make, db, n, partner_state):
    minh = make.volunteer("Trần Văn Minh", groups=[n.group5], capacity=1)
    partner = minh.volunteer_profile
    if partner_state == "paused":
        partner.paused_until = today_local() + timedelta(days=1)
    elif partner_state == "full":
        make.request(n.binh, status=RequestStatus.ASSIGNED, volunteer_id=partner.id)
    else:
        partner.revoked_at = utcnow()
    lan = _minor(make, n)
    lan.volunteer_profile.adult_partner_id = partner.id
    request = make.request(n.binh, topics=[n.zalo], place=Place.HOME)
    make.commit()
    assert accept(db, lan, request) == "home"
