"""hours tally: each person's counted signed minutes per hours requirement, kept by the
transactions that change them (filled by `airm rebuild-standing`)

Revision ID: 0026_hours_tally
Revises: 0023_signatures
Create Date: 2026-12-02 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026_hours_tally'
down_revision = '0023_signatures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hours_tally',
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('uncounted_minutes', sa.Integer(), nullable=False),
    sa.Column('outside_minutes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_hours_tally_person_id_person')),
    sa.ForeignKeyConstraint(['requirement_id'], ['requirement.id'], name=op.f('fk_hours_tally_requirement_id_requirement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('requirement_id', 'person_id', name=op.f('pk_hours_tally'))
    )
    with op.batch_alter_table('hours_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hours_tally_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hours_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hours_tally_person_id'))
    op.drop_table('hours_tally')
