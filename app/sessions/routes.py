"""Routes of the sessions area: parse, call a service, choose the response."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, g, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.areas import scope
from app.audit import audit
from app.clock import to_local, today_local, utcnow
from app.extensions import db, limiter
from app.models import (Enrollment, EnrollmentStatus, NoShow, NoShowStatus, Outcome, Place,
                        ReplyAnswer, RequestStatus, SessionKind, SessionReply, SessionStatus, Topic)
from app.permissions import deny, is_manager, is_volunteer, role_required
from app.privacy import can_see_personal_data, resident_label
from app.sessions import attendance, bp, calendars, classes, reminders, services, tracking, words
from app.sessions import seats as seating  # `seats` names a page's list of seats here
from app.sessions.forms import (CancelForm, ClassForm, ContestForm, ProposalForm, ReasonForm,
                                RescheduleForm, ResolveForm, SignInForm, WalkInForm, safe_int)
from app.sessions.checks import Checks, SchedulingError, combine_local
from app.timeslots import describe
from app.text import given_name
from app.web import is_fragment_request, redirect_after_write, render


# --- helpers ------------------------------------------------------------------------
def _attach(form, errors: dict[str, list[str]]) -> list[str]:
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


def _check_response(form, names: list[str], checks: Checks, ready: bool) -> Response:
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


def _when(form):
    return combine_local(form.day.data, form.starts.data, form.ends.data)


def _place(form) -> Place | None:
    try:
        return Place(form.place.data)
    except ValueError:
        return None


# --- words in templates -------------------------------------------------------------------
@bp.context_processor
def _session_words():
    return {"resident_label": resident_label, "place_labels": words.PLACE_LABELS,
            "status_labels": words.STATUS_LABELS, "given_name": given_name,
            "volunteer_words": words.volunteer_words}


@bp.app_template_global("session_when")
def session_when(session) -> str:
    """"Thứ Ba, 12/5/2026, 9:00–10:30"."""
    return words.when_words(session)


@bp.app_template_global("session_where")
def session_where(session) -> str:
    return words.place_name_of(session)


@bp.app_template_global("session_time_range")
def session_time_range(session) -> str:
    return words.time_range(session)


@bp.app_template_global("session_first_name")
def session_first_name(full_name: str) -> str:
    """Residents see a volunteer's first name (and who verified them)."""
    return given_name(full_name)


@bp.app_template_global("session_status_label")
def session_status_label(session) -> str:
    return str(words.STATUS_LABELS[session.status])


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
        starts, ends = _when(form)
        checks = Checks()
        if starts is not None:
            services.check_proposal(help_request, starts, ends, _place(form),
                                    viewer=current_user, checks=checks)
        return _check_response(form, PROPOSAL_FIELDS, checks, starts is not None)
    general = []
    if form.validate_on_submit():
        starts, ends = _when(form)
        try:
            session = services.propose_session(current_user, help_request, starts, ends,
                                               Place(form.place.data), form.place_name.data)
            db.session.commit()
        except SchedulingError as exc:
            db.session.rollback()
            general = _attach(form, exc.errors)
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
    except SchedulingError as exc:
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
        starts, ends = _when(form)
        checks = Checks()
        if starts is not None:
            services.check_proposal(help_request, starts, ends, _place(form),
                                    exclude=[session.id], viewer=current_user, checks=checks)
        return _check_response(form, PROPOSAL_FIELDS, checks, starts is not None)
    general = []
    if form.validate_on_submit():
        starts, ends = _when(form)
        try:
            services.reschedule_session(current_user, session, starts, ends,
                                        Place(form.place.data), form.place_name.data,
                                        form.reason.data.strip())
            db.session.commit()
        except SchedulingError as exc:
            db.session.rollback()
            general = _attach(form, exc.errors)
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


# --- classes -------------------------------------------------------------------------
CLASS_CHECK_FIELDS = ["day", "starts", "ends", "place", "place_name", "capacity", "lead_id",
                      "helper_ids", "weeks"]


def _class_choices(form: ClassForm, group, session=None) -> None:
    groups = scope.managed_groups(current_user)
    form.group_id.choices = [(g.id, g.label) for g in groups]
    topics = db.session.scalars(select(Topic).where(Topic.active.is_(True))
                                .order_by(Topic.position)).all()
    form.topic_ids.choices = [(t.id, t.name) for t in topics]
    include = [sv.volunteer_id for sv in session.volunteers] if session is not None else []
    volunteers = classes.eligible_class_volunteers(group, include) if group is not None else []
    form.lead_id.choices = [(v.id, v.user.full_name) for v in volunteers]
    form.helper_ids.choices = [(v.id, v.user.full_name) for v in volunteers]
    form.volunteer_profiles = {v.id: v for v in volunteers}


