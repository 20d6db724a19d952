"""Routes of the outcomes area: thin — parse, ask the services, choose the response."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit import audit
from app.clock import utcnow
from app.extensions import db
from app.models import SessionStatus
from app.refusal import Refusal
from app.outcomes import bp
from app.outcomes import forms as f
from app.outcomes.progress import resident_progress
from app.outcomes import services as s
from app.privacy import resident_label
from app.web import redirect_after_write, render


def _entry(form, prefix: str, enrollment_id: int = 0) -> s.AttendeeEntry:
    confidence = form[f"{prefix}confidence"].data
    return s.AttendeeEntry(
        enrollment_id=enrollment_id,
        attended=form[f"{prefix}attended"].data == "1",
        skill_ids=set(form[f"{prefix}skills"].data or []),
        confidence=int(confidence) if confidence else None,
        follow_up=bool(form[f"{prefix}follow_up"].data),
        note=form[f"{prefix}note"].data)


# --- logging a session ------------------------------------------------------------------------
@bp.route("/buoi/<int:session_id>/ket-qua", methods=["GET", "POST"])
@login_required
def log(session_id: int):
    """The session's volunteer marks each attendee in under a minute."""
    session = s.get_session_for_logging(current_user, session_id)
    enrollments = s.attendees(session)
    is_leader = current_user.can_manage_group(session.group)
    if session.status == SessionStatus.DONE:
        if request.method == "POST":  # someone else logged it since this form was opened
            return render("outcomes/log.html", block="form", status=409, session=session,
                          already_logged=True, error=_(
                              "Buổi này đã được ghi kết quả rồi. Nếu cần sửa, hãy báo tổ "
                              "trưởng."))
        return render("outcomes/logged.html", session=session, enrollments=enrollments,
                      is_leader=is_leader, label=lambda r: resident_label(r, current_user))
    skills = s.session_skills(session)
    form_class = f.log_form_class(enrollments, skills,
                                  session.volunteers if is_leader else ())
    form = form_class()
    if request.method == "GET" and is_leader:
        for sv in session.volunteers:
            form[f"h{sv.id}"].data = sv.hours if sv.hours is not None else s.session_hours(
                session)
    error = None
    not_started = session.starts_at > utcnow()
    closed = not_started or session.status == SessionStatus.CANCELLED
    if closed and request.method == "POST":
        # The form is not shown for such a session: say why, not which field was wrong.
        return render("outcomes/log.html", block="form", status=409, form=form,
                      session=session, enrollments=enrollments, is_leader=is_leader,
                      refused=True, achieved={}, not_started=not_started,
                      label=lambda r: resident_label(r, current_user))
    if form.validate_on_submit():
        entries = [_entry(form, f"a{e.id}_", e.id) for e in enrollments]
        hours = ({sv.id: form[f"h{sv.id}"].data for sv in session.volunteers}
                 if is_leader else None)
        try:
            follow_ups = s.log_outcomes(current_user, session, entries, hours)
            db.session.commit()
        except Refusal as exc:
            db.session.rollback()
            error = exc.message
        else:
            message = _("Đã lưu kết quả buổi học.")
            if follow_ups:
                message += " " + _("Đã mở %(n)d yêu cầu học tiếp: %(codes)s.", n=len(follow_ups),
                                   codes=", ".join(r.code for r in follow_ups))
            flash(message, "success")
            return redirect_after_write(url_for("outcomes.log", session_id=session.id))
    status = 422 if form.errors else (409 if error else 200)
    return render("outcomes/log.html", block="form", status=status, form=form,
                  session=session, enrollments=enrollments, is_leader=is_leader, error=error,
                  achieved=s.achieved_skill_ids(e.resident_id for e in enrollments),
                  not_started=not_started, label=lambda r: resident_label(r, current_user))


@bp.get("/ket-qua/can-ghi")
@login_required
def pending():
    """Sessions that have taken place and still wait for their outcome."""
    return render("outcomes/pending.html", sessions=s.sessions_to_log(current_user))


