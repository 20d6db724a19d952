"""What people read: short warm Vietnamese, the date, the place, the volunteer's first name,
the tracking link and, for residents, the anti-scam sentence; SMS plain and short."""
from __future__ import annotations

import string
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models import Gender, Place
from app.notify.outbox import KINDS
from app.notify.render import SMS_LIMIT, compose_sms, render, sms_safe
from app.sessions.words import message_context
from tests.notify_helpers import queued

SCAM_LONG = "Tình nguyện viên không bao giờ hỏi mã OTP, mật khẩu hay yêu cầu chuyển tiền."
SCAM_SMS = "Tinh nguyen vien khong hoi OTP, mat khau, tien."
SATURDAY_9AM = datetime(2026, 5, 16, 2, 0, tzinfo=timezone.utc)  # 9:00 in Hà Nội


@pytest.fixture
def scene(make):
    group = make.group(name="Tổ dân phố số 3", community_house="Nhà văn hóa tổ 3")
    binh = make.resident(group, name="Nguyễn Thị Bình", gender=Gender.FEMALE,
                         phone="+84912345678")
    minh = make.volunteer("Trần Văn Minh", groups=[group])
    zalo = make.topic("Zalo: nhắn tin, gọi video")
    session = make.session(group, volunteers=[minh], title="Cùng bà học dùng Zalo",
                           starts_at=SATURDAY_9AM, topics=[zalo])
    request = make.request(binh, topics=[zalo], code="T12345")
    make.commit()
    return {"group": group, "binh": binh, "minh": minh, "session": session,
            "request": request}


def test_a_confirmation_to_a_resident_is_warm_and_complete(app, scene):
    message = queued("session_confirmed", resident=scene["binh"], context={
        "session_id": scene["session"].id, "request_id": scene["request"].id})
    text = render(message).text
    assert text.startswith("Chào bác Bình,")
    assert "Thứ Bảy, 16/5/2026, 9:00" in text
    assert "Nhà văn hóa tổ 3" in text
    assert "Minh" in text and "Trần Văn Minh" not in text  # the first name only
    assert "http://127.0.0.1:5000/theo-doi" in text and "T12345" in text
    assert SCAM_LONG in text


@pytest.mark.parametrize("place", list(Place))
def test_a_message_names_the_place_in_words_never_by_its_key(app, make, scene, place):
    """Sessions give their place to messages as data (sessions.words.message_context); every
    kind of message, to a resident and to a volunteer, says it in words."""
    session = scene["session"]
    session.place = place
    session.place_name = "Sân đình tổ 3" if place == Place.OTHER else session.place_name
    make.commit()
    context = message_context(session)
    keys = {p.value for p in Place}
    for kind in KINDS:
        for who in ({"resident": scene["binh"]}, {"user": scene["minh"]}):
            rendered = render(queued(kind, context=context, **who))
            for text in filter(None, (rendered.text, rendered.sms, rendered.subject)):
                words = set(text.replace(".", " ").replace(",", " ").replace(":", " ").split())
                assert not words & keys, (kind, who, text)


def test_the_context_given_by_the_cause_wins_over_what_changed_since(app, scene):
    message = queued("session_cancelled", resident=scene["binh"], context={
        "session_id": scene["session"].id, "starts_at": "2026-05-23T02:00:00+00:00",
        "place": "Sân đình tổ 3", "reason": "Trời mưa to"})
    text = render(message).text
    assert "23/5/2026, 9:00" in text and "Trời mưa to" in text


def test_every_message_to_a_resident_carries_the_warning_and_the_tracking_link(app, scene):
    for kind in KINDS:
        message = queued(kind, resident=scene["binh"], context={
            "session_id": scene["session"].id, "request_id": scene["request"].id,
            "code": "T12345", "volunteer_name": "Trần Văn Minh", "reason": "Bận việc gia đình"})
        rendered = render(message)
        assert SCAM_LONG in rendered.text, kind
        assert SCAM_SMS in rendered.sms, kind
        assert "/theo-doi" in rendered.text and "/theo-doi" in rendered.sms, kind
        for text in (rendered.text, rendered.sms):
            assert "912345678" not in text and "0912" not in text, kind  # never the phone