def _plan(form: ClassForm, group) -> classes.ClassPlan:
    starts, ends = _when(form)
    profiles = getattr(form, "volunteer_profiles", {})
    topic_ids = set(form.topic_ids.data or [])
    return classes.ClassPlan(
        group=group, title=(form.title.data or "").strip(),
        topics=[t for t in db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids or {-1})))],
        place=_place(form) or Place.COMMUNITY_HOUSE, place_name=form.place_name.data,
        starts_at=starts, ends_at=ends, capacity=form.capacity.data,
        lead=profiles.get(form.lead_id.data),
        helpers=[profiles[i] for i in (form.helper_ids.data or []) if i in profiles],
        weeks=(form.weeks.data or 1) if "weeks" in form._fields else 1)


def _class_page(session=None):
    """New class (and series) or edit of one occurrence / the whole series."""
    editing = session is not None
    form = ClassForm()
    group = session.group if editing else None
    if not editing:
        wanted = safe_int(request.values.get("group_id") or request.args.get("group"))
        groups = scope.managed_groups(current_user)
        group = next((g for g in groups if g.id == wanted), groups[0] if groups else None)
        if group is None:
            deny("new class: no group")
    _class_choices(form, group, session)
    if request.method == "GET":
        if not editing:
            form.group_id.data = group.id
        if editing:
            local_start = to_local(session.starts_at)
            form.title.data = session.title
            form.topic_ids.data = [t.id for t in session.topics]
            form.place.data, form.place_name.data = session.place.value, session.place_name
            form.day.data, form.starts.data = local_start.date(), local_start.time()
            form.ends.data = to_local(session.ends_at).time()
            form.capacity.data = session.capacity
            lead = words.lead_volunteer(session)
            form.lead_id.data = lead.id if lead else None
            form.helper_ids.data = [sv.volunteer_id for sv in session.volunteers
                                    if lead is None or sv.volunteer_id != lead.id]
        else:
            form.place_name.data = group.community_house
            topic_id = safe_int(request.args.get("topic"))
            form.topic_ids.data = [topic_id] if topic_id else []
    if editing:  # the group and the number of weeks are fixed once a class exists
        del form.group_id
        del form.weeks
    series = len(words.series_of(session)) if editing else 1
    if not editing or series <= 1:
        form.scope.data = "one"
    endpoint_args = ({"endpoint": ".edit_class", "session_id": session.id} if editing
                     else {"endpoint": ".new_class"})
    general = []
    refresh = request.method == "POST" and (request.args.get("refresh")
                                            or request.form.get("refresh"))
    if request.method == "POST" and request.args.get("check"):
        form.validate()
        plan = _plan(form, group)
        checks = Checks()
        if plan.starts_at is not None:
            targets = None
            if editing:
                members = words.series_of(session) if form.scope.data == "series" else [session]
                targets = classes.edit_targets(session, plan, members)
            classes.check_class(plan, targets=targets, viewer=current_user, checks=checks)
        names = [name for name in CLASS_CHECK_FIELDS if name in form._fields]
        return _check_response(form, names, checks, plan.starts_at is not None)
    if refresh:
        form.lead_id.data = None if form.lead_id.data not in form.volunteer_profiles else form.lead_id.data
    elif form.validate_on_submit():
        plan = _plan(form, group)
        try:
            if editing:
                changed = classes.update_class(current_user, session, plan,
                                                form.scope.data or "one")
            else:
                changed = classes.create_class(current_user, plan)
            db.session.commit()
        except SchedulingError as exc:
            db.session.rollback()
            general = _attach(form, exc.errors)
        else:
            if editing:
                flash(_("Đã lưu %(n)d buổi. Người tham gia được báo nếu giờ hoặc nơi thay đổi.",
                        n=len(changed)), "success")
            else:
                flash(_("Đã tạo %(n)d buổi học.", n=len(changed)), "success")
            return redirect_after_write(url_for(".detail", session_id=changed[0].id))
    status = 422 if (form.errors or general) and not refresh else 200
    if refresh:
        for field in form:
            field.errors = []
    return render("sessions/class_form.html", block="form", status=status, form=form,
                  group=group, session=session, series=series, general=general,
                  action=url_for(**endpoint_args),
                  check_url=url_for(**endpoint_args, check=1),
                  refresh_url=url_for(**endpoint_args, refresh=1))


