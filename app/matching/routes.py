"""Routes of the matching area: "Yêu cầu gần bạn", accept, hand back, suggestions, batch."""
from __future__ import annotations

from functools import lru_cache

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.areas import scope
from app.audit import audit
from app.clock import today_local, utcnow
from app.extensions import db
from app.matching import batch as ward_batch  # `batch` is the batch page here
from app.matching import bp, services
from app.matching.forms import ActionForm, AssignForm, HandBackForm
from app.models import Place, RequestStatus
from app.permissions import deny, is_manager, is_volunteer, role_required
from app.refusal import Refusal
from app.privacy import can_see_personal_data, prefetch_assignments, resident_label
from app.timeslots import describe
from app.web import is_fragment_request, redirect_after_write, render

MAX_BATCH_FIELDS = 5000


def matching_helpers() -> dict:
    """Context of the matching pages (registered by app.templating)."""
    # Pages of the batch describe thousands of time masks: translate each mask once.
    return {"now": utcnow(), "resident_label": resident_label,
            "can_see_personal_data": can_see_personal_data,
            "describe_times": lru_cache(maxsize=None)(describe), "Place": Place,
            "RequestStatus": RequestStatus, "volunteer_for": volunteer_for}


def volunteer_for(code: str) -> str:
    """The label of a request's choice of volunteer in the batch, one per row: translated
    here, since _() called in a template loop copies the whole template context each time."""
    return _("Tình nguyện viên cho %(code)s", code=code)


def _record_contact_read(help_request) -> bool:
    """Whether the contact is shown; a shown contact is a read of personal data: audited."""
    resident = help_request.resident
    if not can_see_personal_data(current_user, resident):
        return False
    audit("view", f"resident:{resident.id}", resident=resident,
          detail=f"contact for request {help_request.code}")
    return True


# --- the volunteer's feed ---------------------------------------------------------------------
def _commit_keeping_loaded_rows() -> None:
    """Commit the taking and the read of a contact before the feed is loaded, without
    expiring the rows this request already holds (the volunteer, their profile, the request
    just taken): they are current, and reading them again would cost a query each."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _feed(*, status: int = 200, message: str | None = None, message_kind: str = "info",
          just_taken=None):
    show_contact = _record_contact_read(just_taken) if just_taken is not None else False
    _commit_keeping_loaded_rows()
    feed = services.open_requests_near(current_user.volunteer_profile)
    prefetch_assignments(current_user, [item.request.resident for item in feed.items]
                         + [r.resident for r in feed.held])
    return render("matching/near_me.html", block="feed", status=status, feed=feed,
                  message=message, message_kind=message_kind, just_taken=just_taken,
                  show_contact=show_contact, action_form=ActionForm(), today=today_local())


@bp.get("/yeu-cau-gan-ban")
@role_required(is_volunteer)
def near_me():
    """Open requests that fit the volunteer, nearest and longest waiting first."""
    return _feed()


@bp.post("/yeu-cau-gan-ban/<int:request_id>/nhan")
@role_required(is_volunteer)
def accept(request_id: int):
    """Accept in one tap. The database decides between simultaneous accepts."""
    profile = current_user.volunteer_profile
    services.get_request_in_reach_for(current_user, request_id)
    try:
        if profile is None:
            raise Refusal(reason="verified")
        taken = services.accept_request(profile, request_id)
    except Refusal as exc:
        db.session.rollback()
        message = services.refusal_message(exc.reason)
        if is_fragment_request():
            return _feed(status=409, message=message, message_kind="warning")
        flash(message, "warning")
        return redirect(url_for("matching.near_me"), 303)
    if is_fragment_request():
        # The taking is committed with the read of the contact, before the feed is loaded.
        return _feed(just_taken=taken, message_kind="success", message=_(
            "Bạn đã nhận yêu cầu %(code)s. Cảm ơn bạn!", code=taken.code))
    db.session.commit()
    flash(_("Bạn đã nhận yêu cầu %(code)s. Cảm ơn bạn!", code=taken.code), "success")
    return redirect_after_write(url_for("matching.assignment", request_id=taken.id))


@bp.get("/yeu-cau-gan-ban/<int:request_id>")
@login_required
def assignment(request_id: int):
    """A request the volunteer holds: the resident's contact, what to say, what comes next."""
    help_request = services.get_held_request_for(current_user, request_id)
    return _assignment(help_request)


def _assignment(help_request, *, status: int = 200, block: str | None = None, form=None):
    show_contact = _record_contact_read(help_request)
    db.session.commit()
    return render("matching/assignment.html", block=block, status=status,
                  help_request=help_request, show_contact=show_contact,
                  form=form or HandBackForm(), today=today_local())


