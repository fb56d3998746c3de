"""notifications: in-app notifications, each person's channel, reminders sent

Revision ID: 0010_notifications
Revises: 0009_two_factor
Create Date: 2026-12-01 13:39:25.693302

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_notifications'
down_revision = '0009_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('kind', 'object_id', 'threshold', name=op.f('uq_reminder_sent_kind_object_id_threshold'))
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_notification_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    op.create_index('ix_notification_person_read', 'notification', ['person_id', 'read_at'])
    op.create_table('notification_preference',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_notification_preference_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_notification_preference'))
    )


def downgrade():
    op.drop_table('notification_preference')
    op.drop_index('ix_notification_person_read', table_name='notification')
    op.drop_table('notification')
    op.drop_table('reminder_sent')
