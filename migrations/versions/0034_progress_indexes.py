"""the progress distribution read off an index: a day's kept rows in the order they are
counted, and the few inactive people found without reading everyone

Revision ID: 0034_progress_indexes
Revises: 0033_person_name_index
Create Date: 2026-12-06 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034_progress_indexes'
down_revision = '0033_person_name_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('standing_summary', schema=None) as batch_op:
        batch_op.create_index(
            'ix_standing_summary_progress',
            ['as_of', 'programme_level_id', 'met', 'total', 'person_id'],
            unique=False,
        )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(
            'ix_person_inactive',
            ['id'],
            unique=False,
            sqlite_where=sa.text('active = 0'),
            postgresql_where=sa.text('active = false'),
        )


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_inactive')
    with op.batch_alter_table('standing_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_standing_summary_progress')