@bp.post("/yeu-cau-gan-ban/<int:request_id>/tra-lai")
@role_required(is_volunteer)
def hand_back(request_id: int):
    """Give a request back with a reason; it returns to the queue and the leaders are told."""
    help_request = services.get_held_request_for(current_user, request_id)
    form = HandBackForm()
    if form.validate_on_submit():
        try:
            services.hand_back(current_user.volunteer_profile, request_id, form.reason.data)
        except Refusal as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, services.refusal_message(exc.reason)]
        else:
            db.session.commit()
            flash(_("Đã trả lại yêu cầu %(code)s. Tổ trưởng đã được báo để tìm người khác.",
                    code=help_request.code), "info")
            return redirect_after_write(url_for("matching.near_me"))
    return _assignment(help_request, status=422, block="hand_back", form=form)


# --- suggestions for leaders ---------------------------------------------------------------
def _suggestions(help_request, *, status: int = 200, message: str | None = None,
                 message_kind: str = "info"):
    db.session.refresh(help_request)
    good, others = ([], [])
    if help_request.status == RequestStatus.OPEN:
        good, others = services.suggestions_for(help_request)
    return render("matching/suggestions.html", block="suggestions", status=status,
                  help_request=help_request, suggestions=good, unsuitable=others,
                  message=message, message_kind=message_kind, action_form=AssignForm(),
                  refusal_message=services.refusal_message, today=today_local())


@bp.get("/ghep-cap/yeu-cau/<int:request_id>")
@role_required(is_manager)
def suggestions(request_id: int):
    """Eligible volunteers for an open request, ranked, with the reasons in words."""
    return _suggestions(services.get_request_to_manage(current_user, request_id))


@bp.post("/ghep-cap/yeu-cau/<int:request_id>/giao")
@role_required(is_manager)
def assign(request_id: int):
    """One-tap assignment by a leader; the same rules and the same race as accepting."""
    help_request = services.get_request_to_manage(current_user, request_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _suggestions(help_request, status=422, message_kind="error",
                            message=_("Vui lòng chọn một tình nguyện viên."))
    try:
        taken = services.assign_request(current_user, request_id, form.volunteer_id.data)
    except Refusal as exc:
        db.session.rollback()
        message = services.refusal_message(exc.reason, yourself=False)
        if is_fragment_request():
            return _suggestions(help_request, status=409, message=message,
                                message_kind="warning")
        flash(message, "warning")
        return redirect(url_for("matching.suggestions", request_id=request_id), 303)
    db.session.commit()
    message = _("Đã giao yêu cầu %(code)s cho %(name)s. Bạn ấy và người dân đã được báo.",
                code=taken.code, name=taken.volunteer.user.full_name)
    if is_fragment_request():
        return _suggestions(help_request, message=message, message_kind="success")
    flash(message, "success")
    return redirect_after_write(url_for("matching.suggestions", request_id=request_id))


# --- the batch for a ward ------------------------------------------------------------------
def _choices_from_form(form) -> dict[int, int | None]:
    """{request id: volunteer id or None} from fields named r-<request id>."""
    choices: dict[int, int | None] = {}
    for key in list(form.keys())[:MAX_BATCH_FIELDS]:
        if not key.startswith("r-"):
            continue
        try:
            request_id = int(key[2:])
            value = form.get(key, "").strip()
            choices[request_id] = int(value) if value else None
        except ValueError:
            continue
    return choices


@bp.route("/ghep-cap/hang-loat", methods=["GET", "POST"])
@role_required(is_manager)
def batch():
    """A proposal for all open requests of a ward: reviewed, edited, applied at once."""
    wards = scope.visible_wards(current_user)
    ward_id = request.values.get("ward", type=int)
    ward = None
    if ward_id is not None:
        ward = next((w for w in wards if w.id == ward_id), None)
        if ward is None:
            deny(f"batch for ward {ward_id} out of scope")
    elif len(wards) == 1:
        ward = wards[0]
    if ward is None:
        return render("matching/batch.html", wards=wards, ward=None, proposal=None, report=None)

    report = None
    if request.method == "POST":
        report = ward_batch.apply_batch(current_user, ward, _choices_from_form(request.form))
        db.session.commit()
        if not report.conflicts:
            flash(_("Đã giao %(count)d yêu cầu. Tình nguyện viên và người dân đã được báo.",
                    count=len(report.applied)), "success")
            return redirect_after_write(url_for("matching.batch", ward=ward.id))
    proposal = ward_batch.propose_for_ward(current_user, ward)
    return render("matching/batch.html", wards=wards, ward=ward,
                  proposal=proposal, report=report, action_form=ActionForm(),
                  refusal_message=services.refusal_message)
