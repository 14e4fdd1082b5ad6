"""Refunds carry their store; index refunds and pickups by time.

Existing refunds get their store from their order; the column becomes NOT NULL only
after that backfill, so this upgrades a database that already holds refunds.

Revision ID: 86b170530747
Revises: 8469ccd09459
Create Date: 2026-11-23 14:27:07.490780

"""
from alembic import op
import sqlalchemy as sa

import workbench.types


# revision identifiers, used by Alembic.
revision = '86b170530747'
down_revision = '8469ccd09459'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_store_picked', ['store_id', 'picked_up_at'], unique=False)

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('store_id', sa.Integer(), nullable=True))

    op.execute(
        "UPDATE refunds SET store_id = (SELECT orders.store_id FROM order_items"
        " JOIN orders ON orders.id = order_items.order_id WHERE order_items.id = refunds.order_item_id)"
    )

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.alter_column('store_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_refunds_store_created', ['store_id', 'created_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_refunds_store_id_stores'), 'stores', ['store_id'], ['id'])



def downgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_refunds_store_id_stores'), type_='foreignkey')
        batch_op.drop_index('ix_refunds_store_created')
        batch_op.drop_column('store_id')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_store_picked')

