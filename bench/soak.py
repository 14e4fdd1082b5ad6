#!/usr/bin/env python3
"""Soak: the whole app under ``scripts/run.py`` for N minutes, with Redis and the worker failing.

    .venv/bin/python bench/soak.py [--minutes 10] [--owners 50]

In a temporary instance folder (SQLite, the embedded Redis on a free port, never the
developer's ``instance/``): migrate, seed ``--owners`` stores, move ``--pickups`` picked-up
orders of each store back to 到货 (waiting at the counter), then start ``scripts/run.py``
and let one thread per owner work like an owner: page views (今日, 提货, 收益, the orders
list), one-tap pickups at the counter (a failed tap is tapped again, as a person would),
接龙 pastes (preview, then confirm) and now and then a statement PDF (a worker job).
Meanwhile, at fixed points of the run: Redis is paused (SIGSTOP, up to 50 s) and resumed,
the worker is killed (SIGKILL of its process group), Redis is killed (the supervisor
restarts it from its append-only file), and the worker is killed again.

Afterwards it waits (``--drain-minutes``) for every job to end, then checks: every order
whose pickup was answered 2xx has exactly one live verification and is picked up, no order
has two, every 接龙 line whose confirm was answered became exactly one order, no job record is still queued or running, RQ's queue is empty, run.py is still up
and stops cleanly. Prints ``name: value`` lines; targets: ``http_5xx_unintended: 0``,
``jobs_stuck: 0``, ``pickups_lost: 0``, ``pickups_doubled: 0``, ``paste_lines_lost: 0``,
``paste_lines_doubled: 0``. A 503 ("try again in a moment") is the
intended answer while a backend is down and is counted apart.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from common import free_port, percentile, say  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
PREVIEWED = re.compile(r'name="previewed" type="hidden" value="([^"]*)"|name="previewed" value="([^"]*)"')
READY = re.compile(r'jl-chip--ready">[^<]*<b>(\d+)</b>')
PAGES = ("/store/today", "/store/pickup", "/store/earnings", "/store/orders/", "/store/community")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.by_kind: Counter = Counter()
        self.kind_status: Counter = Counter()
        self.unintended: list[str] = []
        self.latencies: list[float] = []

    def add(self, kind: str, method: str, path: str, status: int, ms: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.by_kind[kind] += 1
            self.kind_status[kind, status] += 1
            self.latencies.append(ms)
            # 503 is the designed answer while a backend is down ("try again in a moment");
            # any other 5xx, or no answer at all, is a fault.
            if status == 0 or (status >= 500 and status != 503):
                self.unintended.append(f"{status} {method} {path}")


class Owner:
    def __init__(self, port: int, stats: Stats, plan: dict, rng: random.Random) -> None:
        self.port = port
        self.stats = stats
        self.plan = plan
        self.rng = rng
        self.cookie = plan["cookie"]
        self.token = plan["token"]
        self.picked: dict[int, int] = {}  # order id → the status that ended its taps
        self.pastes = 0
        # Each paste: its members, the lines the preview called ready, the confirm's last answer.
        self.pasted: list[tuple[list[int], int, int]] = []
        self.unused_members = list(plan["members"])
        rng.shuffle(self.unused_members)
        self.pdfs = 0

    def request(self, kind: str, method: str, path: str, form: dict | None = None, htmx: bool = False,
                timeout: float = 60) -> tuple[int, str]:
        headers = {"Cookie": self.cookie}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({"csrf_token": self.token, **form})
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.token})
        if htmx:
            headers["HX-Request"] = "true"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            status = response.status
        except OSError:
            status, text = 0, ""
        finally:
            conn.close()
        self.stats.add(kind, method, path, status, (time.perf_counter() - started) * 1000)
        return status, text

    def page(self) -> None:
        self.request("page", "GET", self.rng.choice(PAGES), htmx=self.rng.random() < 0.3)

    def pickup(self) -> bool:
        waiting = [o for o in self.plan["orders"] if o[0] not in self.picked]
        if not waiting:
            return False
        order_id, member_id = waiting[0]
        for attempt in range(8):  # an owner taps again until the counter answers
            status, _ = self.request("pickup", "POST", f"/store/pickup/members/{member_id}/pickup",
                                     {"scope": "selected", "order_id": order_id, "method": "phone_tail"}, htmx=True)
            if status and status < 500:
                self.picked[order_id] = status
                return True
            time.sleep(1 + attempt)
        self.picked[order_id] = status
        return True

    def paste(self) -> None:
        campaign = self.plan.get("campaign")
        if campaign is None or self.pastes >= 3 or len(self.unused_members) < 4:
            return
        self.pastes += 1
        # Members new to this run, so each pasted line must become exactly one new order.
        members = [self.unused_members.pop() for _ in range(4)]
        text = "\n".join(f"{i + 1}. {name} {address} {self.rng.choice(self.plan['products'])}×{self.rng.randint(1, 3)}"
                         for i, (_mid, name, address) in enumerate(members))
        base = f"/store/orders/campaigns/{campaign}/paste"
        status, body = self.request("paste", "POST", base + "/preview", {"text": text}, htmx=True)
        match, ready = PREVIEWED.search(body), READY.search(body)
        if status != 200 or not match or not ready:
            return
        for attempt in range(5):  # a failed confirm is tapped again, as a person would
            status, _ = self.request("paste", "POST", base + "/confirm",
                                     {"text": text, "previewed": match.group(1) or match.group(2) or ""})
            if status and status < 500:
                break
            time.sleep(1 + attempt)
        self.pasted.append(([m[0] for m in members], int(ready.group(1)), status))

    def pdf(self) -> None:
        if self.pdfs >= 1 or not self.plan.get("period"):
            return
        self.pdfs += 1
        self.request("pdf", "POST", f"/store/earnings/{self.plan['period']}/pdf", {}, htmx=True)

    def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            roll = self.rng.random()
            if roll < 0.45:
                self.page()
            elif roll < 0.80:
                if not self.pickup():
                    self.page()
            elif roll < 0.95:
                self.paste()
            elif self.plan["pdf"]:
                self.pdf()
            time.sleep(self.rng.uniform(0.5, 2.5))


# --------------------------------------------------------------------------- set-up


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL)


def prepare(db_path: Path, owners: int, per_store: int) -> list[dict]:
    """Orders back to waiting for pickup, and what each owner's thread needs to know."""
    conn = sqlite3.connect(db_path)
    plans = []
    stores = conn.execute("SELECT s.id, u.username FROM stores s JOIN users u ON u.id = s.owner_id "
                          "ORDER BY s.id LIMIT ?", (owners,)).fetchall()
    for store_id, username in stores:
        rows = conn.execute("SELECT id, member_id FROM orders WHERE store_id = ? AND status = 'picked_up' "
                            "ORDER BY picked_up_at DESC, id LIMIT ?", (store_id, per_store)).fetchall()
        ids = [r[0] for r in rows]
        marks = ",".join("?" * len(ids))
        if ids:
            conn.execute(f"UPDATE orders SET status = 'arrived', picked_up_at = NULL WHERE id IN ({marks})", ids)
            conn.execute("UPDATE pickup_verifications SET undone_at = datetime('now', '-1 day') "
                         f"WHERE order_id IN ({marks}) AND undone_at IS NULL", ids)
        campaign = conn.execute("SELECT id FROM campaigns WHERE store_id = ? AND status IN ('active', 'grouped') "
                                "ORDER BY starts_at LIMIT 1", (store_id,)).fetchone()
        products = [r[0] for r in conn.execute(
            "SELECT p.name FROM campaign_products cp JOIN products p ON p.id = cp.product_id "
            "WHERE cp.campaign_id = ?", (campaign[0] if campaign else -1,))]
        members = conn.execute("SELECT m.id, m.name, coalesce(b.name, '') || m.room FROM members m "
                               "LEFT JOIN buildings b ON b.id = m.building_id WHERE m.store_id = ? "
                               "ORDER BY m.id LIMIT 40", (store_id,)).fetchall()
        if campaign:
            before = dict(conn.execute("SELECT member_id, count(*) FROM orders WHERE campaign_id = ? "
                                       "GROUP BY member_id", campaign).fetchall())
        else:
            before = {}
        plans.append({"store_id": store_id, "username": username, "orders": [tuple(r) for r in rows],
                      "campaign": campaign[0] if campaign and products else None, "products": products,
                      "members": [tuple(m) for m in members], "orders_before": before})
    conn.commit()
    conn.close()
    return plans


