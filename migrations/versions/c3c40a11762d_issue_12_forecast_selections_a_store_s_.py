"""issue 12: forecast_selections, a store's served method kept a week

Revision ID: c3c40a11762d
Revises: 05a56a0761e6
Create Date: 2026-12-06 02:54:40.392787

"""
from alembic import op
import sqlalchemy as sa

import workbench.types


# revision identifiers, used by Alembic.
revision = 'c3c40a11762d'
down_revision = '05a56a0761e6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forecast_selections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('selected_for', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('shifts', sa.JSON(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('created_at', workbench.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_forecast_selections_store_id_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_selections')),
    sa.UniqueConstraint('store_id', 'selected_for', name='uq_forecast_selections_store_day')
    )


def downgrade():
    op.drop_table('forecast_selections')
