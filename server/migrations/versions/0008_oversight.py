"""oversight: ballot table indexes, agency office coordinates

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_latitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('office_longitude', sa.Double(), nullable=True))
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index('ix_ballots_round_completed', ['round_id', 'completed_at', 'id', 'status', 'agency_id', 'enumerator_id', 'duration_seconds'], unique=False)
        batch_op.create_index('ix_ballots_round_received', ['round_id', 'received_at', 'id', 'status', 'agency_id', 'enumerator_id', 'completed_at', 'duration_seconds'], unique=False)
        batch_op.create_index('ix_ballots_round_duration', ['round_id', 'duration_seconds', 'id', 'status', 'agency_id', 'enumerator_id', 'completed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index('ix_ballots_round_duration')
        batch_op.drop_index('ix_ballots_round_received')
        batch_op.drop_index('ix_ballots_round_completed')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('office_longitude')
        batch_op.drop_column('office_latitude')
