"""Forms of the coverage area: denominators, targets, the core topics."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, SelectMultipleField
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.clock import today_local
from app.coverage.services import INDICATORS
from app.forms import WholeNumberField, parse_decimal
from app.labels import INDICATOR_LABELS

MAX_PEOPLE = 1_000_000


class CountField(WholeNumberField):
    """A number of people or households: "1.200" or "1 200" is twelve hundred."""

    message = _l("Vui lòng nhập một số nguyên, ví dụ 240.")


class PercentField(DecimalField):
    """A percentage; "85,5" (Vietnamese comma) and "85.5" both read as 85.5."""

    def process_formdata(self, valuelist):
        text = ((valuelist[0] if valuelist else "") or "").strip().rstrip("%").strip()
        self.data = None
        self.data = parse_decimal(text, _l("Vui lòng nhập một tỉ lệ, ví dụ 85."))


class LocalDateField(DateField):
    def process_formdata(self, valuelist):
        text = ((valuelist[0] if valuelist else "") or "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Ngày chưa đúng. Hãy chọn ngày trên lịch."))) from None


def _count_field(label):
    return CountField(label, validators=[Optional(), NumberRange(
        min=0, max=MAX_PEOPLE, message=_l("Nhập một số từ 0 đến 1.000.000."))])


class DenominatorsForm(FlaskForm):
    adults_count = _count_field(_l("Số người trưởng thành (từ 18 tuổi) của tổ"))
    households_count = _count_field(_l("Số hộ gia đình của tổ"))
    denominators_on = LocalDateField(_l("Ngày đếm"), validators=[Optional()])

    def validate_denominators_on(self, field):
        counted = self.adults_count.data is not None or self.households_count.data is not None
        if counted and field.data is None:
            raise ValidationError(_l("Vui lòng nhập ngày đếm."))
        if field.data is not None and field.data > today_local():
            raise ValidationError(_l("Ngày đếm không thể ở tương lai."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CoreTopicsForm(FlaskForm):
    topics = MultiCheckboxField(_l("Chủ đề thuộc “kỹ năng số cơ bản”"), coerce=int)


def targets_form_class():
    """Per indicator: a percent (empty = use the wider area's) and whether it is strict."""

    class TargetsForm(FlaskForm):
        pass

    for indicator, _figure, _denominator in INDICATORS:
        setattr(TargetsForm, f"{indicator.value}_percent", PercentField(
            INDICATOR_LABELS[indicator], places=2,
            validators=[Optional(), NumberRange(min=0, max=100,
                                                message=_l("Nhập một tỉ lệ từ 0 đến 100."))]))
        setattr(TargetsForm, f"{indicator.value}_strict", BooleanField(
            _l("Phải vượt hẳn tỉ lệ này (dấu “>”)")))
    return TargetsForm
