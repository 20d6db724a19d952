"""The pages: the bell and the inbox, preferences, the leaders' failed deliveries and the
administrators' development outbox."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, NotificationPreference, OutboxMessage, OutboxStatus
from app.notify.delivery import deliver_due
from tests.conftest import csrf_token_from
from tests.notify_helpers import queued


def checked_channel(html: str) -> str | None:
    match = re.search(r'<input[^>]*\bchecked\b[^>]*name="channel"[^>]*value="(\w+)"', html)
    return match.group(1) if match else None


# --- bell and inbox ----------------------------------------------------------------------------
def test_the_header_polls_the_bell_only_for_signed_in_people(client, auth, make):
    minh = make.volunteer("Trần Văn Minh")
    make.commit()
    assert 'hx-trigger="load, every 60s"' not in client.get("/").get_data(as_text=True)
    auth.login(minh.phone)
    html = client.get("/").get_data(as_text=True)
    assert 'hx-get="/thong-bao/chuong"' in html and 'hx-trigger="load, every 60s"' in html


def test_the_bell_counts_unread_messages_and_the_inbox_marks_them_read(client, auth, make):
    minh = make.volunteer("Trần Văn Minh")
    other = make.volunteer("Lê Văn Nam")
    queued("verification_done", user=minh)
    queued("session_cancelled", user=minh, context={"reason": "Trời mưa to"})
    queued("verification_done", user=other)
    auth.login(minh.phone)

    bell = client.get("/thong-bao/chuong", headers={"HX-Request": "true"})
    assert bell.status_code == 200 and "HX-Request" in bell.headers["Vary"]
    assert '<span class="bell-badge" aria-hidden="true">2</span>' in bell.get_data(as_text=True)
    assert "<html" not in bell.get_data(as_text=True)

    html = client.get("/thong-bao").get_data(as_text=True)
    assert "Bạn đã được xác minh" in html and "Trời mưa to" in html
    assert html.count('class="tag">Mới</span>') == 2
    assert client.get("/thong-bao/chuong").get_data(as_text=True).strip() == ""
    assert "Mới</span>" not in client.get("/thong-bao").get_data(as_text=True)
    unread_of_other = db.session.scalar(select(OutboxMessage.read_at).where(
        OutboxMessage.recipient_user_id == other.id))
    assert unread_of_other is None


def test_the_inbox_pages_through_older_messages_with_htmx(client, auth, make):
    minh = make.volunteer("Trần Văn Minh")
    for i in range(25):
        queued("verification_done", user=minh, dedupe_key=f"x{i}")
    auth.login(minh.phone)
    first = client.get("/thong-bao").get_data(as_text=True)
    assert first.count('class="inbox-item') == 20 and "Tin cũ hơn" in first
    second = client.get("/thong-bao?trang=2", headers={"HX-Request": "true"})
    body = second.get_data(as_text=True)
    assert body.count('class="inbox-item') == 5 and "<html" not in body
    assert body.lstrip().startswith('<div id="inbox-list">')


def test_a_signed_out_bell_stops_polling_instead_of_redirecting(client):
    response = client.get("/thong-bao/chuong", headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert "HX-Redirect" not in response.headers


def test_polling_the_bell_does_not_keep_an_idle_login_alive(app, client, auth, make):
    minh = make.volunteer("Trần Văn Minh")
    make.commit()
    auth.login(minh.phone)
    with client.session_transaction() as session:
        session["seen"] -= 90 * 60  # idle for an hour and a half
        seen = session["seen"]
    assert client.get("/thong-bao/chuong").status_code == 200
    with client.session_transaction() as session:
        assert session["seen"] == seen


def test_the_inbox_needs_a_login(client):
    response = client.get("/thong-bao")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


# --- preferences -----------------------------------------------------------------------------------
def test_a_volunteer_chooses_email_and_a_daily_digest(client, auth, make):
    minh = make.volunteer("Trần Văn Minh")
    make.commit()
    auth.login(minh.phone)
    page = client.get("/thong-bao/cai-dat")
    html = page.get_data(as_text=True)
    assert checked_channel(html) == "zalo"  # the default
    response = client.post("/thong-bao/cai-dat", data={
        "csrf_token": csrf_token_from(page), "channel": "email", "email": "minh@example.vn",
        "daily_digest": "y"})
    assert response.status_code == 303
    preference = db.session.scalar(select(NotificationPreference).where(
        NotificationPreference.user_id == minh.id))
    assert preference.channel.value == "email" and preference.daily_digest
    assert not preference.opted_out
    db.session.refresh(minh)
    assert minh.email == "minh@example.vn"
    assert "Đã lưu cách nhận thông báo" in client.get("/thong-bao/cai-dat").get_data(
        as_text=True)


def test_choosing_email_without_an_address_is_explained_beside_the_field(client, auth, make):
    minh = make.volunteer("Trần Văn Minh")
    make.commit()
    auth.login(minh.phone)
    token = csrf_token_from(client.get("/thong-bao/cai-dat"))
    response = client.post("/thong-bao/cai-dat", data={"csrf_token": token, "channel": "email",
                                                       "email": ""},
                           headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vui lòng nhập địa chỉ thư điện tử" in body and "<html" not in body
    assert checked_channel(body) == "email"
    bad = client.post("/thong-bao/cai-dat", data={"csrf_token": token, "channel": "sms",
                                                  "email": "khong-phai-email"})
    assert bad.status_code == 422 and "khong-phai-email" in bad.get_data(as_text=True)
    assert db.session.scalar(select(NotificationPreference)) is None


def test_saving_preferences_with_htmx_redirects_the_whole_page(client, auth, make):
    minh = make.volunteer("Trần Văn Minh")
    make.commit()
    auth.login(minh.phone)
    token = csrf_token_from(client.get("/thong-bao/cai-dat"))
    response = client.post("/thong-bao/cai-dat", data={"csrf_token": token, "channel": "in_app",
                                                       "opted_out": "y"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/thong-bao/cai-dat"


def test_a_leader_records_that_a_resident_wants_no_messages(client, auth, make):
    group = make.group()
    binh = make.resident(group, name="Nguyễn Thị Bình")
    leader = make.leader(group)
    stranger = make.leader(make.group())
    make.commit()
    auth.login(stranger.phone)
    assert client.get(f"/thong-bao/nguoi-dan/{binh.id}/cai-dat").status_code == 403
    auth.logout()
    auth.login(leader.phone)
    page = client.get(f"/thong-bao/nguoi-dan/{binh.id}/cai-dat")
    assert "Nguyễn Thị Bình" in page.get_data(as_text=True)
    response = client.post(f"/thong-bao/nguoi-dan/{binh.id}/cai-dat", data={
        "csrf_token": csrf_token_from(page), "channel": "sms", "opted_out": "y"})
    assert response.status_code == 303
    preference = db.session.scalar(select(NotificationPreference))
    assert preference.resident_id == binh.id and preference.opted_out
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.resident_id == binh.id)) == "change"
    assert client.get("/thong-bao/nguoi-dan/999999/cai-dat").status_code == 404


# --- failed deliveries -------------------------------------------------------------------------------
def _failed_message_for(app, make, group, **kw):
    app.config["APP_ENV"] = "production"  # no gateway configured: nothing can reach the person
    resident = make.resident(group, name="Nguyễn Thị Bình", phone="+84912345678", **kw)
    message = queued("session_confirmed", resident=resident)
    deliver_due()
    return message


def test_a_leader_sees_who_was_not_reached_in_their_group_with_the_phone(app, client, auth,
                                                                        make):
    group = make.group(name="Tổ dân phố số 3")
    leader = make.leader(group)
    _failed_message_for(app, make, group)
    make.commit()
    auth.login(leader.phone)
    html = client.get("/thong-bao/gui-loi").get_data(as_text=True)
    assert "Nguyễn Thị Bình" in html and "0912 345 678" in html
    assert "Không có cách liên lạc" in html
    assert db.session.scalar(select(AuditEvent.detail)) == "notify failures"


def test_a_leader_of_another_group_sees_nothing_and_cannot_act(app, client, auth, make):
    group = make.group()
    message = _failed_message_for(app, make, group)
    stranger = make.leader(make.group())
    volunteer = make.volunteer()
    make.commit()
    auth.login(volunteer.phone)
    assert client.get("/thong-bao/gui-loi").status_code == 403
    auth.logout()
    auth.login(stranger.phone)
    page = client.get("/thong-bao/gui-loi")
    assert "0912 345 678" not in page.get_data(as_text=True)
    response = client.post(f"/thong-bao/gui-loi/{message.id}/gui-lai",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 403


def test_try_again_removes_the_row_and_queues_the_message(app, client, auth, make):
    group = make.group()
    leader = make.leader(group)
    message = _failed_message_for(app, make, group)
    make.commit()
    auth.login(leader.phone)
    page = client.get("/thong-bao/gui-loi")
    response = client.post(f"/thong-bao/gui-loi/{message.id}/gui-lai",
                           data={"csrf_token": csrf_token_from(page)},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.PENDING
    again = client.post(f"/thong-bao/gui-loi/{message.id}/gui-lai",
                        data={"csrf_token": csrf_token_from(page)})
    assert again.status_code == 404  # no longer a failure


def test_a_failure_handled_by_phone_leaves_the_list(app, client, auth, make):
    group = make.group()
    leader = make.leader(group)
    message = _failed_message_for(app, make, group)
    make.commit()
    auth.login(leader.phone)
    page = client.get("/thong-bao/gui-loi")
    response = client.post(f"/thong-bao/gui-loi/{message.id}/da-xu-ly",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    assert "Nguyễn Thị Bình" not in client.get("/thong-bao/gui-loi").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).resolved_by_id == leader.id


def test_a_message_given_up_after_retries_reaches_the_leaders_list(app, client, auth, make):
    from tests.notify_helpers import LocalGateway

    server = LocalGateway()
    server.answer("/sms", 503, {})
    try:
        app.config.update(SMS_GATEWAY_URL=server.url + "/sms", NOTIFY_MAX_ATTEMPTS=1,
                          APP_ENV="production")
        group = make.group()
        leader = make.leader(group)
        binh = make.resident(group, name="Nguyễn Thị Bình")
        make.commit()
        queued("session_cancelled", resident=binh, context={"reason": "Mất điện"})
        assert deliver_due().outcomes == {"failed": 1}
    finally:
        server.stop()
    auth.login(leader.phone)
    html = client.get("/thong-bao/gui-loi").get_data(as_text=True)
    assert "Buổi hỗ trợ bị hủy" in html and "HTTP 503" in html and "Nguyễn Thị Bình" in html


# --- development outbox -------------------------------------------------------------------------------
def test_administrators_read_development_messages_instead_of_them_being_sent(app, client, auth,
                                                                           make):
    app.config["APP_ENV"] = "development"
    admin = make.admin()
    group = make.group()
    binh = make.resident(group, name="Nguyễn Thị Bình")
    make.commit()
    queued("request_received", resident=binh, context={"code": "T12345"})
    auth.login(admin.phone)
    page = client.get("/thong-bao/hop-thu-gui")
    assert "Đang chờ gửi" in page.get_data(as_text=True)
    response = client.post("/thong-bao/hop-thu-gui/gui",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    html = client.get("/thong-bao/hop-thu-gui").get_data(as_text=True)
    assert "không gửi thật" in html and "Ma T12345" in html
    assert "Đã chạy gửi tin: 1 đã gửi" in html


def test_the_development_outbox_is_for_administrators_and_not_in_production(app, client, auth,
                                                                           make):
    admin, leader = make.admin(), make.leader(make.group())
    make.commit()
    auth.login(leader.phone)
    assert client.get("/thong-bao/hop-thu-gui").status_code == 403
    auth.logout()
    auth.login(admin.phone)
    app.config["APP_ENV"] = "production"
    assert client.get("/thong-bao/hop-thu-gui").status_code == 404
