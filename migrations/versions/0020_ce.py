"""ce: continuing-education records and audit samples

Revision ID: 0020_ce
Revises: 0022_archive
Create Date: 2026-12-02 03:02:41.177994

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_ce'
down_revision = '0022_archive'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ce_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('cycle_start', sa.Date(), nullable=False),
    sa.Column('cycle_end', sa.Date(), nullable=False),
    sa.Column('share', sa.String(length=20), nullable=False),
    sa.Column('seed', sa.String(length=32), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['credential_award.id'], name=op.f('fk_ce_audit_award_id_credential_award')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['person.id'], name=op.f('fk_ce_audit_drawn_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_audit'))
    )
    with op.batch_alter_table('ce_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ce_audit_award_id'), ['award_id'], unique=False)

    op.create_table('ce_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('course_title', sa.String(length=200), nullable=False),
    sa.Column('approval_number', sa.String(length=80), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('subject_area', sa.String(length=40), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_ce_record_minutes_positive')),
    sa.ForeignKeyConstraint(['document_id'], ['supporting_document.id'], name=op.f('fk_ce_record_document_id_supporting_document')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_ce_record_person_id_person')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['person.id'], name=op.f('fk_ce_record_reviewed_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_record'))
    )
    with op.batch_alter_table('ce_record', schema=None) as batch_op:
        batch_op.create_index('ix_ce_record_person_date', ['person_id', 'completed_on'], unique=False)
        batch_op.create_index('ix_ce_record_status', ['status', 'submitted_at'], unique=False)

    op.create_table('ce_audit_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('ce_record_id', sa.Integer(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['audit_id'], ['ce_audit.id'], name=op.f('fk_ce_audit_item_audit_id_ce_audit')),
    sa.ForeignKeyConstraint(['ce_record_id'], ['ce_record.id'], name=op.f('fk_ce_audit_item_ce_record_id_ce_record')),
    sa.ForeignKeyConstraint(['marked_by_id'], ['person.id'], name=op.f('fk_ce_audit_item_marked_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ce_audit_item')),
    sa.UniqueConstraint('audit_id', 'ce_record_id', name=op.f('uq_ce_audit_item_audit_id_ce_record_id'))
    )
    with op.batch_alter_table('ce_audit_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ce_audit_item_ce_record_id'), ['ce_record_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ce_audit_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ce_audit_item_ce_record_id'))

    op.drop_table('ce_audit_item')
    with op.batch_alter_table('ce_record', schema=None) as batch_op:
        batch_op.drop_index('ix_ce_record_status')
        batch_op.drop_index('ix_ce_record_person_date')

    op.drop_table('ce_record')
    with op.batch_alter_table('ce_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ce_audit_award_id'))

    op.drop_table('ce_audit')
