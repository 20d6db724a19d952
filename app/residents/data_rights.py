"""A resident's rights over their data: see it (export), withdraw consent, be erased.

Erasure anonymises rather than deletes: the resident row, their
requests, seats and outcomes stay, so coverage counts stay right, but nothing
says who the person was any more. Every step is written to the audit log.
Who may do it: the leaders of the resident's group, the officials of its ward
and administrators (`get_resident_for_privacy`).
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlalchemy import func, select, update

from app.audit import audit
from app.clock import utcnow
from app.extensions import db
from app.models import (Consent, Enrollment, HelpRequest, OutboxMessage, OutboxStatus, Outcome,
                        Resident, Role, Session, SessionKind, User)
from app.permissions import load

ERASED_NAME = "Người dân đã xóa"


def get_resident_for_privacy(user, resident_id: int) -> Resident:
    """The resident, if this person may export, erase or withdraw their consent; else 404/403."""
    return load(Resident, resident_id, refusal="privacy: resident out of scope",
                may=lambda r: user.can_manage_group(r.group), resident_of=lambda r: r)


# --- export -----------------------------------------------------------------------------
def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _value(value):
    if hasattr(value, "value"):  # enums
        return value.value
    if isinstance(value, datetime):
        return _iso(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def personal_data(resident: Resident) -> dict:
    """Everything held about this resident, as plain data (what the export files contain)."""
    group = resident.group
    household = resident.household
    requests = db.session.scalars(select(HelpRequest).where(
        HelpRequest.resident_id == resident.id).order_by(HelpRequest.created_at)).all()
    enrollments = db.session.scalars(select(Enrollment).where(
        Enrollment.resident_id == resident.id).order_by(Enrollment.created_at)).all()
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient_resident_id == resident.id).order_by(
        OutboxMessage.created_at)).all()
    return {
        "exported_at": _iso(utcnow()),
        "resident": {
            "id": resident.id,
            "full_name": resident.full_name,
            "phone": resident.phone,
            "birth_year": resident.birth_year,
            "gender": _value(resident.gender),
            "group": group.name if group else None,
            "ward": group.ward.name if group else None,
            "household_address": household.address if household else None,
            "note": resident.note,
            "has_smartphone": resident.has_smartphone,
            "has_epayment": resident.has_epayment,
            "vneid_level2": resident.vneid_level2,
            "uses_zalo": resident.uses_zalo,
            "surveyed_on": _value(resident.surveyed_on),
            "created_at": _iso(resident.created_at),
            "erased_at": _iso(resident.erased_at),
            "has_account": resident.user_id is not None,
        },
        "consents": [{
            "given_at": _iso(c.given_at), "wording_version": c.wording_version,
            "method": _value(c.method),
            "captured_by": c.captured_by.full_name if c.captured_by else None,
            "withdrawn_at": _iso(c.withdrawn_at),
        } for c in resident.consents],
        "requests": [{
            "code": r.code, "status": _value(r.status), "place": _value(r.place),
            "topics": [t.name for t in r.topics], "note": r.note,
            "created_at": _iso(r.created_at), "consent_method": _value(r.consent_method),
            "volunteer": r.volunteer.user.full_name if r.volunteer else None,
            "closed_at": _iso(r.closed_at), "cancel_reason": r.cancel_reason,
        } for r in requests],
        "enrollments": [{
            "session": e.session.title, "kind": _value(e.session.kind),
            "starts_at": _iso(e.session.starts_at), "place": e.session.place_name,
            "status": _value(e.status), "enrolled_at": _iso(e.created_at),
        } for e in enrollments],
        "outcomes": [{
            "session": e.session.title, "starts_at": _iso(e.session.starts_at),
            "attended": e.outcome.attended, "confidence": e.outcome.confidence,
            "skills": [s.name for s in e.outcome.skills],
            "follow_up": e.outcome.follow_up, "note": e.outcome.note,
            "recorded_at": _iso(e.outcome.recorded_at),
        } for e in enrollments if e.outcome is not None],
        "messages": [{
            "kind": m.kind, "channel": m.channel, "body": m.body, "status": _value(m.status),
            "created_at": _iso(m.created_at), "sent_at": _iso(m.sent_at),
        } for m in messages],
    }


def export_json(data: dict) -> str:
    """The export as JSON, Vietnamese kept readable (not escaped)."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def export_csv(data: dict, label) -> str:
    """One row per value (section, number, what, value) in the person's language, readable
    in a spreadsheet; starts with a byte-order mark so Excel reads the Vietnamese right.
    `label(key)` names a section or a field; `label(value, key)` a coded value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label("section"), label("number"), label("field"), label("value")])
    writer.writerow([label("resident"), 1, label("exported_at"),
                     label(data["exported_at"], "exported_at")])
    for key, value in data["resident"].items():
        writer.writerow([label("resident"), 1, label(key), _csv_cell(value, key, label)])
    for section in ("consents", "requests", "enrollments", "outcomes", "messages"):
        for number, item in enumerate(data[section], start=1):
            for key, value in item.items():
                writer.writerow([label(section), number, label(key),
                                 _csv_cell(value, key, label)])
    return "\ufeff" + out.getvalue()


def _csv_cell(value, key: str, label) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(label(value, key))
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def record_export(resident: Resident, file_format: str) -> None:
    """Write the export to the audit log."""
    audit("export", f"resident:{resident.id}", resident=resident, detail=file_format)


# --- consent ------------------------------------------------------------------------------
def active_consents(resident: Resident) -> list[Consent]:
    """The resident's consents not withdrawn."""
    return [c for c in resident.consents if c.withdrawn_at is None]


