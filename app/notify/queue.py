"""Background delivery on RQ when REDIS_URL is set.

A commit that queued messages enqueues a delivery job, so messages leave within
seconds; each job schedules the next one for the earliest retry. The queue only
wakes the worker up: what to send, and who sends it, is decided in the database
(see app.notify.delivery), so a lost or duplicated job never loses or doubles a
message, and `flask outbox deliver` on a timer stays a safe fallback.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy.orm import Session as OrmSession

from app.database import listen_once
from app.notify.outbox import SESSION_FLAG

log = logging.getLogger("cunghocso.notify")

QUEUE_NAME = "outbox"
_connections: dict[str, object] = {}


def redis_connection(url: str):
    """One connection pool per Redis URL for the life of the process."""
    from redis import Redis

    if url not in _connections:
        _connections[url] = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    return _connections[url]


def queue_for(app=None):
    from rq import Queue

    config = (app or current_app).config
    url = config.get("REDIS_URL")
    if not url:
        return None
    return Queue(config.get("OUTBOX_QUEUE_NAME", QUEUE_NAME), connection=redis_connection(url),
                 default_timeout=600)


def deliver_job() -> str:
    """The RQ job: deliver what is due, then schedule the next run at the next retry."""
    if has_app_context():
        return _deliver_and_reschedule()
    from app import create_app

    with create_app().app_context():
        return _deliver_and_reschedule()


def _deliver_and_reschedule() -> str:
    from app.extensions import db
    from app.clock import utcnow
    from app.notify.delivery import deliver_due, next_due_at

    report = deliver_due()
    due = next_due_at()
    db.session.remove()
    if due is not None:
        schedule_delivery(max(due - utcnow(), timedelta(seconds=1)))
    return str(report)


def enqueue_delivery() -> bool:
    """Wake the worker now. Never raises: without Redis the timer delivers instead."""
    try:
        queue = queue_for()
        if queue is None:
            return False
        queue.enqueue(deliver_job, result_ttl=0, failure_ttl=86400)
        return True
    except Exception as exc:  # Redis down must not undo or fail the user's change
        log.warning("could not enqueue outbox delivery: %s", exc.__class__.__name__)
        return False


def schedule_delivery(delay: timedelta) -> bool:
    """A delivery job at a later time (one per second at most: the job id is the time)."""
    from rq.exceptions import DuplicateJobError

    from app.clock import utcnow

    try:
        queue = queue_for()
        if queue is None:
            return False
        at = (utcnow() + delay).replace(microsecond=0)
        queue.enqueue_at(at, deliver_job, job_id=f"outbox-at-{int(at.timestamp())}",
                         unique=True, result_ttl=0, failure_ttl=86400)
        return True
    except DuplicateJobError:
        return True
    except Exception as exc:
        log.warning("could not schedule outbox delivery: %s", exc.__class__.__name__)
        return False


def run_worker(app, burst: bool = False) -> None:
    """`flask outbox worker`: an RQ worker (with its scheduler) on the outbox queue."""
    from rq import SimpleWorker

    queue = queue_for(app)
    if queue is None:
        raise RuntimeError("REDIS_URL is not set")
    # A SimpleWorker runs jobs in this process, inside the CLI's application context.
    worker = SimpleWorker([queue], connection=queue.connection)
    queue.enqueue(deliver_job, result_ttl=0)  # whatever waited while no worker ran
    worker.work(burst=burst, with_scheduler=True)


# --- the commit hook ---------------------------------------------------------------------
def _after_commit(session) -> None:
    if session.info.pop(SESSION_FLAG, False) and has_app_context() and \
            current_app.config.get("REDIS_URL"):
        enqueue_delivery()


def _after_rollback(session) -> None:
    session.info.pop(SESSION_FLAG, None)


# What install() listens to: every ORM session's commits and rollbacks.
HOOKS = ((OrmSession, "after_commit", _after_commit),
         (OrmSession, "after_rollback", _after_rollback))


def install() -> None:
    """Wake the worker after commits that queued messages (idempotent; create_app calls
    it, see app.LISTENERS)."""
    listen_once(HOOKS)
