"""the province's own agency groups (no more fixed CHECK), agency lineage, earlier years' published results

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:00:00

Existing agencies keep their group codes: the three built-in groups are inserted with their Vietnamese
names, then the CHECK on agencies.agency_group is replaced by a foreign key to agency_groups.code
(on SQLite by a batch copy of the table, on PostgreSQL by ALTER TABLE).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BUILT_IN = [
    ("department", "Sở, ban, ngành", 1),
    ("district", "UBND cấp huyện", 2),
    ("commune", "UBND cấp xã", 3),
]


def upgrade():
    groups = op.create_table(
        'agency_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_groups')),
        sa.UniqueConstraint('code', name=op.f('uq_agency_groups_code')),
    )
    op.bulk_insert(groups, [{"code": c, "name": n, "position": p} for c, n, p in BUILT_IN])
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_agencies_agency_group'), type_='check')
        batch_op.create_foreign_key(
            batch_op.f('fk_agencies_agency_group_agency_groups'), 'agency_groups', ['agency_group'], ['code'],
            ondelete='RESTRICT',
        )
    op.create_table(
        'agency_lineage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('predecessor_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('effective_date', sa.Date(), nullable=True),
        sa.CheckConstraint("kind IN ('merged_from', 'split_from', 'renamed_from')", name=op.f('ck_agency_lineage_kind')),
        sa.CheckConstraint('agency_id <> predecessor_id', name=op.f('ck_agency_lineage_not_itself')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_lineage_agency_id_agencies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['predecessor_id'], ['agencies.id'], name=op.f('fk_agency_lineage_predecessor_id_agencies'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_lineage')),
        sa.UniqueConstraint('agency_id', 'predecessor_id', name='uq_agency_lineage_agency_predecessor'),
    )
    with op.batch_alter_table('agency_lineage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_lineage_agency_id'), ['agency_id'], unique=False)
    op.create_table(
        'published_agency_results',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('agency_code', sa.String(length=32), nullable=False),
        sa.Column('agency_name', sa.String(length=300), nullable=False),
        sa.Column('group_code', sa.String(length=16), nullable=False),
        sa.Column('points', sa.Numeric(precision=10, scale=4, asdecimal=False), nullable=True),
        sa.Column('index', sa.Numeric(precision=10, scale=4, asdecimal=False), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=True),
        sa.Column('band', sa.String(length=100), nullable=False),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('imported_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_published_agency_results_imported_by_id_users'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_agency_results')),
        sa.UniqueConstraint('year', 'agency_code', name='uq_published_agency_results_year_agency'),
    )
    with op.batch_alter_table('published_agency_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_agency_results_year'), ['year'], unique=False)
    op.create_table(
        'published_group_results',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('group_code', sa.String(length=16), nullable=False),
        sa.Column('mean', sa.Numeric(precision=10, scale=4, asdecimal=False), nullable=False),
        sa.Column('highest', sa.Numeric(precision=10, scale=4, asdecimal=False), nullable=True),
        sa.Column('lowest', sa.Numeric(precision=10, scale=4, asdecimal=False), nullable=True),
        sa.Column('agencies', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=300), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_group_results')),
        sa.UniqueConstraint('year', 'group_code', name='uq_published_group_results_year_group'),
    )
    with op.batch_alter_table('published_group_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_group_results_year'), ['year'], unique=False)


def downgrade():
    with op.batch_alter_table('published_group_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_group_results_year'))
    op.drop_table('published_group_results')
    with op.batch_alter_table('published_agency_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_agency_results_year'))
    op.drop_table('published_agency_results')
    with op.batch_alter_table('agency_lineage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_lineage_agency_id'))
    op.drop_table('agency_lineage')
    others = op.get_bind().execute(
        sa.text("SELECT count(*) FROM agencies WHERE agency_group NOT IN ('department', 'district', 'commune')")
    ).scalar()
    if others:
        raise RuntimeError(f"{others} agencies belong to groups other than the three built-in ones; move them first.")
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agencies_agency_group_agency_groups'), type_='foreignkey')
        batch_op.create_check_constraint(
            op.f('ck_agencies_agency_group'), "agency_group IN ('department', 'district', 'commune')"
        )
    op.drop_table('agency_groups')
