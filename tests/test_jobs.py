"""Background jobs end to end: JobRecord, RQ on the real test Redis, status fragment."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from tests.conftest import login
from workbench.embedded_redis import free_port
from workbench.formatting import SHANGHAI, local_today
from workbench.jobs.models import JobRecord, JobStatus
from workbench.jobs.queue import QueueUnavailable, get_queue, launch
from workbench.models import Order, OrderItem, OrderStatus, StoreKpi

ROOT = Path(__file__).resolve().parent.parent
KPI_JOB = "workbench.hq.jobs.recompute_store_kpis"


class Boom(RuntimeError):
    pass


def exploding_job(*, job_id=None):
    """A job that fails, for the failure path (resolved by dotted name like any job)."""
    raise Boom("the oven caught fire")


def work_burst(app) -> None:
    """Run everything queued, in this process, against the test Redis."""
    queue = get_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def expected_kpis(world, as_of):
    """The figures worked out by hand from the world's orders, not through kpi.compute."""
    first = as_of - timedelta(days=6)
    out = {}
    for sw in (world.a, world.b, world.c):
        sales = [o for o in sw.orders
                 if first <= o.placed_at.astimezone(SHANGHAI).date() <= as_of
                 and o.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.FAILED)]
        out[sw.store.id] = {
            "gmv_fen": sum(o.total_fen for o in sales),
            "orders": len(sales),
            "active_members": len({o.member_id for o in sales}),
            "total_members": len([m for m in sw.members if m.joined_on <= as_of]),
        }
    return out


def add_order(db, sw, *, status, days_ago, total_fen):
    order = Order(code=f"X{sw.store.code}{days_ago}{status}"[:20], store_id=sw.store.id,
                  member_id=sw.members[1].id, pickup_point_id=sw.pickup_point.id, status=status,
                  source="demo", total_fen=total_fen, placed_at=datetime.now(UTC) - timedelta(days=days_ago))
    db.session.add(order)
    db.session.flush()
    return order


@pytest.fixture
def busy_world(db, world):
    """The world plus orders the KPI must leave out: refunded, cancelled, too old."""
    extra = [
        add_order(db, world.a, status=OrderStatus.REFUNDED, days_ago=2, total_fen=50_00),
        add_order(db, world.a, status=OrderStatus.CANCELLED, days_ago=2, total_fen=60_00),
        add_order(db, world.b, status=OrderStatus.PICKED_UP, days_ago=12, total_fen=70_00),
        add_order(db, world.c, status=OrderStatus.PAID, days_ago=4, total_fen=80_00),
    ]
    world.a.orders += extra[:2]
    world.b.orders.append(extra[2])
    world.c.orders.append(extra[3])
    db.session.commit()
    return world


def test_kpi_job_runs_on_a_worker_and_stores_the_right_figures(app, db, busy_world):
    world = busy_world
    as_of = local_today()
    record = launch(KPI_JOB, "重算门店指标", as_of.isoformat(), user_id=world.hq.id)
    db.session.commit()  # the caller's commit queues the job
    assert record.status == JobStatus.QUEUED
    assert get_queue().count == 1
    work_burst(app)

    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.status == JobStatus.FINISHED, record.error
    assert record.progress == 100 and record.finished_at is not None
    assert record.result == {"stores": 3, "as_of": as_of.isoformat()}

    expected = expected_kpis(world, as_of)
    kpis = {k.store_id: k for k in db.session.scalars(select(StoreKpi))}
    assert set(kpis) == set(expected)
    for store_id, figures in expected.items():
        k = kpis[store_id]
        assert k.as_of == as_of and k.window_days == 7
        assert {"gmv_fen": k.gmv_fen, "orders": k.orders, "active_members": k.active_members,
                "total_members": k.total_members} == figures, store_id
    # The world has real sales, so the check above is not comparing zeros with zeros.
    assert expected[world.a.store.id]["orders"] == 3 and expected[world.a.store.id]["gmv_fen"] > 0
    assert expected[world.b.store.id]["orders"] == 3  # the 12-day-old order is outside the window


def test_kpi_job_default_window_ends_yesterday(app, db, world):
    record = launch(KPI_JOB, "重算门店指标", user_id=world.hq.id)
    db.session.commit()
    work_burst(app)
    db.session.expire_all()
    yesterday = local_today() - timedelta(days=1)
    assert db.session.get(JobRecord, record.id).result["as_of"] == yesterday.isoformat()
    kpi = db.session.get(StoreKpi, world.a.store.id)
    assert (kpi.orders, kpi.gmv_fen) == (
        expected_kpis(world, yesterday)[world.a.store.id]["orders"],
        expected_kpis(world, yesterday)[world.a.store.id]["gmv_fen"],
    )


