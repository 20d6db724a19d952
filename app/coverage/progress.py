"""Keeping `resident_progress` equal to what the outcomes say, in the same transaction.

The coverage figures count residents with basic digital skills, with the smartphone
and e-payment topics completed, and reached at all. Computed from the outcomes, that
walks every outcome and skill tick of the area: fine for a group, seconds for a city.
So each reached resident has a row in `resident_progress` with those flags, and the
figures count the rows.

How it stays correct:
- The rows are computed by `definitions.progress_rows`, the SQL definitions the
  "Cách tính" page describes; nothing here decides what a figure means.
- A flush that adds, changes or removes an outcome (attended, skills ticked) rewrites
  the rows of the residents concerned before the flush ends,
  in the same transaction: a count read after a write includes it, and a rolled back
  write leaves no trace. The residents' rows are locked first, so two volunteers
  logging the same resident at once cannot leave a stale row (PostgreSQL; SQLite
  writes one transaction at a time anyway).
- A change of what "basic" means — a topic made core or not, activated, a skill
  added to or removed from a checklist — rewrites every row (`rebuild`).
- Seats and sessions are never deleted (they are cancelled); deleting a resident
  deletes their row (foreign key cascade).
- Bulk loads that bypass the ORM (`seed-scale`) call `rebuild` at the end;
  `flask --app wsgi coverage-progress` compares the table with the definitions and
  `--rebuild` rewrites it.
"""
from __future__ import annotations

from sqlalchemy import delete, func, insert, inspect, select
from sqlalchemy.orm import Session as OrmSession

from app.coverage import definitions as d
from app.database import listen_once
from app.models import Enrollment, Outcome, Resident, ResidentProgress, Skill, Topic

COLUMNS = ("resident_id", "basic", "smartphone_topic", "epayment_topic")
CHUNK = 500
_PENDING = "resident_progress"


def refresh(conn, resident_ids) -> None:
    """Rewrite the rows of these residents from their outcomes."""
    ids = sorted({i for i in resident_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        conn.execute(select(Resident.id).where(Resident.id.in_(chunk))
                     .order_by(Resident.id).with_for_update())
        conn.execute(delete(ResidentProgress).where(ResidentProgress.resident_id.in_(chunk)))
        conn.execute(insert(ResidentProgress).from_select(COLUMNS, d.progress_rows(chunk)))


def rebuild(conn) -> None:
    """Rewrite every row (what "basic digital skills" means has changed, or a bulk load)."""
    conn.execute(delete(ResidentProgress))
    conn.execute(insert(ResidentProgress).from_select(COLUMNS, d.progress_rows()))


def differences(conn) -> int:
    """How many residents' rows differ from what their outcomes say (0 when correct)."""
    live = d.progress_rows().subquery("live")
    stored = select(*(getattr(ResidentProgress, c) for c in COLUMNS)).subquery("stored")
    live_cols = [live.c[c] for c in COLUMNS]
    stored_cols = [stored.c[c] for c in COLUMNS]
    only_live = select(*live_cols).except_(select(*stored_cols)).subquery()
    only_stored = select(*stored_cols).except_(select(*live_cols)).subquery()
    return (conn.execute(select(func.count()).select_from(only_live)).scalar()
            + conn.execute(select(func.count()).select_from(only_stored)).scalar())


# --- the flush hooks ---------------------------------------------------------------------
def _changed(obj, *names) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _note_changes(session, _flush_context, _instances) -> None:
    """Before a flush: which residents' progress it may change."""
    pending = session.info.setdefault(_PENDING, {"outcomes": [], "enrollments": set(),
                                                 "rebuild": False})
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Outcome):
            if obj.enrollment_id is not None:
                pending["enrollments"].add(obj.enrollment_id)
            pending["outcomes"].append(obj)  # new ones get their enrollment in the flush
        elif isinstance(obj, Topic) and (obj in session.new or obj in session.deleted
                                         or _changed(obj, "core", "active", "slug")):
            pending["rebuild"] = True
        elif isinstance(obj, Skill) and (obj in session.new or obj in session.deleted
                                         or _changed(obj, "topic_id")):
            pending["rebuild"] = True


def _apply_changes(session, _flush_context) -> None:
    """After the flush wrote the outcomes: rewrite the progress rows they touch."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    conn = session.connection()
    if pending["rebuild"]:
        rebuild(conn)
        return
    enrollments = pending["enrollments"] | {o.enrollment_id for o in pending["outcomes"]
                                            if o.enrollment_id is not None}
    if enrollments:
        refresh(conn, conn.execute(select(Enrollment.resident_id).where(
            Enrollment.id.in_(sorted(enrollments)))).scalars())


# What install() listens to: every ORM session's flushes.
HOOKS = ((OrmSession, "before_flush", _note_changes),
         (OrmSession, "after_flush_postexec", _apply_changes))


def install() -> None:
    """Listen to every ORM session's flushes (idempotent; create_app calls it, see
    app.LISTENERS)."""
    listen_once(HOOKS)
