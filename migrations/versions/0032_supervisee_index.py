"""the supervisor's index of entries also holds whose entry it is, so the people who
submitted to a supervisor (the sign-off queue's and My supervisees' list) are read off
the index without visiting each entry

Revision ID: 0032_supervisee_index
Revises: 0031_standing_gap
Create Date: 2026-12-05 22:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0032_supervisee_index'
down_revision = '0031_standing_gap'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hours_entry', schema=None) as batch_op:
        batch_op.create_index(
            'ix_hours_entry_supervisor_person', ['supervisor_id', 'status', 'person_id'], unique=False
        )
        batch_op.drop_index('ix_hours_entry_supervisor_status')


def downgrade():
    with op.batch_alter_table('hours_entry', schema=None) as batch_op:
        batch_op.create_index(
            'ix_hours_entry_supervisor_status', ['supervisor_id', 'status'], unique=False
        )
        batch_op.drop_index('ix_hours_entry_supervisor_person')
