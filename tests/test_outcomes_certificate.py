"""A printable certificate of volunteer hours, as students and youth-union members need."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.clock import local_to_utc, today_local
from app.models import AuditEvent, SessionStatus
from app.outcomes import services
from tests.coverage_helpers import past_session


def _hours_scene(make):
    ward = make.ward("Phường Hàng Gai")
    other_ward = make.ward("Phường Hoàn Kiếm")
    group, far_group = make.group(ward, "Tổ 3"), make.group(other_ward, "Tổ 1")
    ha = make.volunteer("Lê Thu Hà", groups=[group], birth_year=2010)
    ha.volunteer_profile.organisation = "Trường THPT Trần Phú – Hoàn Kiếm"
    official = make.official(ward, name="Đỗ Thị Hương")
    make.official(other_ward, name="Hoàng Thị Lan")

    def at(day):
        return local_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=9))

    past_session(make, group, at(date(2026, 3, 7)), volunteers=[ha], hours=1.5)
    past_session(make, group, at(date(2026, 3, 14)), volunteers=[ha], hours=None, length=2)
    past_session(make, far_group, at(date(2026, 4, 4)), volunteers=[ha], hours=3)
    past_session(make, group, at(date(2026, 3, 21)), volunteers=[ha], hours=5,
                 status=SessionStatus.CANCELLED)          # cancelled: no hours
    past_session(make, group, at(date(2026, 1, 10)), volunteers=[ha], hours=4)  # before
    leader = make.leader(group, name="Nguyễn Văn Thắng")
    stranger_leader = make.leader(make.group(make.ward()), name="Lê Văn Khác")
    make.commit()
    return locals()


def test_a_volunteer_prints_the_certificate_of_their_hours_for_a_period(client, auth, make,
                                                                        db):
    scene = _hours_scene(make)
    cert, signers = services.certificate_for(scene["ha"].volunteer_profile, date(2026, 3, 1),
                                             date(2026, 4, 30), None)
    # 1.5 + 2 (its length) in Hàng Gai, 3 in Hoàn Kiếm; the cancelled and January ones not.
    assert [(line.ward.name, line.sessions, line.hours) for line in cert.lines] == [
        ("Phường Hàng Gai", 2, Decimal("3.50")), ("Phường Hoàn Kiếm", 1, Decimal("3.00"))]
    assert (cert.sessions, cert.hours) == (3, Decimal("6.50"))
    assert {u.full_name for u, _w in signers} == {"Đỗ Thị Hương", "Hoàng Thị Lan"}

    auth.login(scene["ha"].phone)
    response = client.get("/tinh-nguyen-vien/chung-nhan?tu=2026-03-01&den=2026-04-30"
                          f"&ky={scene['official'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lê Thu Hà" in html and "Trường THPT Trần Phú – Hoàn Kiếm" in html
    assert 'data-hours="6.50"' in html and 'data-sessions="3"' in html
    assert "từ ngày 1/3/2026 đến ngày 30/4/2026" in html
    assert "Xác nhận của Phường Hàng Gai" in html and "Đỗ Thị Hương" in html
    assert "data-print" in html and " style=" not in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.subject == f"certificate:{scene['ha'].volunteer_profile.id}"


def test_the_period_defaults_to_this_year_and_a_backwards_one_is_explained(client, auth, make):
    scene = _hours_scene(make)
    auth.login(scene["ha"].phone)
    html = client.get("/tinh-nguyen-vien/chung-nhan?tu=2026-04-30&den=2026-03-01"
                      ).get_data(as_text=True)
    assert "Ngày kết thúc phải sau ngày bắt đầu." in html
    html = client.get("/tinh-nguyen-vien/chung-nhan?tu=hôm-qua").get_data(as_text=True)
    assert "Ngày chưa đúng" in html
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    html = client.get(f"/tinh-nguyen-vien/chung-nhan?den={tomorrow}").get_data(as_text=True)
    assert "không thể ở tương lai" in html


def test_leaders_print_certificates_only_for_volunteers_of_their_area(client, auth, make):
    scene = _hours_scene(make)
    url = f"/tinh-nguyen-vien/{scene['ha'].volunteer_profile.id}/chung-nhan"
    auth.login(scene["leader"].phone)
    assert client.get(url).status_code == 200
    auth.logout()
    auth.login(scene["stranger_leader"].phone)
    assert client.get(url).status_code == 403
    assert client.get("/tinh-nguyen-vien/chung-nhan").status_code == 404  # not a volunteer
