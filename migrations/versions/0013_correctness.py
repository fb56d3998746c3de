"""correctness: per-person extra quiz attempts, who revoked a certificate

Revision ID: 0013_correctness
Revises: 0012_verifiable
Create Date: 2026-12-01 20:51:02.426958

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_correctness'
down_revision = '0012_verifiable'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_extra_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['person.id'], name=op.f('fk_quiz_extra_attempt_granted_by_id_person')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_quiz_extra_attempt_person_id_person')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_quiz_extra_attempt_quiz_id_quiz')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_extra_attempt'))
    )
    with op.batch_alter_table('quiz_extra_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_extra_attempt_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_certificate_revoked_by_id_person'), 'person', ['revoked_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificate_revoked_by_id_person'), type_='foreignkey')
        batch_op.drop_column('revoked_by_id')

    with op.batch_alter_table('quiz_extra_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_extra_attempt_person_id'))

    op.drop_table('quiz_extra_attempt')
