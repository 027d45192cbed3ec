"""conflict attachments: the files sent with a conflicting resend

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ballot_conflict_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conflict_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.String(length=128), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['conflict_id'],
            ['ballot_conflicts.id'],
            name=op.f('fk_ballot_conflict_attachments_conflict_id_ballot_conflicts'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_conflict_attachments')),
        sa.UniqueConstraint('conflict_id', 'file_name', name='uq_ballot_conflict_attachments_conflict_file'),
    )


def downgrade():
    op.drop_table('ballot_conflict_attachments')
