"""Routes of the volunteers area: the volunteer's own profile; the directory, detail,
verification, revocation and pairing for leaders and ward officials."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.areas import scope
from app.clock import today_local, utcnow
from app.extensions import db
from app.models import (HelpRequest, RequestStatus, Session, SessionStatus, SessionVolunteer, Topic,
                        VolunteerProfile, Ward)
from app.permissions import is_manager, is_volunteer, role_required
from app.refusal import Refusal
from app.text import fold
from app.timeslots import DAY_NAMES, describe
from app.volunteers import bp, services
from app.volunteers.forms import (PartnerForm, ProfileForm, RevokeForm, VerifyForm,
                                  keys_from_mask, mask_from_keys)
from app.web import redirect_after_write, render


def volunteer_helpers() -> dict:
    """Context of the volunteers' pages (registered by app.templating)."""
    return {"describe_times": describe}


STATUS_FILTERS = ("cho-xac-minh", "da-xac-minh", "da-thu-hoi")
PAGE_SIZE = 50


def _error_message(key: str) -> str:
    return {
        "consent_required": _("Bạn này dưới 18 tuổi: cần ghi nhận sự đồng ý của cha mẹ hoặc "
                              "nhà trường trước khi xác minh."),
        "no_areas": _("Bạn này chưa chọn tổ dân phố hoặc phường hỗ trợ. Hãy nhờ bạn ấy cập nhật "
                      "hồ sơ trước."),
        "not_in_scope": _("Bạn chỉ quản lý được tình nguyện viên thuộc tổ hoặc phường của mình."),
        "not_minor": _("Chỉ tình nguyện viên dưới 18 tuổi mới cần người lớn đi cùng."),
        "partner_not_adult": _("Người đi cùng phải là tình nguyện viên người lớn đã được "
                               "xác minh."),
        "birth_year_required": _("Vui lòng nhập năm sinh."),
    }.get(key, _("Không thực hiện được. Vui lòng thử lại."))


# --- the volunteer's own profile ----------------------------------------------------------
def _area_choices() -> list[Ward]:
    return list(db.session.scalars(select(Ward).order_by(Ward.name, Ward.id)))


def _profile_form(profile: VolunteerProfile | None, wards: list[Ward]) -> ProfileForm:
    initial = {}
    if profile is not None:
        initial = dict(
            kind=profile.kind.value, organisation=profile.organisation,
            birth_year=profile.birth_year, zalo=profile.zalo,
            topics=[t.id for t in profile.topics],
            availability=keys_from_mask(profile.availability),
            areas=[services.area_key(a) for a in profile.areas],
            weekly_capacity=profile.weekly_capacity, paused_until=profile.paused_until,
            guardian_consent_by=profile.guardian_consent_by,
            guardian_consent_on=profile.guardian_consent_on)
    form = ProfileForm(data=initial, verified=bool(profile and profile.is_verified))
    topics = db.session.scalars(select(Topic).where(Topic.active.is_(True))
                                .order_by(Topic.position, Topic.id))
    form.topics.choices = [(t.id, t.name) for t in topics]
    form.areas.choices = [choice for ward in wards for choice in (
        [(f"w{ward.id}", _("Cả %(ward)s", ward=ward.name))]
        + [(f"g{g.id}", g.name) for g in ward.groups])]
    return form


