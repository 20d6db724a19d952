"""Forms of the volunteers area."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, SelectField, SelectMultipleField,
                     StringField, TextAreaField, ValidationError)
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.clock import today_local
from app.forms import max_length, required
from app.labels import VOLUNTEER_KIND_LABELS
from app.timeslots import DAY_NAMES, DAYS, SLOT_NAMES, SLOTS, bit


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes; a value that is not offered gets a Vietnamese message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        offered = {str(value) for value, *_rest in self.iter_choices()}
        for value in self.data or ():
            if str(value) not in offered:
                raise ValidationError(_l("Lựa chọn không hợp lệ, vui lòng chọn lại."))


class NumberField(IntegerField):
    """A whole number; anything else gets a Vietnamese message."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Vui lòng nhập một số.")) from exc


class DayField(DateField):
    """A date picked in the browser (yyyy-mm-dd) or typed as d/m/yyyy."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Ngày chưa đúng. Ví dụ đúng: 30/9/2026.")) from exc


def slot_key(day: int, slot: int) -> str:
    return f"{day}-{slot}"


SLOT_CHOICES = [(slot_key(d, s), f"{SLOT_NAMES[s]} {DAY_NAMES[d]}") for d in DAYS for s in SLOTS]


def mask_from_keys(keys) -> int:
    mask = 0
    for key in keys or ():
        day, slot = (int(part) for part in key.split("-"))
        mask |= bit(day, slot)
    return mask


def keys_from_mask(mask: int) -> list[str]:
    return [slot_key(d, s) for d in DAYS for s in SLOTS if mask & bit(d, s)]


def not_in_future(_form, field):
    if field.data and field.data > today_local():
        raise ValidationError(_l("Ngày này chưa tới. Vui lòng kiểm tra lại."))


def youngest_birth_year() -> int:
    return today_local().year - 10


class ProfileForm(FlaskForm):
    kind = SelectField(_l("Bạn là"),
                       choices=[(k.value, v) for k, v in VOLUNTEER_KIND_LABELS.items()],
                       validate_choice=False,
                       validators=[required(_l("Vui lòng chọn bạn là ai."))])
    organisation = StringField(_l("Trường / cơ quan / chi đoàn"),
                               validators=[Optional(), max_length(200)])
    birth_year = NumberField(_l("Năm sinh"))
    zalo = StringField(_l("Zalo (tên hoặc số, không bắt buộc)"),
                       validators=[Optional(), max_length(60)])
    topics = CheckboxesField(_l("Chủ đề bạn có thể hướng dẫn"), coerce=int, choices=[])
    availability = CheckboxesField(_l("Thời gian rảnh hằng tuần"), choices=SLOT_CHOICES)
    areas = CheckboxesField(_l("Tổ dân phố hoặc phường bạn hỗ trợ"), choices=[])
    weekly_capacity = NumberField(_l("Số buổi tối đa mỗi tuần"), default=3, validators=[
        required(_l("Vui lòng nhập số buổi mỗi tuần.")),
        NumberRange(min=1, max=20, message=_l("Số buổi mỗi tuần từ 1 đến 20."))])
    paused_until = DayField(_l("Tạm nghỉ đến hết ngày (để trống nếu vẫn nhận yêu cầu)"),
                             validators=[Optional()])
    # No Optional(): it would stop the checks below that tie the two fields together.
    guardian_consent_by = StringField(
        _l("Người đồng ý cho bạn tham gia (cha, mẹ, người giám hộ hoặc nhà trường)"),
        validators=[max_length(200)])
    guardian_consent_on = DayField(_l("Ngày đồng ý"), validators=[not_in_future])

    def __init__(self, *args, verified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.verified = verified

    def validate_kind(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Lựa chọn không hợp lệ, vui lòng chọn lại."))

    def validate_birth_year(self, field):
        if self.verified or field.errors:
            return
        if field.data is None:
            raise ValidationError(_l("Vui lòng nhập năm sinh."))
        if not 1930 <= field.data <= youngest_birth_year():
            raise ValidationError(_l("Năm sinh chưa hợp lệ."))

    def validate_paused_until(self, field):
        if field.data and field.data < today_local():
            raise ValidationError(_l("Ngày tạm nghỉ phải từ hôm nay trở đi."))

    def validate_topics(self, field):
        if not field.data:
            raise ValidationError(_l("Vui lòng chọn ít nhất một chủ đề."))

    def validate_availability(self, field):
        if not field.data:
            raise ValidationError(_l("Vui lòng chọn ít nhất một buổi rảnh trong tuần."))

    def validate_areas(self, field):
        if not field.data:
            raise ValidationError(_l("Vui lòng chọn ít nhất một tổ dân phố hoặc phường."))

    def validate_guardian_consent_on(self, field):
        if self.verified:
            return
        if self.guardian_consent_by.data and not field.data:
            raise ValidationError(_l("Vui lòng nhập ngày đồng ý."))
        if field.data and not (self.guardian_consent_by.data or "").strip():
            self.guardian_consent_by.errors = list(self.guardian_consent_by.errors) + [
                _l("Vui lòng ghi rõ ai đã đồng ý.")]
            raise ValidationError(_l("Vui lòng ghi rõ ai đã đồng ý ở ô bên trên."))


class VerifyForm(FlaskForm):
    seen_id = BooleanField(
        _l("Tôi đã gặp trực tiếp và xem căn cước công dân hoặc thẻ đoàn viên của bạn này"),
        validators=[required(_l("Vui lòng xác nhận bạn đã gặp và xem giấy tờ."))])
    guardian_consent_by = StringField(
        _l("Người đồng ý (cha, mẹ, người giám hộ hoặc nhà trường)"),
        validators=[max_length(200)])
    guardian_consent_on = DayField(_l("Ngày đồng ý"), validators=[not_in_future])

    def __init__(self, *args, needs_consent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_consent = needs_consent

    def validate_guardian_consent_by(self, field):
        if self.needs_consent and not (field.data or "").strip():
            raise ValidationError(_l("Bạn này dưới 18 tuổi: vui lòng ghi người đã đồng ý."))

    def validate_guardian_consent_on(self, field):
        if self.needs_consent and not field.data:
            raise ValidationError(_l("Vui lòng nhập ngày đồng ý."))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Lý do thu hồi xác minh"), validators=[
        required(_l("Vui lòng ghi lý do.")), max_length(300)])


class PartnerForm(FlaskForm):
    partner = SelectField(_l("Tình nguyện viên người lớn đi cùng khi đến nhà"), coerce=int,
                          choices=[], validate_choice=False)

    def validate_partner(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Lựa chọn không hợp lệ, vui lòng chọn lại."))
