"""``scripts/run.py`` as a subprocess on its own ports and instance folder, for fault tests.

Nothing here touches a developer's ``instance/``: the folder, the SQLite file, the
embedded Redis's AOF and the PID files all live in a temporary directory.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from workbench import embedded_redis

ROOT = Path(__file__).resolve().parents[2]


class Supervised:
    def __init__(self, instance: Path, *, seed: bool = False) -> None:
        self.instance = instance
        self.port = embedded_redis.free_port()
        self.redis_port = embedded_redis.free_port()
        self.log_path = instance / "run.log"
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "TEST_REDIS_URL",
                            "WORKBENCH_ENV", "UPLOAD_FOLDER", "STATEMENT_PDF_FOLDER")}
        env.update(WORKBENCH_INSTANCE=str(instance), SECRET_KEY="faults-secret", PORT=str(self.port),
                   EMBEDDED_REDIS_PORT=str(self.redis_port), DEMO_SEED="1" if seed else "0",
                   WEB_CONCURRENCY="1", WORKBENCH_ENV="development")
        self.env = env
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    # ---------------------------------------------------------------- life cycle

    def start(self, timeout: float = 120) -> None:
        self.instance.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run.py")], cwd=ROOT,
                                         env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_for(lambda: self.health()[0] == 200, timeout, "the app to come up")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for(self, predicate, timeout: float, what: str, interval: float = 0.3) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            assert self.alive(), f"run.py exited ({self.proc.returncode}) waiting for {what}:\n{self.log()[-4000:]}"
            if predicate():
                return time.monotonic() - started
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}:\n{self.log()[-4000:]}")

    # ---------------------------------------------------------------- processes

    def pid(self, name: str) -> int | None:
        """The PID file's number, None while the supervisor is between stop and restart."""
        path = (self.instance / "redis" / f"redis-{self.redis_port}.pid" if name == "redis"
                else self.instance / "run" / f"{name}.pid")
        try:
            return int(path.read_text())
        except (FileNotFoundError, ValueError):
            return None

    # ---------------------------------------------------------------- HTTP

    def get(self, path: str, timeout: float = 15, opener=None) -> tuple[int, str]:
        try:
            with (opener or urllib.request.build_opener()).open(self.base + path, timeout=timeout) as r:
                return r.status, r.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except (urllib.error.URLError, OSError):
            return 0, ""

    def health(self, timeout: float = 10) -> tuple[int, dict]:
        status, body = self.get("/healthz", timeout)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {}

    def post_login(self, login: str, password: str, timeout: float = 15) -> int:
        """A login through the form (CSRF token and all); the status, 0 on a timeout."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        status, body = self.get("/auth/login", timeout, opener)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
        data = urllib.parse.urlencode({"login": login, "password": password,
                                       "csrf_token": token.group(1) if token else ""}).encode()
        try:
            with opener.open(self.base + "/auth/login", data=data, timeout=timeout) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (urllib.error.URLError, OSError):
            return 0
