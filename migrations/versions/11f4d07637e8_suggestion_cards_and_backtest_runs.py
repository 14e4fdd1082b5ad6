"""Suggestion cards (今日建议) and backtest runs.

Revision ID: 11f4d07637e8
Revises: 86b170530747
Create Date: 2026-11-23 14:33:42.512850

"""
from alembic import op
import sqlalchemy as sa

import workbench.types


# revision identifiers, used by Alembic.
revision = '11f4d07637e8'
down_revision = '86b170530747'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('backtest_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ran_at', workbench.types.UTCDateTime(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('horizon', sa.Integer(), nullable=False),
    sa.Column('holdout_days', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('wape', sa.Float(), nullable=True),
    sa.Column('mase', sa.Float(), nullable=True),
    sa.Column('bias', sa.Float(), nullable=True),
    sa.Column('coverage80', sa.Float(), nullable=True),
    sa.Column('series', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.CheckConstraint('horizon >= 1 AND holdout_days >= 1 AND series >= 0', name=op.f('ck_backtest_runs_sizes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backtest_runs'))
    )
    with op.batch_alter_table('backtest_runs', schema=None) as batch_op:
        batch_op.create_index('ix_backtest_runs_ran_at', ['ran_at'], unique=False)

    op.create_table('suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('for_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('stock_batch_id', sa.Integer(), nullable=True),
    sa.Column('forecast_p10', sa.Float(), nullable=True),
    sa.Column('forecast_p50', sa.Float(), nullable=True),
    sa.Column('forecast_p90', sa.Float(), nullable=True),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('cold_start', sa.Boolean(), nullable=False),
    sa.Column('model', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('dismiss_reason', sa.String(length=20), nullable=True),
    sa.Column('decided_at', workbench.types.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('actual_units', sa.Float(), nullable=True),
    sa.Column('scored_at', workbench.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', workbench.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("(status = 'dismissed') = (dismiss_reason IS NOT NULL)", name=op.f('ck_suggestions_reason_iff_dismissed')),
    sa.CheckConstraint("dismiss_reason IS NULL OR dismiss_reason IN ('not_relevant', 'no_stock', 'too_risky', 'already_done', 'other')", name=op.f('ck_suggestions_dismiss_reason')),
    sa.CheckConstraint("kind IN ('push', 'clear', 'restock', 'bundle')", name=op.f('ck_suggestions_kind')),
    sa.CheckConstraint("status IN ('new', 'accepted', 'dismissed')", name=op.f('ck_suggestions_status')),
    sa.CheckConstraint('forecast_p10 IS NULL OR (forecast_p10 <= forecast_p50 AND forecast_p50 <= forecast_p90)', name=op.f('ck_suggestions_quantile_order')),
    sa.CheckConstraint('rank >= 1', name=op.f('ck_suggestions_rank')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_suggestions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_suggestions_product_id_products')),
    sa.ForeignKeyConstraint(['stock_batch_id'], ['stock_batches.id'], name=op.f('fk_suggestions_stock_batch_id_stock_batches')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_suggestions_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestions')),
    sa.UniqueConstraint('store_id', 'for_date', 'kind', 'rank', name=op.f('uq_suggestions_store_id_for_date_kind_rank'))
    )
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_suggestions_date_kind', ['for_date', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_product_id'), ['product_id'], unique=False)



def downgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestions_product_id'))
        batch_op.drop_index('ix_suggestions_date_kind')

    op.drop_table('suggestions')
    with op.batch_alter_table('backtest_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_backtest_runs_ran_at')

    op.drop_table('backtest_runs')