@bp.route("/lop-hoc/moi", methods=["GET", "POST"])
@role_required(is_manager)
def new_class():
    """A leader creates a class for a residential group, optionally weekly for N weeks."""
    return _class_page()


@bp.route("/lop-hoc/<int:session_id>/sua", methods=["GET", "POST"])
@login_required
def edit_class(session_id: int):
    session = services.get_session_for(current_user, session_id, "manage")
    if session.kind != SessionKind.CLASS:
        return redirect_after_write(url_for(".reschedule", session_id=session_id))
    if session.status not in SessionStatus.ACTIVE:
        flash(_("Lớp này đã hủy hoặc đã diễn ra, không sửa được."), "warning")
        return redirect_after_write(url_for(".detail", session_id=session_id))
    return _class_page(session)


def _fill_page(session, walk_in_form, status=200, block=None, invite_result=None):
    seats = sorted((s for s in session.enrollments if s.status != EnrollmentStatus.CANCELLED),
                   key=lambda s: (s.status != EnrollmentStatus.ENROLLED, s.created_at, s.id))
    return render("sessions/fill.html", block=block, status=status, session=session,
                  seats=seats, taken=seating.seats_taken(session),
                  waiting=seating.waiting_count(session),
                  candidates=seating.waiting_requests_for(session, current_user),
                  walk_in_form=walk_in_form, label=lambda r: resident_label(r, current_user))


@bp.route("/lop-hoc/<int:session_id>/moi-nguoi", methods=["GET", "POST"])
@login_required
def fill(session_id: int):
    """Fill a class: invite the waiting requests of the group (then the ward) for its topics
    in one action, add walk-ins at the door; beyond capacity people wait in line."""
    session = services.get_session_for(current_user, session_id, "manage")
    if session.kind != SessionKind.CLASS:
        return redirect_after_write(url_for(".detail", session_id=session_id))
    walk_in_form = WalkInForm(formdata=None if request.form.get("action") != "walk_in"
                              else request.form)
    if request.method == "POST" and session.status in SessionStatus.ACTIVE:
        action = request.form.get("action")
        if action == "invite":
            ids = [i for i in (safe_int(x) for x in request.form.getlist("request_ids")[:200])
                   if i]
            if not ids:
                flash(_("Bạn chưa chọn yêu cầu nào."), "warning")
                return redirect_after_write(url_for(".fill", session_id=session_id))
            result = seating.invite_requests(current_user, session, ids)
            db.session.commit()
            flash(_("Đã mời %(seated)d người vào lớp, %(waiting)d người vào danh sách chờ.",
                    seated=len(result.enrolled), waiting=len(result.waiting)), "success")
            for line in result.skipped:
                flash(line, "warning")
            return redirect_after_write(url_for(".fill", session_id=session_id))
        if action == "walk_in":
            if walk_in_form.validate():
                try:
                    seat = seating.add_walk_in(current_user, session,
                                                walk_in_form.full_name.data.strip(),
                                                getattr(walk_in_form.phone, "e164", None))
                    db.session.commit()
                except SchedulingError as exc:
                    db.session.rollback()
                    _attach(walk_in_form, {"full_name": [m for ms in exc.errors.values()
                                                         for m in ms]})
                else:
                    flash(_("Đã thêm vào lớp.") if seat.status == EnrollmentStatus.ENROLLED
                          else _("Lớp đã đủ chỗ: đã thêm vào danh sách chờ."), "success")
                    return redirect_after_write(url_for(".fill", session_id=session_id))
            return _fill_page(session, walk_in_form, status=422, block="walk_in")
    return _fill_page(session, walk_in_form)