def test_every_sms_is_plain_ascii_within_160_characters_even_with_long_names(app, make):
    app.config["PUBLIC_BASE_URL"] = "https://cunghocso.phuong-hang-gai.hanoi.gov.vn"
    group = make.group(name="Tổ dân phố số 13 phường Hàng Gai quận Hoàn Kiếm thành phố Hà Nội")
    resident = make.resident(group, name="Tôn Nữ Thị Hoàng Khánh Phượng")
    volunteer = make.volunteer("Nguyễn Đặng Hoàng Phương Thảo Nguyên", groups=[group])
    session = make.session(group, volunteers=[volunteer], place=Place.OTHER,
                           place_name="Hội trường lớn của Ủy ban nhân dân phường Hàng Gai, "
                                      "số 18 phố Hàng Gai, tầng ba, phòng họp số hai",
                           title="Ngân hàng số, thanh toán QR và nhận diện lừa đảo qua mạng")
    make.commit()
    for kind in KINDS:
        for recipient in ({"resident": resident}, {"user": volunteer}):
            message = queued(kind, context={"session_id": session.id, "count": 12,
                                            "reason": "Lý do rất dài " * 20,
                                            "items": ["Một việc rất dài " * 10] * 20},
                             **recipient)
            sms = render(message).sms
            assert len(sms) <= SMS_LIMIT, (kind, sms)
            assert sms.isascii() and sms.isprintable(), (kind, sms)
            assert not set(sms) & set("[]{}\\^~|`"), (kind, sms)
            assert len(sms.split()) > 4, (kind, sms)  # the message itself, not only the tail
            if "resident" in recipient:
                assert sms.endswith(SCAM_SMS), (kind, sms)


def test_sms_removes_diacritics_but_keeps_the_words():
    assert sms_safe("Buổi hỗ trợ Thứ Bảy, Nhà văn hóa tổ 3 — Đặng Văn Đức") == \
        "Buoi ho tro Thu Bay, Nha van hoa to 3 - Dang Van Duc"


@given(main=st.text(alphabet=string.ascii_letters + " ,.àáảãạăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợ",
                    max_size=400),
       link=st.text(alphabet=string.ascii_lowercase + "./:-", max_size=120))
def test_composed_sms_always_fits_and_always_keeps_the_warning(main, link):
    sms = compose_sms(main, link, SCAM_SMS)
    assert len(sms) <= SMS_LIMIT
    assert sms.endswith(SCAM_SMS)
    assert sms.isascii()


def test_a_short_sms_is_not_cut():
    assert compose_sms("Hen 9:00 Thu Bay", "cunghocso.vn/theo-doi", SCAM_SMS) == \
        f"Hen 9:00 Thu Bay cunghocso.vn/theo-doi {SCAM_SMS}"


def test_missing_or_odd_context_never_breaks_a_message(app, scene):
    for kind in KINDS:
        for context in ({}, {"session_id": 999999, "request_id": "abc", "starts_at": "not a date",
                             "count": "many", "items": "x", "reason": None}):
            message = queued(kind, user=scene["minh"], context=context)
            rendered = render(message)
            assert rendered.subject and rendered.text.startswith("Chào bạn Minh,"), kind
            assert len(rendered.sms) <= SMS_LIMIT, kind


def test_messages_about_a_resident_to_volunteers_never_name_them_in_full(app, scene):
    message = queued("reminder", user=scene["minh"], context={
        "session_id": scene["session"].id, "request_id": scene["request"].id})
    text = render(message).text
    assert "Bà B." in text
    assert "Nguyễn Thị Bình" not in text and "912345678" not in text
    assert "http://127.0.0.1:5000/" in text  # a link back into the app


def test_a_younger_resident_is_greeted_by_gender(app, make):
    group = make.group()
    lan = make.resident(group, name="Phạm Thị Lan", birth_year=1995, gender=Gender.FEMALE)
    hung = make.resident(group, name="Lê Văn Hùng", birth_year=1990, gender=Gender.MALE)
    make.commit()
    assert render(queued("request_received", resident=lan)).text.startswith("Chào chị Lan,")
    assert render(queued("request_received", resident=hung)).text.startswith("Chào anh Hùng,")
