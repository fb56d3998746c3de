"""holder counts: how many active people hold each level (at their highest) on a day, read
by the director's overview (filled by `airm rebuild-standing`, refreshed daily, deleted by
the transactions that change awards, people's active flag or the levels), and the index
that finds the quiet in the day's standing summaries

Revision ID: 0029_holder_count
Revises: 0028_signoff_backlog
Create Date: 2026-12-04 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029_holder_count'
down_revision = '0028_signoff_backlog'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('holder_count',
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('level_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('as_of', 'level_id', name=op.f('pk_holder_count'))
    )
    with op.batch_alter_table('standing_summary', schema=None) as batch_op:
        batch_op.create_index('ix_standing_summary_quiet', ['as_of', 'last_active_at'], unique=False)


def downgrade():
    with op.batch_alter_table('standing_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_standing_summary_quiet')
    op.drop_table('holder_count')
