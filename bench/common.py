"""What every benchmark here needs: ``name: value`` output, percentiles, a gunicorn to load."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def say(name: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.1f}"
    print(f"{name}: {value}", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(app_path: str, port: int, env: dict, *, workers: int = 2, chdir: Path | None = None,
             extra: tuple[str, ...] = ()) -> subprocess.Popen:
    """gunicorn serving ``app_path`` on 127.0.0.1:``port``, once it accepts connections."""
    cmd = [str(BIN / "gunicorn"), app_path, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--log-level", "warning", *extra]
    if chdir is not None:
        cmd += ["--chdir", str(chdir)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn {app_path} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"gunicorn {app_path} did not start")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def logged_in_client(app, user_id: int):
    """A Flask test client with the user in its session (no password, no rate limit involved)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client
