"""standing gaps: the people whose kept standing row was forgotten since the last rebuild
(or who had none then), so that those without a row are found without reading everyone;
filled here for the rows already kept

Revision ID: 0031_standing_gap
Revises: 0030_licence_verified_index
Create Date: 2026-12-04 22:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031_standing_gap'
down_revision = '0030_licence_verified_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('standing_gap',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_standing_gap_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_standing_gap'))
    )
    # Where rows are kept, everyone without one is a gap (no rows: everyone is read live).
    op.execute(
        "INSERT INTO standing_gap (person_id) SELECT person.id FROM person"
        " WHERE EXISTS (SELECT 1 FROM standing_summary)"
        " AND NOT EXISTS (SELECT 1 FROM standing_summary"
        " WHERE standing_summary.person_id = person.id)"
    )


def downgrade():
    op.drop_table('standing_gap')
