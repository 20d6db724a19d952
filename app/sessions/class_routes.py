"""Routes of group classes: create and edit a class or a weekly series, invite waiting residents, walk-ins and seats."""
from __future__ import annotations


from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.areas import scope
from app.clock import to_local
from app.extensions import db
from app.models import Enrollment, EnrollmentStatus, Place, SessionKind, SessionStatus, Topic
from app.permissions import deny, is_manager, role_required
from app.privacy import resident_label
from app.sessions import bp, classes, services, words
from app.sessions import seats as seating  # `seats` names a page's list of seats here
from app.refusal import Refusal
from app.sessions.checks import Checks
from app.sessions.forms import ClassForm, WalkInForm, safe_int
from app.sessions.routes import attach_errors, check_response, place_of, when_of
from app.web import is_fragment_request, redirect_after_write, render


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
    starts, ends = when_of(form)
    profiles = getattr(form, "volunteer_profiles", {})
    topic_ids = set(form.topic_ids.data or [])
    return classes.ClassPlan(
        group=group, title=(form.title.data or "").strip(),
        topics=[t for t in db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids or {-1})))],
        place=place_of(form) or Place.COMMUNITY_HOUSE, place_name=form.place_name.data,
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
        return check_response(form, names, checks, plan.starts_at is not None)
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
        except Refusal as exc:
            db.session.rollback()
            general = attach_errors(form, exc.errors)
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
                except Refusal as exc:
                    db.session.rollback()
                    attach_errors(walk_in_form, {"full_name": [m for ms in exc.errors.values()
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
