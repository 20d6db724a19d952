"""The public request form: one minute, no account, every refusal explained in Vietnamese."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from app.models import (Consent, ConsentMethod, HelpRequest, Household, OutboxMessage, Place,
                        RequestStatus, Resident)
from app.requests import services
from app.residents.services import CONSENT_WORDING_VERSION
from app.timeslots import ALL, coarse_mask
from tests.requests_helpers import HX, form_data, neighbourhood, open_form, submit, text


@pytest.fixture
def n(make):
    return neighbourhood(make)


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def only_request(db) -> HelpRequest:
    db.session.expire_all()
    return db.session.scalars(select(HelpRequest)).one()


# --- the page ---------------------------------------------------------------------------------
def test_the_form_offers_big_topic_choices_times_places_and_states_the_purpose(client, n):
    response = client.get("/xin-ho-tro")
    html = text(response)
    assert response.status_code == 200
    assert '<body class="resident"' in html
    for label in ("Cần hướng dẫn việc gì?", "Zalo: nhắn tin, gọi video", "Sáng cuối tuần",
                  "Tối ngày thường", "Tại nhà", "Tại nhà văn hóa", "Qua điện thoại / gọi video",
                  "Họ và tên người cần hỗ trợ", "Số điện thoại di động", "Phường / xã",
                  "Tổ dân phố / thôn"):
        assert label in html
    assert 'type="checkbox" name="topics"' in html and 'class="choice-grid' in html
    assert "Vì sao cần thông tin này?" in html and "chỉ để sắp xếp tình nguyện viên" in html
    assert 'class="honeypot" aria-hidden="true"' in html and 'tabindex="-1"' in html
    assert "không bao giờ hỏi mã OTP" in html
    assert " style=" not in html and "<script>" not in html


def test_every_text_field_carries_a_size_limit_in_the_page(client, n):
    html = text(client.get("/xin-ho-tro"))
    for name, limit in (("full_name", 120), ("phone", 20), ("address", 200), ("note", 500),
                        ("birth_year", 4)):
        tag = re.search(rf'<(input|textarea)[^>]*name="{name}"[^>]*>', html).group(0)
        assert f'maxlength="{limit}"' in tag, name


# --- happy paths -------------------------------------------------------------------------------
def test_a_resident_asks_for_help_and_gets_a_short_code_to_read_out(client, db, n):
    response = submit(client, n, times=["weekend_morning", "weekday_evening"], place="community_house",
                      note="Bà nghe kém, xin gọi to.")
    assert response.status_code == 303
    assert response.headers["Location"] == "/xin-ho-tro/da-gui"

    page = client.get("/xin-ho-tro/da-gui")
    html = text(page)
    req = only_request(db)
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}", req.code)
    assert f"{req.code[:3]} {req.code[3:]}" in html  # large, in two halves
    assert 'class="big-code"' in html
    assert "Tiếp theo sẽ thế nào?" in html and "không bao giờ hỏi mã OTP" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert 'hx-history="false"' in html

    assert req.status == RequestStatus.OPEN and req.group_id == n.group.id
    assert [t.id for t in req.topics] == [n.banking.id]
    assert req.preferred_times == coarse_mask(["weekend_morning", "weekday_evening"])
    assert req.place == Place.COMMUNITY_HOUSE and req.note == "Bà nghe kém, xin gọi to."
    assert req.created_by_id is None and req.consent_method == ConsentMethod.ONLINE
    resident = req.resident
    assert resident.full_name == "Nguyễn Thị Bình" and resident.name_search == "nguyen thi binh"
    assert resident.phone == "+84912345678" and resident.group_id == n.group.id


def test_consent_is_recorded_with_time_wording_version_and_who_captured_it(client, db, n):
    submit(client, n)
    consent = db.session.scalars(select(Consent)).one()
    assert consent.given_at is not None
    assert consent.wording_version == CONSENT_WORDING_VERSION
    assert consent.method == ConsentMethod.ONLINE and consent.captured_by_id is None


def test_the_resident_and_the_group_leader_are_told_in_the_same_transaction(client, db, make, n):
    second_leader = make.leader(n.group, name="Lê Văn Phó")
    other_leader = make.leader(n.other_group)
    make.commit()
    submit(client, n)
    req = only_request(db)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    received = [m for m in messages if m.kind == "request_received"]
    assert len(received) == 1 and received[0].recipient_resident_id == req.resident_id
    assert received[0].context == {"code": req.code, "request_id": req.id}
    told = {m.recipient_user_id for m in messages if m.kind == "request_new_in_group"}
    assert told == {n.leader.id, second_leader.id}
    assert other_leader.id not in told


def test_the_same_form_through_htmx_redirects_the_whole_page(client, db, n):
    response = submit(client, n, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/xin-ho-tro/da-gui"
    assert "HX-Request" in response.headers["Vary"]
    assert count(db, HelpRequest) == 1


def test_no_time_ticked_means_any_time(client, db, n):
    submit(client, n, times=None)
    assert only_request(db).preferred_times == ALL


def test_the_success_page_is_only_for_the_browser_that_sent_the_request(app, client, db, n):
    submit(client, n)
    stranger = app.test_client()
    response = stranger.get("/xin-ho-tro/da-gui")
    assert response.status_code == 302 and response.headers["Location"] == "/xin-ho-tro"


# --- refusals, each beside its field ----------------------------------------------------------------
INVALID_PHONES = [
    ("12345", "Số điện thoại chưa đúng"),
    ("024 3825 1234", "số máy bàn"),
    ("", "Vui lòng nhập số điện thoại di động."),
    ("0912 345 678 999 999 9", "Tối đa 20 ký tự."),
]


@pytest.mark.parametrize("htmx", [False, True])
def test_an_invalid_phone_is_refused_beside_the_field_and_nothing_typed_is_lost(
        client, db, n, htmx):
    for phone, message in INVALID_PHONES:
        response = submit(client, n, headers=HX if htmx else None, phone=phone,
                          full_name="Nguyễn Thị Bình", note="Cháu sẽ có mặt")
        html = text(response)
        assert response.status_code == 422, phone
        assert message in html, phone
        assert re.search(r'id="phone-error"[^>]*>\s*<p class="error">', html)
        assert 'value="Nguyễn Thị Bình"' in html and "Cháu sẽ có mặt" in html
        assert re.search(rf'value="{n.banking.id}"\s+aria-describedby="topics-error" checked', html)
        assert 'value="weekend_morning"' in html
        if htmx:
            assert "<html" not in html and 'id="request-form"' in html
            assert "HX-Request" in response.headers["Vary"]
        else:
            assert "<html" in html
        assert response.headers["Cache-Control"] == "no-store"
    assert count(db, HelpRequest) == 0 and count(db, Resident) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_missing_consent_is_refused_and_nothing_is_saved(client, db, n, htmx):
    response = submit(client, n, headers=HX if htmx else None, consent=None)
    assert response.status_code == 422
    assert "Vui lòng đánh dấu đồng ý" in text(response)
    assert count(db, HelpRequest) == 0 and count(db, Consent) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_a_group_of_another_ward_is_refused(client, db, n, htmx):
    response = submit(client, n, headers=HX if htmx else None, group=str(n.far_group.id))
    assert response.status_code == 422
    assert "Tổ dân phố này không thuộc phường / xã đã chọn." in text(response)
    assert count(db, HelpRequest) == 0


def test_missing_or_unknown_ward_and_group_get_a_message_not_an_error_page(client, db, n):
    same = str(n.ward.id)
    for i, (ward, group, message) in enumerate([
        (None, None, "Vui lòng chọn phường / xã."),
        ("abc", "xyz", "Phường / xã này không có trong danh sách."),
        ("999999", None, "Phường / xã này không có trong danh sách."),
        (same, "", "Vui lòng chọn tổ dân phố / thôn."),
        (same, "999999", "Tổ dân phố này không có trong danh sách."),
    ]):
        response = submit(client, n, ward=ward, group=group, phone=f"09120000{i:02d}")
        assert response.status_code == 422, (ward, group)
        assert message in text(response), (ward, group)
    assert count(db, HelpRequest) == 0


def test_oversized_input_is_refused_beside_its_field(client, db, n):
    for i, (field, value, message) in enumerate([
        ("full_name", "Nguyễn " * 30, "Tối đa 120 ký tự."),
        ("note", "x" * 501, "Tối đa 500 ký tự."),
        ("address", "Số 12 ngõ " * 30, "Tối đa 200 ký tự."),
        ("birth_year", "19544", "Tối đa 4 ký tự."),
    ]):
        response = submit(client, n, phone=f"09120000{i:02d}", **{field: value})
        assert response.status_code == 422, field
        assert re.search(rf'id="{field}-error"[^>]*>\s*<p class="error">{message}', text(response))
    assert count(db, HelpRequest) == 0


def test_other_invalid_choices_are_explained_in_vietnamese(client, db, n):
    for i, (overrides, message) in enumerate([
        ({"topics": None}, "Vui lòng chọn ít nhất một việc cần hướng dẫn."),
        ({"topics": ["999999"]}, "Có chủ đề không còn trong danh sách."),
        ({"times": ["sunday_midnight"]}, "Khung giờ không hợp lệ."),
        ({"place": "moon"}, "Nơi hướng dẫn không hợp lệ."),
        ({"full_name": "   "}, "Vui lòng nhập họ và tên."),
        ({"birth_year": "abcd"}, "Năm sinh chưa hợp lệ."),
        ({"birth_year": "1850"}, "Năm sinh chưa hợp lệ."),
        ({"gender": "robot"}, "Vui lòng chọn lại cách xưng hô."),
    ]):
        # Each as if from another phone and place, so no rate limit gets in the way.
        response = submit(client, n, phone=f"09120000{i:02d}", ip=f"203.0.113.{i + 1}",
                          **overrides)
        assert response.status_code == 422, overrides
        assert message in text(response), overrides
    assert count(db, HelpRequest) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_a_filled_honeypot_saves_nothing(client, db, n, htmx):
    response = submit(client, n, headers=HX if htmx else None, website="http://spam.example")
    assert response.status_code == 422
    assert "Không gửi được biểu mẫu" in text(response)
    assert count(db, HelpRequest) == 0 and count(db, Resident) == 0
    assert count(db, OutboxMessage) == 0


def test_a_post_without_csrf_is_refused(client, db, n):
    data = form_data("", n)
    data.pop("csrf_token")
    response = client.post("/xin-ho-tro", data=data)
    assert response.status_code == 400
    assert count(db, HelpRequest) == 0


# --- rate limits ----------------------------------------------------------------------------------
@pytest.mark.parametrize("htmx", [False, True])
def test_many_forms_from_one_address_hit_the_rate_limit(client, db, n, htmx):
    for i in range(10):
        response = submit(client, n, phone=f"091200{i:04d}", ip="203.0.113.7")
        assert response.status_code == 303
    response = submit(client, n, phone="0912009999", ip="203.0.113.7",
                      headers=HX if htmx else None)
    assert response.status_code == 429
    assert "Bạn thao tác quá nhanh" in text(response)
    if htmx:
        assert response.headers["HX-Retarget"] == "#messages"
    assert count(db, HelpRequest) == 10
    # Someone else, elsewhere, is not affected.
    assert submit(client, n, phone="0912008888", ip="198.51.100.2").status_code == 303


def test_many_forms_for_one_phone_number_hit_the_rate_limit_from_any_address(client, db, make, n):
    topics = [make.topic(f"Chủ đề thử {i}") for i in range(6)]
    make.commit()
    for i in range(5):
        response = submit(client, n, topics=[str(topics[i].id)], ip=f"203.0.113.{i + 1}")
        assert response.status_code == 303
    response = submit(client, n, topics=[str(topics[5].id)], ip="203.0.113.99")
    assert response.status_code == 429
    assert count(db, HelpRequest) == 5
    assert submit(client, n, phone="0987 654 321", ip="203.0.113.99").status_code == 303


# --- duplicates --------------------------------------------------------------------------------------
def test_sending_the_same_topic_again_shows_the_open_request_instead_of_a_second(client, db, n):
    submit(client, n, topics=[str(n.banking.id), str(n.zalo.id)])
    first = only_request(db)
    for headers in (None, HX):
        response = submit(client, n, headers=headers, topics=[str(n.zalo.id)])
        html = text(response)
        assert response.status_code == 200
        assert "Bạn đã có một yêu cầu đang mở về việc này" in html
        assert f"{first.code[:3]} {first.code[3:]}" in html  # this browser sent it
        assert f'href="/theo-doi/{first.id}"' in html
    assert "<html" not in html and 'id="request-form"' in html
    assert count(db, HelpRequest) == 1 and count(db, Resident) == 1


def test_a_duplicate_from_another_browser_does_not_reveal_the_code_but_sends_it_again(
        app, client, db, n):
    submit(client, n)
    first = only_request(db)
    stranger = app.test_client()
    for _attempt in range(2):
        html = text(submit(stranger, n))
        assert "Bạn đã có một yêu cầu đang mở về việc này" in html
        assert first.code not in html and f"{first.code[:3]} {first.code[3:]}" not in html
        assert "vừa được gửi lại bằng tin nhắn" in html
    again = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "request_received")).all()
    # The first message, and one resend a day however often the form is sent.
    assert len(again) == 2 and again[1].context["again"] is True
    assert all(m.recipient_resident_id == first.resident_id for m in again)
    assert count(db, HelpRequest) == 1


def test_a_request_for_another_topic_reuses_the_resident_record(client, db, n):
    submit(client, n, topics=[str(n.banking.id)])
    submit(client, n, topics=[str(n.zalo.id)], full_name="Nguyễn Thị Bình")
    assert count(db, HelpRequest) == 2 and count(db, Resident) == 1
    assert count(db, Consent) == 2


def test_a_finished_request_does_not_block_a_new_one_on_the_same_topic(client, db, n):
    submit(client, n)
    req = only_request(db)
    req.status = RequestStatus.DONE
    db.session.commit()
    assert submit(client, n).status_code == 303
    assert count(db, HelpRequest) == 2


def test_two_identical_forms_sent_at_once_give_one_request(app, db, n):
    """Two people (or a double tap) send the same phone and topic at the same moment."""
    barrier = threading.Barrier(2, timeout=30)
    outcomes, errors = [], []
    group_id, topic_id = n.group.id, n.banking.id
    db.session.commit()

    def send():
        try:
            with app.app_context():
                from app.extensions import db as tdb
                from app.models import Group

                barrier.wait(timeout=30)
                group = tdb.session.get(Group, group_id)
                filed = services.submit_request(services.Submission(
                    full_name="Nguyễn Thị Bình", phone_e164="+84912345678", group=group,
                    topic_ids=[topic_id], preferred_times=ALL, place=Place.HOME))
                tdb.session.commit()
                outcomes.append(filed.created)
                tdb.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(outcomes) == [False, True]
    assert count(db, HelpRequest) == 1 and count(db, Resident) == 1


# --- households -------------------------------------------------------------------------------------
def test_residents_at_the_same_address_are_placed_in_the_same_household(client, db, make, n):
    neighbour = make.resident(n.group, name="Trần Văn Hùng")
    household = Household(group_id=n.group.id, address="12 ngõ Hàng Gai",
                          address_key="12 ngo hang gai")
    db.session.add(household)
    db.session.flush()
    neighbour.household_id = household.id
    make.commit()

    submit(client, n, address="Số 12, Ngõ hàng gai")
    html = text(client.get("/xin-ho-tro/da-gui"))
    assert "Đã ghi vào cùng hộ gia đình với những người ở địa chỉ 12 ngõ Hàng Gai." in html
    resident = only_request(db).resident
    assert resident.household_id == household.id
    assert count(db, Household) == 1


def test_a_known_resident_without_an_address_joins_the_household_at_the_address_typed(
        client, db, make, n):
    binh = make.resident(n.group, name="Nguyễn Thị Bình", phone="+84912345678")
    household = Household(group_id=n.group.id, address="12 ngõ Hàng Gai",
                          address_key="12 ngo hang gai")
    db.session.add(household)
    make.commit()
    submit(client, n, address="12 ngo hang gai")
    db.session.expire_all()
    assert db.session.get(Resident, binh.id).household_id == household.id
    assert "Đã ghi vào cùng hộ gia đình" in text(client.get("/xin-ho-tro/da-gui"))


def test_a_new_address_starts_a_new_household_of_the_group(client, db, n):
    submit(client, n, address="  5   phố Hàng Gai ")
    household = db.session.scalars(select(Household)).one()
    assert household.address == "5 phố Hàng Gai" and household.address_key == "5 pho hang gai"
    assert household.group_id == n.group.id
    assert only_request(db).resident.household_id == household.id
    assert "cùng hộ gia đình" not in text(client.get("/xin-ho-tro/da-gui"))


def test_typing_a_known_address_offers_the_household_without_naming_its_members(
        client, db, make, n):
    neighbour = make.resident(n.group, name="Trần Văn Hùng")
    household = Household(group_id=n.group.id, address="12 ngõ Hàng Gai",
                          address_key="12 ngo hang gai")
    db.session.add(household)
    db.session.flush()
    neighbour.household_id = household.id
    make.commit()
    token = open_form(client)
    response = client.post("/xin-ho-tro/kiem-tra", headers=HX, data=form_data(
        token, n, address="12 Ngo Hang Gai", _field="address"))
    html = text(response)
    assert response.status_code == 200
    assert 'id="household-match"' in html and 'hx-swap-oob="true"' in html
    assert "Cùng hộ gia đình:" in html
    assert "Trần Văn Hùng" not in html  # a member's name is not for the public


# --- htmx helpers of the form ------------------------------------------------------------------------
def test_inline_validation_answers_with_the_errors_of_one_field(client, n):
    token = open_form(client)
    bad = client.post("/xin-ho-tro/kiem-tra", headers=HX, data=form_data(
        token, n, phone="0912", _field="phone"))
    html = text(bad)
    assert bad.status_code == 200
    assert html.strip().startswith('<div class="field-errors" id="phone-error"')
    assert "Số điện thoại chưa đúng" in html
    assert "<form" not in html and "<html" not in html
    good = client.post("/xin-ho-tro/kiem-tra", headers=HX, data=form_data(
        token, n, phone="0912 345 678", _field="phone"))
    assert '<p class="error">' not in text(good)
    pair = client.post("/xin-ho-tro/kiem-tra", headers=HX, data=form_data(
        token, n, group=str(n.far_group.id), _field="group"))
    assert "không thuộc phường" in text(pair)
    topics = client.post("/xin-ho-tro/kiem-tra", headers=HX, data=form_data(
        token, n, topics=None, _field="topics"))
    assert 'id="topics-error"' in text(topics) and "ít nhất một việc" in text(topics)


def test_inline_validation_of_an_unknown_field_is_a_bad_request(client, n):
    token = open_form(client)
    for name in ("nonexistent", "csrf_token", "website", ""):
        response = client.post("/xin-ho-tro/kiem-tra", headers=HX,
                               data=form_data(token, n, _field=name))
        assert response.status_code == 400


def test_the_group_list_follows_the_ward_through_htmx(client, n):
    response = client.get(f"/xin-ho-tro/to-dan-pho?ward={n.ward.id}", headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert html.strip().startswith('<div class="field') and 'id="group-field"' in html
    assert "Tổ dân phố số 3" in html and "Tổ dân phố số 5" in html
    assert "Tổ dân phố số 1" not in html  # the other ward's group
    assert "HX-Request" in response.headers["Vary"]
    far = text(client.get(f"/xin-ho-tro/to-dan-pho?ward={n.far_group.ward_id}", headers=HX))
    assert "Tổ dân phố số 1" in far and "Tổ dân phố số 3" not in far
    empty = text(client.get("/xin-ho-tro/to-dan-pho?ward=abc", headers=HX))
    assert "Chọn phường / xã trước" in empty


def test_without_javascript_choosing_the_ward_reshows_the_form_with_its_groups(client, db, n):
    token = open_form(client)
    response = client.post("/xin-ho-tro/cap-nhat", data=form_data(
        token, n, ward=str(n.far_group.ward_id), group=None, action="ward"))
    html = text(response)
    assert response.status_code == 200
    assert "<html" in html and "Tổ dân phố số 1" in html and "Tổ dân phố số 3" not in html
    assert 'value="Nguyễn Thị Bình"' in html  # what was typed stays
    assert '<p class="error">' not in html
    assert count(db, HelpRequest) == 0


def test_the_ward_chooser_button_is_there_for_browsers_without_javascript(client, n):
    html = text(client.get("/xin-ho-tro"))
    assert re.search(r'<noscript>\s*<p><button type="submit" class="button" '
                     r'formaction="/xin-ho-tro/cap-nhat" name="action" value="ward"', html)


# --- tracking codes ----------------------------------------------------------------------------------
def test_tracking_codes_have_no_look_alike_characters():
    codes = {services.new_tracking_code() for _ in range(2000)}
    assert len(codes) > 1990
    for code in codes:
        assert len(code) == 6
        assert not set(code) & set("01OIL")


@pytest.mark.parametrize("typed, stored", [
    ("k7m-4qx", "K7M4QX"), (" K7M 4QX ", "K7M4QX"), ("k7m.4qx", "K7M4QX"), ("", ""),
    ("ĐK7M", "K7M"),
])
def test_typed_codes_are_read_however_they_are_written(typed, stored):
    assert services.normalize_code(typed) == stored


def test_a_code_already_taken_is_never_given_twice(client, db, make, n, monkeypatch):
    taken = make.request(make.resident(n.group, name="Lê Thị Mai"), code="ABC234")
    make.commit()
    offered = iter(["ABC234", "ABC234", "XYZ789"])
    monkeypatch.setattr(services, "new_tracking_code", lambda: next(offered))
    submit(client, n)
    db.session.expire_all()
    codes = set(db.session.scalars(select(HelpRequest.code)))
    assert codes == {taken.code, "XYZ789"}
