"""Routes of the coverage area: thin — parse, ask the services, choose the response."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, g, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.areas import scope
from app.audit import audit
from app.clock import utcnow
from app.coverage import areas, bp, charts, exports, monthly, snapshots
from app.coverage import figures as coverage_figures  # `figures` names a page's figures here
from app.coverage import targets as coverage_targets  # `targets` is the targets page here
from app.coverage import services as s
from app.coverage.forms import CoreTopicsForm, DenominatorsForm, targets_form_class
from app.extensions import db
from app.i18n import fmt_short_date, format_number
from app.models import Topic
from app.permissions import is_admin, is_manager, is_official, role_required
from app.web import redirect_after_write, render

PER_PAGE = 50


# --- template helpers (registered by app.templating) ------------------------------------------
def figure_url(figure: str, holder, topic=None, **extra) -> str:
    """Link to the list behind a figure of a row or an area."""
    args = dict(holder.args)
    if topic is not None:
        args["topic"] = getattr(topic, "id", topic)
    args.update(extra)
    # url_for's own result, built once per request: a roll-up links hundreds of figures.
    if "figure_url_base" not in g:
        g.figure_url_base = url_for("coverage.figure", figure="FIGURE")
    query = urlencode([(k, v) for k, v in args.items() if v is not None],
                      safe="!$'()*,/:;?@")  # as werkzeug encodes url_for's query
    return g.figure_url_base.replace("FIGURE", figure) + (f"?{query}" if query else "")


def number_vn(value, places: int = 1) -> str:
    """A number the Vietnamese way ("1.234,5"); "—" when unknown."""
    return "—" if value is None else format_number(value, places)


def percent_vn(value) -> str:
    """A percentage with one decimal ("12,5%"); "—" when unknown."""
    return "—" if value is None else format_number(value, 1, fixed=True) + "%"


def resident_name(resident) -> str:
    """The resident's name as this viewer may see it (the one privacy rule)."""
    from app.privacy import resident_label

    return resident_label(resident, current_user)


def yes_no(value) -> str:
    """"có", "không", or "chưa rõ" when unknown."""
    if value is None:
        return _("chưa rõ")
    return _("có") if value else _("không")


def _area_from_args():
    return areas.get_area_for(current_user, request.args.get("level"), request.args.get("key"))


def _charts_for(area, table=None, weeks=None, balances=None):
    if weeks is None:
        weeks = s.weekly_activity(area, table.now if table else None)
    if balances is None:
        balances = s.topic_balance(area)
    chart = {
        "weeks": weeks,
        "weekly": charts.weekly_chart(weeks, lambda day: f"{day.day}/{day.month}"),
        "balances": balances,
        "topics": charts.topic_chart(balances),
    }
    if table is not None and table.rows:
        items = []
        for row in table.rows:
            fig = row.indicators["adults_basic"]
            text = percent_vn(fig.percent) if fig.percent is not None else _("chưa có mẫu số")
            items.append((row.label, fig.percent, fig.target.percent if fig.target else None,
                          fig.met, text))
        chart["coverage"] = charts.coverage_chart(items)
    return chart


# --- a leader's groups ------------------------------------------------------------------------
@bp.get("/do-bao-phu")
@role_required(is_manager)
def dashboard():
    """A leader's groups; officials and administrators go to their roll-up."""
    if not current_user.led_group_ids():
        if current_user.is_admin:
            return redirect(url_for("coverage.overall"))
        return redirect(url_for("coverage.ward"))
    area = areas.get_area_for(current_user, areas.Level.MINE, None)
    table = s.build_table(area)
    return render("coverage/dashboard.html", area=area, table=table,
                  chart=_charts_for(area, table))


@bp.get("/do-bao-phu/to/<int:group_id>")
@role_required(is_manager)
def group(group_id: int):
    area = areas.get_area_for(current_user, areas.Level.GROUP, group_id)
    table = s.build_table(area)
    return render("coverage/group.html", area=area, table=table, row=table.total,
                  chart=_charts_for(area))


