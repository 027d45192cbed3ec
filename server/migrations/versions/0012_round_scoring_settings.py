"""round scoring settings: the rule for agencies below the minimum sample and the band basis

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_scoring_settings',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('below_min_sample', sa.String(length=16), nullable=False),
    sa.Column('band_basis', sa.String(length=16), nullable=False),
    sa.Column('min_ballots', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("below_min_sample IN ('rank_marked', 'not_ranked')", name=op.f('ck_round_scoring_settings_below_min_sample')),
    sa.CheckConstraint("band_basis IN ('displayed', 'unrounded')", name=op.f('ck_round_scoring_settings_band_basis')),
    sa.CheckConstraint('min_ballots >= 0', name=op.f('ck_round_scoring_settings_min_ballots')),
    sa.ForeignKeyConstraint(['round_id'], ['survey_rounds.id'], name=op.f('fk_round_scoring_settings_round_id_survey_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_round_scoring_settings_updated_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_round_scoring_settings'))
    )


def downgrade():
    op.drop_table('round_scoring_settings')
