"""transcripts: each transcript handed out, with its verification code and reference

Revision ID: 0019_transcripts
Revises: 0016_documents
Create Date: 2026-12-01 23:59:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_transcripts'
down_revision = '0016_documents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issued_transcript',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('verification_code', sa.String(length=40), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=250), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('generated_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_issued_transcript_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_transcript')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_issued_transcript_verification_code'))
    )
    with op.batch_alter_table('issued_transcript', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_transcript_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('issued_transcript', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_transcript_person_id'))
    op.drop_table('issued_transcript')
