from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import NumberRange, Optional

from app.labels import AUDIT_ACTION_LABELS
from app.forms import WholeNumberField, max_length, one_of


class AuditFilterForm(FlaskForm):
    """Filters of the audit log (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Việc"),
                         choices=[("", _l("Tất cả"))] + list(AUDIT_ACTION_LABELS.items()),
                         validate_choice=False,
                         validators=[Optional(), one_of(AUDIT_ACTION_LABELS)])
    q = StringField(_l("Tên người dân"), validators=[Optional(), max_length(120)])
    resident = WholeNumberField(_l("Mã người dân"), validators=[
        Optional(), NumberRange(min=1, max=2_000_000_000, message=_l("Mã chưa hợp lệ."))])
