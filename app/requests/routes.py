"""Routes of the requests area: the request form, tracking, the leaders' queue."""
from __future__ import annotations

import logging

from flask import abort, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import select

from app.areas.scope import managed_groups
from app.areas.services import group_by_code
from app.audit import audit
from app.extensions import db, limiter
from app.models import Group, HelpRequest, Place, RequestStatus, Resident
from app.permissions import deny, is_manager, role_required
from app.phone import InvalidPhone, display_phone, normalize_phone
from app.privacy import can_see_personal_data, resident_label
from app.requests import bp, services
from app.requests.forms import CancelForm, RequestForm, TrackForm
from app.sessions.seats import classes_open_to
from app.sessions.tracking import tracking_sessions
from app.web import redirect_after_write, render

log = logging.getLogger("cunghocso")

NEW = "requests/new.html"


# --- rate-limit keys -----------------------------------------------------------------------
def _phone_key(prefix: str):
    def key() -> str:
        try:
            return f"{prefix}:" + normalize_phone(request.form.get("phone"))
        except InvalidPhone:
            # Malformed numbers do not share one bucket: they count per address.
            return f"{prefix}-invalid:" + get_remote_address()
    return key


def _code_key() -> str:
    return "track-code:" + (services.normalize_code(request.form.get("code")) or "-")


def _files_for_others() -> bool:
    return services.files_for_others(current_user)


def _personal_page() -> None:
    """This response carries someone's personal data: never cached, not in htmx history."""
    g.personal_data = True


def _about(help_request) -> dict:
    """What the status and detail pages say about a request besides the request itself."""
    return dict(volunteer_name=services.volunteer_first_name(help_request),
                verifier=services.verified_by_words(help_request),
                cancellable=services.can_cancel(help_request))


# --- the request form ------------------------------------------------------------------------
def _form_context(form: RequestForm, **extra) -> dict:
    """What new.html needs besides the form: the matches offered beside phone and address."""
    context = dict(form=form, resident_match=None, household_match=None, personal_data=True)
    if form.proxy:
        context.update(services.resident_offer(current_user, form.phone.data))
    group = form.chosen_group or (db.session.get(Group, form.group.data)
                                  if form.group.data and form.group.data > 0 else None)
    if not form.address.errors:
        context.update(services.household_offer(current_user, group, form.address.data))
    context.update(extra)
    return context


@bp.route("/xin-ho-tro", methods=["GET", "POST"])
@limiter.limit("10 per minute; 30 per hour", methods=["POST"], exempt_when=_files_for_others)
@limiter.limit("5 per hour; 10 per day", methods=["POST"], key_func=_phone_key("request-phone"))
def new():
    """The one-minute request form, for residents and for those filing on their behalf."""
    form = RequestForm(user=current_user)
    if request.method == "GET":
        _prefill_from_query(form)
        return render(NEW, **_form_context(form, personal_data=False))

    _personal_page()
    if form.honeypot_filled:
        log.warning("request form: honeypot filled, nothing saved")
        form.general_errors.append(_("Không gửi được biểu mẫu. Vui lòng tải lại trang rồi thử "
                                     "lại, hoặc nhờ tổ trưởng gửi giúp."))
        return render(NEW, block="form", status=422, **_form_context(form))
    if not form.validate_on_submit():
        return render(NEW, block="form", status=422, **_form_context(form))

    filed_by = current_user if form.proxy else None
    filed = services.submit_request(services.Submission(
        full_name=form.full_name.data, phone_e164=form.phone.e164, group=form.chosen_group,
        topic_ids=form.topic_ids, preferred_times=form.times_mask,
        place=Place(form.place.data), note=form.note.data,
        address=form.address.data, gender=form.gender_value,
        birth_year=form.birth_year_value, consent_method=form.consent_method_value,
        filed_by=filed_by))
    if not filed.created:
        return _duplicate(filed.request)
    db.session.commit()
    session["created_request"] = filed.request.id
    session["created_joined_household"] = filed.joined_household
    if filed_by is None:
        services.remember_tracked(session, filed.request.id)
    return redirect_after_write(url_for("requests.created"))


def _duplicate(existing):
    """Show the open request that already covers this topic instead of filing another.

    Its code is shown only to those who may see it (this browser tracked it, or the
    leader of its group); otherwise it is sent again to the resident's own phone.
    """
    reveal = existing.id in services.tracked_ids(session) or (
        current_user.is_authenticated and current_user.can_manage_group(existing.group))
    if not reveal:
        services.resend_code(existing)
    db.session.commit()
    return render("requests/duplicate.html", block="form", existing=existing, reveal=reveal,
                  personal_data=True)