def log_in(plans: list[dict], env: dict) -> None:
    """Each owner's session through the real login form, in process (the limiter off: 50
    logins from one address would trip it, which is the limiter working, not a fault)."""
    os.environ.update({k: env[k] for k in ("WORKBENCH_INSTANCE", "SECRET_KEY", "REDIS_URL", "WORKBENCH_ENV")})
    sys.path.insert(0, str(ROOT))
    from workbench import create_app
    from workbench.demo import process
    from workbench.extensions import db, limiter

    app = create_app()
    limiter.enabled = False
    for plan in plans:
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = next(g for g in CSRF.search(page).groups() if g)
        response = client.post("/auth/login", data={"login": plan["username"], "password": process.OWNER_PASSWORD,
                                                    "csrf_token": token})
        if response.status_code != 302:
            raise SystemExit(f"{plan['username']}: login answered {response.status_code}")
        page = client.get("/store/earnings")
        text = page.get_data(as_text=True)
        plan["token"] = next(g for g in CSRF.search(text).groups() if g)
        plan["cookie"] = "session=" + client.get_cookie("session").value
        period = re.search(r"/store/earnings/(\d{4}-\d{2})/pdf", text)
        plan["period"] = period.group(1) if period else None
    with app.app_context():
        db.engine.dispose()


