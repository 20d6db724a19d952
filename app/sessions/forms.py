"""Forms of the sessions area. Times are typed as local wall-clock (Asia/Ho_Chi_Minh)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, Form, FormField,
                     RadioField, SelectField, SelectMultipleField, StringField, TextAreaField,
                     TimeField)
from wtforms.validators import AnyOf, NumberRange, Optional, ValidationError

from app.forms import VietnameseMobile, WholeNumberField, input_required, max_length, required
from app.labels import SESSION_PLACE_LABELS
from app.models import Place
from app.sessions.checks import MAX_WEEKS


def safe_int(value):
    """Coerce a submitted id; a tampered value becomes None (then "please choose")."""
    if value is None or value == "" or isinstance(value, int):
        return value if value != "" else None
    try:
        number = int(str(value)[:12])
    except ValueError:
        return None
    # Beyond a database integer PostgreSQL would fail the lookup: no such row either way.
    return number if -2**31 <= number < 2**31 else None


class LocalDateField(DateField):
    """A day as the browser's date picker sends it (2026-05-12) or as typed (12/5/2026)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()[:20]
        if not text:
            self.data = None
            return
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
            try:
                self.data = datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(str(_l("Ngày chưa đúng. Ví dụ đúng: 12/5/2026.")))


class LocalTimeField(TimeField):
    """A time of day: 9:00, 09:00, 9h30 or 21:15."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip().lower()[:10].replace("h", ":")
        if text.endswith(":"):
            text += "00"
        if not text:
            self.data = None
            return
        for fmt in ("%H:%M", "%H:%M:%S"):
            try:
                self.data = datetime.strptime(text, fmt).time()
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(str(_l("Giờ chưa đúng. Ví dụ đúng: 9:00 hoặc 14:30.")))


class MultiCheckboxField(SelectMultipleField):
    """Several ids ticked; unknown ones are refused by the form's own check."""

    def process_formdata(self, valuelist):
        self.data = [v for v in (safe_int(x) for x in valuelist[:200]) if v is not None]


def _choice(message):
    return [input_required(message)]


ONE_TO_ONE_PLACES = [(p.value, SESSION_PLACE_LABELS[p]) for p in
                     (Place.HOME, Place.COMMUNITY_HOUSE, Place.REMOTE, Place.OTHER)]
CLASS_PLACES = [(Place.COMMUNITY_HOUSE.value, _l("Nhà văn hóa của tổ")),
                (Place.OTHER.value, _l("Một địa điểm khác"))]


class TimeFields:
    day = LocalDateField(_l("Ngày"), validators=[input_required(_l("Vui lòng chọn ngày."))])
    starts = LocalTimeField(_l("Bắt đầu lúc"),
                            validators=[input_required(_l("Vui lòng chọn giờ bắt đầu."))])
    ends = LocalTimeField(_l("Kết thúc lúc"),
                          validators=[input_required(_l("Vui lòng chọn giờ kết thúc."))])


class ProposalForm(FlaskForm, TimeFields):
    place = RadioField(_l("Địa điểm"), choices=ONE_TO_ONE_PLACES, validate_choice=False,
                       validators=[input_required(_l("Vui lòng chọn địa điểm.")),
                                   AnyOf([p for p, _label in ONE_TO_ONE_PLACES],
                                         message=_l("Vui lòng chọn một địa điểm trong danh "
                                                    "sách."))])
    place_name = StringField(_l("Tên địa điểm"), validators=[Optional(), max_length(200)])


class RescheduleForm(ProposalForm):
    reason = StringField(_l("Lý do đổi lịch"), validators=[
        required(_l("Vui lòng cho biết lý do đổi lịch.")), max_length(300)])


SCOPES = [("one", _l("Chỉ buổi này")), ("series", _l("Buổi này và các buổi sau trong chuỗi"))]


class CancelForm(FlaskForm):
    reason = StringField(_l("Lý do hủy"), validators=[
        required(_l("Vui lòng cho biết lý do hủy.")), max_length(300)])
    scope = RadioField(_l("Hủy"), choices=SCOPES, default="one", validate_choice=False,
                       validators=[AnyOf(["one", "series"], message=_l("Vui lòng chọn."))])


