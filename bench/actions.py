"""Writes the benchmarks time: each request is a real one a person would send.

A write cannot be repeated blindly (a request filed twice is a duplicate, a request
accepted twice is taken), so each write page names an action here. The action reads
what it needs from the pages the person would have open (the CSRF token, the requests
in the volunteer's feed), builds each measured request, and puts things back between
requests when it must (an accepted request is handed back, so the volunteer never
reaches their weekly capacity). Only the write itself is timed.

A `send(method, url, data=None, headers=None)` callable hides the client: it returns
`(status, body_bytes)` for the Flask test client and for HTTP alike.
"""
from __future__ import annotations

import re
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

CSRF_FIELD_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_HEADER_RE = re.compile(r'"X-CSRFToken": "([^"]+)"')
ACCEPT_RE = re.compile(r'/yeu-cau-gan-ban/(\d+)/nhan')
HAND_BACK_REASON = "Đo hiệu năng: trả lại ngay."


def csrf_of(body: bytes) -> str:
    html = body.decode("utf-8", "replace")
    match = CSRF_FIELD_RE.search(html) or CSRF_HEADER_RE.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


@dataclass
class Call:
    method: str
    url: str
    data: dict | None = None
    headers: dict = field(default_factory=dict)


class Action(ABC):
    """Builds the i-th measured request; `after` runs untimed once it answered."""

    @abstractmethod
    def setup(self, send, values: dict) -> None:
        """Read what the person would have on screen before the first request."""

    @abstractmethod
    def call(self, i: int) -> Call:
        """The i-th request to time."""

    def after(self, send, status: int, body: bytes) -> None:
        pass


class FormAction(Action):
    """Starts from the request form a poster's link opens, for its CSRF token."""

    def setup(self, send, values):
        status, body = send("GET", f"/xin-ho-tro?to={values['group_code']}")
        if status != 200:
            raise RuntimeError(f"request form answered {status}")
        self.token = csrf_of(body)
        self.values = values


class SubmitRequest(FormAction):
    """A resident files the request form (no JavaScript: a 303 to the tracking code)."""

    def setup(self, send, values):
        super().setup(send, values)
        # A fresh block of numbers per run: a number seen before would be a duplicate.
        self.base = secrets.randbelow(90) * 10_000  # 0988 + six digits

    def call(self, i):
        v = self.values
        return Call("POST", "/xin-ho-tro", data={
            "csrf_token": self.token,
            "full_name": f"Nguyễn Thị Đo {i}",
            "phone": f"0988{self.base + i:06d}",
            "ward": str(v["ward_id"]), "group": str(v["group_id"]),
            "topics": [str(t) for t in v["topic_ids"][:2]],
            "times": ["weekday_morning", "weekend_afternoon"],
            "place": "home", "address": f"Số {i} ngõ 12", "gender": "female",
            "birth_year": "1954", "note": "", "consent": "y", "website": "",
        })


class CheckField(FormAction):
    """Inline validation as the phone number is typed (htmx fragment)."""

    def call(self, i):
        return Call("POST", "/xin-ho-tro/kiem-tra", headers={"HX-Request": "true"}, data={
            "csrf_token": self.token, "_field": "phone", "phone": f"0912 345 {i % 1000:03d}",
            "full_name": "Nguyễn Thị Đo", "ward": str(self.values["ward_id"]),
            "group": str(self.values["group_id"])})


class Accept(Action):
    """The volunteer taps "Nhận" in their feed (htmx: the answer is the feed again).

    Between two measured accepts the request is handed back (untimed), as a volunteer
    may, so the run never fills their week; the next accept takes the first request of
    the feed the last answer showed."""

    def setup(self, send, values):
        status, body = send("GET", "/yeu-cau-gan-ban")
        if status != 200:
            raise RuntimeError(f"volunteer feed answered {status}")
        self.token = csrf_of(body)
        self.queue = self._ids(body)
        self.taken: int | None = None

    @staticmethod
    def _ids(body: bytes) -> list[int]:
        ids = [int(x) for x in ACCEPT_RE.findall(body.decode("utf-8", "replace"))]
        if not ids:
            raise RuntimeError("the volunteer's feed offers no request to accept")
        return list(dict.fromkeys(ids))

    def call(self, i):
        self.taken = self.queue.pop(0)
        return Call("POST", f"/yeu-cau-gan-ban/{self.taken}/nhan",
                    headers={"HX-Request": "true"}, data={"csrf_token": self.token})

    def after(self, send, status, body):
        if status == 200:
            back, _ = send("POST", f"/yeu-cau-gan-ban/{self.taken}/tra-lai",
                           {"csrf_token": self.token, "reason": HAND_BACK_REASON})
            if back not in (200, 303):
                raise RuntimeError(f"hand back answered {back}")
        if not self.queue:
            feed = body if status == 200 and body else send("GET", "/yeu-cau-gan-ban")[1]
            self.queue = self._ids(feed)


def forget_own_hand_backs(db_url: str) -> int:
    """A request handed back is never offered to that volunteer again: forget the hand-backs
    the accept benchmark made (by their reason) before it runs, so the feed stays full."""
    from sqlalchemy import create_engine, text

    from bench.common import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(db_url))
    try:
        with engine.begin() as conn:
            return conn.execute(text("DELETE FROM hand_back WHERE reason = :reason"),
                                {"reason": HAND_BACK_REASON}).rowcount
    finally:
        engine.dispose()


ACTIONS: dict[str, type[Action]] = {
    "submit_request": SubmitRequest,
    "check_field": CheckField,
    "accept": Accept,
}


def test_client_sender(client):
    def send(method, url, data=None, headers=None):
        response = client.open(url, method=method, data=data, headers=headers or {})
        body = response.get_data()
        response.close()
        return response.status_code, body
    return send


def http_sender(session, base: str):
    def send(method, url, data=None, headers=None):
        response = session.request(method, base + url, data=data, headers=headers or {},
                                   allow_redirects=False)
        return response.status_code, response.content
    return send