@bp.route("/do-bao-phu/to/<int:group_id>/mau-so", methods=["GET", "POST"])
@role_required(is_manager)
def denominators(group_id: int):
    """The leader enters how many adults and households the group has, and when counted."""
    area = areas.get_area_for(current_user, areas.Level.GROUP, group_id)
    grp = area.group
    form = DenominatorsForm(obj=grp)
    if request.method == "GET" and grp.denominators_on is None:
        from app.clock import today_local
        form.denominators_on.data = today_local()
    if form.validate_on_submit():
        coverage_targets.update_denominators(grp, form.adults_count.data, form.households_count.data,
                              form.denominators_on.data)
        db.session.commit()
        flash(_("Đã lưu số người trưởng thành và số hộ của %(group)s.", group=grp.name),
              "success")
        return redirect_after_write(url_for("coverage.group", group_id=grp.id))
    status = 422 if form.errors else 200
    return render("coverage/denominators.html", block="form", status=status, form=form,
                  group=grp)


# --- roll-ups ------------------------------------------------------------------------------
@bp.get("/do-bao-phu/phuong")
@bp.get("/do-bao-phu/phuong/<int:ward_id>")
@role_required(is_official)
def ward(ward_id: int | None = None):
    """Every group of a ward, unserved and worst covered first."""
    if ward_id is None:
        wards = scope.overseen_wards(current_user)
        if len(wards) == 1:
            return redirect(url_for("coverage.ward", ward_id=wards[0].id))
        return render("coverage/choose_ward.html", wards=wards)
    area = areas.get_area_for(current_user, areas.Level.WARD, ward_id)
    table = s.build_table(area)
    return render("coverage/rollup.html", area=area, table=table,
                  chart=_charts_for(area, table))


@bp.get("/do-bao-phu/quan")
@role_required(is_official)
def district():
    """All wards of a district label (those in the official's scope)."""
    area = areas.get_area_for(current_user, areas.Level.DISTRICT, request.args.get("ten"))
    table = s.build_table(area)
    return render("coverage/rollup.html", area=area, table=table,
                  chart=_charts_for(area, table))


