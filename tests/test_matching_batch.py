"""Batch matching for a ward: proposed, reviewed, edited, applied at once, conflicts reported."""
from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import today_local, utcnow
from app.matching.batch import propose_for_ward
from app.matching.services import accept_request
from app.models import HelpRequest, Place, RequestStatus, VolunteerProfile
from tests.conftest import csrf_token_from
from tests.matching_helpers import neighbourhood

SELECT_RE = re.compile(r'<select id="r-(\d+)" name="r-\d+">(.*?)</select>', re.S)
SELECTED_RE = re.compile(r'<option value="(\d+)" selected>')


def proposed_choices(body: str) -> dict[str, str]:
    """What the review form would send as it is: {field name: volunteer id or ""}."""
    choices = {}
    for request_id, options in SELECT_RE.findall(body):
        chosen = SELECTED_RE.search(options)
        choices[f"r-{request_id}"] = chosen.group(1) if chosen else ""
    return choices


@pytest.fixture
def ward(make):
    n = neighbourhood(make)
    minh = make.volunteer("Trần Văn Minh", topics=[n.zalo, n.bank], groups=[n.group3],
                          capacity=2)
    long = make.volunteer("Vũ Đức Long", topics=[n.zalo], wards=[n.ward], capacity=1)
    lan = make.volunteer("Lê Thu Hà", topics=[n.zalo], groups=[n.group3, n.group5], capacity=2,
                         birth_year=today_local().year - 16)
    lan.volunteer_profile.guardian_consent_by = "Lê Văn Tuấn (bố)"
    lan.volunteer_profile.guardian_consent_on = today_local()
    lan.volunteer_profile.adult_partner_id = minh.volunteer_profile.id
    hung = make.resident(n.group5, name="Trần Văn Hùng")
    start = utcnow() - timedelta(days=10)
    requests = [
        make.request(n.binh, topics=[n.zalo], place=Place.HOME, code="HOME01",
                     created_at=start),
        make.request(n.binh, topics=[n.bank], place=Place.HOME, code="BANK01",
                     created_at=start + timedelta(days=1)),
        make.request(hung, topics=[n.zalo], place=Place.COMMUNITY_HOUSE, code="CLASS1",
                     created_at=start + timedelta(days=2)),
        make.request(hung, topics=[n.zalo], place=Place.REMOTE, code="REMOT1",
                     created_at=start + timedelta(days=3)),
        make.request(n.binh, topics=[n.zalo], place=Place.REMOTE, code="REMOT2",
                     created_at=start + timedelta(days=4)),
        make.request(n.binh, topics=[n.zalo], place=Place.HOME, code="HOME02",
                     created_at=start + timedelta(days=5)),
    ]
    make.commit()
    return n, {"minh": minh, "long": long, "lan": lan}, {r.code: r for r in requests}


def test_the_proposal_serves_as_many_as_capacity_allows_and_never_sends_a_minor_home(
        make, db, ward):
    n, people, requests = ward
    proposal = propose_for_ward(n.official, n.ward)

    chosen = {row.request.code: row.proposed for row in proposal.rows if row.proposed}
    assert len(chosen) == 5  # capacities 2 + 1 + 2, six requests
    per_volunteer = Counter(p.id for p in chosen.values())
    for volunteer in (person.volunteer_profile for person in people.values()):
        assert per_volunteer[volunteer.id] <= volunteer.weekly_capacity
    lan = people["lan"].volunteer_profile.id
    assert all(p.id != lan for code, p in chosen.items() if requests[code].place == Place.HOME)
    assert chosen["BANK01"].id == people["minh"].volunteer_profile.id  # only Minh teaches it
    assert proposal.total == sum(row.score.total for row in proposal.rows if row.score)


