"""issue 12: suggestions.forecast_expected holds the expected units a card shows

Until now ``forecast_p50`` held the forecast mean the card shows (the figure the
accuracy score reads). That number gets its own column, ``forecast_expected``;
``forecast_p50`` holds the forecast median again (unknown, so NULL, for older cards).

Revision ID: d7e2a9c41b05
Revises: c3c40a11762d
Create Date: 2026-12-06 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e2a9c41b05'
down_revision = 'c3c40a11762d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forecast_expected', sa.Float(), nullable=True))
        batch_op.drop_constraint(op.f('ck_suggestions_quantile_order'), type_='check')
    op.execute("UPDATE suggestions SET forecast_expected = forecast_p50, forecast_p50 = NULL")
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_suggestions_expected_in_band'),
            'forecast_p10 IS NULL OR (forecast_p10 <= forecast_expected AND forecast_expected <= forecast_p90)')
        batch_op.create_check_constraint(
            op.f('ck_suggestions_quantile_order'),
            'forecast_p50 IS NULL OR forecast_p10 IS NULL OR '
            '(forecast_p10 <= forecast_p50 AND forecast_p50 <= forecast_p90)')


def downgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_suggestions_quantile_order'), type_='check')
        batch_op.drop_constraint(op.f('ck_suggestions_expected_in_band'), type_='check')
    op.execute("UPDATE suggestions SET forecast_p50 = forecast_expected")
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_column('forecast_expected')
        batch_op.create_check_constraint(
            op.f('ck_suggestions_quantile_order'),
            'forecast_p10 IS NULL OR (forecast_p10 <= forecast_p50 AND forecast_p50 <= forecast_p90)')
