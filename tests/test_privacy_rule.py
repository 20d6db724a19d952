"""The one rule for personal data: who sees a resident's name and phone."""
from __future__ import annotations

from app.models import Gender, RequestStatus
from app.privacy import can_see_personal_data, resident_label


def test_personal_data_is_shown_only_to_those_design_allows(make, db):
    ward = make.ward()
    group3, other = make.group(ward, name="Tổ dân phố số 3"), make.group(make.ward())
    binh = make.resident(group3, name="Nguyễn Thị Bình", gender=Gender.FEMALE, birth_year=1954)
    leader, stranger_leader = make.leader(group3), make.leader(other)
    official = make.official(ward)
    assigned = make.volunteer("Trần Văn Minh", groups=[group3])
    unverified = make.volunteer("Vũ Đức Long", verified=False, groups=[group3])
    bystander = make.volunteer("Lê Văn Nam", groups=[group3])
    make.request(binh, status=RequestStatus.ASSIGNED,
                 volunteer_id=assigned.volunteer_profile.id)
    make.request(binh, status=RequestStatus.ASSIGNED,
                 volunteer_id=unverified.volunteer_profile.id)
    make.commit()

    assert can_see_personal_data(leader, binh)
    assert can_see_personal_data(official, binh)
    assert can_see_personal_data(assigned, binh)
    assert not can_see_personal_data(unverified, binh)  # assigned but not verified
    assert not can_see_personal_data(bystander, binh)   # verified but not assigned
    assert not can_see_personal_data(stranger_leader, binh)

    assert resident_label(binh, leader) == "Nguyễn Thị Bình"
    masked = resident_label(binh, bystander)
    assert masked.startswith("Bà B. · Tổ dân phố số 3 · ")
    assert "Nguyễn" not in masked


def test_a_finished_assignment_no_longer_shows_the_phone(make):
    group = make.group()
    binh = make.resident(group)
    minh = make.volunteer(groups=[group])
    make.request(binh, status=RequestStatus.DONE, volunteer_id=minh.volunteer_profile.id)
    make.commit()
    assert not can_see_personal_data(minh, binh)


def test_a_volunteer_in_a_session_with_the_resident_sees_the_contact(make):
    group = make.group()
    binh = make.resident(group)
    minh = make.volunteer(groups=[group])
    session = make.session(group, volunteers=[minh])
    from app.models import Enrollment
    make.db.session.add(Enrollment(session_id=session.id, resident_id=binh.id))
    make.commit()
    assert can_see_personal_data(minh, binh)


def test_the_adult_paired_with_a_minor_on_a_home_visit_sees_the_contact(make):
    group = make.group()
    binh = make.resident(group)
    minor = make.volunteer("Lê Thu Hà", groups=[group], birth_year=2010)
    adult = make.volunteer("Trần Văn Minh", groups=[group])
    make.request(binh, status=RequestStatus.ASSIGNED, volunteer_id=minor.volunteer_profile.id,
                 companion_volunteer_id=adult.volunteer_profile.id)
    make.commit()
    assert can_see_personal_data(adult, binh)
