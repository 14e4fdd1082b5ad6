"""Redis paused and killed under ``scripts/run.py``: the web keeps serving, ``/healthz``
says Redis is down, and once Redis is back (resumed, or restarted by the supervisor) the
worker processes jobs again, with nothing else restarted by hand.

Before the fix run.py stopped everything as soon as Redis (or the worker) exited, and
``/healthz`` said 200 whatever Redis did.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from redis import Redis
from rq import Queue

from tests.faults.supervised import Supervised

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def app_under_run(tmp_path_factory):
    sup = Supervised(tmp_path_factory.mktemp("faults-run"))
    try:
        sup.start()
        yield sup
    finally:
        sup.stop()


def _queue(sup: Supervised) -> Queue:
    return Queue("workbench", connection=Redis(port=sup.redis_port, socket_timeout=5))


def _job_done(sup: Supervised, job, timeout: float = 45) -> None:
    sup.wait_for(lambda: job.get_status(refresh=True) == "finished", timeout, f"job {job.id} to finish")


def _redis_down_is_reported(sup: Supervised) -> None:
    status, body = sup.health(timeout=5)
    assert status == 503, (status, body)
    assert body.get("redis") == "down" and body.get("database") == "ok", body
    assert set(body) == {"status", "database", "redis"}  # nothing about addresses or errors


def test_redis_paused_web_serves_and_worker_resumes(app_under_run):
    sup = app_under_run
    _job_done(sup, _queue(sup).enqueue("math.floor", 1.5))
    redis_pid = sup.pid("redis")
    os.kill(redis_pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        _redis_down_is_reported(sup)
        assert time.monotonic() - started < 4
        status, body = sup.get("/auth/login", timeout=10)
        assert status == 200 and "csrf_token" in body
        # The login limiter lives in Redis: a paused server must not hang the form.
        t = time.monotonic()
        assert sup.post_login("nobody", "wrong-password", timeout=12) == 401  # refused, not hung or 5xx
        assert time.monotonic() - t < 8
        # Long enough for the cron's and the limiter's reads to time out (5 s) at least once.
        time.sleep(max(0.0, 12 - (time.monotonic() - started)))
        assert sup.alive(), sup.log()[-3000:]
    finally:
        os.kill(redis_pid, signal.SIGCONT)
    sup.wait_for(lambda: sup.health()[0] == 200, 30, "/healthz to recover")
    _job_done(sup, _queue(sup).enqueue("math.floor", 2.5))
    assert sup.pid("redis") == redis_pid


def test_redis_killed_is_restarted_with_its_queue(app_under_run):
    sup = app_under_run
    redis_pid, worker_pid = sup.pid("redis"), sup.pid("worker")
    # A job queued while no worker takes it must survive the crash (append-only file).
    os.killpg(worker_pid, signal.SIGSTOP)
    try:
        job = _queue(sup).enqueue("math.floor", 3.5)
        time.sleep(1.2)  # appendfsync everysec
        os.kill(redis_pid, signal.SIGKILL)
        _redis_down_is_reported(sup)
        assert sup.get("/auth/login", timeout=10)[0] == 200
        sup.wait_for(lambda: sup.health()[0] == 200, 30, "the supervisor to restart Redis")
    finally:
        os.killpg(worker_pid, signal.SIGCONT)
    assert sup.pid("redis") != redis_pid
    _job_done(sup, job)
    assert "redis exited with status" in sup.log()


def test_worker_killed_is_restarted(app_under_run):
    sup = app_under_run
    worker_pid = sup.pid("worker")
    os.killpg(worker_pid, signal.SIGKILL)
    sup.wait_for(lambda: sup.pid("worker") not in (None, worker_pid), 20, "the worker to be restarted")
    _job_done(sup, _queue(sup).enqueue("math.floor", 4.5))
    assert "worker exited with status" in sup.log()