def _prefill_from_query(form: RequestForm) -> None:
    """`?to=<group code>` (from a poster) or, for leaders, `?nguoi-dan=<id>` (a record)."""
    group = group_by_code(request.args.get("to"))
    if group is not None and services.group_open_to(current_user, group):
        form.prefill_group(group)
    resident_id = request.args.get("nguoi-dan", type=int)
    if resident_id and form.proxy:
        resident = db.session.get(Resident, resident_id)
        if resident is not None and can_see_personal_data(current_user, resident):
            _fill_from_resident(form, resident)


def _fill_from_resident(form: RequestForm, resident: Resident) -> None:
    form.full_name.data = resident.full_name
    form.phone.data = display_phone(resident.phone)
    if resident.gender is not None:
        form.gender.data = resident.gender.value
    if resident.birth_year:
        form.birth_year.data = str(resident.birth_year)
    if resident.household is not None:
        form.address.data = resident.household.address
    if services.group_open_to(current_user, resident.group):
        form.prefill_group(resident.group)


@bp.post("/xin-ho-tro/cap-nhat")
@limiter.limit("30 per minute")
def refill():
    """Re-show the form without sending it: the groups of the chosen ward (without
    JavaScript), or the details of a known resident to reuse (on someone's behalf)."""
    _personal_page()
    form = RequestForm(user=current_user)
    if request.form.get("action") == "reuse" and form.proxy:
        offer = services.resident_offer(current_user, form.phone.data)
        if offer.get("resident_match_visible"):
            _fill_from_resident(form, offer["resident_match"])
    return render(NEW, block="form", **_form_context(form))


@bp.get("/xin-ho-tro/to-dan-pho")
def groups_for_ward():
    """The group list of the chosen ward (htmx swaps it in when the ward changes)."""
    form = RequestForm(formdata=request.args, user=current_user)
    form.group.data = None
    return render(NEW, block="group_field", form=form)


@bp.post("/xin-ho-tro/kiem-tra")
@limiter.limit("120 per minute")
def check():
    """Inline validation: the errors of one field (and what it matches), as the person types."""
    _personal_page()
    form = RequestForm(user=current_user)
    name = request.form.get("_field", "")
    if name not in form or name in ("csrf_token", "website"):
        abort(400)
    form.validate()
    return render("requests/_check.html", name=name, **_form_context(form))


@bp.get("/xin-ho-tro/da-gui")
def created():
    """The tracking code, large, with what happens next."""
    request_id = session.get("created_request")
    help_request = db.session.get(HelpRequest, request_id) if request_id else None
    allowed = help_request is not None and (
        request_id in services.tracked_ids(session)
        or (current_user.is_authenticated and help_request.created_by_id == current_user.id))
    if not allowed:
        return redirect(url_for("requests.new"))
    _personal_page()
    return render("requests/created.html", help_request=help_request,
                  told=services.told_words(help_request.group),
                  joined_household=session.get("created_joined_household", False),
                  can_open=current_user.is_authenticated
                  and current_user.can_manage_group(help_request.group),
                  personal_data=True)


