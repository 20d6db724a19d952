"""The score of a volunteer for a request: each component, and its reason in words."""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.clock import utcnow
from app.matching import services
from app.matching.scoring import (LOAD_POINTS, PROXIMITY_GROUP, PROXIMITY_WARD, RULES,
                                  Assessment, RequestFacts, VolunteerFacts, describe_times,
                                  load_points)
from app.models import SessionStatus
from app.timeslots import ALL, coarse_mask
from tests.matching_helpers import SATURDAY_MORNING, SUNDAY_MORNING, done_sessions, neighbourhood

ZALO, BANK = 1, 2
REQUEST = RequestFacts(id=1, group_id=3, ward_id=10, topic_ids=frozenset({ZALO}),
                       preferred_times=SATURDAY_MORNING)


def volunteer(**kw) -> VolunteerFacts:
    defaults = dict(id=7, group_ids=frozenset({3}), topic_ids=frozenset({ZALO}),
                    availability=SATURDAY_MORNING, capacity=3, load=0)
    return VolunteerFacts(**{**defaults, **kw})


def score(v, request=REQUEST):
    return Assessment([request], [v]).score(0, 0, {ZALO: "Zalo", BANK: "Ngân hàng số"})


def test_the_reasons_read_like_a_sentence(app):
    s = score(volunteer(load=1, experience={ZALO: 12}))
    assert s.words == "cùng tổ · rảnh sáng thứ Bảy · đã dạy Zalo 12 lần · 1/3 buổi tuần này"
    assert s.total == s.proximity + s.availability + s.experience + s.load


def test_serving_the_group_itself_scores_above_serving_the_whole_ward(app):
    in_group = score(volunteer(group_ids=frozenset({3})))
    in_ward = score(volunteer(group_ids=frozenset(), ward_ids=frozenset({10})))
    both = score(volunteer(group_ids=frozenset({3}), ward_ids=frozenset({10})))
    assert (in_group.proximity, in_ward.proximity, both.proximity) == (
        PROXIMITY_GROUP, PROXIMITY_WARD, PROXIMITY_GROUP)
    assert in_group.total > in_ward.total
    assert in_group.reasons[0] == "cùng tổ" and in_ward.reasons[0] == "cùng phường"


def test_more_free_time_in_common_scores_more_up_to_three_slots(app):
    wants_weekend = RequestFacts(**{**REQUEST.__dict__,
                                    "preferred_times": coarse_mask(["weekend_morning",
                                                                    "weekend_afternoon"])})
    one = score(volunteer(availability=SATURDAY_MORNING), wants_weekend)
    two = score(volunteer(availability=SATURDAY_MORNING | SUNDAY_MORNING), wants_weekend)
    four = score(volunteer(availability=ALL), wants_weekend)
    assert (one.availability, two.availability, four.availability) == (5, 10, 15)
    assert "rảnh sáng thứ Bảy" in one.words
    assert "rảnh sáng cuối tuần, chiều cuối tuần" in four.words


@pytest.mark.parametrize("load, capacity, points, words", [
    (0, 3, 20, "0/3 buổi tuần này"),
    (1, 3, 13, "1/3 buổi tuần này"),
    (2, 3, 6, "2/3 buổi tuần này"),
    (3, 3, 0, "3/3 buổi tuần này"),
    (0, 1, 20, "0/1 buổi tuần này"),
])
def test_a_lighter_week_scores_more(app, load, capacity, points, words):
    s = score(volunteer(load=load, capacity=capacity))
    assert s.load == points == int(load_points(load, capacity))
    assert s.reasons[-1] == words


@pytest.mark.parametrize("sessions, points", [(0, 0), (1, 2), (4, 8), (10, 20), (12, 20)])
def test_experience_with_the_topic_scores_two_per_session_up_to_twenty(app, sessions, points):
    s = score(volunteer(experience={ZALO: sessions, BANK: 30}))
    assert s.experience == points
    if sessions:
        assert f"đã dạy Zalo {sessions} lần" in s.reasons
    else:
        assert "chưa dạy chủ đề này" in s.reasons


def test_experience_counts_only_finished_sessions_on_the_requests_topics(make, db):
    n = neighbourhood(make)
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3], capacity=3,
                          availability=SATURDAY_MORNING)
    done_sessions(make, n.group3, minh, n.zalo, 12)
    done_sessions(make, n.group3, minh, n.bank, 3)
    make.session(n.group3, topics=[n.zalo], volunteers=[minh],
                 starts_at=utcnow() - timedelta(days=60), status=SessionStatus.CANCELLED)
    make.session(n.group3, topics=[n.zalo], volunteers=[minh],
                 starts_at=utcnow() + timedelta(days=20))
    make.request(n.binh, topics=[n.zalo], status="assigned", volunteer_id=minh.volunteer_profile.id)
    request = make.request(n.binh, topics=[n.zalo], preferred_times=SATURDAY_MORNING)
    make.commit()

    [suggestion], _others = services.suggestions_for(request)

    assert suggestion.score.words == (
        "cùng tổ · rảnh sáng thứ Bảy · đã dạy Zalo 12 lần · 1/3 buổi tuần này")
    assert suggestion.score.experience == 20


