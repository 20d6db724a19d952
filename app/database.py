"""Engine settings that make SQLite safe for our read-then-write rules.

SQLite: foreign keys on, WAL, a busy timeout, and every transaction outside
a read-only web request starts with BEGIN IMMEDIATE, so that two writers
never both read "open" and then both write. PostgreSQL needs none of this:
rules there rely on row locks and conditional updates.
"""
from __future__ import annotations

import contextvars

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Set to True for GET/HEAD requests: their transactions are plain deferred reads.
read_only_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "read_only_transaction", default=False)


def listen_once(hooks) -> None:
    """Register each (target, event name, listener) unless it already is: the install()
    functions of app.LISTENERS call it, so creating a second app adds nothing."""
    for target, identifier, listener in hooks:
        if not event.contains(target, identifier, listener):
            event.listen(target, identifier, listener)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, emit BEGIN (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if read_only_transaction.get():
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