# --- tracking ---------------------------------------------------------------------------------
@bp.route("/theo-doi", methods=["GET", "POST"])
@limiter.limit("10 per minute; 40 per hour", methods=["POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=_code_key)
def track():
    """Code and phone in a form (never in the URL); the same answer for a wrong pair as for
    an unknown code."""
    form = TrackForm()
    _personal_page()
    if form.validate_on_submit():
        help_request = services.find_for_tracking(form.code.data, form.phone.e164)
        if help_request is not None:
            services.remember_tracked(session, help_request.id)
            return redirect_after_write(url_for("requests.tracked", request_id=help_request.id))
        form.code.errors.append(_("Không tìm thấy yêu cầu với mã và số điện thoại này. Vui lòng "
                                  "kiểm tra lại, hoặc hỏi tổ trưởng."))
    status = 422 if form.errors else 200
    recent = _recent_tracked()
    return render("requests/track.html", block="form", status=status, form=form, recent=recent,
                  personal_data=True)


def _recent_tracked():
    ids = services.tracked_ids(session)
    if not ids:
        return []
    rows = db.session.scalars(select(HelpRequest).where(HelpRequest.id.in_(ids))).all()
    return sorted(rows, key=lambda r: ids.index(r.id), reverse=True)


@bp.get("/theo-doi/<int:request_id>")
def tracked(request_id: int):
    """The status in plain words, for a browser that proved code and phone."""
    help_request = services.get_tracked_request(session, request_id)
    if help_request is None:
        flash(_("Vui lòng nhập mã theo dõi và số điện thoại để xem yêu cầu."), "info")
        return redirect(url_for("requests.track"))
    _personal_page()
    return _status_page(help_request, CancelForm())


def _status_page(help_request, cancel_form, **kw):
    """The tracking page of a request (whole, or its `block` after a refused cancel)."""
    return render("requests/status.html", help_request=help_request,
                  sessions=services.live_sessions(help_request), cancel_form=cancel_form,
                  tracked_sessions=tracking_sessions(help_request), **_about(help_request),
                  told=services.told_words(help_request.group),
                  times=services.times_words(help_request.preferred_times), personal_data=True,
                  **kw)


@bp.post("/theo-doi/<int:request_id>/huy")
@limiter.limit("10 per hour")
def cancel_tracked(request_id: int):
    """The resident (or a relative) cancels their own request."""
    help_request = services.get_tracked_request(session, request_id)
    if help_request is None:
        return redirect_after_write(url_for("requests.track"))
    form = CancelForm()
    if not form.validate_on_submit():
        _personal_page()
        return _status_page(help_request, form, block="cancel", status=422)
    if services.cancel_request(request_id, reason=form.reason.data):
        flash(_("Đã hủy yêu cầu. Khi cần, bạn có thể gửi yêu cầu mới bất cứ lúc nào."),
              "success")
    else:
        flash(_("Yêu cầu này đã xong hoặc đã hủy trước đó."), "info")
    db.session.commit()
    return redirect_after_write(url_for("requests.tracked", request_id=request_id))


@bp.post("/theo-doi/quen")
def forget():
    """Forget on this device the requests it tracked (a shared phone or computer)."""
    services.forget_tracked(session)
    session.pop("created_request", None)
    flash(_("Máy này đã quên các yêu cầu bạn theo dõi."), "info")
    return redirect_after_write(url_for("requests.track"))


# --- leaders and officials ----------------------------------------------------------------------
@bp.get("/yeu-cau-cua-to")
@role_required(is_manager)
def queue():
    """The open requests of the person's groups, the longest-waiting first."""
    groups = managed_groups(current_user)
    group_id = request.args.get("to", type=int)
    if group_id is not None and group_id not in {gr.id for gr in groups}:
        deny(f"queue of group {group_id}")
    state = request.args.get("trang-thai", "waiting")
    if state not in services.QUEUE_FILTERS:
        state = "waiting"
    page = services.queue_for(current_user, state=state, group_id=group_id,
                              page=request.args.get("trang", 1, type=int))
    return render("requests/queue.html", block="results", page=page, groups=groups,
                  group_id=group_id, state=state, queue_filters=services.QUEUE_FILTERS,
                  counts=services.queue_counts(current_user, group_id),
                  label=lambda r: resident_label(r, current_user), describe=services.times_words)


@bp.get("/yeu-cau/<int:request_id>")
@login_required
def detail(request_id: int):
    """One request, for the leaders and officials of its group and its volunteer."""
    help_request = services.get_request_for(current_user, request_id)
    resident = help_request.resident
    visible = can_see_personal_data(current_user, resident)
    if visible:
        audit("view", f"request:{help_request.id}", resident=resident)
        db.session.commit()
    can_manage = current_user.can_manage_group(help_request.group)
    sessions = services.live_sessions(help_request)
    profile = getattr(current_user, "volunteer_profile", None)
    return render("requests/detail.html", help_request=help_request, resident=resident,
                  visible=visible, label=resident_label(resident, current_user),
                  sessions=sessions, **_about(help_request),
                  times=services.times_words(help_request.preferred_times), cancel_form=CancelForm(),
                  can_manage=can_manage,
                  # The next step, one tap away: give it to a volunteer or invite it into a
                  # class while it waits; set a time once someone has it.
                  classes=classes_open_to(help_request)
                  if can_manage and help_request.status == RequestStatus.OPEN else [],
                  may_schedule=help_request.status == RequestStatus.ASSIGNED and not sessions
                  and (can_manage or (profile is not None and profile.is_verified
                                      and help_request.volunteer_id == profile.id)))


@bp.post("/yeu-cau/<int:request_id>/huy")
@role_required(is_manager)
def cancel(request_id: int):
    """A leader cancels a request (the resident asked, or it is no longer needed)."""
    help_request = services.get_request_for(current_user, request_id)
    if not current_user.can_manage_group(help_request.group):
        deny(f"cancel request {request_id}")
    form = CancelForm()
    if form.validate_on_submit() and services.cancel_request(
            request_id, reason=form.reason.data, by_user=current_user):
        flash(_("Đã hủy yêu cầu %(code)s.", code=help_request.code), "success")
    elif not form.errors:
        flash(_("Yêu cầu này đã xong hoặc đã hủy trước đó."), "info")
    else:
        flash(form.reason.errors[0], "error")
    db.session.commit()
    return redirect_after_write(url_for("requests.detail", request_id=request_id))
