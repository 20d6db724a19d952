"""Forms of the outcomes area. The logging form is built per session (one block per
attendee); all of them say what is wrong in Vietnamese beside the field."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.clock import today_local
from app.coverage.forms import LocalDateField
from app.forms import max_length, parse_decimal, required

REFRESH = _l("Lựa chọn không hợp lệ. Vui lòng tải lại trang.")
CAME = (("1", _l("Có đến")), ("0", _l("Không đến")))
CONFIDENCE = [(str(i), str(i)) for i in range(1, 6)]
SURVEY_CHOICES = (("yes", _l("Có")), ("no", _l("Không")), ("unknown", _l("Chưa rõ")))


class TapChoiceField(RadioField):
    """Big radio buttons; a value that is not offered gets a Vietnamese message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if self.data not in (None, "") and self.data not in {v for v, _l_ in self.choices}:
            raise ValidationError(str(REFRESH))


class SkillsField(SelectMultipleField):
    """Skill ids ticked in a checklist."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = [int(v) for v in valuelist]
        except ValueError:
            self.data = []
            raise ValueError(str(REFRESH)) from None

    def pre_validate(self, form):
        allowed = {v for v, _label in self.choices}
        if any(v not in allowed for v in self.data or []):
            raise ValidationError(str(REFRESH))


class HoursField(StringField):
    """Hours as people type them: "1,5" or "1.5"."""

    def process_formdata(self, valuelist):
        text = ((valuelist[0] if valuelist else "") or "").strip()
        self.raw_text = text
        self.data = None
        self.data = parse_decimal(text, _l("Vui lòng nhập số giờ, ví dụ 1,5."))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format(self.data.normalize(), "f").replace(".", ",")


def hours_field(label):
    return HoursField(label, validators=[Optional(), NumberRange(
        min=0, max=24, message=_l("Số giờ từ 0 đến 24."))])


def _attendee_fields(form_class, prefix: str, skill_choices) -> None:
    setattr(form_class, f"{prefix}attended", TapChoiceField(
        _l("Có mặt"), choices=CAME,
        validators=[required(_l("Vui lòng chọn có đến hay không."))]))
    setattr(form_class, f"{prefix}skills", SkillsField(
        _l("Làm được sau buổi học"), choices=skill_choices))
    setattr(form_class, f"{prefix}confidence", TapChoiceField(
        _l("Mức tự tin (1 = chưa tự làm được, 5 = tự làm thành thạo)"), choices=CONFIDENCE,
        validators=[Optional()]))
    setattr(form_class, f"{prefix}follow_up", BooleanField(
        _l("Cần học tiếp (mở lại yêu cầu cho các kỹ năng còn lại)")))
    setattr(form_class, f"{prefix}note", StringField(
        _l("Ghi chú ngắn"), validators=[Optional(), max_length(500)]))


def log_form_class(enrollments, skills, volunteers_for_hours=()):
    """One block of fields per attendee (prefix a<enrollment id>_) and, for a leader,
    the hours of each volunteer (h<session volunteer id>)."""

    class LogForm(FlaskForm):
        def validate(self, extra_validators=None):
            ok = super().validate(extra_validators)
            for enrollment in enrollments:
                attended = self[f"a{enrollment.id}_attended"]
                ticked = self[f"a{enrollment.id}_skills"]
                if attended.data == "0" and ticked.data:
                    ticked.errors.append(str(_l("Người không đến thì không đánh dấu kỹ năng.")))
                    ok = False
            return ok

    choices = [(s.id, s.name) for s in skills]
    for enrollment in enrollments:
        _attendee_fields(LogForm, f"a{enrollment.id}_", choices)
    for sv in volunteers_for_hours:
        setattr(LogForm, f"h{sv.id}", hours_field(_l("Số giờ của %(name)s",
                                                       name=sv.volunteer.user.full_name)))
    return LogForm


def correction_form_class(skills):
    class CorrectionForm(FlaskForm):
        reason = StringField(_l("Lý do sửa"), validators=[
            required(_l("Vui lòng ghi lý do sửa.")), max_length(300)])

        def validate(self, extra_validators=None):
            ok = super().validate(extra_validators)
            if self.x_attended.data == "0" and self.x_skills.data:
                self.x_skills.errors.append(str(_l("Người không đến thì không đánh dấu kỹ năng.")))
                ok = False
            return ok

    _attendee_fields(CorrectionForm, "x_", [(s.id, s.name) for s in skills])
    return CorrectionForm


def hours_form_class(volunteers):
    class HoursForm(FlaskForm):
        pass

    for sv in volunteers:
        setattr(HoursForm, f"h{sv.id}", hours_field(_l("Số giờ của %(name)s",
                                                        name=sv.volunteer.user.full_name)))
    return HoursForm


class SurveyForm(FlaskForm):
    has_smartphone = TapChoiceField(_l("Có điện thoại thông minh"), choices=SURVEY_CHOICES,
                                    default="unknown")
    has_epayment = TapChoiceField(_l("Có tài khoản thanh toán điện tử (ngân hàng, ví điện tử)"),
                                  choices=SURVEY_CHOICES, default="unknown")
    vneid_level2 = TapChoiceField(_l("Đã kích hoạt VNeID mức 2"), choices=SURVEY_CHOICES,
                                  default="unknown")
    uses_zalo = TapChoiceField(_l("Đã dùng Zalo"), choices=SURVEY_CHOICES, default="unknown")
    surveyed_on = LocalDateField(_l("Ngày rà soát"), validators=[
        required(_l("Vui lòng chọn ngày rà soát."))])

    def validate_surveyed_on(self, field):
        if field.data is not None and field.data > today_local():
            raise ValidationError(_l("Ngày rà soát không thể ở tương lai."))


class CertificateForm(FlaskForm):
    """The period and the signing official (a GET form: nothing is changed)."""

    class Meta:
        csrf = False

    tu = LocalDateField(_l("Từ ngày"), validators=[Optional()])
    den = LocalDateField(_l("Đến ngày"), validators=[Optional()])
    ky = SelectField(_l("Người ký xác nhận"), coerce=str, validate_choice=False,
                     validators=[Optional()])

    def validate_den(self, field):
        if field.data and self.tu.data and field.data < self.tu.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))
        if field.data and field.data > today_local():
            raise ValidationError(_l("Ngày kết thúc không thể ở tương lai."))

    def period(self) -> tuple[date, date]:
        today = today_local()
        end = self.den.data if self.den.data and not self.den.errors else today
        start = self.tu.data if self.tu.data and not self.tu.errors else date(end.year, 1, 1)
        if start > end:
            start = date(end.year, 1, 1)
        return start, end
