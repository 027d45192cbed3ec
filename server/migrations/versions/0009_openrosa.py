"""openrosa: digest credentials of app passwords, aliases of edited instances

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'openrosa_digest_credentials',
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('ha1', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ['token_id'], ['api_tokens.id'],
            name=op.f('fk_openrosa_digest_credentials_token_id_api_tokens'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('token_id', name=op.f('pk_openrosa_digest_credentials')),
    )
    op.create_table(
        'openrosa_instance_aliases',
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('ballot_instance_id', sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint('instance_id', name=op.f('pk_openrosa_instance_aliases')),
    )


def downgrade():
    op.drop_table('openrosa_instance_aliases')
    op.drop_table('openrosa_digest_credentials')