@bp.route("/tinh-nguyen-vien/ho-so", methods=["GET", "POST"])
@role_required(is_volunteer)
def profile():
    """A volunteer edits their own profile: what, where, when, how much."""
    current = current_user.volunteer_profile
    wards = _area_choices()
    form = _profile_form(current, wards)
    if form.validate_on_submit():
        try:
            saved = services.save_profile(
                current_user, kind=form.kind.data, organisation=form.organisation.data,
                birth_year=None if form.verified else form.birth_year.data,
                zalo=form.zalo.data, topic_ids=form.topics.data,
                availability=mask_from_keys(form.availability.data),
                area_keys=form.areas.data, weekly_capacity=form.weekly_capacity.data,
                paused_until=form.paused_until.data,
                guardian_consent_by=form.guardian_consent_by.data,
                guardian_consent_on=form.guardian_consent_on.data)
        except Refusal as exc:
            db.session.rollback()
            form.birth_year.errors = [*form.birth_year.errors, _error_message(exc.reason)]
        else:
            db.session.commit()
            if not saved.is_verified and saved.revoked_at is None:
                flash(_("Đã lưu hồ sơ. Tổ trưởng hoặc cán bộ phường của khu vực bạn chọn sẽ "
                        "hẹn gặp để xác minh."), "success")
            else:
                flash(_("Đã lưu hồ sơ."), "success")
            return redirect_after_write(url_for("volunteers.profile"))
    status = 422 if form.errors else 200
    chosen = set(form.areas.data or ())
    open_wards = {w.id for w in wards if f"w{w.id}" in chosen
                  or any(f"g{g.id}" in chosen for g in w.groups)}
    return render("volunteers/profile.html", block="form", status=status, form=form,
                  profile=current, wards=wards, today=today_local(), open_wards=open_wards,
                  day_names=DAY_NAMES,
                  minor=bool(current and current.is_minor(today_local())))


# --- directory for leaders and officials ----------------------------------------------------
def _status_of(profile: VolunteerProfile) -> str:
    if profile.revoked_at is not None:
        return "da-thu-hoi"
    return "da-xac-minh" if profile.verified_at is not None else "cho-xac-minh"


