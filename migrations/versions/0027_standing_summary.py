"""standing summary: each person's met / total evidence requirements of their next level
on a day, read by the reports (filled by `airm rebuild-standing`, refreshed daily)

Revision ID: 0027_standing_summary
Revises: 0026_hours_tally
Create Date: 2026-12-02 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_standing_summary'
down_revision = '0026_hours_tally'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('standing_summary',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('programme_level_id', sa.Integer(), nullable=True),
    sa.Column('met', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('unmet', sa.JSON(), nullable=False),
    sa.Column('last_active_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_standing_summary_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_level_id'], ['programme_level.id'], name=op.f('fk_standing_summary_programme_level_id_programme_level'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_standing_summary'))
    )


def downgrade():
    op.drop_table('standing_summary')
