"""The tables `seed-scale` fills, the ids it hands out and how its rows are written in bulk.

Rows are plain tuples in the column order of COLUMNS; they are written with COPY on
PostgreSQL and SQLAlchemy Core `insert()` elsewhere, without reading anything back.
"""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db

# Ordered so that every foreign key points to a table written before it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "ward": ("id", "name", "code", "district", "province"),
    "residential_group": ("id", "ward_id", "name", "code", "position", "community_house",
                          "adults_count", "households_count", "denominators_on"),
    "household": ("id", "group_id", "address", "address_key"),
    "user_account": ("id", "phone", "full_name", "email", "password_hash", "session_token",
                     "locale", "active", "created_at", "last_login_at"),
    "membership": ("id", "user_id", "role", "ward_id", "group_id"),
    "resident": ("id", "full_name", "name_search", "phone", "birth_year", "gender", "group_id",
                 "household_id", "user_id", "note", "created_at", "has_smartphone",
                 "has_epayment", "vneid_level2", "uses_zalo", "surveyed_on", "erased_at"),
    "consent": ("id", "resident_id", "given_at", "wording_version", "method", "captured_by_id",
                "withdrawn_at"),
    "volunteer_profile": ("id", "user_id", "kind", "organisation", "birth_year", "zalo",
                          "availability", "weekly_capacity", "paused_until",
                          "guardian_consent_by", "guardian_consent_on", "verified_at",
                          "verified_by_id", "revoked_at", "revoked_reason", "created_at"),
    "volunteer_topic": ("volunteer_id", "topic_id"),
    "volunteer_area": ("id", "volunteer_id", "ward_id", "group_id"),
    "help_request": ("id", "code", "resident_id", "group_id", "status", "place",
                     "preferred_times", "note", "created_at", "created_by_id", "consent_method",
                     "volunteer_id", "assigned_at", "closed_at", "cancel_reason",
                     "follow_up_of_id"),
    "request_topic": ("request_id", "topic_id"),
    "session": ("id", "kind", "title", "group_id", "request_id", "place", "place_name",
                "starts_at", "ends_at", "capacity", "status", "series_id", "created_by_id",
                "created_at", "cancel_reason"),
    "session_topic": ("session_id", "topic_id"),
    "session_volunteer": ("id", "session_id", "volunteer_id", "role", "hours"),
    "enrollment": ("id", "session_id", "resident_id", "request_id", "status", "created_at"),
    "outcome": ("id", "enrollment_id", "attended", "confidence", "follow_up", "note",
                "recorded_by_id", "recorded_at"),
    "outcome_skill": ("outcome_id", "skill_id"),
}
TABLES = tuple(COLUMNS)


# --- ids -----------------------------------------------------------------------------
class Ids:
    """Primary keys handed out here, table by table, starting after what exists."""

    def __init__(self, start: dict[str, int]):
        self.last = dict(start)

    def next(self, table: str) -> int:
        value = self.last.get(table, 0) + 1
        self.last[table] = value
        return value


# --- writers -------------------------------------------------------------------------
class CoreWriter:
    """SQLAlchemy Core `insert()` with lists of rows, in batches (SQLite and others)."""

    batch = 20_000

    def __init__(self, conn):
        self.conn = conn

    def write(self, table_name: str, rows: list[tuple]) -> None:
        if not rows:
            return
        table = db.metadata.tables[table_name]
        cols = COLUMNS[table_name]
        stmt = table.insert()
        for start in range(0, len(rows), self.batch):
            chunk = rows[start:start + self.batch]
            self.conn.execute(stmt, [dict(zip(cols, row)) for row in chunk])


class CopyWriter:
    """PostgreSQL COPY FROM STDIN through the connection's psycopg driver."""

    def __init__(self, conn):
        self.conn = conn
        self.raw = conn.connection.driver_connection

    def write(self, table_name: str, rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in COLUMNS[table_name])
        with self.raw.cursor() as cur:
            with cur.copy(f'COPY "{table_name}" ({cols}) FROM STDIN') as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)


def check_columns() -> None:
    """Fail clearly if a model gained a required column this generator does not fill."""
    for name, cols in COLUMNS.items():
        table = db.metadata.tables[name]
        unknown = set(cols) - set(table.c.keys())
        if unknown:
            raise RuntimeError(f"seed-scale: {name} has no column(s) {sorted(unknown)}")
        for column in table.c:
            if column.name in cols:
                continue
            if not column.nullable and column.server_default is None:
                raise RuntimeError(
                    f"seed-scale does not fill the required column {name}.{column.name}; "
                    "add it to app/seeding/tables.py")


def verify_foreign_keys(engine) -> None:
    """Every foreign key of the generated tables points to an existing row (one query each)."""
    problems = []
    with engine.connect() as conn:
        for name in TABLES:
            table = db.metadata.tables[name]
            for fk in table.foreign_key_constraints:
                (column,) = fk.columns
                (element,) = fk.elements
                parent_table = element.column.table.alias("parent")
                parent = parent_table.c[element.column.name]
                missing = conn.execute(
                    select(func.count()).select_from(
                        table.outerjoin(parent_table, column == parent))
                    .where(column.is_not(None), parent.is_(None))).scalar()
                if missing:
                    problems.append(f"{name}.{column.name}: {missing}")
    if problems:
        raise RuntimeError("seed-scale wrote dangling foreign keys: " + ", ".join(problems))
