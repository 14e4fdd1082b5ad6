"""issue 21: commission statements keep their line totals

HQ's month page showed, per store, the count of lines, the clawbacks, the adjustments and
the last payable day by aggregating the whole month's lines on every view (~260,000 rows
on the large preset). The statement now stores them: closing writes them, adding a line to
a closed statement refreshes them, ``flask commission recompute`` checks them. Existing
statements are filled from their lines here (correlated subqueries: the same SQL on SQLite
and PostgreSQL; each reads one statement's lines through ix_commission_lines_statement).

Revision ID: df3df0ddac64
Revises: d7e2a9c41b05
Create Date: 2026-12-06 04:27:44.888919

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'df3df0ddac64'
down_revision = 'd7e2a9c41b05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('commission_statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('clawback_fen', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('adjustment_fen', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_payable_on', sa.Date(), nullable=True))

    lines = "FROM commission_statement_lines l WHERE l.statement_id = commission_statements.id"
    op.execute(f"""
        UPDATE commission_statements SET
            line_count = (SELECT COUNT(*) {lines}),
            clawback_fen = COALESCE((SELECT SUM(l.commission_fen) {lines} AND l.kind = 'clawback'), 0),
            adjustment_fen = COALESCE((SELECT SUM(l.commission_fen) {lines} AND l.kind = 'adjustment'), 0),
            last_payable_on = (SELECT MAX(l.payable_on) {lines})
        WHERE status <> 'open'
    """)


def downgrade():
    with op.batch_alter_table('commission_statements', schema=None) as batch_op:
        batch_op.drop_column('last_payable_on')
        batch_op.drop_column('adjustment_fen')
        batch_op.drop_column('clawback_fen')
        batch_op.drop_column('line_count')
