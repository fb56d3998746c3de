"""verifiable: each certificate's signed Open Badges credential; the SHA-256 of every PDF issued

Revision ID: 0012_verifiable
Revises: 0010_notifications
Create Date: 2026-12-01 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_verifiable'
down_revision = '0010_notifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signed_credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('credential_uri', sa.String(length=60), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=40), nullable=False),
    sa.Column('jwt', sa.Text(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_signed_credential_certificate_id_certificate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_credential')),
    sa.UniqueConstraint('certificate_id', name=op.f('uq_signed_credential_certificate_id')),
    sa.UniqueConstraint('credential_uri', name=op.f('uq_signed_credential_credential_uri')),
    sa.UniqueConstraint('status_index', name=op.f('uq_signed_credential_status_index'))
    )
    op.create_table('issued_pdf',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_issued_pdf_certificate_id_certificate')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_issued_pdf_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_pdf')),
    sa.UniqueConstraint('sha256', name=op.f('uq_issued_pdf_sha256'))
    )
    with op.batch_alter_table('issued_pdf', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_pdf_certificate_id'), ['certificate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_pdf_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('issued_pdf', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_pdf_person_id'))
        batch_op.drop_index(batch_op.f('ix_issued_pdf_certificate_id'))
    op.drop_table('issued_pdf')
    op.drop_table('signed_credential')