def test_an_official_reviews_and_applies_the_proposal_in_one_go(client, auth, make, db, ward):
    n, people, requests = ward
    auth.login(n.official.phone)
    response = client.get(f"/ghep-cap/hang-loat?ward={n.ward.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Được đề xuất" in body and "Áp dụng đề xuất" in body
    choices = proposed_choices(body)
    assert len(choices) == 6 and sum(1 for v in choices.values() if v) == 5

    response = client.post(f"/ghep-cap/hang-loat?ward={n.ward.id}",
                           data={"csrf_token": csrf_token_from(response), **choices})

    assert response.status_code == 303
    db.session.expire_all()
    assigned = db.session.scalars(select(HelpRequest).where(
        HelpRequest.status == RequestStatus.ASSIGNED)).all()
    assert {str(r.id): str(r.volunteer_id) for r in assigned} == {
        k[2:]: v for k, v in choices.items() if v}
    assert "Đã giao 5 yêu cầu." in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_what_changed_during_the_review_is_reported_not_overwritten(client, auth, make, db,
                                                                     ward):
    n, people, requests = ward
    outsider = make.volunteer("Phan Văn Tư", topics=[n.zalo, n.bank], wards=[n.ward])
    make.commit()
    auth.login(n.official.phone)
    response = client.get(f"/ghep-cap/hang-loat?ward={n.ward.id}")
    choices = proposed_choices(response.get_data(as_text=True))
    minh, long = people["minh"].volunteer_profile, people["long"].volunteer_profile
    by_code = {code: f"r-{r.id}" for code, r in requests.items()}

    # Meanwhile: Tư takes a request himself, Long pauses, the official edits two rows for Minh
    # beyond his capacity of two.
    accept_request(outsider.volunteer_profile, requests["CLASS1"].id)
    db.session.get(VolunteerProfile, long.id).paused_until = today_local() + timedelta(days=2)
    db.session.commit()
    choices[by_code["CLASS1"]] = str(people["lan"].volunteer_profile.id)
    for code in ("HOME01", "BANK01", "HOME02"):
        choices[by_code[code]] = str(minh.id)
    long_rows = [k for k, v in choices.items() if v == str(long.id)]
    if not long_rows:  # make sure Long is asked for something
        choices[by_code["REMOT1"]] = str(long.id)
        long_rows = [by_code["REMOT1"]]

    response = client.post(f"/ghep-cap/hang-loat?ward={n.ward.id}",
                           data={"csrf_token": csrf_token_from(response), **choices})

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kết quả áp dụng" in body
    report = body[body.index("Kết quả áp dụng"):body.index("Dưới đây là đề xuất mới")]
    assert "CLASS1: Yêu cầu này vừa được một tình nguyện viên khác nhận." in report
    assert "HOME02: Tình nguyện viên này đã đủ số buổi trong tuần." in report
    assert "Tình nguyện viên này đang tạm nghỉ." in report
    db.session.expire_all()
    assert db.session.get(HelpRequest, requests["CLASS1"].id).volunteer_id == \
        outsider.volunteer_profile.id  # not overwritten
    for key in long_rows:
        assert db.session.get(HelpRequest, int(key[2:])).status == RequestStatus.OPEN
    minh_now = db.session.scalars(select(HelpRequest.code).where(
        HelpRequest.volunteer_id == minh.id)).all()
    assert sorted(minh_now) == ["BANK01", "HOME01"]


def test_a_leader_batches_only_their_own_groups_and_not_other_wards(client, auth, make, ward):
    n, _people, _requests = ward
    auth.login(n.leader.phone)  # leads tổ 3 of the ward
    body = client.get("/ghep-cap/hang-loat").get_data(as_text=True)
    assert "HOME01" in body and "CLASS1" not in body  # tổ 5's request is not theirs
    assert client.get(f"/ghep-cap/hang-loat?ward={n.other_ward.id}").status_code == 403
    token = csrf_token_from(client.get("/ghep-cap/hang-loat"))
    response = client.post(f"/ghep-cap/hang-loat?ward={n.ward.id}", data={
        "csrf_token": token,
        f"r-{_requests['CLASS1'].id}": str(_people["long"].volunteer_profile.id)})
    body = response.get_data(as_text=True)
    assert "Không tìm thấy yêu cầu hoặc tình nguyện viên." in body
    assert "CLASS1" not in body  # not even the code of tổ 5's request


def test_the_batch_page_is_for_leaders_and_officials(client, auth, make, ward):
    _n, people, _requests = ward
    auth.login(people["minh"].phone)
    assert client.get("/ghep-cap/hang-loat").status_code == 403
