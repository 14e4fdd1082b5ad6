#!/usr/bin/env python3
"""Scratch PostgreSQL databases for CI: ``ready``, ``create``, ``drop``.

``ready`` exits 0 when a server answers on ``PGHOST``:``PGPORT`` (default
127.0.0.1:5432). ``create`` makes a fresh ``wb_ci_<random>`` database and prints its
name; ``drop NAME`` removes it and the test workers' ``NAME_gw<N>`` databases. Only databases named ``wb_ci_*`` are ever
dropped, so a typo cannot take a real database with it.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys

HOST = os.environ.get("PGHOST", "127.0.0.1")
PORT = int(os.environ.get("PGPORT", "5432"))
USER = os.environ.get("PGUSER", "postgres")
PREFIX = "wb_ci_"


def ready() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=2):
            pass
    except OSError:
        return False
    try:
        admin().close()
    except Exception as exc:  # answering, but not letting us in
        print(f"[ci] PostgreSQL on {HOST}:{PORT} refused us: {exc}", file=sys.stderr)
        return False
    return True


def admin():
    import psycopg

    return psycopg.connect(host=HOST, port=PORT, user=USER, dbname="postgres", autocommit=True,
                           connect_timeout=5)


def create() -> str:
    name = f"{PREFIX}{secrets.token_hex(5)}"
    with admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop(name: str) -> None:
    if not name.startswith(PREFIX):
        sys.exit(f"[ci] refusing to drop {name!r}: not a {PREFIX}* scratch database")
    with admin() as conn:
        # The test workers' own databases (<name>_gw0, …) too, should a worker have died.
        workers = [row[0] for row in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{name}\\_gw%",))]
        for db in [name, *workers]:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "ready":
        return 0 if ready() else 1
    if command == "create":
        print(create())
        return 0
    if command == "drop" and len(argv) == 3:
        drop(argv[2])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
