"""Routes of calendars and of residents' answers: the week of a group or ward, a volunteer's sessions and feed, replies to reminders, the tracking page's actions."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, g, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.areas import scope
from app.clock import today_local, utcnow
from app.extensions import db, limiter
from app.models import NoShow, NoShowStatus, ReplyAnswer
from app.permissions import is_manager, is_volunteer, role_required
from app.sessions import attendance, bp, calendars, reminders, tracking
from app.refusal import Refusal
from app.sessions.forms import ContestForm, ReasonForm, safe_int
from app.web import is_fragment_request, redirect_after_write, render


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
                  previous_monday=monday - timedelta(days=7),
                  next_monday=monday + timedelta(days=7),
                  sunday=monday + timedelta(days=6), contested=len([
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
                  contest_form=ContestForm(formdata=None))


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
def _tracking_response(help_request, notice: str, category: str = "success"):
    g.personal_data = True
    if is_fragment_request():
        response = make_response(render_template(
            "sessions/_tracking_actions.html", help_request=help_request, notice=notice,
            tracked_sessions=tracking.tracking_sessions(help_request)))
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
    return render("sessions/tracked.html", help_request=help_request, personal_data=True,
                  tracked_sessions=tracking.tracking_sessions(help_request))


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
    except Refusal as exc:
        return _tracking_response(help_request, exc.message, "info")
    return _tracking_response(help_request, _("Đã gửi khiếu nại. Tổ trưởng sẽ xem xét."))
