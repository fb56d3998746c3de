"""people by name: the directory's pages are read in the order of an index on the name
(and the id, its tie-breaker) instead of sorting everyone for each page

Revision ID: 0033_person_name_index
Revises: 0032_supervisee_index
Create Date: 2026-12-06 04:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0033_person_name_index'
down_revision = '0032_supervisee_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_name', ['full_name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_name')
