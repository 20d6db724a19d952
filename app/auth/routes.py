from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.auth import bp, services
from app.auth.forms import LoginForm, RegisterVolunteerForm
from app.extensions import db, limiter
from app.web import redirect_after_write, render


def _safe_next(target: str | None) -> str:
    """Only local paths, so a crafted link cannot send people to a look-alike site."""
    if not target:
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    return target


def _start_session(user, remember: bool) -> None:
    lang = session.get("lang")
    session.clear()  # a fresh session on every login
    if lang:
        session["lang"] = lang
    now = datetime.now(timezone.utc).timestamp()
    session["login_at"] = now
    session["seen"] = now
    session.permanent = True
    login_user(user, remember=remember)


def _login_phone_key() -> str:
    from app.phone import InvalidPhone, normalize_phone
    try:
        return "login:" + normalize_phone(request.form.get("phone"))
    except InvalidPhone:
        return "login:invalid"


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"], key_func=_login_phone_key)
def login():
    if current_user.is_authenticated:
        return redirect_after_write(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.phone.e164, form.password.data)
        if user is not None:
            db.session.commit()
            _start_session(user, form.remember.data)
            flash(_("Xin chào %(name)s!", name=user.full_name), "success")
            return redirect_after_write(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Số điện thoại hoặc mật khẩu chưa đúng."))
    status = 422 if form.errors else 200
    return render("auth/login.html", block="form", status=status, form=form)


@bp.post("/dang-xuat")
@login_required
def logout():
    current_user.rotate_session_token()  # a stolen cookie stops working too
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect_after_write(url_for("main.home"))


@bp.route("/dang-ky-tinh-nguyen-vien", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect_after_write(url_for("main.home"))
    form = RegisterVolunteerForm()
    if form.validate_on_submit():
        try:
            user = services.register_volunteer(
                phone_e164=form.phone.e164, full_name=form.full_name.data,
                password=form.password.data, birth_year=form.birth_year.data,
                kind=form.kind.data, organisation=form.organisation.data)
            db.session.commit()
        except (services.PhoneTaken, IntegrityError):
            db.session.rollback()
            form.phone.errors.append(_("Số điện thoại này đã có tài khoản. Hãy đăng nhập."))
        else:
            _start_session(user, remember=False)
            flash(_("Đăng ký thành công. Tổ trưởng hoặc cán bộ phường sẽ xác minh bạn trước "
                    "khi bạn nhận hỗ trợ người dân."), "success")
            return redirect_after_write(url_for("main.home"))
    status = 422 if form.errors else 200
    return render("auth/register.html", block="form", status=status, form=form)
