"""/healthz, the 503 for a missing Redis, and the worker's and cron's retry with backoff."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from workbench import embedded_redis
from workbench.jobs import backoff
from workbench.jobs.backoff import Backoff, keep_running


def test_healthz_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_names_a_missing_redis(app, client):
    app.extensions.pop("workbench_redis_probe", None)
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{embedded_redis.free_port()}/0"  # nothing listens
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded", "database": "ok", "redis": "down"}


def test_a_redis_error_in_a_request_is_a_chinese_503(app, owner_client, monkeypatch):
    def boom(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    # Any view that reaches Redis behaves the same; the today page is the one every owner opens.
    monkeypatch.setitem(app.view_functions, "owner.today", boom)
    response = owner_client.get("/store/today")
    assert response.status_code == 503
    assert "后台处理暂时不可用" in response.get_data(as_text=True)


def test_backoff_doubles_to_the_cap():
    b = Backoff(first=1, cap=30)
    assert [b.next_delay() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    b.reset()
    assert b.next_delay() == 1


def test_keep_running_retries_until_asked_to_stop(caplog):
    outcomes = iter([RedisConnectionError("refused"), False, True])
    slept: list[float] = []

    def run() -> bool:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    keep_running(run, "worker", sleep=slept.append)
    assert slept == [1, 2]
    assert "worker ConnectionError: refused; retrying in 1 s (attempt 1)" in caplog.text
    assert "worker stopped on its own; retrying in 2 s (attempt 2)" in caplog.text


def test_keep_running_resets_after_a_healthy_run():
    ticks = iter([0, 1, 2, 2 + backoff.HEALTHY_AFTER, 100, 101])
    outcomes = iter([False, False, True])
    slept: list[float] = []
    keep_running(lambda: next(outcomes), "cron", sleep=slept.append, clock=lambda: next(ticks))
    assert slept == [1, 1]


def test_keep_running_can_give_up():
    with pytest.raises(SystemExit):
        keep_running(lambda: False, "cron", sleep=lambda s: None, max_attempts=3)


@pytest.mark.parametrize("command", ["cron", "worker"])
def test_cron_and_worker_retry_when_redis_is_gone(app, runner, monkeypatch, caplog, command):
    """Before: the first Redis error ended the process (and run.py took everything down)."""
    import functools

    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry
    from rq import Queue


    nowhere = Redis(port=embedded_redis.free_port(), socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    monkeypatch.setitem(app.extensions, "rq_queue", Queue(app.config["RQ_QUEUE"], connection=nowhere))
    monkeypatch.setattr(backoff, "keep_running",
                        functools.partial(keep_running, sleep=lambda s: None, max_attempts=3))
    result = runner.invoke(args=["jobs", command])
    assert result.exit_code == 1, result.output
    assert caplog.text.count(f"{command} ConnectionError") == 3
    assert "retrying in 2 s (attempt 2)" in caplog.text


def test_the_503_is_json_for_a_json_client_and_a_fragment_for_htmx(app, owner_client, monkeypatch):
    def boom(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    monkeypatch.setitem(app.view_functions, "owner.today", boom)
    as_json = owner_client.get("/store/today", headers={"Accept": "application/json"})
    assert as_json.status_code == 503 and "后台处理" in as_json.get_json()["error"]
    fragment = owner_client.get("/store/today", headers={"HX-Request": "true"})
    assert fragment.status_code == 503 and "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["Retry-After"] == "5"


def _run_script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "run.py"
    spec = importlib.util.spec_from_file_location("run_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Crashing:
    """A child that dies as soon as it starts."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.proc = type("P", (), {"pid": 1})()
        self.starts = 0

    def start(self) -> None:
        self.starts += 1

    def exited(self):
        return 1

    def stop(self) -> None:
        pass


@pytest.mark.parametrize("essential", [False, True])
def test_the_supervisor_restarts_a_crashing_child_five_times_then_gives_up(monkeypatch, capsys, essential):
    run = _run_script()
    now = [0.0]
    monkeypatch.setattr(run.time, "monotonic", lambda: now[0])
    child = _Crashing("web" if essential else "worker")
    restarts = run.Restarts(clock=lambda: now[0])
    verdicts = []
    for _ in range(40):  # ticks of the watch loop 20 s apart: longer than any pause, well inside the window
        verdicts.append(run.watch(child, restarts, essential))
        now[0] += 20
        if not verdicts[-1] or child.proc is None:
            break
    log = capsys.readouterr().err
    assert child.starts == run.MAX_RESTARTS
    assert log.count("exited with status 1; restarting in") == run.MAX_RESTARTS
    assert "restarting in 1s (restart 1 of 5 allowed in 10 min)" in log
    assert "restarting in 16s (restart 5 of 5" in log
    if essential:
        assert verdicts[-1] is False and "giving up: stopping everything" in log
    else:
        assert all(verdicts) and "giving up on it (the web keeps serving without it)" in log


def test_restarts_are_counted_in_a_sliding_window():
    run = _run_script()
    now = [0.0]
    restarts = run.Restarts(clock=lambda: now[0])
    for _ in range(run.MAX_RESTARTS):
        assert restarts.allow()
        restarts.schedule()
    assert not restarts.allow()
    now[0] += run.RESTART_WINDOW + 1  # the old crashes have aged out
    assert restarts.allow()
