"""Signing in as a known account, through the app's real login form (CSRF and all)."""
from __future__ import annotations

import re

from app.seeding.demo import DEMO_PASSWORD
from app.seeding.profiles import KNOWN_ACCOUNTS

PHONES = {key: phone for key, phone, _name, _desc in KNOWN_ACCOUNTS}
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def in_process_app(url: str):
    """The app for the Flask test client, on the given database, without rate limits."""
    from app import create_app
    from bench.common import BENCH_SECRET, sqlalchemy_url

    return create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
                       "SECRET_KEY": BENCH_SECRET, "RATELIMIT_ENABLED": False})


def test_client_for(app, role: str | None):
    client = app.test_client()
    if role:
        token = csrf_from(client.get("/dang-nhap").get_data(as_text=True))
        response = client.post("/dang-nhap", data={"csrf_token": token, "phone": PHONES[role],
                                                   "password": DEMO_PASSWORD})
        if response.status_code != 303:
            raise RuntimeError(f"login as {role} failed ({response.status_code})")
    return client


def http_session_for(base: str, role: str | None):
    import requests

    session = requests.Session()
    if role:
        token = csrf_from(session.get(base + "/dang-nhap").text)
        response = session.post(base + "/dang-nhap", allow_redirects=False,
                                data={"csrf_token": token, "phone": PHONES[role],
                                      "password": DEMO_PASSWORD})
        if response.status_code != 303:
            raise RuntimeError(f"login as {role} failed ({response.status_code})")
    return session
