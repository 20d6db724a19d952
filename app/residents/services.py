"""Rules about residents: who may open a record, searching, reusing records, consent."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.areas import scope
from app.areas.services import household_for
from app.extensions import db
from app.labels import label
from app.models import (Consent, ConsentMethod, Enrollment, Gender, Group, HelpRequest, Resident,
                        Session)
from app.permissions import load
from app.text import clean_name, fold

# The wording residents agree to; bump the version whenever the text changes.
CONSENT_WORDING_VERSION = "2026-01"
CONSENT_WORDING = _l(
    "Tôi đồng ý để tổ bình dân học vụ số của phường lưu họ tên, số điện thoại và địa chỉ "
    "của tôi, chỉ để sắp xếp tình nguyện viên hướng dẫn và liên lạc với tôi về buổi hỗ trợ. "
    "Thông tin không dùng vào việc khác; tôi có thể xin xem, sửa hoặc xóa bất cứ lúc nào.")


SEARCH_MAX = 100
PER_PAGE = 20
_LIKE_SPECIALS = re.compile(r"([\\%_])")
_PHONE_CHARS = re.compile(r"^[\d\s.+()-]+$")


# --- loading ---------------------------------------------------------------------------
def get_resident_for(user, resident_id: int) -> Resident:
    """A resident's record, for leaders and officials of the resident's group (else 403)."""
    return load(Resident, resident_id, refusal=f"resident {resident_id} out of scope",
                may=lambda r: user.can_manage_group(r.group))


def resident_by_phone(phone_e164: str | None) -> Resident | None:
    if not phone_e164:
        return None
    return db.session.scalar(select(Resident).where(Resident.phone == phone_e164))


# --- searching -------------------------------------------------------------------------
def _like(word: str) -> str:
    return "%" + _LIKE_SPECIALS.sub(r"\\\1", word) + "%"


def _phone_digits(text: str) -> str | None:
    """Digits of a typed phone fragment, without the national 0 or the 84 prefix."""
    if not _PHONE_CHARS.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+84") or (digits.startswith("84") and len(digits) > 9):
        digits = digits[2:]
    digits = digits.lstrip("0")
    return digits if len(digits) >= 3 else None


def search_residents(user, text: str | None = None, group_id: int | None = None,
                     page: int = 1, per_page: int = PER_PAGE):
    """Residents of the caller's groups whose name holds every typed word (without diacritics,
    any case) or whose phone holds the typed digits; a page of them, by name."""
    query = (select(Resident).where(Resident.erased_at.is_(None))
             .options(selectinload(Resident.group)))
    managed = scope.managed_group_ids(user)
    if managed is not None:
        query = query.where(Resident.group_id.in_(managed))
    if group_id is not None:
        query = query.where(Resident.group_id == group_id)
    text = (text or "")[:SEARCH_MAX].strip()
    if text:
        words = fold(text).split()
        by_name = and_(*[Resident.name_search.like(_like(w), escape="\\") for w in words])
        digits = _phone_digits(text)
        query = query.where(or_(by_name, Resident.phone.like(_like(digits), escape="\\"))
                            if digits else by_name)
    query = query.order_by(Resident.name_search, Resident.id)
    return db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)


# --- creating and reusing ----------------------------------------------------------------
def find_or_create_resident(*, phone_e164: str, full_name: str, group: Group,
                            gender: Gender | None = None,
                            birth_year: int | None = None) -> tuple[Resident, bool]:
    """The resident with this phone (locked for the rest of the transaction), or a new one.

    The phone is unique: if two forms for a new number arrive at once, one inserts and
    the other reads (and locks) that row, so there is never a duplicate record.
    """
    existing = _locked_by_phone(phone_e164)
    if existing is not None:
        return existing, False
    resident = Resident(phone=phone_e164, group_id=group.id, gender=gender,
                        birth_year=birth_year)
    resident.set_name(clean_name(full_name))
    try:
        with db.session.begin_nested():
            db.session.add(resident)
    except IntegrityError:
        existing = _locked_by_phone(phone_e164)
        if existing is None:
            raise
        return existing, False
    return resident, True


def _locked_by_phone(phone_e164: str) -> Resident | None:
    return db.session.scalar(select(Resident).where(Resident.phone == phone_e164)
                             .with_for_update().execution_options(populate_existing=True))


def fill_blanks(resident: Resident, *, gender: Gender | None, birth_year: int | None,
                address: str | None, group: Group) -> None:
    """Complete what a record lacks from a new form; never overwrite what it already says
    (an anonymous form must not change someone's record)."""
    if resident.gender is None and gender is not None:
        resident.gender = gender
    if resident.birth_year is None and birth_year is not None:
        resident.birth_year = birth_year
    if resident.household_id is None and address and resident.group_id == group.id:
        household = household_for(group, address)
        if household is not None:
            resident.household_id = household.id


def record_consent(resident: Resident, method: ConsentMethod, captured_by=None) -> Consent:
    """Consent to processing, with its time, the wording version and who captured it."""
    consent = Consent(resident=resident, wording_version=CONSENT_WORDING_VERSION,
                      method=method, captured_by_id=getattr(captured_by, "id", None))
    db.session.add(consent)
    return consent


# --- the record's history ------------------------------------------------------------------
@dataclass
class HistoryEvent:
    at: datetime
    text: str
    request: HelpRequest | None = None


def history_of(resident: Resident) -> list[HistoryEvent]:
    """What happened with this resident, newest first: consents, requests, sessions."""
    events: list[HistoryEvent] = []
    for consent in resident.consents:
        who = consent.captured_by.full_name if consent.captured_by else None
        text = _("Đồng ý cho lưu thông tin (bản %(version)s, %(method)s)",
                 version=consent.wording_version,
                 method=label(consent.method))
        if who:
            text += " · " + _("ghi nhận bởi %(name)s", name=who)
        events.append(HistoryEvent(consent.given_at, text))
    requests = db.session.scalars(select(HelpRequest).where(
        HelpRequest.resident_id == resident.id)).all()
    for req in requests:
        topics = ", ".join(t.short_name for t in req.topics)
        text = _("Gửi yêu cầu %(code)s: %(topics)s", code=req.code, topics=topics)
        if req.created_by is not None:
            text += " · " + _("do %(name)s nhập thay", name=req.created_by.full_name)
        events.append(HistoryEvent(req.created_at, text, req))
        if req.assigned_at and req.volunteer is not None:
            events.append(HistoryEvent(req.assigned_at, _(
                "Yêu cầu %(code)s có tình nguyện viên nhận: %(name)s",
                code=req.code, name=req.volunteer.user.full_name), req))
        if req.closed_at:
            events.append(HistoryEvent(req.closed_at, _(
                "Yêu cầu %(code)s: %(status)s", code=req.code,
                status=label(req.status)), req))
    enrollments = db.session.execute(
        select(Enrollment, Session).join(Session, Enrollment.session_id == Session.id)
        .where(Enrollment.resident_id == resident.id)).all()
    for _enrollment, session in enrollments:
        events.append(HistoryEvent(session.starts_at, _(
            "Buổi hỗ trợ: %(title)s", title=session.title)))
    events.sort(key=lambda e: e.at, reverse=True)
    return events
