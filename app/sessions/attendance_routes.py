"""Routes of attendance: the printed sheet, signing in at the door, no-shows and contesting them."""
from __future__ import annotations


from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.audit import audit
from app.clock import utcnow
from app.extensions import db
from app.models import EnrollmentStatus, NoShow, Outcome, SessionKind, SessionStatus
from app.permissions import is_manager, role_required
from app.privacy import resident_label
from app.sessions import attendance, bp, services
from app.refusal import Refusal
from app.sessions.forms import ContestForm, ResolveForm, SignInForm, safe_int
from app.sessions.routes import attach_errors
from app.web import redirect_after_write, render


# --- attendance ---------------------------------------------------------------------------
@bp.get("/buoi/<int:session_id>/danh-sach-diem-danh")
@login_required
def attendance_sheet(session_id: int):
    """A printable sheet: names, phone last digits, a signature column, the skills."""
    session = services.get_session_for(current_user, session_id, "manage")
    seats = sorted((s for s in session.enrollments if s.status == EnrollmentStatus.ENROLLED),
                   key=lambda s: s.resident.name_search)
    waiting = [s for s in session.enrollments if s.status == EnrollmentStatus.WAITING]
    audit("export", f"attendance-sheet:session:{session.id}", ward_id=session.group.ward_id,
          detail=f"{len(seats)} người")
    db.session.commit()
    skills = [(topic, skill) for topic in session.topics for skill in topic.skills]
    blank_rows = max(3, min(20, session.capacity - len(seats)))
    return render("sessions/attendance_sheet.html", session=session, seats=seats,
                  waiting=waiting, skills=skills, blank_rows=blank_rows,
                  label=lambda r: resident_label(r, current_user))


@bp.route("/buoi/<int:session_id>/diem-danh", methods=["GET", "POST"])
@login_required
def sign_in(session_id: int):
    """The leader enters the paper sign-in sheet afterwards, in one screen."""
    session = services.get_session_for(current_user, session_id, "manage")
    form = SignInForm()
    seats = sorted((s for s in session.enrollments if s.status == EnrollmentStatus.ENROLLED),
                   key=lambda s: s.resident.name_search)
    general = []
    if session.starts_at > utcnow():
        general.append(_("Buổi này chưa bắt đầu; hãy điểm danh sau khi buổi diễn ra."))
    elif session.status == SessionStatus.CANCELLED:
        general.append(_("Buổi này đã hủy."))
    elif form.validate_on_submit():
        walk_ins = [attendance.WalkIn(row.full_name.data.strip(),
                                      getattr(row.form.phone, "e164", None))
                    for row in form.walk_ins if (row.full_name.data or "").strip()]
        if walk_ins and session.kind != SessionKind.CLASS:
            general.append(_("Chỉ lớp học mới ghi thêm người đến trực tiếp."))
        else:
            try:
                attendance.record_sign_in(
                    current_user, session,
                    present_seat_ids={safe_int(x) for x in request.form.getlist("present_seat")},
                    present_volunteer_ids={safe_int(x) for x in
                                           request.form.getlist("present_volunteer")},
                    walk_ins=walk_ins)
                db.session.commit()
            except Refusal as exc:
                db.session.rollback()
                general = attach_errors(form, exc.errors)
            else:
                flash(_("Đã lưu điểm danh. Người vắng mặt có thể xem và khiếu nại ghi nhận."),
                      "success")
                return redirect_after_write(url_for(".detail", session_id=session_id))
    outcomes = {o.enrollment_id: o.attended for o in db.session.scalars(
        select(Outcome).where(Outcome.enrollment_id.in_([s.id for s in seats] or [-1])))}
    absent_volunteers = {n.volunteer_id for n in db.session.scalars(
        select(NoShow).where(NoShow.session_id == session.id,
                                        NoShow.volunteer_id.is_not(None)))
        if n.counts}
    if request.method == "POST":
        present = {safe_int(x) for x in request.form.getlist("present_seat")}
        outcomes = {s.id: s.id in present for s in seats}
        chosen = {safe_int(x) for x in request.form.getlist("present_volunteer")}
        absent_volunteers = {sv.volunteer_id for sv in session.volunteers
                             if sv.volunteer_id not in chosen}
    status = 422 if form.errors or general else 200
    return render("sessions/sign_in.html", status=status, session=session, seats=seats,
                  form=form, general=general, outcomes=outcomes,
                  absent_volunteers=absent_volunteers,
                  label=lambda r: resident_label(r, current_user))


# --- no-shows ------------------------------------------------------------------------------
@bp.get("/vang-mat")
@role_required(is_manager)
def no_shows():
    """No-shows in the leader's groups, contested ones first, to uphold or correct."""
    items = attendance.no_shows_to_review(current_user)
    return render("sessions/no_shows.html", items=items, form=ResolveForm(formdata=None),
                  label=lambda r: resident_label(r, current_user))


@bp.post("/vang-mat/<int:no_show_id>/xu-ly")
@login_required
def resolve_no_show(no_show_id: int):
    no_show = attendance.get_no_show_for(current_user, no_show_id, "manage")
    form = ResolveForm()
    if form.validate_on_submit():
        attendance.resolve_no_show(current_user, no_show, form.decision.data,
                                   form.note.data, bool(form.attended.data))
        db.session.commit()
        flash(_("Đã cập nhật ghi nhận vắng mặt."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect_after_write(url_for(".no_shows"))


@bp.post("/vang-mat/<int:no_show_id>/khieu-nai")
@login_required
def contest_no_show(no_show_id: int):
    """The volunteer concerned says a no-show is wrong."""
    no_show = attendance.get_no_show_for(current_user, no_show_id, "contest")
    form = ContestForm()
    if form.validate_on_submit():
        try:
            attendance.contest_no_show(no_show, form.text.data)
            db.session.commit()
        except Refusal as exc:
            flash(exc.message, "warning")
        else:
            flash(_("Đã gửi khiếu nại. Tổ trưởng sẽ xem xét."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect_after_write(url_for(".mine"))
