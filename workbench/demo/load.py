"""Bulk-load generated tables through the app's engine.

SQLite: the raw DBAPI connection, ``executemany`` in large batches inside one
transaction, with foreign keys enforced and ``synchronous=OFF`` for the load only.
PostgreSQL: ``COPY … FROM STDIN`` through psycopg 3, secondary indexes and foreign keys
of the big tables dropped for the copy and rebuilt (and so validated) in the same
transaction, then every ``id`` sequence moved past the loaded ids. Any other database
is refused: the app supports these two databases.

Column values follow the generator's conventions: ``datetime64[s]`` UTC (NaT = NULL),
``datetime64[D]`` dates, ``-1`` for NULL in nullable integer columns, Python lists for
text and JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import numpy as np
from sqlalchemy import JSON, Engine, Table

from workbench.extensions import db

BATCH_ROWS = 100_000
#: Tables at least this long load without their secondary indexes and foreign keys (PostgreSQL).
BIG_TABLE_ROWS = 50_000

Progress = Callable[[str, int], None]


def load(engine: Engine, tables: dict[str, dict[str, object]], progress: Progress | None = None) -> dict[str, int]:
    """Insert every table of ``tables`` (ids included) in foreign-key order; returns row counts."""
    progress = progress or (lambda label, n: None)
    unknown = set(tables) - set(db.metadata.tables)
    if unknown:
        raise ValueError(f"unknown tables: {sorted(unknown)}")
    ordered = [t for t in db.metadata.sorted_tables if t.name in tables]
    for table in ordered:
        _check_columns(table, tables[table.name])
    dialect = engine.dialect.name
    if dialect == "sqlite":
        return _load_sqlite(engine, ordered, tables, progress)
    if dialect == "postgresql":
        return _load_postgres(engine, ordered, tables, progress)
    raise NotImplementedError(f"bulk load supports SQLite and PostgreSQL, not {dialect}")


def _check_columns(table: Table, columns: dict[str, object]) -> None:
    missing = [c.name for c in table.columns
               if c.name not in columns and not c.nullable and c.server_default is None]
    extra = set(columns) - set(table.columns.keys())
    if missing or extra:
        raise ValueError(f"{table.name}: missing {missing}, unknown {sorted(extra)}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"{table.name}: columns of different lengths {sorted(lengths)}")


def _rows(columns: dict[str, object]) -> int:
    return len(next(iter(columns.values())))


def _db_values(table: Table, name: str, values, start: int, stop: int) -> list:
    """One column slice as Python values the DBAPI accepts (NULLs as None)."""
    column = table.c[name]
    part = values[start:stop]
    if isinstance(part, np.ndarray):
        kind = part.dtype.kind
        if kind == "M":
            null = np.isnat(part)
            if np.datetime_data(part.dtype)[0] == "D":
                out = np.datetime_as_string(part).tolist()
            else:
                text = np.datetime_as_string(part.astype("datetime64[us]"), unit="us").astype("S26")
                raw = text.view(np.uint8).reshape(-1, 26)
                raw[:, 10] = ord(" ")  # ISO "T" → the space SQLAlchemy writes and reads
                out = raw.view("S26").ravel().astype("U26").tolist()
            for i in np.flatnonzero(null).tolist():
                out[i] = None
            return out
        if kind == "b":
            return part.astype(np.int64).tolist()
        out = part.tolist()
        if kind in "iu" and column.nullable:
            for i in np.flatnonzero(part < 0).tolist():
                out[i] = None
        return out
    if isinstance(column.type, JSON):
        return [None if v is None else json.dumps(v, ensure_ascii=False) for v in part]
    return list(part)


def _batches(table: Table, columns: dict[str, object]) -> Iterator[tuple[int, list[list]]]:
    n = _rows(columns)
    for start in range(0, n, BATCH_ROWS):
        stop = min(n, start + BATCH_ROWS)
        yield stop - start, [_db_values(table, name, values, start, stop) for name, values in columns.items()]


# --- SQLite ------------------------------------------------------------------------------

def _load_sqlite(engine: Engine, ordered: list[Table], tables, progress: Progress) -> dict[str, int]:
    counts: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        con = raw.driver_connection
        saved_isolation = con.isolation_level
        con.isolation_level = None  # we issue BEGIN/COMMIT ourselves
        cur = con.cursor()
        pragmas = ("synchronous", "foreign_keys", "cache_size", "temp_store")
        saved = {name: cur.execute(f"PRAGMA {name}").fetchone()[0] for name in pragmas}
        try:
            # Outside any transaction: SQLite ignores foreign_keys changes inside one.
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-262144")  # 256 MB of page cache for the load
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("BEGIN")
            try:
                for table in ordered:
                    columns = tables[table.name]
                    names = ", ".join(f'"{c}"' for c in columns)
                    marks = ", ".join("?" for _ in columns)
                    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
                    for n, values in _batches(table, columns):
                        cur.executemany(sql, zip(*values, strict=True))
                        progress(table.name, n)
                    counts[table.name] = _rows(columns)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            # Fresh statistics so the pages' queries use the indexes (sampled: quick).
            cur.execute("PRAGMA analysis_limit=1000")
            cur.execute("ANALYZE")
        finally:
            for name, value in saved.items():
                cur.execute(f"PRAGMA {name}={value}")
            cur.close()
            con.isolation_level = saved_isolation
    finally:
        raw.close()
    return counts


# --- PostgreSQL ----------------------------------------------------------------------------

def _pg_text(values: list) -> list[str]:
    """COPY text format: \\N for NULL, backslash escapes for the separators."""
    out = []
    for v in values:
        if v is None:
            out.append("\\N")
        elif isinstance(v, str):
            if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
                v = v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
            out.append(v)
        else:
            out.append(str(v))
    return out


def _secondary_structures(cur, table: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Foreign keys (name, definition) and plain index definitions of ``table``."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname", (table,))
    fks = [(name, definition) for name, definition in cur.fetchall()]
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1", (table,))
    indexes = [(name, definition) for name, definition in cur.fetchall()]
    return fks, indexes


def _load_postgres(engine: Engine, ordered: list[Table], tables, progress: Progress) -> dict[str, int]:
    counts: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        con = raw.driver_connection
        try:
            with con.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit = off")
                # Big tables: drop foreign keys and plain indexes now, rebuild them after the
                # copy. Rebuilding validates every key in one pass instead of a trigger per row.
                rebuild: list[tuple[str, list, list]] = []
                for table in ordered:
                    if _rows(tables[table.name]) >= BIG_TABLE_ROWS:
                        fks, indexes = _secondary_structures(cur, table.name)
                        rebuild.append((table.name, fks, indexes))
                # Drop every foreign key pointing into a big table first, then its own.
                for name, fks, indexes in rebuild:
                    for fk, _definition in fks:
                        cur.execute(f'ALTER TABLE "{name}" DROP CONSTRAINT "{fk}"')
                    for index, _definition in indexes:
                        cur.execute(f"DROP INDEX {index}")
                for table in ordered:
                    columns = tables[table.name]
                    names = ", ".join(f'"{c}"' for c in columns)
                    with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                        for n, values in _batches(table, columns):
                            text = [_pg_text(v) for v in values]
                            copy.write("\n".join(map("\t".join, zip(*text, strict=True))) + "\n")
                            progress(table.name, n)
                    counts[table.name] = _rows(columns)
                for name, fks, indexes in rebuild:
                    for _index, definition in indexes:
                        cur.execute(definition)
                    for fk, definition in fks:
                        cur.execute(f'ALTER TABLE "{name}" ADD CONSTRAINT "{fk}" {definition}')
                    progress(f"{name} indexes", 0)
                # Later inserts take ids after the loaded ones.
                for table in ordered:
                    if "id" not in table.c or not table.c.id.primary_key:
                        continue
                    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table.name,))
                    sequence = cur.fetchone()[0]
                    if sequence:
                        cur.execute(f'SELECT setval(%s, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table.name}"',
                                    (sequence,))
            con.commit()
        except BaseException:
            con.rollback()
            raise
        with con.cursor() as cur:
            cur.execute("ANALYZE " + ", ".join(f'"{t.name}"' for t in ordered))
        con.commit()
    finally:
        raw.close()
    return counts
