"""the index that counts the licences awaiting verification (the director's overview)
without reading every licence

Revision ID: 0030_licence_verified_index
Revises: 0029_holder_count
Create Date: 2026-12-04 22:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030_licence_verified_index'
down_revision = '0029_holder_count'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.create_index('ix_licence_verified_at', ['verified_at'], unique=False)


def downgrade():
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.drop_index('ix_licence_verified_at')
