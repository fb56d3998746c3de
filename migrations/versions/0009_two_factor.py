"""two-factor sign-in: authenticator secrets and recovery codes

Revision ID: 0009_two_factor
Revises: 0008_people_ops
Create Date: 2026-12-01 13:40:09.516373

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_two_factor'
down_revision = '0008_people_ops'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_recovery_code_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_person_id'), ['person_id'], unique=False)

    op.create_table('totp_credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('last_counter', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_totp_credential_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_totp_credential')),
    sa.UniqueConstraint('person_id', name=op.f('uq_totp_credential_person_id'))
    )


def downgrade():
    op.drop_table('totp_credential')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_person_id'))

    op.drop_table('recovery_code')
