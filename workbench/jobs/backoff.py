"""Keep the worker and the cron process alive across Redis outages.

rq 2.x retries a refused connection while a worker waits for work (doubling up to 60 s),
but a read that times out (Redis paused), or an error in its heartbeat or maintenance,
ends ``Worker.work()``; ``CronScheduler.start()`` has no retry at all. Both then exit, and
before this the supervisor took the whole app down with them. Here each one is run again
after a pause that doubles from 1 s up to 30 s (reset once a run has lasted a while), with
a log line per retry; SIGTERM/SIGINT during the pause still stop the process at once.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable

log = logging.getLogger("workbench.jobs")

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
# A run this long counts as recovered: the next failure starts again from FIRST_DELAY.
HEALTHY_AFTER = 60.0


class Backoff:
    """Exponential delays: 1, 2, 4 … capped at ``cap`` seconds."""

    def __init__(self, first: float = FIRST_DELAY, cap: float = MAX_DELAY) -> None:
        self.first = first
        self.cap = cap
        self.attempt = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.first * 2**self.attempt)
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop(signum)


def _pause(seconds: float, sleep: Callable[[float], None]) -> bool:
    """Sleep, returning False if SIGTERM/SIGINT arrived (the run's own handlers are gone)."""
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        sleep(seconds)
        return True
    except _Stop:
        return False
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def keep_running(
    run: Callable[[], bool],
    what: str,
    *,
    backoff: Backoff | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_attempts: int | None = None,
) -> None:
    """Call ``run`` until it reports a requested stop.

    :param run: returns True when it stopped because it was asked to (a signal, burst
        mode), False when it gave up on its own; an exception counts as giving up.
    :param max_attempts: for tests; None retries for ever (the supervisor is the bound).
    """
    backoff = backoff or Backoff()
    attempts = 0
    while True:
        started = clock()
        try:
            if run():
                return
            reason = "stopped on its own"
        except Exception as exc:  # noqa: BLE001 - any failure is retried; the log says which
            reason = f"{type(exc).__name__}: {exc}"
        if clock() - started >= HEALTHY_AFTER:
            backoff.reset()
        attempts += 1
        if max_attempts is not None and attempts >= max_attempts:
            log.error("%s %s; giving up after %d attempts", what, reason, attempts)
            raise SystemExit(1)
        delay = backoff.next_delay()
        log.warning("%s %s; retrying in %.0f s (attempt %d)", what, reason, delay, attempts)
        if not _pause(delay, sleep):
            log.info("%s: stop requested while waiting to retry", what)
            return
