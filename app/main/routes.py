from __future__ import annotations

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select, text

from app.extensions import db
from app.main import bp
from app.web import render, safe_local_path


@bp.get("/")
def home():
    from app.models import Topic

    topics = db.session.scalars(
        select(Topic).where(Topic.active.is_(True)).order_by(Topic.position)).all()
    return render("main/home.html", topics=topics)


@bp.post("/ngon-ngu")
def set_language():
    """Switch language; remembered in the session and, when signed in, on the account."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_local_path(request.form.get("next"), url_for("main.home")), 303)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