def test_suggestions_are_ranked_by_score(make, db):
    n = neighbourhood(make)
    ward_wide = make.volunteer("Vũ Đức Long", topics=[n.zalo], wards=[n.ward])
    in_group = make.volunteer("Trần Văn Minh", topics=[n.zalo], groups=[n.group3])
    busy = make.volunteer("Lê Văn Nam", topics=[n.zalo], groups=[n.group3], capacity=2)
    make.request(n.binh, status="assigned", volunteer_id=busy.volunteer_profile.id)
    request = make.request(n.binh, topics=[n.zalo])
    make.commit()
    good, _others = services.suggestions_for(request)
    assert [s.volunteer.user.full_name for s in good] == [
        "Trần Văn Minh", "Lê Văn Nam", "Vũ Đức Long"]
    assert [s.score.total for s in good] == sorted((s.score.total for s in good), reverse=True)


# --- the matrix and the single pair agree ----------------------------------------------------
facts_ids = st.integers(min_value=1, max_value=4)
masks = st.integers(min_value=0, max_value=ALL)
volunteers = st.builds(
    VolunteerFacts, id=st.integers(1, 10 ** 6),
    group_ids=st.frozensets(facts_ids, max_size=2), ward_ids=st.frozensets(facts_ids, max_size=1),
    topic_ids=st.frozensets(facts_ids, max_size=3), availability=masks,
    capacity=st.integers(0, 4), load=st.integers(0, 4), verified=st.booleans(),
    paused=st.booleans(), minor=st.booleans(), consent=st.booleans(),
    partner_available=st.booleans(),
    experience=st.dictionaries(facts_ids, st.integers(0, 15), max_size=3))
requests = st.builds(
    RequestFacts, id=st.integers(1, 10 ** 6), group_id=facts_ids, ward_id=facts_ids,
    topic_ids=st.frozensets(facts_ids, max_size=3), preferred_times=masks, at_home=st.booleans())


def rules_by_hand(r: RequestFacts, v: VolunteerFacts) -> dict[str, bool]:
    free = (r.preferred_times or ALL) & v.availability
    return {
        "verified": v.verified, "active": not v.paused, "consent": not v.minor or v.consent,
        "capacity": v.load < v.capacity,
        "area": r.group_id in v.group_ids or r.ward_id in v.ward_ids,
        "topic": not r.topic_ids or bool(r.topic_ids & v.topic_ids),
        "time": free != 0,
        "home": not r.at_home or not v.minor or v.partner_available,
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(requests, min_size=1, max_size=4), st.lists(volunteers, min_size=1, max_size=4))
def test_the_whole_matrix_follows_the_rules_pair_by_pair(rs, vs):
    whole = Assessment(rs, vs)
    for i, r in enumerate(rs):
        for j, v in enumerate(vs):
            expected = rules_by_hand(r, v)
            assert {name: bool(whole.rules[name][i, j]) for name in RULES} == expected
            assert bool(whole.eligible[i, j]) == all(expected.values())
            alone = Assessment([r], [v])
            assert int(alone.total[0, 0]) == int(whole.total[i, j])
            assert whole.total[i, j] == (
                (PROXIMITY_GROUP if r.group_id in v.group_ids else
                 PROXIMITY_WARD if r.ward_id in v.ward_ids else 0)
                + 5 * min(bin((r.preferred_times or ALL) & v.availability).count("1"), 3)
                + min(20, 2 * sum(v.experience.get(t, 0) for t in r.topic_ids))
                + int(load_points(v.load, v.capacity)))
            assert 0 <= int(load_points(v.load, v.capacity)) <= LOAD_POINTS


def test_the_batch_leaves_minors_out_of_home_visits_even_with_a_partner():
    minor = volunteer(minor=True, consent=True, partner_available=True)
    home = RequestFacts(**{**REQUEST.__dict__, "at_home": True})
    assert Assessment([home], [minor]).eligible[0, 0]
    assert not Assessment([home], [minor], minors_at_home_with_partner=False).eligible[0, 0]


def test_time_phrases_read_naturally_in_english(app):
    from flask_babel import force_locale

    from app.timeslots import bit
    with app.test_request_context(), force_locale("en"):
        assert describe_times(bit(5, 0)) == "Saturday morning"
    with app.test_request_context():
        assert describe_times(bit(5, 0)) == "sáng thứ Bảy"
