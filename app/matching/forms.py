"""Forms of the matching area."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField, ValidationError

from app.forms import max_length, required


class ActionForm(FlaskForm):
    """A one-tap action: only the CSRF token."""


class HandBackForm(FlaskForm):
    reason = TextAreaField(_l("Lý do trả lại yêu cầu"), validators=[
        required(_l("Vui lòng cho tổ trưởng biết lý do.")), max_length(300)])


class AssignForm(FlaskForm):
    volunteer_id = HiddenField()

    def validate_volunteer_id(self, field):
        try:
            field.data = int(field.data)
        except (TypeError, ValueError) as exc:
            raise ValidationError(_l("Vui lòng chọn một tình nguyện viên.")) from exc
