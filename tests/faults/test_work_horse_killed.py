"""kill -9 of an rq work horse, three times: the statement PDF job ends failed, not stuck at 40 %.

Issue 13: killing the work horse of ``POST /store/earnings/<period>/pdf`` on its first run
and on both of rq's retries left the ``JobRecord`` "running" at 40 % for ever, polling
across restarts, and every later PDF request of the store, any month, got the stuck job.

A real worker subprocess (``flask jobs worker``, which forks an rq work horse per job) on
the test Redis, in a Redis database and on a queue of this test's own; "Chromium" is a script that notes its parent
(the work horse) and sleeps, so the horse is caught at 40 %, mid-print, and killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

from tests.jobs.conftest import OCT, closed_october, ledger, owner_a  # noqa: F401  (fixtures)
from workbench.commission import earnings_page
from workbench.jobs.models import JobRecord, JobStatus
from workbench.timeutil import local_day
from workbench.types import utcnow

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
HX = {"HX-Request": "true"}
ATTEMPTS = 3  # the first run and rq's two retries


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def job_id_of(response) -> str:
    text = response.get_data(as_text=True)
    start = text.index("/jobs/") + len("/jobs/")
    return text[start:text.index('"', start)]


@pytest.fixture
def own_queue(app, redis_url):
    """This test's Redis database and queue, for the app and for the worker."""
    url = redis_url.rsplit("/", 1)[0] + "/13"
    connection = Redis.from_url(url)
    connection.flushdb()
    name = f"faults-{uuid.uuid4().hex[:8]}"
    app.config["RQ_QUEUE"] = name
    app.extensions["rq_queue"] = Queue(name, connection=connection)
    yield url, name
    connection.flushdb()


@pytest.fixture
def fake_chromium(tmp_path):
    pids = tmp_path / "horses"
    script = tmp_path / "chromium"
    script.write_text(f'#!/bin/sh\necho "$PPID $$" >> {pids}\nexec sleep 60\n')
    script.chmod(0o755)
    return script, pids


@pytest.fixture
def worker(own_queue, fake_chromium, database_url, tmp_path):
    url, name = own_queue
    env = {**os.environ, "WORKBENCH_ENV": "testing", "DATABASE_URL": database_url, "REDIS_URL": url,
           "RQ_QUEUE": name, "FLASK_APP": "wsgi.py", "CHROMIUM": str(fake_chromium[0]),
           "STATEMENT_PDF_FOLDER": str(tmp_path / "pdf")}
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "jobs", "worker"], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    yield proc
    os.killpg(proc.pid, signal.SIGKILL)  # the worker and anything left of its horses
    proc.wait(timeout=10)
    log.close()


def test_a_work_horse_killed_three_times_ends_failed_with_a_retry(owner_a, closed_october, db, worker,  # noqa: F811
                                                                   fake_chromium):
    pids_file = fake_chromium[1]
    t0 = time.monotonic()
    response = owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX)
    assert response.status_code == 200
    job_id = job_id_of(response)

    killed = []
    for attempt in range(1, ATTEMPTS + 1):
        line = wait_for(lambda n=attempt: pids_file.exists() and len(pids_file.read_text().split("\n")) > n
                        and pids_file.read_text().splitlines()[n - 1], 20, f"work horse #{attempt} at 40 %")
        horse, sleeper = (int(p) for p in line.split())
        db.session.expire_all()
        record = db.session.get(JobRecord, job_id)
        assert (record.status, record.progress) == (JobStatus.RUNNING, 40), attempt
        os.kill(horse, signal.SIGKILL)  # kill -9 of the work horse, mid-print
        os.kill(sleeper, signal.SIGKILL)
        killed.append(horse)
    assert len(set(killed)) == ATTEMPTS  # three work horses, one per attempt

    # The status the owner's page polls follows RQ: failed once the retries are spent.
    fragment = wait_for(lambda: (body := owner_a.get(f"/jobs/{job_id}", headers=HX).get_data(as_text=True))
                        and "job-status--failed" in body and body, 15, "the job to show failed")
    assert "hx-trigger" not in fragment  # polling stops
    assert ">重试</button>" in fragment and f'hx-post="/store/earnings/{OCT}/pdf"' in fragment
    db.session.expire_all()
    record = db.session.get(JobRecord, job_id)
    assert record.status == JobStatus.FAILED and record.finished_at is not None
    assert "Work-horse terminated unexpectedly" in record.error, record.error
    assert len(pids_file.read_text().splitlines()) == ATTEMPTS  # no fourth run

    # A new request for another month starts a new job; so does the same month again.
    options = earnings_page.store_periods(db.session, closed_october.store.id, local_day(utcnow()))
    other = next(p for p, _s in options if p != OCT)
    another = owner_a.post(f"/store/earnings/{other}/pdf", headers=HX)
    assert another.status_code == 200 and job_id_of(another) != job_id
    again = owner_a.post(f"/store/earnings/{OCT}/pdf", headers=HX)
    assert again.status_code == 200 and job_id_of(again) not in (job_id, job_id_of(another))
    print(f"work horse killed {ATTEMPTS} times, job failed, new jobs started: {time.monotonic() - t0:.1f} s")
