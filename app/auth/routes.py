from __future__ import annotations

import math

from flask import current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user
from sqlalchemy.exc import IntegrityError

from app.auth import bp, services
from app.auth.forms import ChangePasswordForm, LoginForm, RegisterVolunteerForm
from app.auth.loader import start_session
from app.extensions import db, limiter
from app.refusal import Refusal
from app.web import redirect_after_write, render, safe_local_path


def _safe_next(target: str | None) -> str:
    """Only local paths, so a crafted link cannot send people to a look-alike site."""
    return safe_local_path(target, url_for("main.home"))


def _login_phone_key() -> str:
    from app.phone import InvalidPhone, normalize_phone
    try:
        return "login:" + normalize_phone(request.form.get("phone"))
    except InvalidPhone:
        return "login:invalid:" + get_remote_address()


def _account_key() -> str:
    return f"account:{getattr(current_user, 'id', None) or get_remote_address()}"


def _locked_message(seconds: int) -> str:
    return _("Bạn đã nhập sai mật khẩu nhiều lần. Để bảo vệ tài khoản, vui lòng đợi "
             "%(minutes)d phút rồi thử lại.", minutes=max(1, math.ceil(seconds / 60)))


def _render_locked(template: str, form, field, seconds: int):
    field.errors.append(_locked_message(seconds))
    response = render(template, block="form", status=429, form=form)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"], key_func=_login_phone_key)
def login():
    if current_user.is_authenticated:
        return redirect_after_write(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = services.sign_in(form.phone.e164, form.password.data)
        db.session.commit()  # the failure count, or the sign-in time
        if attempt.user is not None:
            start_session(attempt.user, form.remember.data)
            flash(_("Xin chào %(name)s!", name=attempt.user.full_name), "success")
            return redirect_after_write(_safe_next(request.args.get("next")))
        if attempt.locked_seconds:
            return _render_locked("auth/login.html", form, form.password, attempt.locked_seconds)
        form.password.errors.append(_("Số điện thoại hoặc mật khẩu chưa đúng."))
    status = 422 if form.errors else 200
    return render("auth/login.html", block="form", status=status, form=form)


@bp.post("/dang-xuat")
@login_required
def logout():
    current_user.rotate_session_token()  # a stolen cookie stops working too
    db.session.commit()
    lang = session.get("lang")
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # Flask-Login deletes the remember-me cookie
    if lang:
        session["lang"] = lang
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect_after_write(url_for("main.home"))


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=_account_key)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        attempt = services.change_password(user, form.current_password.data,
                                           form.new_password.data)
        db.session.commit()
        if attempt.user is not None:
            # This session carries on with the new token; every other one has ended.
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME",
                                                "remember_token") in request.cookies
            start_session(user, remember=remembered)
            flash(_("Đã đổi mật khẩu. Mọi phiên đăng nhập khác của bạn đã kết thúc."),
                  "success")
            return redirect_after_write(url_for("main.home"))
        if attempt.locked_seconds:
            return _render_locked("auth/change_password.html", form, form.current_password,
                                  attempt.locked_seconds)
        form.current_password.errors.append(_("Mật khẩu hiện tại chưa đúng."))
    status = 422 if form.errors else 200
    return render("auth/change_password.html", block="form", status=status, form=form)


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
        except (Refusal, IntegrityError):
            db.session.rollback()
            form.phone.errors.append(_("Số điện thoại này đã có tài khoản. Hãy đăng nhập."))
        else:
            start_session(user, remember=False)
            flash(_("Đăng ký thành công. Tổ trưởng hoặc cán bộ phường sẽ xác minh bạn trước "
                    "khi bạn nhận hỗ trợ người dân."), "success")
            return redirect_after_write(url_for("main.home"))
    status = 422 if form.errors else 200
    return render("auth/register.html", block="form", status=status, form=form)
