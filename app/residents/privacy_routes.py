"""Pages of a resident's data rights: see what is held, export it, withdraw consent, erase it.

The rules are in app.residents.data_rights."""
from __future__ import annotations

from datetime import datetime

from flask import flash, make_response, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.audit import audit
from app.extensions import db
from app.i18n import fmt_datetime
from app.labels import label as label_of
from app.permissions import is_manager, role_required
from app.phone import display_phone
from app.residents import bp
from app.residents import data_rights
from app.residents.forms import EraseResidentForm, WithdrawConsentForm
from app.web import redirect_after_write, render

# Names of the sections and fields of the export, and of the coded values in it.
LABELS = {
    "section": _l("Mục"), "number": _l("Số thứ tự"), "field": _l("Thông tin"),
    "value": _l("Giá trị"),
    "resident": _l("Thông tin cá nhân"), "consents": _l("Sự đồng ý"),
    "requests": _l("Yêu cầu hỗ trợ"), "enrollments": _l("Buổi học đã đăng ký"),
    "outcomes": _l("Kết quả học"), "messages": _l("Tin nhắn"),
    "exported_at": _l("Thời điểm xuất dữ liệu"), "id": _l("Mã người dân"),
    "full_name": _l("Họ và tên"), "phone": _l("Số điện thoại"), "birth_year": _l("Năm sinh"),
    "gender": _l("Giới tính"), "group": _l("Tổ dân phố"), "ward": _l("Phường / xã"),
    "household_address": _l("Địa chỉ hộ gia đình"), "note": _l("Ghi chú"),
    "has_smartphone": _l("Có điện thoại thông minh"),
    "has_epayment": _l("Có tài khoản thanh toán điện tử"),
    "vneid_level2": _l("Có định danh điện tử mức 2"), "uses_zalo": _l("Dùng Zalo"),
    "surveyed_on": _l("Ngày rà soát"), "created_at": _l("Ngày ghi nhận"),
    "erased_at": _l("Ngày xóa dữ liệu"), "has_account": _l("Có tài khoản đăng nhập"),
    "given_at": _l("Thời điểm đồng ý"), "wording_version": _l("Phiên bản nội dung đồng ý"),
    "method": _l("Cách ghi nhận"), "captured_by": _l("Người ghi nhận"),
    "withdrawn_at": _l("Thời điểm rút lại"), "code": _l("Mã theo dõi"),
    "status": _l("Trạng thái"), "place": _l("Địa điểm"), "topics": _l("Chủ đề"),
    "consent_method": _l("Cách ghi nhận đồng ý"), "volunteer": _l("Tình nguyện viên"),
    "closed_at": _l("Ngày kết thúc"), "cancel_reason": _l("Lý do hủy"),
    "session": _l("Buổi học"), "kind": _l("Loại"), "starts_at": _l("Thời gian bắt đầu"),
    "enrolled_at": _l("Ngày đăng ký"), "attended": _l("Có tham gia"),
    "confidence": _l("Mức tự tin (1–5)"), "skills": _l("Kỹ năng đã làm được"),
    "follow_up": _l("Cần hỗ trợ thêm"), "recorded_at": _l("Ngày ghi kết quả"),
    "channel": _l("Kênh gửi"), "body": _l("Nội dung"), "sent_at": _l("Thời điểm gửi"),
}
CODED = {"gender", "method", "consent_method", "status", "place", "kind"}
TIMES = {"exported_at", "created_at", "erased_at", "given_at", "withdrawn_at", "closed_at",
         "starts_at", "enrolled_at", "recorded_at", "sent_at"}


def label(value, key: str | None = None) -> str:
    """label("phone") names a field; label(value, key) shows a value the way people read it."""
    if key is None:
        return str(LABELS.get(value, value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if key == "phone":
        return display_phone(value)
    if key in TIMES:
        return fmt_datetime(datetime.fromisoformat(value))
    if key in CODED:
        return label_of(value, "export_value")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _privacy_page(resident, erase_form=None, status: int = 200, block: str | None = None):
    return render("residents/privacy.html", block=block, status=status,
                  resident=resident, data=data_rights.personal_data(resident),
                  erase_form=erase_form or EraseResidentForm(),
                  withdraw_form=WithdrawConsentForm(),
                  active_consents=data_rights.active_consents(resident), label=label)


@bp.get("/quan-tri/nguoi-dan/<int:resident_id>/du-lieu-ca-nhan")
@role_required(is_manager)
def resident_privacy(resident_id: int):
    """What is held about a resident, with export, consent withdrawal and erasure."""
    resident = data_rights.get_resident_for_privacy(current_user, resident_id)
    audit("view", f"resident:{resident.id}", resident=resident, detail="privacy page")
    db.session.commit()
    return _privacy_page(resident)


@bp.get("/quan-tri/nguoi-dan/<int:resident_id>/xuat-du-lieu.<any(json, csv, html):fmt>")
@role_required(is_manager)
def resident_export(resident_id: int, fmt: str):
    """A file of everything held about the resident, to give to them."""
    resident = data_rights.get_resident_for_privacy(current_user, resident_id)
    data = data_rights.personal_data(resident)
    data_rights.record_export(resident, fmt)
    db.session.commit()
    if fmt == "json":
        response = make_response(data_rights.export_json(data))
        response.mimetype = "application/json"
    elif fmt == "csv":
        response = make_response(data_rights.export_csv(data, label))
        response.mimetype = "text/csv"
    else:
        response = render("residents/privacy_export.html", data=data, label=label)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="du-lieu-nguoi-dan-{resident.id}.{fmt}"')
    return response


@bp.post("/quan-tri/nguoi-dan/<int:resident_id>/rut-dong-y")
@role_required(is_manager)
def resident_consent_withdraw(resident_id: int):
    """Withdraw every consent the resident gave: no message goes to them from now on."""
    resident = data_rights.get_resident_for_privacy(current_user, resident_id)
    if WithdrawConsentForm().validate_on_submit():
        if data_rights.withdraw_consent(resident):
            db.session.commit()
            flash(_("Đã ghi nhận người dân rút lại sự đồng ý. Hệ thống sẽ không gửi tin nhắn "
                    "cho người này nữa."), "success")
        else:
            flash(_("Người dân này không còn sự đồng ý nào đang có hiệu lực."), "info")
    return redirect_after_write(url_for("residents.resident_privacy", resident_id=resident.id))


@bp.post("/quan-tri/nguoi-dan/<int:resident_id>/xoa-du-lieu")
@role_required(is_manager)
def resident_erase(resident_id: int):
    """Anonymise the resident once a manager confirms they asked for it (no undo)."""
    resident = data_rights.get_resident_for_privacy(current_user, resident_id)
    if resident.erased_at is not None:  # e.g. a second tab still showing the form
        flash(_("Dữ liệu của người dân này đã được xóa trước đó."), "info")
        return redirect_after_write(url_for("residents.resident_privacy", resident_id=resident.id))
    form = EraseResidentForm()
    if not form.validate_on_submit():
        return _privacy_page(resident, erase_form=form, status=422, block="erase")
    if data_rights.erase_resident(resident, form.reason.data):
        db.session.commit()
        flash(_("Đã xóa dữ liệu cá nhân của người dân. Các số liệu tổng hợp vẫn được giữ "
                "nguyên."), "success")
    else:
        flash(_("Dữ liệu của người dân này đã được xóa trước đó."), "info")
    return redirect_after_write(url_for("residents.resident_privacy", resident_id=resident.id))
