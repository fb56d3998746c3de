"""people operations: a candidate's primary supervisor

Revision ID: 0008_people_ops
Revises: 0007_audit_append_only
Create Date: 2026-12-01 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_people_ops'
down_revision = '0007_audit_append_only'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('primary_supervisor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_primary_supervisor_id'), ['primary_supervisor_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_person_primary_supervisor_id_person'), 'person', ['primary_supervisor_id'], ['id'])


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_person_primary_supervisor_id_person'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_person_primary_supervisor_id'))
        batch_op.drop_column('primary_supervisor_id')
