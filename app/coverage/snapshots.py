"""The whole installation's roll-up, computed ahead of time.

A ward's roll-up is counted live in a fraction of a second. The whole city's is the same
table over a hundred times more groups — seconds of work that every administrator's
visit would repeat. So that table (with its weekly activity and topic balance) is
computed by the very same `build_table` and kept as a snapshot:

- `flask --app wsgi coverage-snapshot` computes it; run it from cron every few minutes (the
  README's deployment notes). A page that finds no snapshot, or one older than
  COVERAGE_SNAPSHOT_MINUTES, computes it there and then.
- The page says when the figures were computed, and an administrator may compute
  them again at once. The lists behind each figure are always counted live.
"""
from __future__ import annotations

import time
from dataclasses import fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.coverage import services as s
from app.coverage import areas
from app.extensions import db
from app.models import CoverageSnapshot, Indicator, Topic

SNAPSHOT_LEVELS = (areas.Level.ALL,)


# --- to JSON and back ----------------------------------------------------------------------
def _dump(value):
    if isinstance(value, (s.Row, s.IndicatorFigure, s.TargetValue)):
        return {f.name: _dump(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value.value if isinstance(value, Indicator) else value


def _target(data):
    return None if data is None else s.TargetValue(Decimal(data["percent"]),
                                                   data["strictly_above"], data["source"])


def _row(data) -> s.Row:
    row = s.Row(**{k: v for k, v in data.items() if k != "indicators"})
    row.denominators_on = date.fromisoformat(data["denominators_on"]) if data[
        "denominators_on"] else None
    row.oldest_open_at = datetime.fromisoformat(data["oldest_open_at"]) if data[
        "oldest_open_at"] else None
    row.indicators = {key: s.IndicatorFigure(**{**fig, "indicator": Indicator(fig["indicator"]),
                                                "target": _target(fig["target"])})
                      for key, fig in data["indicators"].items()}
    return row


def dump(table: s.CoverageTable, weeks, balances) -> dict:
    return {"rows": [_dump(r) for r in table.rows], "total": _dump(table.total),
            "now": table.now.isoformat(), "month_start": table.month_start.isoformat(),
            "unserved_wait_days": table.unserved_wait_days,
            "weeks": [[w.start.isoformat(), w.requests, w.sessions] for w in weeks],
            "balances": [[b.topic.id, b.demand, b.supply] for b in balances]}


def load(area: areas.Area, payload: dict):
    """(table, weeks, balances) as they were computed."""
    table = s.CoverageTable(area, [_row(r) for r in payload["rows"]], _row(payload["total"]),
                            datetime.fromisoformat(payload["now"]),
                            datetime.fromisoformat(payload["month_start"]),
                            payload["unserved_wait_days"])
    weeks = [s.WeekActivity(date.fromisoformat(day), n_requests, n_sessions)
             for day, n_requests, n_sessions in payload["weeks"]]
    topics = {t.id: t for t in db.session.scalars(select(Topic).where(
        Topic.id.in_([b[0] for b in payload["balances"]])))}
    balances = [s.TopicBalance(topics[tid], demand, supply)
                for tid, demand, supply in payload["balances"] if tid in topics]
    return table, weeks, balances


# --- computing and reading -------------------------------------------------------------------
def _key(area: areas.Area) -> str:
    return area.level


def max_age() -> timedelta:
    return timedelta(minutes=current_app.config["COVERAGE_SNAPSHOT_MINUTES"])


def compute(area: areas.Area) -> CoverageSnapshot:
    """Count the area now and keep the result (the caller commits)."""
    started = time.perf_counter()
    table = s.build_table(area)
    weeks = s.weekly_activity(area, table.now)
    balances = s.topic_balance(area)
    payload = dump(table, weeks, balances)
    seconds = round(time.perf_counter() - started, 2)
    snapshot = db.session.scalar(select(CoverageSnapshot).where(
        CoverageSnapshot.area == _key(area)).with_for_update())
    if snapshot is None:
        snapshot = CoverageSnapshot(area=_key(area))
        db.session.add(snapshot)
    snapshot.computed_at, snapshot.seconds, snapshot.payload = table.now, seconds, payload
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # computed at the same moment elsewhere: theirs is as good
        snapshot = db.session.scalar(select(CoverageSnapshot).where(
            CoverageSnapshot.area == _key(area)))
    return snapshot


def current(area: areas.Area) -> CoverageSnapshot:
    """The area's snapshot, computed first if there is none or it is too old."""
    snapshot = db.session.scalar(select(CoverageSnapshot).where(
        CoverageSnapshot.area == _key(area)))
    if snapshot is None or utcnow() - snapshot.computed_at > max_age():
        snapshot = compute(area)
        db.session.commit()
    return snapshot


def figures_for(area: areas.Area):
    """(table, weeks, balances, snapshot) of an area: from its snapshot when it has one
    (snapshot is None when the figures were counted live, just now)."""
    if area.level in SNAPSHOT_LEVELS:
        snapshot = current(area)
        return (*load(area, snapshot.payload), snapshot)
    table = s.build_table(area)
    return table, s.weekly_activity(area, table.now), s.topic_balance(area), None
