from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from app.audit import ACTION_LABELS
from app.forms import WholeNumberField, max_length, one_of


class AuditFilterForm(FlaskForm):
    """Filters of the audit log (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Việc"), choices=[("", _l("Tất cả"))] + list(ACTION_LABELS.items()),
                         validate_choice=False, validators=[Optional(), one_of(ACTION_LABELS)])
    q = StringField(_l("Tên người dân"), validators=[Optional(), max_length(120)])
    resident = WholeNumberField(_l("Mã người dân"), validators=[
        Optional(), NumberRange(min=1, max=2_000_000_000, message=_l("Mã chưa hợp lệ."))])


class EraseResidentForm(FlaskForm):
    confirm = BooleanField(_l("Tôi xác nhận người dân (hoặc người giám hộ) đã yêu cầu xóa dữ "
                              "liệu, và hiểu rằng việc này không hoàn tác được."))
    reason = StringField(_l("Ghi chú về yêu cầu (không bắt buộc)"),
                         validators=[Optional(), max_length(200)])

    def validate_confirm(self, field):
        from wtforms import ValidationError

        if not field.data:
            raise ValidationError(_l("Vui lòng đánh dấu xác nhận trước khi xóa."))


class WithdrawConsentForm(FlaskForm):
    """Only the CSRF token: the button says what it does."""
