"""agreements: supervision agreements between a candidate and a supervisor, and the hours
categories each covers

Revision ID: 0021_agreements
Revises: 0025_single_invitations
Create Date: 2026-12-02 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_agreements'
down_revision = '0025_single_invitations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('candidate_signed_at', sa.DateTime(), nullable=False),
    sa.Column('candidate_attestation', sa.Text(), nullable=False),
    sa.Column('supervisor_signed_at', sa.DateTime(), nullable=True),
    sa.Column('supervisor_attestation', sa.Text(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('declined_by_id', sa.Integer(), nullable=True),
    sa.Column('declined_at', sa.DateTime(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_supervision_agreement_dates_in_order')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['person.id'], name=op.f('fk_supervision_agreement_approved_by_id_person')),
    sa.ForeignKeyConstraint(['candidate_id'], ['person.id'], name=op.f('fk_supervision_agreement_candidate_id_person')),
    sa.ForeignKeyConstraint(['declined_by_id'], ['person.id'], name=op.f('fk_supervision_agreement_declined_by_id_person')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['person.id'], name=op.f('fk_supervision_agreement_ended_by_id_person')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['person.id'], name=op.f('fk_supervision_agreement_supervisor_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_agreement'))
    )
    with op.batch_alter_table('supervision_agreement', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_agreement_parties', ['candidate_id', 'supervisor_id', 'status'], unique=False)
        batch_op.create_index('ix_supervision_agreement_status', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_agreement_supervisor_id'), ['supervisor_id'], unique=False)

    op.create_table('supervision_agreement_category',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['supervision_agreement.id'], name=op.f('fk_supervision_agreement_category_agreement_id_supervision_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['hours_category.id'], name=op.f('fk_supervision_agreement_category_category_id_hours_category')),
    sa.PrimaryKeyConstraint('agreement_id', 'category_id', name=op.f('pk_supervision_agreement_category'))
    )


def downgrade():
    op.drop_table('supervision_agreement_category')
    with op.batch_alter_table('supervision_agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_agreement_supervisor_id'))
        batch_op.drop_index('ix_supervision_agreement_status')
        batch_op.drop_index('ix_supervision_agreement_parties')

    op.drop_table('supervision_agreement')
