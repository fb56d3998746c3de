"""sign-off backlog: entries waiting for sign-off by the UTC day they were submitted on and
the supervisor they wait for, kept by the transactions that change them, the index that finds the oldest, and the
indexes that find licences and credentials expiring soon

Revision ID: 0028_signoff_backlog
Revises: 0027_standing_summary
Create Date: 2026-12-03 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028_signoff_backlog'
down_revision = '0027_standing_summary'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signoff_backlog',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('oldest', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('day', 'supervisor_id', name=op.f('pk_signoff_backlog'))
    )
    with op.batch_alter_table('hours_entry', schema=None) as batch_op:
        batch_op.create_index('ix_hours_entry_submitted', ['status', 'submitted_at'], unique=False)
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.create_index('ix_licence_expires_on', ['expires_on'], unique=False)
    with op.batch_alter_table('credential_award', schema=None) as batch_op:
        batch_op.create_index('ix_credential_award_expires_on', ['expires_on'], unique=False)
    # The entries already waiting, counted once (later kept by the transactions); 0
    # stands for "no supervisor named".
    op.execute(
        "INSERT INTO signoff_backlog (day, supervisor_id, entries, minutes, oldest) "
        "SELECT date(submitted_at), coalesce(supervisor_id, 0), count(*), sum(minutes), "
        "min(submitted_at) FROM hours_entry "
        "WHERE status = 'submitted' AND submitted_at IS NOT NULL "
        "GROUP BY date(submitted_at), coalesce(supervisor_id, 0)"
    )


def downgrade():
    with op.batch_alter_table('credential_award', schema=None) as batch_op:
        batch_op.drop_index('ix_credential_award_expires_on')
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.drop_index('ix_licence_expires_on')
    with op.batch_alter_table('hours_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_hours_entry_submitted')
    op.drop_table('signoff_backlog')