def test_kpi_recompute_replaces_old_figures(app, db, world):
    launch(KPI_JOB, "first", local_today().isoformat())
    db.session.commit()
    work_burst(app)
    db.session.expire_all()
    order = world.a.orders[-1]
    item = db.session.scalar(select(OrderItem).where(OrderItem.order_id == order.id))
    order.status = OrderStatus.REFUNDED
    db.session.commit()
    launch(KPI_JOB, "second", local_today().isoformat())
    db.session.commit()
    work_burst(app)
    db.session.expire_all()
    kpi = db.session.get(StoreKpi, world.a.store.id)
    assert kpi.orders == 2
    assert kpi.gmv_fen == sum(o.total_fen for o in world.a.orders[:2])
    assert item is not None
    assert db.session.scalar(select(StoreKpi).where(StoreKpi.store_id == world.a.store.id)) is kpi


def status_of(client, job_id):
    response = client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_status_fragment_polls_until_done(app, db, world):
    client = login(app.test_client(), world.owner_a)
    record = launch(KPI_JOB, "重算门店指标", local_today().isoformat(), user_id=world.owner_a.id,
                    store_id=world.a.store.id)
    db.session.commit()
    queued = status_of(client, record.id)
    assert "hx-trigger" in queued and f"/jobs/{record.id}" in queued
    assert "<html" not in queued  # a fragment for htmx, not the whole page
    full = client.get(f"/jobs/{record.id}")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers.get("Vary", "")

    work_burst(app)
    finished = status_of(client, record.id)
    assert "hx-trigger" not in finished  # the final state stops polling


def test_failing_job_is_recorded_failed_and_shown(app, db, world):
    client = login(app.test_client(), world.owner_a)
    record = launch("tests.test_jobs.exploding_job", "会失败的任务", user_id=world.owner_a.id)
    db.session.commit()
    work_burst(app)
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.status == JobStatus.FAILED
    assert "Boom" in record.error and "the oven caught fire" in record.error
    assert record.finished_at is not None
    page = status_of(client, record.id)
    assert "hx-trigger" not in page
    assert "the oven caught fire" in page


def test_duplicate_launch_returns_the_running_record(app, db, world):
    first = launch(KPI_JOB, "a", user_id=world.hq.id)
    second = launch(KPI_JOB, "b", user_id=world.hq.id)
    db.session.commit()
    assert second.id == first.id
    assert get_queue().count == 1
    # Another store's job of the same name is not a duplicate.
    other = launch(KPI_JOB, "c", store_id=world.b.store.id)
    db.session.commit()
    assert other.id != first.id
    work_burst(app)
    db.session.expire_all()
    # Once finished, the same job may run again.
    assert launch(KPI_JOB, "d").id != first.id


def test_redis_down_raises_queue_unavailable_and_records_failure(app, db, world):
    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.5)
    app.extensions["rq_queue"] = Queue(app.config["RQ_QUEUE"], connection=dead)
    launch(KPI_JOB, "重算门店指标", user_id=world.hq.id)
    with pytest.raises(QueueUnavailable):
        db.session.commit()
    record = db.session.scalar(select(JobRecord).where(JobRecord.name == KPI_JOB))
    assert record.status == JobStatus.FAILED
    assert record.error.startswith("queue unavailable")
    assert record.finished_at is not None


def test_status_is_private_to_the_launcher(app, db, world):
    record = launch(KPI_JOB, "x", user_id=world.owner_a.id)
    db.session.commit()
    assert status_of(login(app.test_client(), world.owner_a), record.id)
    for other in (world.owner_b, world.hq):
        assert login(app.test_client(), other).get(f"/jobs/{record.id}").status_code == 404


def test_importing_job_modules_builds_no_app(app):
    """Importing the job modules must not create an app (it would read production config)."""
    code = (
        "import workbench.hq.jobs, workbench.jobs.runner as r\n"
        "from flask import has_app_context\n"
        "assert r._app is None and not has_app_context()\n"
    )
    env = {**os.environ, "WORKBENCH_ENV": "production"}
    env.pop("SECRET_KEY", None)  # production would refuse to build an app without it
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT, timeout=60)


def test_real_worker_process_runs_the_job(app, db, world, database_url, redis_url):
    """``flask jobs worker --burst`` as its own process: it builds the app, forks, runs the job."""
    record = launch(KPI_JOB, "重算门店指标", local_today().isoformat(), user_id=world.hq.id)
    db.session.commit()
    env = {
        **os.environ,
        "WORKBENCH_ENV": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "FLASK_APP": "wsgi.py",
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "jobs", "worker", "--burst"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    db.session.expire_all()
    record = db.session.get(JobRecord, record.id)
    assert record.status == JobStatus.FINISHED, (record.error, result.stderr[-2000:])
    assert record.result["stores"] == 3
    assert db.session.get(StoreKpi, world.a.store.id).orders == 3


def test_the_cron_command_lists_its_schedule_before_it_starts(app, monkeypatch):
    from rq.cron import CronScheduler

    started = []
    monkeypatch.setattr(CronScheduler, "start", lambda self: started.append(self.name))
    out = app.test_cli_runner().invoke(args=["jobs", "cron"])
    assert out.exit_code == 0, out.output
    assert "cron: suggestions-nightly at '0 21 * * *' UTC" in out.output
    assert "cron: commission-close at '5 16 * * *' UTC" in out.output
    assert len(started) == 1
