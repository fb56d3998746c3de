"""outbox: e-mails written in the action's transaction and delivered by a worker;
two-factor secrets encrypted at rest

Revision ID: 0011_outbox
Revises: 0013_correctness
Create Date: 2026-12-01 20:30:00

"""
from alembic import op
import sqlalchemy as sa

from airm_training.core.encryption import decrypt, encrypt


# revision identifiers, used by Alembic.
revision = '0011_outbox'
down_revision = '0013_correctness'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    op.create_index('ix_outbox_message_due', 'outbox_message', ['status', 'next_attempt_at'], unique=False)
    _encrypt_totp_secrets()


def _encrypt_totp_secrets():
    """The plain secrets move to ``encrypted_secret``, encrypted with the configured key."""
    with op.batch_alter_table('totp_credential') as batch_op:
        batch_op.add_column(sa.Column('encrypted_secret', sa.String(length=255), nullable=True))
    connection = op.get_bind()
    table = sa.table('totp_credential', sa.column('id'), sa.column('secret'), sa.column('encrypted_secret'))
    for row in connection.execute(sa.select(table.c.id, table.c.secret)).all():
        connection.execute(
            table.update().where(table.c.id == row.id).values(encrypted_secret=encrypt(row.secret))
        )
    with op.batch_alter_table('totp_credential') as batch_op:
        batch_op.alter_column('encrypted_secret', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('secret')


def _decrypt_totp_secrets():
    with op.batch_alter_table('totp_credential') as batch_op:
        batch_op.add_column(sa.Column('secret', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    table = sa.table('totp_credential', sa.column('id'), sa.column('secret'), sa.column('encrypted_secret'))
    for row in connection.execute(sa.select(table.c.id, table.c.encrypted_secret)).all():
        connection.execute(
            table.update().where(table.c.id == row.id).values(secret=decrypt(row.encrypted_secret))
        )
    with op.batch_alter_table('totp_credential') as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('encrypted_secret')


def downgrade():
    _decrypt_totp_secrets()
    op.drop_index('ix_outbox_message_due', table_name='outbox_message')
    op.drop_table('outbox_message')
