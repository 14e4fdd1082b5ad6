"""issue 13: users.session_version revokes sessions and remember cookies

Revision ID: 6cedf27dbfce
Revises: 2ee55fe72848
Create Date: 2026-12-06 04:29:13.520309

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6cedf27dbfce'
down_revision = "2ee55fe72848"
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows start at version 1; sessions issued before this revision carry a bare
    # id, which the loader no longer accepts, so everyone logs in once more.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')