# --------------------------------------------------------------------------- faults


class Faults:
    def __init__(self, instance: Path, redis_port: int, log) -> None:
        self.instance = instance
        self.redis_port = redis_port
        self.log = log
        self.events: list[str] = []

    def pid(self, name: str) -> int | None:
        path = (self.instance / "redis" / f"redis-{self.redis_port}.pid" if name == "redis"
                else self.instance / "run" / f"{name}.pid")
        for _ in range(100):
            try:
                return int(path.read_text())
            except (FileNotFoundError, ValueError):
                time.sleep(0.1)
        return None

    def note(self, what: str, t0: float) -> None:
        line = f"{time.monotonic() - t0:6.1f}s {what}"
        self.events.append(line)
        print(f"fault: {line}", flush=True)

    def run(self, t0: float, duration: float, stop: threading.Event) -> None:
        pause = min(50.0, 0.12 * duration)
        plan = [(0.15, "pause_redis"), (0.40, "kill_worker"), (0.55, "kill_redis"), (0.75, "kill_worker")]
        for at, action in plan:
            if stop.wait(max(0.0, t0 + at * duration - time.monotonic())):
                return
            if action == "pause_redis":
                pid = self.pid("redis")
                os.kill(pid, signal.SIGSTOP)
                self.note(f"redis paused (pid {pid}) for {pause:.0f}s", t0)
                stop.wait(pause)
                os.kill(pid, signal.SIGCONT)
                self.note("redis resumed", t0)
            elif action == "kill_redis":
                pid = self.pid("redis")
                os.kill(pid, signal.SIGKILL)
                self.note(f"redis killed (pid {pid})", t0)
            else:
                pid = self.pid("worker")
                if pid:
                    os.killpg(pid, signal.SIGKILL)
                    self.note(f"worker killed (pid {pid})", t0)


