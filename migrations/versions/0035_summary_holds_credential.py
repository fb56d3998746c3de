"""each kept standing row says whether its person holds a credential in force on its day,
so the enrolled people holding none are counted off an index (filled for the rows kept)

Revision ID: 0035_summary_holds_credential
Revises: 0034_progress_indexes
Create Date: 2026-12-06 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035_summary_holds_credential'
down_revision = '0034_progress_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('standing_summary', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('holds_credential', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        "UPDATE standing_summary SET holds_credential = EXISTS ("
        " SELECT 1 FROM credential_award"
        " WHERE credential_award.person_id = standing_summary.person_id"
        " AND credential_award.status = 'active'"
        " AND credential_award.awarded_on <= standing_summary.as_of"
        " AND (credential_award.expires_on IS NULL"
        " OR credential_award.expires_on >= standing_summary.as_of))"
    )
    with op.batch_alter_table('standing_summary', schema=None) as batch_op:
        batch_op.create_index(
            'ix_standing_summary_holding', ['as_of', 'holds_credential', 'person_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('standing_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_standing_summary_holding')
        batch_op.drop_column('holds_credential')
