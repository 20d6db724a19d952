"""Helpers for the tests of requests, residents and areas: a neighbourhood and form posts."""
from __future__ import annotations

from dataclasses import dataclass

from app.models import Group, Topic, User, Ward
from tests.conftest import csrf_token_from

HX = {"HX-Request": "true"}


@dataclass
class Neighbourhood:
    ward: Ward
    group: Group           # tổ 3, led by `leader`
    other_group: Group     # tổ 5 of the same ward
    far_group: Group       # a group of another ward
    leader: User
    zalo: Topic
    banking: Topic


def neighbourhood(make) -> Neighbourhood:
    ward = make.ward(name="Phường Hàng Gai")
    group = make.group(ward, name="Tổ dân phố số 3", code="HG03",
                       community_house="Nhà văn hóa tổ 3")
    other = make.group(ward, name="Tổ dân phố số 5", code="HG05")
    far_ward = make.ward(name="Phường Hoàn Kiếm")
    far = make.group(far_ward, name="Tổ dân phố số 1", code="HK01")
    leader = make.leader(group, name="Nguyễn Văn Thắng", phone="+84901000003")
    zalo = make.topic("Zalo: nhắn tin, gọi video")
    banking = make.topic("Ngân hàng số và thanh toán QR")
    make.commit()
    return Neighbourhood(ward, group, other, far, leader, zalo, banking)


def form_data(token: str, n: Neighbourhood, **overrides) -> dict:
    """A correctly filled request form for Mrs Bình of tổ 3."""
    data = {
        "csrf_token": token,
        "full_name": "Nguyễn Thị Bình",
        "phone": "0912 345 678",
        "ward": str(n.ward.id),
        "group": str(n.group.id),
        "topics": [str(n.banking.id)],
        "times": ["weekend_morning"],
        "place": "home",
        "note": "",
        "consent": "y",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def open_form(client, path: str = "/xin-ho-tro") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return csrf_token_from(response)


def submit(client, n: Neighbourhood, headers=None, ip: str | None = None, **overrides):
    token = open_form(client)
    environ = {"REMOTE_ADDR": ip} if ip else {}
    return client.post("/xin-ho-tro", data=form_data(token, n, **overrides),
                       headers=headers or {}, environ_base=environ)


def track(client, code: str, phone: str, headers=None, ip: str | None = None):
    token = csrf_token_from(client.get("/theo-doi"))
    environ = {"REMOTE_ADDR": ip} if ip else {}
    return client.post("/theo-doi", data={"csrf_token": token, "code": code, "phone": phone},
                       headers=headers or {}, environ_base=environ)


def text(response) -> str:
    return response.get_data(as_text=True)