@bp.get("/tinh-nguyen-vien")
@role_required(is_manager)
def directory():
    """Volunteers of the leader's or official's areas, those waiting for verification first."""
    status = request.args.get("trang-thai", "")
    status = status if status in STATUS_FILTERS else ""
    query = (request.args.get("q") or "")[:100]
    try:
        page = max(1, int(request.args.get("trang", "1")))
    except ValueError:
        page = 1
    profiles = services.volunteers_in_scope(current_user)
    counts = {key: sum(1 for p in profiles if _status_of(p) == key) for key in STATUS_FILTERS}
    if status:
        profiles = [p for p in profiles if _status_of(p) == status]
    if query.strip():
        needle = fold(query)
        profiles = [p for p in profiles if needle in fold(p.user.full_name)
                    or needle in fold(p.organisation)]
    total = len(profiles)
    shown = profiles[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    loads = services.weekly_load([p.id for p in shown])
    return render("volunteers/directory.html", block="results", profiles=shown, loads=loads,
                  counts=counts, status_filter=status, query=query, page=page, total=total,
                  pages=max(1, -(-total // PAGE_SIZE)), status_of=_status_of,
                  batch_wards=scope.visible_wards(current_user), today=today_local())


# --- one volunteer ------------------------------------------------------------------------
def _detail(profile: VolunteerProfile, *, status: int = 200, block: str | None = None,
            verify_form=None, revoke_form=None, partner_form=None, revocation=None):
    manages = services.manages_volunteer(current_user, profile)
    today = today_local()
    minor = profile.is_minor(today)
    verify_form = verify_form or VerifyForm(
        needs_consent=minor and not profile.has_guardian_consent,
        data={"guardian_consent_by": profile.guardian_consent_by,
              "guardian_consent_on": profile.guardian_consent_on})
    revoke_form = revoke_form or RevokeForm()
    if partner_form is None and minor and manages:
        partner_form = _partner_form(profile)
    upcoming = list(db.session.scalars(
        select(Session).join(SessionVolunteer, SessionVolunteer.session_id == Session.id)
        .where(SessionVolunteer.volunteer_id == profile.id, Session.starts_at > utcnow(),
               Session.status.in_(SessionStatus.ACTIVE))
        .order_by(Session.starts_at).limit(20)))
    held = list(db.session.scalars(
        select(HelpRequest).where((HelpRequest.volunteer_id == profile.id)
                                  | (HelpRequest.companion_volunteer_id == profile.id),
                                  HelpRequest.status.in_(RequestStatus.HELD))
        .order_by(HelpRequest.assigned_at)))
    return render("volunteers/detail.html", block=block, status=status, profile=profile,
                  manages=manages, minor=minor, load=services.weekly_load([profile.id])[profile.id],
                  verify_form=verify_form, revoke_form=revoke_form, partner_form=partner_form,
                  upcoming=upcoming, held=held, revocation=revocation, today=today,
                  done_sessions=_done_sessions(profile))


def _done_sessions(profile: VolunteerProfile) -> int:
    return db.session.scalar(
        select(func.count(SessionVolunteer.id))
        .join(Session, Session.id == SessionVolunteer.session_id)
        .where(SessionVolunteer.volunteer_id == profile.id,
               Session.status == SessionStatus.DONE)) or 0


def _partner_form(profile: VolunteerProfile) -> PartnerForm:
    form = PartnerForm(data={"partner": profile.adult_partner_id or 0})
    form.partner.choices = [(0, _("— Chưa ghép cặp —"))] + [
        (p.id, p.user.full_name + (f" ({p.organisation})" if p.organisation else ""))
        for p in services.partner_candidates(current_user, profile)]
    return form


@bp.get("/tinh-nguyen-vien/<int:volunteer_id>")
@login_required
def detail(volunteer_id: int):
    profile = services.get_volunteer_for(current_user, volunteer_id)
    return _detail(profile)


@bp.post("/tinh-nguyen-vien/<int:volunteer_id>/xac-minh")
@role_required(is_manager)
def verify(volunteer_id: int):
    """A leader or official who met the volunteer verifies them (and a minor's consent)."""
    profile = services.get_volunteer_for(current_user, volunteer_id, manage=True)
    form = VerifyForm(needs_consent=profile.is_minor(today_local())
                      and not profile.has_guardian_consent)
    if form.validate_on_submit():
        try:
            services.verify_volunteer(profile, current_user,
                                      guardian_consent_by=form.guardian_consent_by.data,
                                      guardian_consent_on=form.guardian_consent_on.data)
        except Refusal as exc:
            db.session.rollback()
            form.seen_id.errors = [*form.seen_id.errors, _error_message(exc.reason)]
        else:
            db.session.commit()
            flash(_("Đã xác minh %(name)s. Bạn ấy có thể nhận yêu cầu từ bây giờ.",
                    name=profile.user.full_name), "success")
            return redirect_after_write(url_for("volunteers.detail", volunteer_id=profile.id))
    return _detail(profile, status=422, block="verify", verify_form=form)


@bp.post("/tinh-nguyen-vien/<int:volunteer_id>/thu-hoi")
@role_required(is_manager)
def revoke(volunteer_id: int):
    """Revoke a verification: off future sessions, requests back to the queue, leaders told."""
    profile = services.get_volunteer_for(current_user, volunteer_id, manage=True)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            result = services.revoke_verification(profile, current_user, form.reason.data)
        except Refusal as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, _error_message(exc.reason)]
        else:
            db.session.commit()
            flash(_("Đã thu hồi xác minh của %(name)s: %(sessions)d buổi sắp tới cần người "
                    "thay, %(requests)d yêu cầu đã trở lại hàng chờ. Tổ trưởng đã được báo.",
                    name=profile.user.full_name, sessions=len(result.sessions),
                    requests=len(result.reopened)), "warning")
            return redirect_after_write(url_for("volunteers.detail", volunteer_id=profile.id))
    return _detail(profile, status=422, block="revoke", revoke_form=form)


@bp.post("/tinh-nguyen-vien/<int:volunteer_id>/nguoi-di-cung")
@role_required(is_manager)
def partner(volunteer_id: int):
    """Pair a volunteer under 18 with the adult who goes along on home visits."""
    profile = services.get_volunteer_for(current_user, volunteer_id, manage=True)
    form = _partner_form(profile)
    if form.validate_on_submit():
        chosen = db.session.get(VolunteerProfile, form.partner.data) if form.partner.data else None
        try:
            services.set_adult_partner(profile, chosen, current_user)
        except Refusal as exc:
            db.session.rollback()
            form.partner.errors = [*form.partner.errors, _error_message(exc.reason)]
        else:
            db.session.commit()
            flash(_("Đã ghép cặp với %(name)s.", name=chosen.user.full_name) if chosen
                  else _("Đã bỏ ghép cặp."), "success")
            return redirect_after_write(url_for("volunteers.detail", volunteer_id=profile.id))
    return _detail(profile, status=422, block="partner", partner_form=form)
