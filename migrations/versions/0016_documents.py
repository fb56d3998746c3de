"""documents: supporting documents uploaded by a person and reviewed by a director

Revision ID: 0016_documents
Revises: 0011_outbox
Create Date: 2026-12-01 23:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_documents'
down_revision = '0011_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supporting_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('licence_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['licence_id'], ['licence.id'], name=op.f('fk_supporting_document_licence_id_licence')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_supporting_document_person_id_person')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['person.id'], name=op.f('fk_supporting_document_reviewed_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supporting_document'))
    )
    with op.batch_alter_table('supporting_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supporting_document_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_supporting_document_status', ['status', 'uploaded_at'], unique=False)


def downgrade():
    with op.batch_alter_table('supporting_document', schema=None) as batch_op:
        batch_op.drop_index('ix_supporting_document_status')
        batch_op.drop_index(batch_op.f('ix_supporting_document_person_id'))
    op.drop_table('supporting_document')
