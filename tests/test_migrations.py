"""Migrations build the whole schema from nothing, match the models, and go back down.

They run through the real ``flask db`` commands in a subprocess, on a fresh SQLite file
and (when a server answers) a fresh PostgreSQL database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from workbench.extensions import db

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).parent / "flask")


def flask_db(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKBENCH_ENV": "testing", "DATABASE_URL": url, "FLASK_APP": "wsgi.py"}
    result = subprocess.run([FLASK, "db", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=180, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"flask db {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}"
    return result


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def upgrade_check_downgrade(url: str) -> None:
    model_tables = set(db.metadata.tables)
    assert tables(url) == set()

    flask_db(url, "upgrade")
    assert tables(url) == model_tables | {"alembic_version"}
    check = flask_db(url, "check")
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    flask_db(url, "downgrade", "base")
    assert tables(url) <= {"alembic_version"}

    flask_db(url, "upgrade")
    check = flask_db(url, "check")
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_single_head():
    """Parallel branches must be merged, or ``flask db upgrade`` stops working."""
    heads = flask_db("sqlite://", "heads").stdout.split()
    assert heads.count("(head)") == 1, heads


def test_sqlite_from_empty_to_head_and_back(tmp_path):
    upgrade_check_downgrade(f"sqlite:///{tmp_path / 'migrate.sqlite'}")


@pytest.mark.postgres
def test_postgresql_from_empty_to_head_and_back(scratch_postgres):
    upgrade_check_downgrade(scratch_postgres)