@bp.get("/do-bao-phu/toan-he-thong")
@role_required(is_admin)
def overall():
    """Every ward, from the snapshot counted ahead of time (see app/coverage/snapshots.py)."""
    area = areas.get_area_for(current_user, areas.Level.ALL, None)
    table, weeks, balances, snapshot = snapshots.figures_for(area)
    districts = sorted({row.district for row in table.rows if row.district})
    return render("coverage/rollup.html", area=area, table=table, districts=districts,
                  snapshot=snapshot, max_age_minutes=int(snapshots.max_age().total_seconds() // 60),
                  chart=_charts_for(area, table, weeks, balances))


@bp.post("/do-bao-phu/toan-he-thong/tinh-lai")
@role_required(is_admin)
def recount():
    """Count the whole installation again now (it takes a few seconds on a city)."""
    area = areas.get_area_for(current_user, areas.Level.ALL, None)
    snapshot = snapshots.compute(area)
    db.session.commit()
    flash(_("Đã tính lại số liệu toàn hệ thống (mất %(s)s giây).",
            s=number_vn(snapshot.seconds, 1)), "success")
    return redirect_after_write(url_for("coverage.overall"))


@bp.get("/do-bao-phu/cach-tinh")
@role_required(is_manager)
def definitions():
    return render("coverage/definitions.html", figures=coverage_figures.FIGURES.values(),
                  core_topics=coverage_targets.core_topics(), wait_days=s.unserved_wait_days())


# --- the list behind a figure ------------------------------------------------------------------
@bp.get("/do-bao-phu/so-lieu/<figure>")
@role_required(is_manager)
def figure(figure: str):
    definition = coverage_figures.FIGURES.get(figure)
    if definition is None:
        abort(404)
    area = _area_from_args()
    topic = None
    if definition.needs_topic:
        topic_id = request.args.get("topic", type=int)
        topic = db.session.get(Topic, topic_id) if topic_id else None
        if topic is None:
            abort(404)
    now = utcnow()
    page = request.args.get("page", 1, type=int)
    if definition.key == "unserved":
        rows = coverage_figures.unserved_group_rows(area, now)
        pagination, total_hours = None, None
    else:
        stmt, scalars = coverage_figures.figure_statement(area, definition, now, topic.id if topic else None)
        pagination = coverage_figures.paginate(stmt, page=page, per_page=PER_PAGE, scalars=scalars)
        rows = pagination.items
        total_hours = coverage_figures.hours_total(area, now) if definition.key == "hours" else None
    audit("view", f"coverage:{definition.key}", ward_id=area.ward_id,
          detail=f"{area.level}:{area.key or ''}"[:300])
    db.session.commit()
    return render("coverage/figure.html", block="list", definition=definition, area=area,
                  topic=topic, rows=rows, pagination=pagination, total_hours=total_hours,
                  now=now, wait_days=s.unserved_wait_days())


# --- exports and the monthly report -------------------------------------------------------------
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/do-bao-phu/xuat.<fmt>")
@role_required(is_manager)
def export(fmt: str):
    """The table of an area as CSV or Excel."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    area = _area_from_args()
    table, _weeks, balances, _snapshot = snapshots.figures_for(area)
    rows = exports.table_rows(table)
    if fmt == "csv":
        body = exports.to_csv(rows)
    else:
        body = exports.to_xlsx([(_("Độ bao phủ"), rows, True),
                                (_("Theo chủ đề"), exports.topic_rows(balances), False)],
                               title=area.label)
    audit("export", f"export:coverage-{area.level}", ward_id=area.ward_id,
          detail=f"{fmt} {area.level}:{area.key or ''}"[:300])
    db.session.commit()
    response = make_response(body)
    response.headers["Content-Type"] = EXPORT_TYPES[fmt]
    stamp = table.now.strftime("%Y%m%d")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="do-bao-phu-{area.level}-{area.key or "tat-ca"}-{stamp}.{fmt}"')
    return response


@bp.get("/do-bao-phu/phuong/<int:ward_id>/bao-cao-thang")
@role_required(is_official)
def monthly_report(ward_id: int):
    """A printable report of one month of a ward: activity, coverage, topics."""
    area = areas.get_area_for(current_user, areas.Level.WARD, ward_id)
    try:
        first = monthly.parse_month(request.args.get("thang"))
    except ValueError:
        abort(400)
    rows, total = monthly.monthly_activity(area, first)
    table = s.build_table(area)
    audit("export", f"report:monthly-ward:{ward_id}", ward_id=ward_id,
          detail=first.strftime("%Y-%m"))
    db.session.commit()
    return render("coverage/monthly_report.html", area=area, first=first, rows=rows,
                  total=total, table=table, balances=s.topic_balance(area),
                  printed_on=fmt_short_date(table.now))


# --- targets and the core topics -----------------------------------------------------------------
@bp.route("/do-bao-phu/chi-tieu", methods=["GET", "POST"])
@role_required(is_official)
def targets():
    scope = coverage_targets.get_target_scope_for(current_user, request.args.get("level"),
                                   request.args.get("key"))
    form_class = targets_form_class()
    current = coverage_targets.targets_of(scope)
    form = form_class()
    if request.method == "GET":
        for indicator, target in current.items():
            if hasattr(form, f"{indicator.value}_percent"):
                getattr(form, f"{indicator.value}_percent").data = target.percent
                getattr(form, f"{indicator.value}_strict").data = target.strictly_above
    if form.validate_on_submit():
        values = {indicator: (getattr(form, f"{indicator.value}_percent").data,
                              bool(getattr(form, f"{indicator.value}_strict").data))
                  for indicator, _f, _dn in s.INDICATORS}
        coverage_targets.save_targets(scope, values)
        db.session.commit()
        flash(_("Đã lưu chỉ tiêu của %(area)s.", area=scope.label), "success")
        return redirect_after_write(url_for("coverage.targets", **scope.args))
    status = 422 if form.errors else 200
    return render("coverage/targets.html", block="form", status=status, form=form, scope=scope,
                  indicators=s.INDICATORS,
                  inherited=coverage_targets.inherited_targets(scope))


@bp.route("/do-bao-phu/chu-de-co-ban", methods=["GET", "POST"])
@role_required(is_admin)
def core_topics():
    """Which topics make up "basic digital skills"."""
    topics = list(db.session.scalars(select(Topic).order_by(Topic.position, Topic.id)))
    form = CoreTopicsForm()
    form.topics.choices = [(t.id, t.name) for t in topics]
    if request.method == "GET":
        form.topics.data = [t.id for t in topics if t.core]
    if form.validate_on_submit():
        coverage_targets.set_core_topics(set(form.topics.data or []))
        db.session.commit()
        flash(_("Đã lưu danh sách chủ đề kỹ năng số cơ bản."), "success")
        return redirect_after_write(url_for("coverage.core_topics"))
    status = 422 if form.errors else 200
    return render("coverage/core_topics.html", block="form", status=status, form=form,
                  topics={t.id: t for t in topics})
