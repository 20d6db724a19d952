"""feed indexes: a volunteer's requests through partial indexes

Most requests have no volunteer yet and almost none a companion. Indexing only the rows
that have one keeps the index small and its statistics true, so "the requests this
volunteer holds" stays an index lookup (SQLite took the companion index for unselective
and scanned the whole table; both databases read every unassigned row of the volunteer
index for "volunteer_id IS NULL").

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

COLUMNS = ('volunteer_id', 'companion_volunteer_id')


def upgrade():
    for column in COLUMNS:
        op.drop_index(f'ix_help_request_{column}', table_name='help_request')
        where = sa.text(f'{column} IS NOT NULL')
        op.create_index(f'ix_help_request_{column}', 'help_request', [column], unique=False,
                        postgresql_where=where, sqlite_where=where)


def downgrade():
    for column in COLUMNS:
        op.drop_index(f'ix_help_request_{column}', table_name='help_request')
        op.create_index(f'ix_help_request_{column}', 'help_request', [column], unique=False)
