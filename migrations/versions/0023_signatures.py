"""signatures: signature images of directors and board members, and the image each
certificate line prints

Revision ID: 0023_signatures
Revises: 0020_ce
Create Date: 2026-12-02 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_signatures'
down_revision = '0020_ce'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signature_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_signature_image_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_image'))
    )
    with op.batch_alter_table('signature_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_image_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_signature_image_current', ['person_id'], unique=True,
                              sqlite_where=sa.text('retired_at IS NULL'),
                              postgresql_where=sa.text('retired_at IS NULL'))
    op.create_table('certificate_signature',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], name=op.f('fk_certificate_signature_certificate_id_certificate')),
    sa.ForeignKeyConstraint(['signature_id'], ['signature_image.id'], name=op.f('fk_certificate_signature_signature_id_signature_image')),
    sa.PrimaryKeyConstraint('certificate_id', 'position', name=op.f('pk_certificate_signature'))
    )
    with op.batch_alter_table('certificate_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_signature_signature_id'), ['signature_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_signature_signature_id'))
    op.drop_table('certificate_signature')
    with op.batch_alter_table('signature_image', schema=None) as batch_op:
        batch_op.drop_index('uq_signature_image_current')
        batch_op.drop_index(batch_op.f('ix_signature_image_person_id'))
    op.drop_table('signature_image')
