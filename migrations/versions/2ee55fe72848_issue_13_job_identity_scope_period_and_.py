"""issue 13: job identity (scope, period) and one active job per identity

A job's identity is its kind (``name``), what it works on (``scope``) and the month or
day it is for (``period``); a partial unique index allows one queued or running job per
identity. Rows from before have no scope or period, so two active rows of one kind would
break the index: all but the newest are marked failed first (they are the stuck jobs
issue 13 is about; the runner skips a job whose record is no longer active).

Revision ID: 2ee55fe72848
Revises: be26c6256e3d
Create Date: 2026-12-06 04:22:46.124473

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2ee55fe72848'
down_revision = "be26c6256e3d"
branch_labels = None
depends_on = None


ACTIVE = "status IN ('queued', 'running')"


def upgrade():
    with op.batch_alter_table('job_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('period', sa.String(length=20), server_default='', nullable=False))
    # A store's job was scoped by its store before; keep it so.
    op.execute(sa.text("UPDATE job_records SET scope = 'store:' || store_id WHERE store_id IS NOT NULL"))
    op.execute(sa.text(
        "UPDATE job_records SET status = 'failed', finished_at = created_at, "
        "error = 'superseded: an older duplicate, closed when jobs got an identity' "
        f"WHERE {ACTIVE} AND EXISTS (SELECT 1 FROM job_records AS newer WHERE newer.name = job_records.name "
        "AND newer.scope = job_records.scope AND newer.status IN ('queued', 'running') "
        "AND (newer.created_at > job_records.created_at "
        "OR (newer.created_at = job_records.created_at AND newer.id > job_records.id)))"))
    with op.batch_alter_table('job_records', schema=None) as batch_op:
        batch_op.create_index('uq_job_records_active', ['name', 'scope', 'period'], unique=True,
                              sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))


def downgrade():
    with op.batch_alter_table('job_records', schema=None) as batch_op:
        batch_op.drop_index('uq_job_records_active', sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE))
        batch_op.drop_column('period')
        batch_op.drop_column('scope')