# --------------------------------------------------------------------------- checks


def check_writes(db_path: Path, owners: list[Owner]) -> tuple[int, int, int]:
    """(pickups answered 2xx, lost: answered 2xx but not recorded once, doubled: >1 live)."""
    conn = sqlite3.connect(db_path, timeout=30)
    answered = [oid for o in owners for oid, status in o.picked.items() if 200 <= status < 300]
    lost = 0
    for oid in answered:
        live = conn.execute("SELECT count(*) FROM pickup_verifications WHERE order_id = ? AND undone_at IS NULL",
                            (oid,)).fetchone()[0]
        status = conn.execute("SELECT status FROM orders WHERE id = ?", (oid,)).fetchone()[0]
        lost += live != 1 or status != "picked_up"
    doubled = conn.execute("SELECT count(*) FROM (SELECT order_id FROM pickup_verifications "
                           "WHERE undone_at IS NULL GROUP BY order_id HAVING count(*) > 1)").fetchone()[0]
    conn.close()
    return len(answered), lost, doubled


def check_pastes(db_path: Path, owners: list[Owner]) -> tuple[int, int, int]:
    """(ready lines of pastes whose confirm answered 303, lost: fewer new orders than those
    lines, doubled: a member with more than one new order from one line)."""
    conn = sqlite3.connect(db_path, timeout=30)
    confirmed = lost = doubled = 0
    for owner in owners:
        campaign = owner.plan.get("campaign")
        for members, ready, status in owner.pasted:
            new = [conn.execute("SELECT count(*) FROM orders WHERE campaign_id = ? AND member_id = ?",
                                (campaign, mid)).fetchone()[0] - owner.plan["orders_before"].get(mid, 0)
                   for mid in members]
            doubled += sum(n > 1 for n in new)
            if status == 303:
                confirmed += ready
                lost += max(0, ready - sum(new))
    conn.close()
    return confirmed, lost, doubled


