"""Routes of the notify area: the inbox and its bell, preferences, failed deliveries,
and the development outbox."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit import audit
from app.extensions import db
from app.models import NotifyChannel, Resident
from app.notify import bp, services
from app.notify.delivery import deliver_due
from app.notify.forms import PreferencesForm, ResidentPreferencesForm
from app.notify.preferences import preference_for, set_preferences
from app.permissions import is_admin, is_manager, load, role_required
from app.privacy import resident_label
from app.refusal import Refusal
from app.web import redirect_after_write, render


# --- inbox and bell ------------------------------------------------------------------------
@bp.get("/thong-bao")
@login_required
def inbox():
    """The signed-in person's messages, newest first; showing them marks them read."""
    page = services.inbox_page(current_user, page=request.args.get("trang", 1, type=int))
    entries = [services.inbox_entry(m) for m in page.items]
    services.mark_read(current_user, [e.id for e in entries if e.unread])
    db.session.commit()
    return render("notify/inbox.html", block="list", page=page, entries=entries)


@bp.get("/thong-bao/chuong")
def bell():
    """The unread count in the header, polled by htmx."""
    if not current_user.is_authenticated:
        # 286 tells htmx to stop polling (the person signed out in another tab).
        return render("notify/_bell_count.html", status=286, unread=0)
    _keep_idle_clock()
    return render("notify/_bell_count.html", unread=services.unread_count(current_user))


def _keep_idle_clock() -> None:
    """Polling the bell is not activity: an open tab must not keep a login alive forever."""
    original = current_app.session_interface.open_session(current_app, request)
    if original is not None and original.get("seen") is not None:
        session["seen"] = original["seen"]


# --- preferences -------------------------------------------------------------------------------
@bp.route("/thong-bao/cai-dat", methods=["GET", "POST"])
@login_required
def preferences():
    stored = preference_for(user=current_user)
    form = PreferencesForm(data={
        "channel": NotifyChannel(stored.channel).value, "email": current_user.email or "",
        "daily_digest": stored.daily_digest, "opted_out": stored.opted_out,
    } if request.method == "GET" else None)
    if form.validate_on_submit():
        if form.email.data != (current_user.email or ""):
            current_user.email = form.email.data or None
        try:
            set_preferences(user=current_user, channel=form.channel.data,
                            opted_out=form.opted_out.data, daily_digest=form.daily_digest.data,
                            by=current_user)
        except Refusal as exc:
            db.session.rollback()
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Đã lưu cách nhận thông báo của bạn."), "success")
            return redirect_after_write(url_for("notify.preferences"))
    status = 422 if form.errors else 200
    return render("notify/preferences.html", block="form", status=status, form=form)


def _resident_for(user, resident_id: int) -> Resident:
    """The one loader of a resident in this area: 404 if unknown, 403 outside the groups."""
    return load(Resident, resident_id, gone=lambda r: r.erased_at is not None,
                may=lambda r: user.can_manage_group(r.group),
                refusal="resident notification settings outside the managed groups")


@bp.route("/thong-bao/nguoi-dan/<int:resident_id>/cai-dat", methods=["GET", "POST"])
@role_required(is_manager)
def resident_preferences(resident_id: int):
    """A leader records how a resident without an account wants to be told (or not at all)."""
    resident = _resident_for(current_user, resident_id)
    stored = preference_for(resident=resident)
    form = ResidentPreferencesForm(data={
        "channel": NotifyChannel(stored.channel).value, "opted_out": stored.opted_out,
    } if request.method == "GET" else None)
    if form.validate_on_submit():
        set_preferences(resident=resident, channel=form.channel.data,
                        opted_out=form.opted_out.data, by=current_user)
        audit("change", f"resident:{resident.id}", resident=resident,
              detail=f"notify: {form.channel.data}{' opted out' if form.opted_out.data else ''}")
        db.session.commit()
        flash(_("Đã lưu cách nhận tin của %(name)s.", name=resident.full_name), "success")
        return redirect_after_write(url_for("notify.resident_preferences",
                                            resident_id=resident.id))
    status = 422 if form.errors else 200
    return render("notify/resident_preferences.html", block="form", status=status, form=form,
                  resident=resident, label=resident_label(resident, current_user))


# --- failed deliveries -------------------------------------------------------------------------
@bp.get("/thong-bao/gui-loi")
@role_required(is_manager)
def failures():
    """Messages that did not reach someone in the leader's groups, with what to do."""
    rows = services.failure_rows(current_user, services.failures_for(current_user))
    db.session.commit()  # the audit of the contact details shown
    return render("notify/failures.html", rows=rows)


@bp.post("/thong-bao/gui-loi/<int:message_id>/gui-lai")
@role_required(is_manager)
def retry_failure(message_id: int):
    message = services.get_failure_for(current_user, message_id)
    services.retry_failure(current_user, message)
    db.session.commit()
    return _row_done(_("Đã xếp tin vào hàng gửi lại."))


@bp.post("/thong-bao/gui-loi/<int:message_id>/da-xu-ly")
@role_required(is_manager)
def resolve_failure(message_id: int):
    message = services.get_failure_for(current_user, message_id)
    services.resolve_failure(current_user, message)
    db.session.commit()
    return _row_done(_("Đã đánh dấu là đã xử lý."))


def _row_done(message: str):
    """htmx: the row disappears (200, empty body); otherwise back to the list."""
    from app.web import is_fragment_request

    if is_fragment_request():
        response = make_response("", 200)
        response.vary.add("HX-Request")
        return response
    flash(message, "success")
    return redirect_after_write(url_for("notify.failures"))


# --- development outbox ------------------------------------------------------------------------
@bp.get("/thong-bao/hop-thu-gui")
@role_required(is_admin)
def dev_outbox():
    """Development: the messages that would have gone out, shown instead of being sent."""
    if not services.dev_outbox_enabled():
        abort(404)
    messages = services.recent_messages()
    return render("notify/dev_outbox.html", messages=messages,
                  recipients={m.id: services.recipient_name(m) for m in messages},
                  reasons={m.id: services.reason_label(m) for m in messages})


@bp.post("/thong-bao/hop-thu-gui/gui")
@role_required(is_admin)
def dev_deliver():
    if not services.dev_outbox_enabled():
        abort(404)
    report = deliver_due()
    flash(_("Đã chạy gửi tin: %(sent)d đã gửi, %(other)d chưa gửi được hoặc bỏ qua.",
            sent=report.outcomes.get("sent", 0),
            other=sum(report.outcomes.values()) - report.outcomes.get("sent", 0)), "info")
    return redirect_after_write(url_for("notify.dev_outbox"))
