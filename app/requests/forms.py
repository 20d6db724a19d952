"""Forms of the requests area: the request form (public or on someone's behalf), tracking,
cancelling. Every message is Vietnamese and sits beside its field."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (BooleanField, RadioField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, ValidationError)
from wtforms.validators import Optional

from app.areas.services import ADDRESS_MAX, groups_of_ward, wards_with_groups
from app.clock import today_local
from app.extensions import db
from app.forms import VietnameseMobile, max_length, required
from app.labels import GENDER_LABELS, PLACE_LABELS
from app.models import ConsentMethod, Gender, Group, Place, Topic
from app.requests.services import (CODE_MAX, FORM_PLACES, PLACE_ICONS, files_for_others,
                                   group_open_to, proxy_group_ids)
from app.residents.services import CONSENT_WORDING
from app.timeslots import COARSE_CHOICES, coarse_mask

NAME_MAX = 120
NOTE_MAX = 500
PHONE_MAX = 20
_YEAR = re.compile(r"^\d{4}$")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def int_or_none(value):
    """Coerce a select's value without ever failing (bad input is a validation message)."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    # Beyond a database integer PostgreSQL would fail the lookup: no such row either way.
    return number if -2**31 <= number < 2**31 else -1


class RequestForm(FlaskForm):
    full_name = StringField(_l("Họ và tên người cần hỗ trợ"), filters=[strip], validators=[
        required(_l("Vui lòng nhập họ và tên.")), max_length(NAME_MAX)])
    phone = StringField(_l("Số điện thoại di động"), filters=[strip],
                        validators=[max_length(PHONE_MAX), VietnameseMobile()])
    ward = SelectField(_l("Phường / xã"), coerce=int_or_none, validate_choice=False)
    group = SelectField(_l("Tổ dân phố / thôn"), coerce=int_or_none, validate_choice=False)
    topics = SelectMultipleField(_l("Cần hướng dẫn việc gì?"), coerce=str,
                                 validate_choice=False)
    times = SelectMultipleField(_l("Thời gian thuận tiện"), coerce=str, validate_choice=False,
                                choices=[(k, label) for k, (label, _m) in COARSE_CHOICES.items()])
    place = RadioField(_l("Hướng dẫn ở đâu?"), validate_choice=False,
                       default=Place.HOME.value,
                       choices=[(p.value, PLACE_LABELS[p]) for p in FORM_PLACES])
    address = StringField(_l("Địa chỉ (số nhà, ngõ / ngách)"), filters=[strip],
                          validators=[Optional(), max_length(ADDRESS_MAX)])
    gender = RadioField(_l("Xưng hô"), validate_choice=False,
                        choices=[(g.value, label) for g, label in GENDER_LABELS.items()])
    birth_year = StringField(_l("Năm sinh"), filters=[strip], validators=[max_length(4)])
    note = TextAreaField(_l("Ghi chú thêm"), filters=[strip],
                         validators=[Optional(), max_length(NOTE_MAX)])
    consent = BooleanField(CONSENT_WORDING, validators=[
        required(_l("Vui lòng đánh dấu đồng ý để tổ có thể liên lạc và sắp xếp người hướng dẫn."))])
    consent_method = RadioField(_l("Người dân đồng ý bằng cách nào?"), validate_choice=False,
                                choices=[(ConsentMethod.IN_PERSON.value, _l("Trực tiếp")),
                                         (ConsentMethod.PHONE.value, _l("Qua điện thoại"))])
    # Left empty by people; filled by bots that fill every field.
    website = StringField(_l("Trang web (để trống ô này)"), validators=[max_length(200)])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.proxy = files_for_others(user)
        if self.proxy:
            self.consent.label.text = _l(
                "Người dân đã nghe nội dung sau và đồng ý: “%(wording)s”", wording=CONSENT_WORDING)
        else:
            del self.consent_method
        self.general_errors: list[str] = []
        self.chosen_group: Group | None = None
        self.topic_ids: list[int] = []
        self._load_choices()

    # --- choices from the database ------------------------------------------------------
    def _load_choices(self) -> None:
        self.group_scope = proxy_group_ids(self.user) if self.proxy else None
        wards = wards_with_groups(self.group_scope)
        self.ward.choices = [("", _("— Chọn phường / xã —"))] + [
            (w.id, f"{w.name} ({w.district})" if w.district else w.name) for w in wards]
        self.ward_ids = {w.id for w in wards}
        if self.ward.data is None and len(wards) == 1 and not self.is_submitted():
            self.ward.data = wards[0].id  # nothing to choose
        self.reload_groups()
        if self.group.data is None and len(self.group.choices) == 2 and not self.is_submitted():
            self.group.data = self.group.choices[1][0]
        self.topic_objects = list(db.session.scalars(
            select(Topic).where(Topic.active.is_(True)).order_by(Topic.position, Topic.id)))
        self.topics.choices = [(str(t.id), t.short_name) for t in self.topic_objects]

    def reload_groups(self) -> None:
        ward_id = self.ward.data if self.ward.data in self.ward_ids else None
        groups = groups_of_ward(ward_id, self.group_scope)
        placeholder = _("— Chọn tổ dân phố —") if ward_id else _("— Chọn phường / xã trước —")
        self.group.choices = [("", placeholder)] + [(g.id, g.name) for g in groups]

    def prefill_group(self, group: Group) -> None:
        """Open the form with a ward and group chosen (a poster's QR code, a record)."""
        self.ward.data = group.ward_id
        self.group.data = group.id
        self.reload_groups()

    # --- what the form means ------------------------------------------------------------
    @property
    def topic_icons(self):
        return {str(t.id): t.icon for t in self.topic_objects}

    @property
    def times_icons(self):
        icons = {"morning": "🌅", "afternoon": "☀️", "evening": "🌙"}
        return {key: icons[key.split("_")[1]] for key in COARSE_CHOICES}

    @property
    def place_icons(self):
        return {p.value: PLACE_ICONS[p] for p in FORM_PLACES}

    @property
    def times_mask(self) -> int:
        keys = [k for k in (self.times.data or []) if k in COARSE_CHOICES]
        # Nothing ticked means "whenever suits the volunteer".
        return coarse_mask(keys) if keys else coarse_mask(COARSE_CHOICES)

    @property
    def consent_method_value(self) -> ConsentMethod:
        if self.proxy and self.consent_method.data:
            return ConsentMethod(self.consent_method.data)
        return ConsentMethod.ONLINE

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.website.data or "").strip())

    # --- rules beside each field -----------------------------------------------------------
    def validate_ward(self, field):
        if field.data is None:
            raise ValidationError(_("Vui lòng chọn phường / xã."))
        if field.data not in self.ward_ids:
            raise ValidationError(_("Phường / xã này không có trong danh sách. Vui lòng chọn lại."))

    def validate_group(self, field):
        if field.data is None:
            raise ValidationError(_("Vui lòng chọn tổ dân phố / thôn."))
        group = db.session.get(Group, field.data) if field.data > 0 else None
        if group is None:
            raise ValidationError(_("Tổ dân phố này không có trong danh sách. Vui lòng chọn lại."))
        if self.ward.data in self.ward_ids and group.ward_id != self.ward.data:
            raise ValidationError(_("Tổ dân phố này không thuộc phường / xã đã chọn."))
        if self.proxy and not group_open_to(self.user, group):
            raise ValidationError(_("Bạn chỉ gửi thay được cho các tổ trong khu vực mình phụ "
                                    "trách."))
        self.chosen_group = group

    def validate_topics(self, field):
        chosen = list(dict.fromkeys(field.data or []))
        if not chosen:
            raise ValidationError(_("Vui lòng chọn ít nhất một việc cần hướng dẫn."))
        known = {value for value, _label in field.choices}
        if any(value not in known for value in chosen):
            raise ValidationError(_("Có chủ đề không còn trong danh sách. Vui lòng chọn lại."))
        self.topic_ids = [int(value) for value in chosen]

    def validate_times(self, field):
        if any(key not in COARSE_CHOICES for key in field.data or []):
            raise ValidationError(_("Khung giờ không hợp lệ. Vui lòng chọn lại."))

    def validate_place(self, field):
        if not field.data:
            raise ValidationError(_("Vui lòng chọn nơi hướng dẫn."))
        if field.data not in {p.value for p in FORM_PLACES}:
            raise ValidationError(_("Nơi hướng dẫn không hợp lệ. Vui lòng chọn lại."))

    def validate_gender(self, field):
        if field.data and field.data not in {g.value for g in Gender}:
            raise ValidationError(_("Vui lòng chọn lại cách xưng hô."))

    def validate_birth_year(self, field):
        if not field.data:
            return
        if not _YEAR.match(field.data) or not 1900 <= int(field.data) <= today_local().year:
            raise ValidationError(_("Năm sinh chưa hợp lệ. Ví dụ: 1954."))

    def validate_consent_method(self, field):
        if field.data not in {ConsentMethod.IN_PERSON.value, ConsentMethod.PHONE.value}:
            raise ValidationError(_("Vui lòng chọn người dân đã đồng ý trực tiếp hay qua điện "
                                    "thoại."))

    @property
    def gender_value(self) -> Gender | None:
        return Gender(self.gender.data) if self.gender.data in {g.value for g in Gender} else None

    @property
    def birth_year_value(self) -> int | None:
        return int(self.birth_year.data) if self.birth_year.data and not self.birth_year.errors \
            and _YEAR.match(self.birth_year.data) else None


class TrackForm(FlaskForm):
    code = StringField(_l("Mã theo dõi"), filters=[strip], validators=[
        required(_l("Vui lòng nhập mã theo dõi.")), max_length(CODE_MAX + 8)])
    phone = StringField(_l("Số điện thoại đã dùng khi gửi yêu cầu"), filters=[strip],
                        validators=[max_length(PHONE_MAX), VietnameseMobile()])


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Lý do (không bắt buộc)"), filters=[strip],
                           validators=[Optional(), max_length(300)])
