"""ballot attachments: the files answering media questions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ballot_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ballot_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.String(length=128), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['ballot_id'], ['ballots.id'], name=op.f('fk_ballot_attachments_ballot_id_ballots'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_attachments')),
        sa.UniqueConstraint('ballot_id', 'file_name', name='uq_ballot_attachments_ballot_file'),
    )


def downgrade():
    op.drop_table('ballot_attachments')
