"""Seeding the database with the demo brand: guard, generate, bulk-load, refresh figures."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, text

from workbench.demo.generate import SEEDED_TABLES, Dataset, Progress, SeedParams, generate
from workbench.demo.load import load
from workbench.demo.settlement import settle_history
from workbench.extensions import db
from workbench.hq import kpi
from workbench.stores.models import Store, StoreKpi


class DataExists(RuntimeError):
    """The database already holds rows the seed would collide with."""

    def __init__(self, tables: list[str]):
        super().__init__(f"tables already hold data: {', '.join(tables)}")
        self.tables = tables


@dataclass
class SeedResult:
    dataset: Dataset
    counts: dict[str, int]
    generate_seconds: float
    load_seconds: float


def has_stores() -> bool:
    """Whether any store exists (what ``--if-empty`` checks)."""
    return db.session.execute(select(Store.id).limit(1)).first() is not None


def tables_with_rows(names) -> list[str]:
    """Those of ``names`` that hold at least one row."""
    found = []
    with db.engine.connect() as conn:
        for name in names:
            if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None:
                found.append(name)
    return found


def reset_database() -> None:
    """Delete every row of every table (children first); ids start again at 1 on PostgreSQL."""
    db.session.remove()
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                conn.execute(text(f'DELETE FROM "{name}"'))


def seed(params: SeedParams, progress: Progress | None = None,
         load_progress: Progress | None = None, *, dataset: Dataset | None = None) -> SeedResult:
    """Generate the brand for ``params`` and load it into the empty app database.

    Raises ``DataExists`` when a table the seed fills already has rows: explicit ids and a
    known generating process only make sense in an empty database. (Job records and the
    like may exist: a worker can run before the first seed.)
    """
    db.session.remove()  # no transaction of ours may hold a lock during the bulk load
    busy = tables_with_rows([*SEEDED_TABLES, StoreKpi.__tablename__])
    if busy:
        raise DataExists(busy)
    t0 = time.perf_counter()
    ds = dataset or generate(params, progress)
    t1 = time.perf_counter()
    counts = load(db.engine, ds.tables, load_progress)
    window = current_app.config.get("STORE_KPI_WINDOW_DAYS", 7)
    kpi.recompute(db.session, params.end_date, window)
    settle_history(db.session, params.end_date)
    db.session.commit()
    return SeedResult(dataset=ds, counts=counts, generate_seconds=t1 - t0, load_seconds=time.perf_counter() - t1)