class ClassForm(FlaskForm, TimeFields):
    group_id = SelectField(_l("Tổ dân phố"), coerce=safe_int, validate_choice=False,
                           validators=_choice(_l("Vui lòng chọn tổ dân phố.")))
    title = StringField(_l("Tên lớp"), validators=[required(_l("Vui lòng đặt tên cho lớp.")),
                                                   max_length(200)])
    topic_ids = MultiCheckboxField(_l("Chủ đề"), coerce=safe_int, validate_choice=False)
    place = RadioField(_l("Địa điểm"), choices=CLASS_PLACES, default=Place.COMMUNITY_HOUSE.value,
                       validate_choice=False,
                       validators=[input_required(_l("Vui lòng chọn địa điểm.")),
                                   AnyOf([p for p, _label in CLASS_PLACES],
                                         message=_l("Vui lòng chọn địa điểm."))])
    place_name = StringField(_l("Tên địa điểm"), validators=[Optional(), max_length(200)])
    capacity = WholeNumberField(_l("Số chỗ"), default=15, validators=[
        input_required(_l("Vui lòng nhập số chỗ.")),
        NumberRange(min=1, max=200, message=_l("Số chỗ từ 1 đến 200."))])
    lead_id = SelectField(_l("Tình nguyện viên phụ trách"), coerce=safe_int,
                          validate_choice=False,
                          validators=_choice(_l("Vui lòng chọn tình nguyện viên phụ trách.")))
    helper_ids = MultiCheckboxField(_l("Tình nguyện viên hỗ trợ"), coerce=safe_int,
                                    validate_choice=False)
    weeks = WholeNumberField(_l("Số tuần"), default=1, validators=[
        input_required(_l("Vui lòng nhập số tuần.")),
        NumberRange(min=1, max=MAX_WEEKS, message=_l("Từ 1 đến %(max)d tuần.", max=MAX_WEEKS))])
    scope = RadioField(_l("Áp dụng cho"), choices=SCOPES, default="one", validate_choice=False,
                       validators=[AnyOf(["one", "series"], message=_l("Vui lòng chọn."))])

    def _known(self, field, values):
        allowed = {value for value, _label in field.choices}
        if any(v not in allowed for v in values):
            raise ValidationError(_l("Vui lòng chọn trong danh sách."))

    def validate_group_id(self, field):  # only while creating (removed when editing)
        self._known(field, [field.data])

    def validate_lead_id(self, field):
        self._known(field, [field.data])

    def validate_topic_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Vui lòng chọn ít nhất một chủ đề."))
        self._known(field, field.data)

    def validate_helper_ids(self, field):
        self._known(field, field.data)


class WalkInForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[
        required(_l("Vui lòng nhập họ và tên.")), max_length(120)])
    phone = StringField(_l("Số điện thoại (nếu có)"), validators=[Optional(), max_length(20),
                                                                 VietnameseMobile()])
    consent = BooleanField(_l("Người dân đồng ý để tổ lưu tên và số điện thoại nhằm sắp xếp "
                              "lớp học và liên lạc khi cần."),
                           validators=[required(_l("Cần có sự đồng ý của người dân."))])


class WalkInRow(Form):
    full_name = StringField(_l("Họ và tên"), validators=[Optional(), max_length(120)])
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), max_length(20),
                                                        VietnameseMobile()])

    def validate_full_name(self, field):
        if not (field.data or "").strip() and (self.phone.data or "").strip():
            raise ValidationError(_l("Vui lòng nhập họ và tên."))


class SignInForm(FlaskForm):
    walk_ins = FieldList(FormField(WalkInRow), min_entries=4, max_entries=30)
    consent = BooleanField(_l("Những người ghi thêm đã đồng ý để tổ lưu tên và số điện thoại."))

    def validate_consent(self, field):
        if any((row.full_name.data or "").strip() for row in self.walk_ins) and not field.data:
            raise ValidationError(_l("Cần có sự đồng ý của những người ghi thêm."))


class ContestForm(FlaskForm):
    text = TextAreaField(_l("Vì sao ghi nhận này chưa đúng?"), validators=[
        required(_l("Vui lòng cho biết lý do.")), max_length(1000)])


class ResolveForm(FlaskForm):
    decision = RadioField(_l("Quyết định"), choices=[
        ("withdraw", _l("Hủy ghi nhận vắng mặt")), ("uphold", _l("Giữ ghi nhận"))],
        validate_choice=False, validators=[
            input_required(_l("Vui lòng chọn giữ hoặc hủy ghi nhận.")),
            AnyOf(["withdraw", "uphold"], message=_l("Vui lòng chọn giữ hoặc hủy ghi nhận."))])
    attended = BooleanField(_l("Người này thực ra đã có mặt"))
    note = StringField(_l("Ghi chú"), validators=[Optional(), max_length(300)])


class ReasonForm(FlaskForm):
    """A short optional reason (residents' "cannot come", "please change the time")."""

    reason = StringField(_l("Lý do (không bắt buộc)"), validators=[Optional(), max_length(300)])