def _stop_messages(resident: Resident, reason: str) -> int:
    """Pending messages to the resident are not sent (those queued later are held by
    app.notify.outbox.notify)."""
    result = db.session.execute(update(OutboxMessage).where(
        OutboxMessage.recipient_resident_id == resident.id,
        OutboxMessage.status == OutboxStatus.PENDING,
    ).values(status=OutboxStatus.SKIPPED, last_error=reason))
    return result.rowcount


def withdraw_consent(resident: Resident) -> int:
    """Withdraw every consent still in force; stop pending messages. Returns how many."""
    now = utcnow()
    consents = active_consents(resident)
    for consent in consents:
        consent.withdrawn_at = now
    if consents:
        _stop_messages(resident, "consent withdrawn")
        audit("consent_withdrawn", f"resident:{resident.id}", resident=resident,
              detail=f"{len(consents)} consent(s)")
    return len(consents)


# --- erasure ------------------------------------------------------------------------------
def erase_resident(resident: Resident, reason: str | None = None) -> bool:
    """Anonymise the resident; False when they were already erased.

    Kept (so aggregates stay right): the row, group, gender, baseline survey answers,
    requests (status, topics, times), seats and outcomes (attendance, skills, confidence).
    Removed: name, phone, birth year, notes, the household link (and the household's
    address if nobody else lives there), free text about them, message bodies, and a
    resident-only account.
    """
    now = utcnow()
    # Claimed with a conditional UPDATE, so two people erasing at once erase once.
    claimed = db.session.execute(update(Resident).where(
        Resident.id == resident.id, Resident.erased_at.is_(None)).values(erased_at=now))
    if claimed.rowcount != 1:
        db.session.refresh(resident)
        return False
    old_name = resident.full_name
    resident.full_name = ERASED_NAME
    resident.name_search = ""
    resident.phone = None
    resident.birth_year = None
    resident.note = None
    household = resident.household
    resident.household_id = None
    for consent in active_consents(resident):
        consent.withdrawn_at = now

    db.session.execute(update(HelpRequest).where(HelpRequest.resident_id == resident.id)
                       .values(note=None, cancel_reason=None))
    enrollment_ids = select(Enrollment.id).where(Enrollment.resident_id == resident.id)
    db.session.execute(update(Outcome).where(Outcome.enrollment_id.in_(enrollment_ids))
                       .values(note=None))
    # One-to-one sessions may carry the name in their title ("Hỗ trợ bà Bình …").
    for session in db.session.scalars(select(Session).where(
            Session.kind == SessionKind.ONE_TO_ONE,
            Session.id.in_(select(Enrollment.session_id).where(
                Enrollment.resident_id == resident.id)))):
        if old_name and old_name in session.title:
            session.title = session.title.replace(old_name, ERASED_NAME)
    _stop_messages(resident, "resident erased")
    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.recipient_resident_id == resident.id).values(body=None, context={}))

    if resident.user_id is not None:
        account = db.session.get(User, resident.user_id)
        resident.user_id = None
        if account is not None and all(m.role == Role.RESIDENT for m in account.memberships):
            _anonymise_account(account)

    db.session.flush()
    if household is not None and not db.session.scalar(
            select(func.count(Resident.id)).where(Resident.household_id == household.id)):
        db.session.delete(household)

    audit("erase", f"resident:{resident.id}", resident=resident, detail=reason or None)
    return True


def _anonymise_account(account: User) -> None:
    account.full_name = ERASED_NAME
    account.phone = f"erased-{account.id}"[:16]
    account.email = None
    account.password_hash = "!"  # matches no password
    account.active = False
    account.rotate_session_token()
