"""records: verifications of supervised hours; the public directory's profiles;
invitations sent from a CSV

Revision ID: 0017_records
Revises: 0019_transcripts
Create Date: 2026-12-01 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_records'
down_revision = '0015_performance'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hours_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('total_minutes', sa.Integer(), nullable=False),
    sa.Column('session_count', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['person.id'], name=op.f('fk_hours_verification_issued_by_id_person')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_hours_verification_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_verification')),
    sa.UniqueConstraint('code', name=op.f('uq_hours_verification_code')),
    sa.UniqueConstraint('person_id', 'starts_on', 'ends_on', 'version', name=op.f('uq_hours_verification_person_id_starts_on_ends_on_version'))
    )
    op.create_table('directory_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('modalities', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_directory_profile_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_profile')),
    sa.UniqueConstraint('person_id', name=op.f('uq_directory_profile_person_id'))
    )
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('batch_checksum', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('send_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invited_by_id'], ['person.id'], name=op.f('fk_invitation_invited_by_id_person')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_invitation_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('person_id', name=op.f('uq_invitation_person_id'))
    )


def downgrade():
    op.drop_table('invitation')
    op.drop_table('directory_profile')
    op.drop_table('hours_verification')
