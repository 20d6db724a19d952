"""A class that has just taken place, ready for its volunteer to log the outcomes."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from app.clock import utcnow
from app.models import (Enrollment, Gender, Place, RequestStatus, SessionKind, SessionStatus,
                        SessionVolunteer, VolunteerRole)
from app.timeslots import coarse_mask


def class_scene(make, *, started_hours_ago: float = 2, status=SessionStatus.CONFIRMED):
    """Tổ 3 of phường Hàng Gai: a 90-minute class on smartphone basics (core: 2 skills) and
    digital banking (core: 1 skill), led by Minh with Hà helping; Bà Bình came from her
    request, Ông Hùng walked in."""
    ward = make.ward("Phường Hàng Gai")
    group = make.group(ward, "Tổ dân phố số 3")
    other_group = make.group(ward, "Tổ dân phố số 5")
    phone = make.topic("Dùng điện thoại thông minh cơ bản", core=True,
                       skills=("Chỉnh cỡ chữ", "Kết nối wifi"))
    bank = make.topic("Ngân hàng số và thanh toán QR", core=True,
                      skills=("Chuyển khoản bằng mã QR",))
    leader = make.leader(group, name="Nguyễn Văn Thắng")
    other_leader = make.leader(other_group, name="Lê Văn Khác")
    minh = make.volunteer("Trần Văn Minh", groups=[group], topics=[phone, bank])
    ha = make.volunteer("Lê Thu Hà", groups=[group], topics=[phone])
    stranger = make.volunteer("Vũ Đức Long", groups=[group], topics=[phone])
    binh = make.resident(group, "Nguyễn Thị Bình", gender=Gender.FEMALE)
    hung = make.resident(group, "Trần Văn Hùng", gender=Gender.MALE, birth_year=1950)
    request = make.request(binh, topics=[phone, bank], status=RequestStatus.SCHEDULED,
                           place=Place.COMMUNITY_HOUSE,
                           preferred_times=coarse_mask(["weekend_morning"]),
                           created_at=utcnow() - timedelta(days=6))
    starts = (utcnow() - timedelta(hours=started_hours_ago)).replace(microsecond=0)
    session = make.session(group, starts_at=starts, hours=1.5, kind=SessionKind.CLASS,
                           topics=[phone, bank], status=status,
                           title="Cùng bà học dùng điện thoại và ngân hàng số")
    session.volunteers.append(SessionVolunteer(volunteer_id=minh.volunteer_profile.id))
    session.volunteers.append(SessionVolunteer(volunteer_id=ha.volunteer_profile.id,
                                               role=VolunteerRole.HELPER))
    seat_binh = make._add(Enrollment(session_id=session.id, resident_id=binh.id,
                                     request_id=request.id))
    seat_hung = make._add(Enrollment(session_id=session.id, resident_id=hung.id))
    make.commit()
    return SimpleNamespace(**{k: v for k, v in locals().items() if k != "make"})


def outcome_form(token, scene, **attendees):
    """Form data: attendees by name, e.g. binh=dict(attended="1", skills=[...])."""
    data = {"csrf_token": token}
    seats = {"binh": scene.seat_binh, "hung": scene.seat_hung}
    for name, values in attendees.items():
        prefix = f"a{seats[name].id}_"
        data[prefix + "attended"] = values.get("attended", "1")
        data[prefix + "skills"] = [str(s.id) for s in values.get("skills", ())]
        if values.get("confidence"):
            data[prefix + "confidence"] = str(values["confidence"])
        if values.get("follow_up"):
            data[prefix + "follow_up"] = "y"
        data[prefix + "note"] = values.get("note", "")
    return data
