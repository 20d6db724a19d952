"""QR posters: each group's short link opens the form with its ward and group filled in."""
from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
import segno

from app.areas.services import address_key, group_short_url, qr_data_uri
from tests.requests_helpers import neighbourhood, text


@pytest.fixture
def n(make):
    return neighbourhood(make)


def test_the_short_link_opens_the_form_with_ward_and_group_filled_in(client, n):
    for code in ("HG03", "hg03", "Hg03"):
        response = client.get(f"/g/{code}")
        assert response.status_code == 302
        assert response.headers["Location"] == "/xin-ho-tro?to=HG03"
    html = text(client.get(response.headers["Location"]))
    assert f'<option selected value="{n.ward.id}">' in html
    assert f'<option selected value="{n.group.id}">Tổ dân phố số 3</option>' in html


def test_an_unknown_group_code_says_so_in_vietnamese(client, n):
    response = client.get("/g/KHONGCO")
    assert response.status_code == 404
    assert "Không tìm thấy tổ dân phố có mã này." in text(response)


def test_a_leader_prints_an_a4_poster_with_qr_link_topics_contact_and_safety_note(
        app, client, auth, n):
    auth.login(n.leader.phone)
    response = client.get(f"/to-dan-pho/{n.group.id}/ap-phich")
    html = text(response)
    assert response.status_code == 200
    url = "http://127.0.0.1:5000/g/HG03"
    with app.test_request_context():
        assert group_short_url(n.group) == url
    assert f'<img src="{qr_data_uri(url)}"' in html
    assert "127.0.0.1:5000/g/HG03" in html
    assert "Zalo: nhắn tin, gọi video" in html and "Ngân hàng số và thanh toán QR" in html
    assert "Nguyễn Văn Thắng" in html and "0901 000 003" in html
    assert "không bao giờ hỏi mã OTP" in html
    assert "data-print" in html and 'class="print-page"' in html
    assert " style=" not in html  # the CSP forbids inline styles


def test_the_qr_code_holds_the_groups_short_link(app, n):
    uri = qr_data_uri("http://127.0.0.1:5000/g/HG03")
    assert uri.startswith("data:image/svg+xml")
    svg = unquote(uri.split(",", 1)[1])
    assert "<svg" in svg and "<path" in svg
    assert svg == unquote(segno.make("http://127.0.0.1:5000/g/HG03", error="m").svg_data_uri(
        scale=10, border=2, dark="#000", light="#fff").split(",", 1)[1])


def test_the_short_link_follows_the_configured_public_address(app, client, auth, n):
    app.config["PUBLIC_BASE_URL"] = "https://cunghocso.example.vn/"
    auth.login(n.leader.phone)
    html = text(client.get(f"/to-dan-pho/{n.group.id}/ap-phich"))
    # Printed from the configured address, never from the Host header of the request.
    assert "cunghocso.example.vn/g/HG03" in html and "localhost" not in html


def test_the_half_page_leaflet_has_two_copies_to_cut(client, auth, n):
    auth.login(n.leader.phone)
    html = text(client.get(f"/to-dan-pho/{n.group.id}/to-roi"))
    assert html.count('<article class="leaflet"') == 2
    assert html.count("data:image/svg+xml") == 2
    assert "không bao giờ hỏi mã OTP" in html


def test_the_qr_image_can_be_downloaded(client, n):
    response = client.get("/g/HG03/ma-qr.svg")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert response.get_data().startswith(b"<?xml") or b"<svg" in response.get_data()[:200]
    assert client.get("/g/NOPE/ma-qr.svg").status_code == 404


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("volunteer", 403),
                                         ("other_leader", 403), ("official", 200)])
def test_posters_are_for_the_groups_own_leaders_and_officials(
        client, auth, make, n, who, status):
    person = {"anonymous": None,
              "volunteer": lambda: make.volunteer("Trần Văn Minh", groups=[n.group]),
              "other_leader": lambda: make.leader(n.far_group),
              "official": lambda: make.official(n.ward)}[who]
    if person:
        user = person()
        make.commit()
        auth.login(user.phone)
    assert client.get(f"/to-dan-pho/{n.group.id}/ap-phich").status_code == status
    assert client.get(f"/to-dan-pho/{n.group.id}/to-roi").status_code == status


def test_a_leader_finds_the_posters_of_their_groups(client, auth, make, n):
    auth.login(n.leader.phone)
    html = text(client.get("/to-dan-pho"))
    assert "Tổ dân phố số 3" in html and f"/to-dan-pho/{n.group.id}/ap-phich" in html
    assert "Tổ dân phố số 5" not in html and "Tổ dân phố số 1" not in html
    assert re.search(r'href="[^"]*/g/HG03"', html)
    assert "Áp phích mã QR của tổ" in text(client.get("/yeu-cau-cua-to"))


@pytest.mark.parametrize("typed, key", [
    ("12 ngõ Hàng Gai", "12 ngo hang gai"),
    ("Số 12, Ngõ hàng gai", "12 ngo hang gai"),
    ("  12   NGÕ  HÀNG GAI. ", "12 ngo hang gai"),
    ("nhà số 12 ngõ Hàng Gai", "12 ngo hang gai"),
    ("12/3 ngách 5, ngõ Tạm Thương", "12/3 ngach 5 ngo tam thuong"),
    ("", ""),
])
def test_the_same_address_typed_differently_is_one_household(typed, key):
    assert address_key(typed) == key