def open_jobs(db_path: Path, redis_port: int) -> tuple[int, int]:
    from redis import Redis

    conn = sqlite3.connect(db_path, timeout=30)
    records = conn.execute("SELECT count(*) FROM job_records WHERE status IN ('queued', 'running')").fetchone()[0]
    conn.close()
    r = Redis(port=redis_port, socket_timeout=5)
    queued = r.llen("rq:queue:workbench") + r.zcard("rq:wip:workbench") if r.ping() else -1
    return records, queued


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--owners", type=int, default=50)
    parser.add_argument("--pickups", type=int, default=12, help="orders waiting at each store's counter")
    parser.add_argument("--drain-minutes", type=float, default=5, help="how long jobs may take to end afterwards")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder (its run.log)")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="wb-soak-"))
    port, redis_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "UPLOAD_FOLDER", "STATEMENT_PDF_FOLDER")}
    env.update(WORKBENCH_INSTANCE=str(instance), SECRET_KEY="soak-" + os.urandom(8).hex(), PORT=str(port),
               EMBEDDED_REDIS_PORT=str(redis_port), DEMO_SEED="0", WORKBENCH_ENV="development",
               FLASK_APP="wsgi.py", REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    db_path = instance / "workbench.sqlite"
    run_env = {k: v for k, v in env.items() if k != "REDIS_URL"}  # run.py starts the embedded one
    supervisor = None
    log_file = (instance / "run.log").open("wb")
    status = 1
    try:
        t = time.monotonic()
        (instance / "run").mkdir(parents=True)
        flask(env, "db", "upgrade")
        flask(env, "demo", "seed", "--stores", str(args.owners), "--members", str(args.owners * 100),
              "--days", "30", "--quiet")
        plans = prepare(db_path, args.owners, args.pickups)
        say("setup_seconds", time.monotonic() - t)
        supervisor = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "run.py")], cwd=ROOT, env=run_env,
                                      stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            if supervisor.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("run.py did not come up; see " + str(instance / "run.log"))
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        log_in(plans, env)
        rng = random.Random(args.seed)
        for i, plan in enumerate(plans):
            plan["pdf"] = i % 5 == 0  # ten PDFs in a run of 50 owners: real jobs, not a flood
        stats = Stats()
        owners = [Owner(port, stats, plan, random.Random(rng.random())) for plan in plans]
        say("owners", len(owners))
        say("pickups_waiting", sum(len(p["orders"]) for p in plans))
        duration = args.minutes * 60
        t0 = time.monotonic()
        stop = threading.Event()
        faults = Faults(instance, redis_port, log_file)
        chaos = threading.Thread(target=faults.run, args=(t0, duration, stop))
        threads = [threading.Thread(target=o.run, args=(t0 + duration,)) for o in owners]
        chaos.start()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        stop.set()
        chaos.join()
        say("soak_seconds", time.monotonic() - t0)

        # Whatever an owner tapped and never got an answer for, tapped again now everything is up.
        for owner in owners:
            for oid, st in list(owner.picked.items()):
                if not st or st >= 500:
                    del owner.picked[oid]
                    owner.plan["orders"] = [o for o in owner.plan["orders"] if o[0] == oid]
                    owner.pickup()

        drained = time.monotonic()
        records, queued = open_jobs(db_path, redis_port)
        while (records or queued) and time.monotonic() - drained < args.drain_minutes * 60:
            time.sleep(5)
            records, queued = open_jobs(db_path, redis_port)
        say("drain_seconds", time.monotonic() - drained)

        answered, lost, doubled = check_writes(db_path, owners)
        pasted, paste_lost, paste_doubled = check_pastes(db_path, owners)
        unintended = len(stats.unintended)
        say("requests", sum(stats.statuses.values()))
        for kind, n in sorted(stats.by_kind.items()):
            say(f"requests_{kind}", n)
        for (kind, st), n in sorted(stats.kind_status.items()):
            say(f"status_{kind}_{st}", n)
        for st, n in sorted(stats.statuses.items()):
            say(f"status_{st}", n)
        say("latency_p50_ms", percentile(stats.latencies, 0.5))
        say("latency_p95_ms", percentile(stats.latencies, 0.95))
        say("http_503_intended", stats.statuses.get(503, 0))
        say("http_5xx_unintended", unintended)
        for line in Counter(stats.unintended).most_common(5):
            say("unintended", f"{line[1]} × {line[0]}")
        say("pickups_answered", answered)
        say("pickups_lost", lost)
        say("pickups_doubled", doubled)
        say("paste_lines_confirmed", pasted)
        say("paste_lines_lost", paste_lost)
        say("paste_lines_doubled", paste_doubled)
        say("jobs_stuck", records)
        say("rq_jobs_left", queued)
        log = (instance / "run.log").read_text(errors="replace")
        say("supervisor_restarts", len(re.findall(r"\[run\] \w+ restarted", log)))
        say("supervisor_gave_up", "giving up" in log)
        say("supervisor_alive", supervisor.poll() is None)
        ok = (unintended == 0 and lost == 0 and doubled == 0 and records == 0 and queued == 0
              and paste_lost == 0 and paste_doubled == 0
              and supervisor.poll() is None and "giving up" not in log)
        say("check", "pass" if ok else "FAIL")
        status = 0 if ok else 1
        return status
    finally:
        if supervisor is not None and supervisor.poll() is None:
            supervisor.send_signal(signal.SIGTERM)
            try:
                say("supervisor_exit", supervisor.wait(timeout=60))
            except subprocess.TimeoutExpired:
                os.killpg(supervisor.pid, signal.SIGKILL)
        log_file.close()
        if args.keep or status:
            say("instance", instance)
        else:
            shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    raise SystemExit(main())
