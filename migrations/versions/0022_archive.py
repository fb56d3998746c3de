"""archive: personal archives, requested, built by the worker and offered until they expire

Revision ID: 0022_archive
Revises: 0021_agreements
Create Date: 2026-12-02 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_archive'
down_revision = '0021_agreements'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('personal_archive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=43), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('built_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('download_count', sa.Integer(), nullable=False),
    sa.Column('last_downloaded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_personal_archive_person_id_person')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], name=op.f('fk_personal_archive_requested_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_archive')),
    sa.UniqueConstraint('code', name=op.f('uq_personal_archive_code'))
    )
    with op.batch_alter_table('personal_archive', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_archive_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('personal_archive', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_archive_person_id'))
    op.drop_table('personal_archive')