@bp.route("/ket-qua/<int:outcome_id>/sua", methods=["GET", "POST"])
@login_required
def correct(outcome_id: int):
    """A leader corrects an outcome; every version is kept."""
    outcome = s.get_outcome_for_correction(current_user, outcome_id)
    session = outcome.enrollment.session
    skills = s.session_skills(session)
    form = f.correction_form_class(skills)()
    if request.method == "GET":
        form.x_attended.data = "1" if outcome.attended else "0"
        form.x_skills.data = [sk.id for sk in outcome.skills]
        form.x_confidence.data = str(outcome.confidence) if outcome.confidence else None
        form.x_follow_up.data = outcome.follow_up
        form.x_note.data = outcome.note
    error = None
    if form.validate_on_submit():
        try:
            opened = s.correct_outcome(current_user, outcome, _entry(form, "x_"),
                                       form.reason.data)
            db.session.commit()
        except Refusal as exc:
            db.session.rollback()
            error = exc.message
        else:
            message = _("Đã sửa kết quả. Bản cũ vẫn được lưu trong lịch sử.")
            if opened is not None:
                message += " " + _("Đã mở yêu cầu học tiếp %(code)s.", code=opened.code)
            flash(message, "success")
            return redirect_after_write(url_for("outcomes.correct", outcome_id=outcome.id))
    status = 422 if form.errors else (409 if error else 200)
    revisions = list(outcome.revisions)
    return render("outcomes/correct.html", block="form", status=status, form=form,
                  outcome=outcome, session=session, error=error, revisions=revisions,
                  skill_names=s.revision_skill_names(revisions),
                  resident=resident_label(outcome.enrollment.resident, current_user))


@bp.route("/buoi/<int:session_id>/gio-tinh-nguyen", methods=["GET", "POST"])
@login_required
def hours(session_id: int):
    """The leader corrects the hours recorded for each volunteer of a session."""
    session = s.get_session_for_hours(current_user, session_id)
    form = f.hours_form_class(session.volunteers)()
    if request.method == "GET":
        for sv in session.volunteers:
            form[f"h{sv.id}"].data = sv.hours if sv.hours is not None else s.session_hours(
                session)
    if form.validate_on_submit():
        s.set_hours(session, {sv.id: form[f"h{sv.id}"].data for sv in session.volunteers
                              if form[f"h{sv.id}"].data is not None})
        db.session.commit()
        flash(_("Đã lưu số giờ tình nguyện."), "success")
        return redirect_after_write(url_for("outcomes.log", session_id=session.id))
    status = 422 if form.errors else 200
    return render("outcomes/hours.html", block="form", status=status, form=form,
                  session=session, default_hours=s.session_hours(session))


# --- residents --------------------------------------------------------------------------------
@bp.route("/nguoi-dan/<int:resident_id>/ra-soat", methods=["GET", "POST"])
@login_required
def survey(resident_id: int):
    """Household survey (rà soát): a resident's baseline in a few taps."""
    resident = s.get_resident_for(current_user, resident_id)
    form = f.SurveyForm()
    to_choice = {True: "yes", False: "no", None: "unknown"}
    if request.method == "GET":
        for name in s.SURVEY_FIELDS:
            form[name].data = to_choice[getattr(resident, name)]
        from app.clock import today_local
        form.surveyed_on.data = today_local()
    if form.validate_on_submit():
        from_choice = {"yes": True, "no": False, "unknown": None}
        s.record_survey(current_user, resident,
                        {name: from_choice.get(form[name].data) for name in s.SURVEY_FIELDS},
                        form.surveyed_on.data)
        db.session.commit()
        flash(_("Đã lưu kết quả rà soát của %(name)s.",
                name=resident_label(resident, current_user)), "success")
        return redirect_after_write(url_for("outcomes.progress", resident_id=resident.id))
    status = 422 if form.errors else 200
    return render("outcomes/survey.html", block="form", status=status, form=form,
                  resident=resident, label=resident_label(resident, current_user))


@bp.get("/nguoi-dan/<int:resident_id>/tien-bo")
@login_required
def progress(resident_id: int):
    """A resident's skills over time per topic, and "basic digital skills"."""
    resident = s.get_resident_for(current_user, resident_id)
    audit("view", f"resident:{resident.id}", resident=resident, detail="progress")
    db.session.commit()
    return render("outcomes/progress.html", resident=resident, progress=resident_progress(resident),
                  label=resident_label(resident, current_user))


# --- certificates -----------------------------------------------------------------------------
@bp.get("/tinh-nguyen-vien/chung-nhan")
@bp.get("/tinh-nguyen-vien/<int:volunteer_id>/chung-nhan")
@login_required
def certificate(volunteer_id: int | None = None):
    """A printable certificate of volunteer hours for a period, signed by an official."""
    profile = s.get_volunteer_for_certificate(current_user, volunteer_id)
    form = f.CertificateForm(request.args)
    form.validate()
    start, end = form.period()
    signer_id = int(form.ky.data) if (form.ky.data or "").isdigit() else None
    cert, signers = s.certificate_for(profile, start, end, signer_id, viewer=current_user)
    form.ky.choices = [(str(u.id), f"{u.full_name} — {w.name}") for u, w in signers]
    form.ky.data = str(cert.signer.id) if cert.signer else None
    form.tu.data, form.den.data = start, end
    audit("export", f"certificate:{profile.id}", detail=f"{start}..{end}")
    db.session.commit()
    return render("outcomes/certificate.html", form=form, cert=cert, profile=profile,
                  volunteer_id=volunteer_id)
