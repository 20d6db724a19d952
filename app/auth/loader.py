"""Flask-Login wiring: the cookie id is "<user id>:<session token>"."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from app.extensions import db, login


def configure_login(app: Flask) -> None:
    login.login_view = "auth.login"
    login.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login.login_message_category = "info"
    login.session_protection = "strong"

    @login.user_loader
    def load_user(cookie_id: str):
        from app.models import User

        user_id, _, token = (cookie_id or "").partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_token != token or not user.active:
            return None
        return user

    @app.before_request
    def _expire_idle_sessions():
        if not current_user.is_authenticated:
            return
        now = datetime.now(timezone.utc).timestamp()
        last_seen = session.get("seen")
        idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        started = session.get("login_at", now)
        if (last_seen is not None and now - last_seen > idle) or now - started > lifetime:
            logout_user()
            session.clear()
            return
        # Write at most once a minute so most requests don't re-issue the cookie.
        if last_seen is None or now - last_seen > 60:
            session["seen"] = now
