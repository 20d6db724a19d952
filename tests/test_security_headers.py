"""Response headers and templates that keep pages safe in the browser."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import g, render_template

from tests.security_helpers import production_app

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";")}


@pytest.mark.parametrize("path", ["/", "/dang-nhap", "/khong-co-trang-nay", "/healthz"])
def test_every_response_carries_a_strict_content_security_policy(client, path):
    response = client.get(path)
    directives = csp_directives(response)
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert directives["object-src"] == "object-src 'none'"
    assert directives["base-uri"] == "base-uri 'none'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["form-action"] == "form-action 'self'"
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "*" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_static_files_are_not_sniffed_either(client):
    response = client.get("/static/js/app.js")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_hsts_is_sent_in_production_on_every_answer(database_uri):
    with production_app(database_uri) as app:
        client = app.test_client()
        for path in ("/", "/khong-co-trang-nay", "/healthz"):
            hsts = client.get(path, base_url="https://localhost").headers[
                "Strict-Transport-Security"]
            assert hsts == "max-age=31536000; includeSubDomains"


def test_public_pages_may_be_cached_but_signed_in_pages_may_not(client, make, auth):
    assert client.get("/").headers.get("Cache-Control") != "no-store"
    admin = make.admin()
    make.commit()
    auth.login(admin.phone)
    for path in ("/", "/quan-tri", "/doi-mat-khau", "/khong-co-trang-nay"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_pages_with_personal_data_keep_no_htmx_history(client, make, auth):
    assert 'hx-history="false"' not in client.get("/").get_data(as_text=True)
    user = make.user()
    make.commit()
    auth.login(user.phone)
    assert 'hx-history="false"' in client.get("/").get_data(as_text=True)


def test_an_anonymous_page_marked_personal_is_neither_cached_nor_kept_in_history(app, client):
    """E.g. a tracking page opened with a code: no account, but personal data."""

    @app.get("/_thu-du-lieu-ca-nhan")
    def _personal():
        g.personal_data = True
        return render_template("main/home.html", topics=[], personal_data=True)

    response = client.get("/_thu-du-lieu-ca-nhan")
    assert response.headers["Cache-Control"] == "no-store"
    assert 'hx-history="false"' in response.get_data(as_text=True)


def test_error_pages_are_never_cached(client):
    assert client.get("/khong-co-trang-nay").headers["Cache-Control"] == "no-store"


TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_need_no_unsafe_csp(template):
    """No inline script or style and no hx-on (the CSP would block them), and no
    `|safe` that would switch off escaping unless the line says why it is trusted."""
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>"
    assert not re.search(r"\sstyle=", text), "inline style= attribute"
    assert "<style" not in text, "inline <style>"
    assert "hx-on" not in text, "hx-on needs eval"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler"
    for line in text.splitlines():
        if re.search(r"\|\s*safe\b", line) or "Markup(" in line:
            assert "{# trusted:" in line, f"unescaped output: {line.strip()}"


def test_jinja_escapes_html_templates(app):
    assert app.jinja_env.autoescape("page.html") is True
