"""Routes of the sessions area: parse, call a service, choose the response."""
from __future__ import annotations


from flask import Response, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.audit import audit
from app.clock import to_local, utcnow
from app.extensions import db
from app.models import (EnrollmentStatus, Place, ReplyAnswer, RequestStatus, SessionKind, SessionReply,
                        SessionStatus)
from app.privacy import can_see_personal_data, resident_label
from app.sessions import bp, reminders, services, words
from app.sessions import seats as seating  # `seats` names a page's list of seats here
from app.refusal import Refusal
from app.sessions.checks import Checks, combine_local
from app.sessions.forms import CancelForm, ProposalForm, ReasonForm, RescheduleForm, safe_int
from app.timeslots import describe
from app.text import given_name
from app.web import redirect_after_write, render


# --- helpers ------------------------------------------------------------------------
def attach_errors(form, errors: dict[str, list[str]]) -> list[str]:
    """Put service errors beside their fields; return those that belong to no field."""
    general = []
    for name, messages in errors.items():
        if name in form._fields:
            form[name].errors = list(form[name].errors) + list(messages)
        else:
            general.extend(messages)
    return general


def _typed(field) -> bool:
    return any(isinstance(v, str) and v.strip() for v in (field.raw_data or []))


def check_response(form, names: list[str], checks: Checks, ready: bool) -> Response:
    """Inline validation as the user picks: the error box of each field, swapped out of band."""
    # Only fields the person has filled: no "please choose" before they had the chance.
    errors = {name: ([str(e) for e in form[name].errors] + checks.errors.get(name, []))
              if _typed(form[name]) else [] for name in names}
    ok = ready and not any(errors.values()) and not checks.errors.get("_")
    body = render_template("sessions/_checks.html", form=form, errors=errors, ok=ok,
                           ready=ready, general=checks.errors.get("_", []))
    response = make_response(body, 200)
    response.vary.add("HX-Request")
    return response


def when_of(form):
    return combine_local(form.day.data, form.starts.data, form.ends.data)


def place_of(form) -> Place | None:
    try:
        return Place(form.place.data)
    except ValueError:
        return None


# --- words in templates (registered by app.templating) ------------------------------------
def session_words() -> dict:
    """Context of the sessions' pages: people's names and a session's volunteers."""
    return {"resident_label": resident_label, "given_name": given_name,
            "volunteer_words": words.volunteer_words}


def session_when(session) -> str:
    """"Thứ Ba, 12/5/2026, 9:00–10:30"."""
    return words.when_words(session)


def session_where(session) -> str:
    """The place as people say it; never a resident's address."""
    return words.place_name_of(session)


def session_time_range(session) -> str:
    """"9:00–10:30" in local time."""
    return words.time_range(session)


def session_first_name(full_name: str) -> str:
    """Residents see a volunteer's first name (and who verified them)."""
    return given_name(full_name)


# --- one-to-one: propose, confirm, reschedule, cancel ------------------------------------
PROPOSAL_FIELDS = ["day", "starts", "ends", "place", "place_name"]


@bp.route("/buoi/de-xuat", methods=["GET", "POST"])
@login_required
def propose():
    """The assigned volunteer proposes a day, a time inside the resident's windows, a place."""
    help_request = services.get_request_to_schedule(
        current_user, safe_int(request.values.get("request_id")))
    existing = services.active_session_of(help_request)
    if existing is not None:
        flash(_("Yêu cầu này đã có lịch. Bạn có thể đổi lịch buổi này."), "info")
        return redirect_after_write(url_for(".detail", session_id=existing.id))
    if help_request.status != RequestStatus.ASSIGNED or help_request.volunteer is None:
        flash(_("Yêu cầu này không chờ xếp lịch (chưa có tình nguyện viên, đã xong hoặc đã "
                "hủy)."), "warning")
        return redirect_after_write(url_for(".mine") if current_user.is_volunteer
                                    else url_for(".calendar"))
    form = ProposalForm()
    if request.method == "GET":
        form.place.data = help_request.place.value
    if request.method == "POST" and request.args.get("check"):
        form.validate()
        starts, ends = when_of(form)
        checks = Checks()
        if starts is not None:
            services.check_proposal(help_request, starts, ends, place_of(form),
                                    viewer=current_user, checks=checks)
        return check_response(form, PROPOSAL_FIELDS, checks, starts is not None)
    general = []
    if form.validate_on_submit():
        starts, ends = when_of(form)
        try:
            session = services.propose_session(current_user, help_request, starts, ends,
                                               Place(form.place.data), form.place_name.data)
            db.session.commit()
        except Refusal as exc:
            db.session.rollback()
            general = attach_errors(form, exc.errors)
        else:
            flash(_("Đã gửi đề xuất lịch. Người dân sẽ nhận tin nhắn để xác nhận."), "success")
            return redirect_after_write(url_for(".detail", session_id=session.id))
    status = 422 if form.errors or general else 200
    return render("sessions/propose.html", block="form", status=status, form=form,
                  help_request=help_request, general=general, session=None,
                  windows=describe(help_request.preferred_times),
                  action=url_for(".propose", request_id=help_request.id),
                  check_url=url_for(".propose", request_id=help_request.id, check=1))


