"""performance: indexes that let the standing, report and list queries read an index
instead of the tables

Revision ID: 0015_performance
Revises: 0019_transcripts
Create Date: 2026-12-01 20:30:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0015_performance"
down_revision = "0019_transcripts"
branch_labels = None
depends_on = None

# (name, table, columns)
INDEXES = (
    # Signed minutes per person, category and signer (the standing's hours facts and
    # totals): every column the queries read, so no table row is visited.
    (
        "ix_hours_entry_standing",
        "hours_entry",
        ["person_id", "status", "category_id", "session_date", "signed_by_id", "minutes"],
    ),
    # Hours waiting for sign-off, per supervisor (the sign-offs report).
    (
        'ix_hours_entry_pending',
        'hours_entry',
        ['status', 'supervisor_id', 'submitted_at', 'minutes'],
    ),
    # The latest entry per person (the stalled-candidates report).
    ("ix_hours_entry_person_created", "hours_entry", ["person_id", "created_at"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # ix_hours_entry_pending begins with the status: the status's own index is redundant.
    op.drop_index('ix_hours_entry_status', table_name='hours_entry')


def downgrade():
    op.create_index('ix_hours_entry_status', 'hours_entry', ['status'])
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
