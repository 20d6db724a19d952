from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, Length, NumberRange, Optional

from app.forms import VietnameseMobile, WholeNumberField, max_length, one_of, required
from app.labels import VOLUNTEER_KIND_LABELS



class LoginForm(FlaskForm):
    phone = StringField(_l("Số điện thoại"), validators=[max_length(20), VietnameseMobile()])
    password = PasswordField(_l("Mật khẩu"), validators=[required(_l("Vui lòng nhập mật khẩu.")),
                                                          max_length(128)])
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))


class PasswordRules:
    rules = [required(_l("Vui lòng nhập mật khẩu.")),
             Length(min=8, max=128, message=_l("Mật khẩu cần từ 8 đến 128 ký tự."))]


class RegisterVolunteerForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[
        required(_l("Vui lòng nhập họ và tên.")), max_length(120)])
    phone = StringField(_l("Số điện thoại di động"), validators=[max_length(20),
                                                                 VietnameseMobile()])
    birth_year = WholeNumberField(_l("Năm sinh"), validators=[
        required(_l("Vui lòng nhập năm sinh.")),
        NumberRange(min=1930, max=2020, message=_l("Năm sinh chưa hợp lệ."))])
    kind = SelectField(_l("Bạn là"),
                       choices=[(k.value, v) for k, v in VOLUNTEER_KIND_LABELS.items()],
                       validate_choice=False,
                       validators=[required(), one_of(k.value for k in VOLUNTEER_KIND_LABELS)])
    organisation = StringField(_l("Trường / cơ quan / chi đoàn"),
                               validators=[Optional(), max_length(200)])
    password = PasswordField(_l("Mật khẩu"), validators=PasswordRules.rules)
    password_confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[
        EqualTo("password", message=_l("Hai mật khẩu chưa khớp nhau."))])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[
        required(_l("Vui lòng nhập mật khẩu hiện tại.")), max_length(128)])
    new_password = PasswordField(_l("Mật khẩu mới"), validators=PasswordRules.rules)
    new_password_confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        EqualTo("new_password", message=_l("Hai mật khẩu chưa khớp nhau."))])