@bp.post("/lop-hoc/<int:session_id>/cho/<int:enrollment_id>/huy")
@login_required
def remove_enrollment(session_id: int, enrollment_id: int):
    """Take someone off the class; the first on the waiting list moves up."""
    session = services.get_session_for(current_user, session_id, "manage")
    seat = db.session.get(Enrollment, enrollment_id)
    if seat is None or seat.session_id != session.id:
        abort(404)
    if session.status in SessionStatus.ACTIVE:
        seating.cancel_enrollment(seat)
        db.session.commit()
    if is_fragment_request():
        return _fill_page(session, WalkInForm(formdata=None), block="roster")
    flash(_("Đã bỏ chỗ của người này."), "success")
    return redirect_after_write(url_for(".fill", session_id=session_id))


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
            except SchedulingError as exc:
                db.session.rollback()
                general = _attach(form, exc.errors)
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
                  labels=attendance.NO_SHOW_LABELS,
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
        except SchedulingError as exc:
            flash(exc.message, "warning")
        else:
            flash(_("Đã gửi khiếu nại. Tổ trưởng sẽ xem xét."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect_after_write(url_for(".mine"))


# --- calendars -------------------------------------------------------------------------------
@bp.get("/lich")
@role_required(is_manager)
def calendar():
    """The week of a group or a ward; htmx moves between weeks; a day list on a phone."""
    scope_arg = request.args.get("scope", "")
    group_id, ward_id = safe_int(request.args.get("group")), safe_int(request.args.get("ward"))
    if scope_arg[:2] == "g:":
        group_id, ward_id = safe_int(scope_arg[2:]), None
    elif scope_arg[:2] == "w:":
        group_id, ward_id = None, safe_int(scope_arg[2:])
    shown = calendars.calendar_scope(current_user, group_id, ward_id)
    monday = calendars.parse_week(request.args.get("week"))
    groups = scope.managed_groups(current_user)
    return render("sessions/calendar.html", block="week", scope=shown, monday=monday,
                  days=calendars.week_days(shown, monday), groups=groups,
                  wards=scope.visible_wards(current_user), today=today_local(),
                  timedelta=timedelta, contested=len([
                      n for n in attendance.no_shows_to_review(current_user)
                      if n.status == NoShowStatus.CONTESTED]))


@bp.get("/lich-cua-toi")
@role_required(is_volunteer)
def mine():
    """A volunteer's sessions, their no-shows (to contest), and their calendar feed."""
    profile = current_user.volunteer_profile
    feed = None
    if profile is not None:
        feed = calendars.feed_of(profile)
        db.session.commit()  # before loading the sessions: a commit would expire them all
    upcoming, recent = calendars.my_sessions(profile) if profile else ([], [])
    return render("sessions/mine.html", upcoming=upcoming, recent=recent, feed=feed,
                  no_shows=attendance.no_shows_of_volunteer(profile) if profile else [],
                  labels=attendance.NO_SHOW_LABELS, contest_form=ContestForm(formdata=None))


@bp.post("/lich-cua-toi/dia-chi-lich")
@role_required(is_volunteer)
def reset_feed():
    """A new secret address for the calendar feed; the old one stops working."""
    profile = current_user.volunteer_profile
    if profile is None:
        abort(404)
    feed = calendars.reset_feed(profile)
    db.session.commit()
    if is_fragment_request():
        return render("sessions/mine.html", block="feed", feed=feed, reset=True)
    flash(_("Đã tạo địa chỉ lịch mới. Địa chỉ cũ không còn dùng được."), "success")
    return redirect_after_write(url_for(".mine"))


def _feed_key() -> str:
    # Calendar services fetch every subscriber's feed from a few addresses: limit per feed.
    return "feed:" + str((request.view_args or {}).get("token", ""))[:64]


@bp.get("/lich/<token>.ics")
@limiter.limit("60 per hour", key_func=_feed_key)
def feed(token: str):
    """The volunteer's sessions as an iCalendar feed, at a secret address."""
    calendar_feed = calendars.feed_by_token(token)
    body = calendars.feed_calendar(calendar_feed.volunteer)
    response = make_response(body, 200)
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = 'inline; filename="cung-hoc-so.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- replies to reminders ------------------------------------------------------------------
REPLY_MESSAGES = {
    "coming": _l("Cảm ơn! Đã ghi nhận bạn sẽ đến."),
    "confirmed": _l("Cảm ơn! Lịch đã được xác nhận."),
    "cannot_come": _l("Đã ghi nhận bạn không đến được. Tổ trưởng đã được báo."),
    "unchanged": _l("Câu trả lời của bạn đã được ghi nhận trước đó."),
    "closed": _l("Buổi này đã hủy hoặc đã kết thúc."),
}


@bp.route("/tra-loi/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def reply(token: str):
    """The one-tap "I'll come" / "I can't come" page a reminder links to."""
    answer_reply = reminders.get_reply(token)
    g.personal_data = True
    form = ReasonForm()
    if request.method == "POST":
        try:
            answer = ReplyAnswer(request.form.get("answer", ""))
        except ValueError:
            answer = None
        if answer is not None and form.validate():
            result = reminders.answer_reply(answer_reply, answer,
                                            (form.reason.data or "").strip() or None)
            db.session.commit()
            flash(str(REPLY_MESSAGES[result]), "success" if result != "closed" else "info")
            return redirect_after_write(url_for(".reply", token=token))
    return render("sessions/reply.html", reply=answer_reply, session=answer_reply.session,
                  form=form, now=utcnow(), personal_data=True,
                  status=422 if form.errors else 200)


# --- residents from the tracking page ------------------------------------------------------
@bp.app_template_global("session_tracking_for")
def session_tracking_for(help_request):
    """For templates/sessions/_tracking_actions.html on the requests' tracking page."""
    return tracking.tracking_sessions(help_request)


def _tracking_response(help_request, notice: str, category: str = "success"):
    g.personal_data = True
    if is_fragment_request():
        response = make_response(render_template(
            "sessions/_tracking_actions.html", help_request=help_request, notice=notice))
        response.vary.add("HX-Request")
        return response
    flash(notice, category)
    return redirect_after_write(url_for(".tracked", request_id=help_request.id))


def _tracked_action(session_id: int):
    help_request = tracking.tracked_request(safe_int(request.form.get("request_id")))
    session, seat = tracking.session_of_request(session_id, help_request)
    return help_request, session, seat


@bp.get("/lich-hen/yeu-cau/<int:request_id>")
def tracked(request_id: int):
    """The resident's sessions for a request this browser is following."""
    help_request = tracking.tracked_request(request_id)
    g.personal_data = True
    return render("sessions/tracked.html", help_request=help_request, personal_data=True)


@bp.post("/lich-hen/<int:session_id>/xac-nhan")
@limiter.limit("30 per minute")
def track_confirm(session_id: int):
    """The resident confirms the proposed time (or says they will come to a class)."""
    help_request, session, seat = _tracked_action(session_id)
    reply = reminders.reply_for(session, resident=help_request.resident)
    result = reminders.answer_reply(reply, ReplyAnswer.COMING)
    db.session.commit()
    return _tracking_response(help_request, str(REPLY_MESSAGES[result]))


@bp.post("/lich-hen/<int:session_id>/doi-lich")
@limiter.limit("30 per minute")
def track_reschedule(session_id: int):
    """The resident asks for another time; the volunteer and the leaders are told."""
    help_request, session, seat = _tracked_action(session_id)
    form = ReasonForm()
    note = (form.reason.data or "") if form.validate() else ""
    if reminders.resident_asks_new_time(session, help_request.resident, note):
        db.session.commit()
        return _tracking_response(help_request, _(
            "Đã gửi đề nghị đổi giờ. Tình nguyện viên sẽ liên hệ để hẹn lại."))
    return _tracking_response(help_request, str(REPLY_MESSAGES["closed"]), "info")


@bp.post("/lich-hen/<int:session_id>/khong-den-duoc")
@limiter.limit("30 per minute")
def track_cannot_come(session_id: int):
    """The resident cannot come; the leaders are told at once."""
    help_request, session, seat = _tracked_action(session_id)
    form = ReasonForm()
    reason = (form.reason.data or "").strip()[:300] if form.validate() else ""
    reply = reminders.reply_for(session, resident=help_request.resident)
    result = reminders.answer_reply(reply, ReplyAnswer.CANNOT_COME, reason or None)
    db.session.commit()
    return _tracking_response(help_request, str(REPLY_MESSAGES[result]))


@bp.post("/lich-hen/vang-mat/<int:no_show_id>/khieu-nai")
@limiter.limit("10 per minute")
def track_contest(no_show_id: int):
    """The resident contests a no-show recorded against them."""
    help_request = tracking.tracked_request(safe_int(request.form.get("request_id")))
    no_show = db.session.get(NoShow, no_show_id)
    if no_show is None or no_show.resident_id != help_request.resident_id:
        abort(404)
    form = ContestForm()
    if not form.validate():
        return _tracking_response(help_request, _("Vui lòng cho biết lý do khiếu nại."),
                                  "error")
    try:
        attendance.contest_no_show(no_show, form.text.data)
        db.session.commit()
    except SchedulingError as exc:
        return _tracking_response(help_request, exc.message, "info")
    return _tracking_response(help_request, _("Đã gửi khiếu nại. Tổ trưởng sẽ xem xét."))
