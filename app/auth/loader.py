"""Flask-Login wiring and the lifetime of a sign-in.

The login id kept in the session (and in the remember-me cookie) is
"<user id>:<session token>:<signed-in at>":

- the session token is stored on the account, so rotating it (logout, password
  change) ends every session and every remember-me cookie of that person;
- "signed-in at" bounds a remembered sign-in on the server side: a copied
  remember-me cookie stops working after REMEMBER_COOKIE_DURATION even if its
  holder ignores the cookie's expiry date.

A browser session also ends after SESSION_IDLE_TIMEOUT without activity and
PERMANENT_SESSION_LIFETIME after it began. When it ends, a valid remember-me
cookie (the person ticked "Ghi nhớ đăng nhập trên máy này") starts a new one.
"""
from __future__ import annotations

from flask import Flask, current_app, flash, g, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, user_loaded_from_cookie

from app import clock
from app.extensions import db, login

# What a sign-in adds to the session; removed when it ends, the rest (language,
# CSRF token) stays.
SIGN_IN_KEYS = ("_user_id", "_fresh", "login_at", "seen")
# The session's "last seen" is rewritten at most this often, so most requests
# don't re-issue the cookie.
SEEN_RESOLUTION = 60


def login_id(user, signed_in_at: float) -> str:
    return f"{user.id}:{user.session_token}:{int(signed_in_at)}"


def parse_login_id(value: str | None) -> tuple[int, str, int] | None:
    user_id, token, signed_in_at = ((value or "").split(":") + ["", "", ""])[:3]
    if not user_id.isdigit() or not token or not signed_in_at.isdigit():
        return None
    return int(user_id), token, int(signed_in_at)


def start_session(user, remember: bool) -> None:
    """Sign in with a fresh session: nothing of the anonymous one survives but the language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    now = clock.timestamp()
    session["login_at"] = now
    session["seen"] = now
    session.permanent = True
    login_user(user, remember=remember)
    # Flask-Login stored user.get_id(); the stored id also says when the sign-in began.
    session["_user_id"] = login_id(user, now)


def _session_expired(now: float) -> bool:
    config = current_app.config
    started, last_seen = session.get("login_at"), session.get("seen")
    if started is None or last_seen is None:
        return True
    return (now - last_seen > config["SESSION_IDLE_TIMEOUT"].total_seconds()
            or now - started > config["PERMANENT_SESSION_LIFETIME"].total_seconds())


def configure_login(app: Flask) -> None:
    login.login_view = "auth.login"
    login.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login.login_message_category = "info"
    login.session_protection = "strong"

    @login.user_loader
    def load_user(stored_id: str):
        from app.models import User

        parsed = parse_login_id(stored_id)
        user = db.session.get(User, parsed[0]) if parsed else None
        if parsed is None or user is None or not user.active or user.session_token != parsed[1]:
            user = None
        elif clock.timestamp() - parsed[2] > \
                current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds():
            user = None  # older than any sign-in may last
        if user is None and stored_id:
            # Forget the stale id; the remember-me cookie holds the same one: drop it too.
            session.pop("_user_id", None)
            session["_remember"] = "clear"
        return user

    @user_loaded_from_cookie.connect_via(app)
    def _new_session_from_cookie(_app, user):
        now = clock.timestamp()
        session["login_at"] = now
        session["seen"] = now
        session.permanent = True

    @app.before_request
    def _end_expired_sessions():
        if not current_user.is_authenticated:
            return
        now = clock.timestamp()
        if _session_expired(now):
            for key in SIGN_IN_KEYS:
                session.pop(key, None)
            g.pop("_login_user", None)  # load again: a remember-me cookie may restore it
            if not current_user.is_authenticated:
                flash(_("Bạn đã được đăng xuất vì lâu không thao tác. "
                        "Vui lòng đăng nhập lại."), "info")
            return
        if now - session["seen"] > SEEN_RESOLUTION:
            session["seen"] = now