@bp.get("/buoi/<int:session_id>")
@login_required
def detail(session_id: int):
    session = services.get_session_for(current_user, session_id)
    seats = sorted(session.enrollments, key=lambda s: (s.status.value, s.created_at, s.id))
    contacts = []
    for seat in seats:
        if seat.status != EnrollmentStatus.CANCELLED and can_see_personal_data(
                current_user, seat.resident):
            contacts.append(seat.resident_id)
            audit("view", f"session:{session.id}", resident=seat.resident)
    if contacts:
        db.session.commit()
    replies = {(r.resident_id, r.volunteer_id): r for r in db.session.scalars(
        select(SessionReply).where(SessionReply.session_id == session.id))}
    return render("sessions/detail.html", session=session, seats=seats, contacts=set(contacts),
                  replies=replies, can_change=services.can_change(current_user, session),
                  can_manage=current_user.can_manage_group(session.group),
                  is_volunteer_of=services.is_volunteer_of(current_user, session),
                  taken=seating.seats_taken(session), waiting=seating.waiting_count(session),
                  position=words.series_position(session), now=utcnow())


@bp.post("/buoi/<int:session_id>/xac-nhan")
@login_required
def confirm(session_id: int):
    """A leader confirms a proposed time for the resident, after a phone call."""
    session = services.get_session_for(current_user, session_id, "manage")
    try:
        changed = services.confirm_session(session, by=current_user, via="leader")
        db.session.commit()
    except Refusal as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(_("Đã xác nhận lịch.") if changed else _("Lịch này đã được xác nhận trước đó."),
              "success")
    return redirect_after_write(url_for(".detail", session_id=session_id))


@bp.route("/buoi/<int:session_id>/doi-lich", methods=["GET", "POST"])
@login_required
def reschedule(session_id: int):
    session = services.get_session_for(current_user, session_id, "change")
    if session.kind == SessionKind.CLASS:
        return redirect_after_write(url_for(".edit_class", session_id=session.id))
    if session.status not in SessionStatus.ACTIVE:
        flash(_("Buổi này đã hủy hoặc đã diễn ra, không đổi lịch được."), "warning")
        return redirect_after_write(url_for(".detail", session_id=session.id))
    help_request = session.request
    form = RescheduleForm()
    if request.method == "GET":
        local_start = to_local(session.starts_at)
        form.day.data, form.starts.data = local_start.date(), local_start.time()
        form.ends.data = to_local(session.ends_at).time()
        form.place.data, form.place_name.data = session.place.value, session.place_name
        form.reason.data = session.reschedule_note
    if request.method == "POST" and request.args.get("check"):
        form.validate()
        starts, ends = when_of(form)
        checks = Checks()
        if starts is not None:
            services.check_proposal(help_request, starts, ends, place_of(form),
                                    exclude=[session.id], viewer=current_user, checks=checks)
        return check_response(form, PROPOSAL_FIELDS, checks, starts is not None)
    general = []
    if form.validate_on_submit():
        starts, ends = when_of(form)
        try:
            services.reschedule_session(current_user, session, starts, ends,
                                        Place(form.place.data), form.place_name.data,
                                        form.reason.data.strip())
            db.session.commit()
        except Refusal as exc:
            db.session.rollback()
            general = attach_errors(form, exc.errors)
        else:
            flash(_("Đã đổi lịch. Người dân sẽ được báo để xác nhận lại."), "success")
            return redirect_after_write(url_for(".detail", session_id=session_id))
    status = 422 if form.errors or general else 200
    return render("sessions/propose.html", block="form", status=status, form=form,
                  help_request=help_request, general=general, session=session,
                  windows=describe(help_request.preferred_times),
                  action=url_for(".reschedule", session_id=session.id),
                  check_url=url_for(".reschedule", session_id=session.id, check=1))


@bp.route("/buoi/<int:session_id>/huy", methods=["GET", "POST"])
@login_required
def cancel(session_id: int):
    session = services.get_session_for(current_user, session_id, "change")
    if session.status not in SessionStatus.ACTIVE:
        flash(_("Buổi này đã hủy hoặc đã diễn ra."), "info")
        return redirect_after_write(url_for(".detail", session_id=session_id))
    form = CancelForm()
    if form.validate_on_submit():
        targets = (words.series_of(session) if form.scope.data == "series"
                   and session.kind == SessionKind.CLASS else [session])
        count = services.cancel_sessions(targets, reason=form.reason.data.strip(),
                                         by=current_user)
        db.session.commit()
        flash(_("Đã hủy %(n)d buổi. Mọi người liên quan sẽ được báo.", n=count), "success")
        return redirect_after_write(url_for(".detail", session_id=session_id))
    status = 422 if form.errors else 200
    return render("sessions/cancel.html", block="form", status=status, form=form,
                  session=session, series=len(words.series_of(session)))


@bp.post("/buoi/<int:session_id>/khong-den-duoc")
@login_required
def volunteer_cannot_come(session_id: int):
    """A volunteer of the session tells the leaders at once that they cannot come."""
    session = services.get_session_for(current_user, session_id)
    if not services.is_volunteer_of(current_user, session):
        return redirect_after_write(url_for(".detail", session_id=session_id))
    form = ReasonForm()
    reason = form.reason.data.strip() if form.validate() and form.reason.data else None
    reply = reminders.reply_for(session, volunteer=current_user.volunteer_profile)
    result = reminders.answer_reply(reply, ReplyAnswer.CANNOT_COME, reason)
    db.session.commit()
    if result in ("cannot_come", "unchanged"):
        flash(_("Đã báo tổ trưởng rằng bạn không đến được để tìm người thay."), "success")
    return redirect_after_write(url_for(".detail", session_id=session_id))
