"""Routes of the areas area: the short group links behind the QR posters, and the posters."""
from __future__ import annotations

from flask import make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.areas import bp, services
from app.areas import scope
from app.extensions import db
from app.models import Topic
from app.permissions import is_manager, role_required
from app.web import error_response, render


@bp.get("/g/<code>")
def group_link(code: str):
    """The short link on a group's poster: the request form with ward and group filled in."""
    group = services.group_by_code(code)
    if group is None:
        return error_response(404, _("Không tìm thấy tổ dân phố có mã này. Bạn vẫn có thể gửi "
                                     "yêu cầu và tự chọn tổ dân phố của mình."))
    return redirect(url_for("requests.new", to=group.code))


@bp.get("/g/<code>/ma-qr.svg")
def qr(code: str):
    """The group's QR code as an SVG file (to share in the group's Zalo or print elsewhere)."""
    group = services.group_by_code(code)
    if group is None:
        return error_response(404)
    response = make_response(services.qr_svg(services.group_short_url(group)))
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Content-Disposition"] = f'inline; filename="ma-qr-{group.code}.svg"'
    return response


@bp.get("/to-dan-pho")
@role_required(is_manager)
def groups():
    """The groups a leader leads (or an official oversees), with their links and posters."""
    rows = [(group, services.group_short_url(group))
            for group in scope.managed_groups(current_user)]
    return render("areas/groups.html", rows=rows, display_url=services.display_url)


def _poster_context(group_id: int) -> dict:
    group = services.get_group_for(current_user, group_id)
    url = services.group_short_url(group)
    topics = db.session.scalars(select(Topic).where(Topic.active.is_(True))
                                .order_by(Topic.position, Topic.id)).all()
    return dict(group=group, url=url, short_url=services.display_url(url),
                qr=services.qr_data_uri(url), topics=topics,
                leaders=scope.group_leaders(group.id))


@bp.get("/to-dan-pho/<int:group_id>/ap-phich")
@role_required(is_manager)
def poster(group_id: int):
    """An A4 poster for the group's notice board."""
    return render("areas/poster.html", **_poster_context(group_id))


@bp.get("/to-dan-pho/<int:group_id>/to-roi")
@role_required(is_manager)
def leaflet(group_id: int):
    """A half-page leaflet (two to an A4 sheet, cut along the line)."""
    return render("areas/leaflet.html", **_poster_context(group_id))
