"""issue 21: campaigns indexed by pickup day

HQ's shipping and purchase pages start from one pickup day across every store
(``campaigns.pickup_on = day``); without an index that was a scan of all campaigns.

Revision ID: be26c6256e3d
Revises: df3df0ddac64
Create Date: 2026-12-06 04:35:44.984759

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'be26c6256e3d'
down_revision = 'df3df0ddac64'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index('ix_campaigns_pickup_on', ['pickup_on'], unique=False)


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_campaigns_pickup_on')
