"""invitations: one invited from the form has no file behind it

Revision ID: 0025_single_invitations
Revises: 0017_records
Create Date: 2026-12-02 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_single_invitations'
down_revision = '0017_records'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('batch_checksum', existing_type=sa.String(length=64), nullable=True)


def downgrade():
    op.execute("UPDATE invitation SET batch_checksum = '' WHERE batch_checksum IS NULL")
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('batch_checksum', existing_type=sa.String(length=64), nullable=False)
