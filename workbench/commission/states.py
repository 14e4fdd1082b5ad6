"""A commission statement's states, the moves between them, and the guard on each move.

    open ──close──▶ closed ──confirm──▶ confirmed ──pay──▶ paid

* **open**: the month is running; nothing is stored (the owner sees it live). Closing
  (``statements.close_period``) stores the lines; it is refused while the month runs
  (``refuse_running``) or while a store's earlier month with pickups was never closed
  (``refuse_gaps``): a clawback must land on the next statement, so months close in order.
* **closed**: HQ may still add adjustments (a line at once) and the owner may dispute
  lines (``can_adjust``, ``can_dispute``).
* **confirmed**: HQ confirmed it with no open dispute (``confirm``); final: adjustments go
  to the next month.
* **paid**: with a payment reference, once every line is past its after-sales window
  (``mark_paid``).

Each move is a conditional UPDATE on the current status, so two HQ clerks cannot confirm
or pay one statement twice. The refusals carry a code the views turn into a message.
Nothing here commits: each HQ or owner action is one transaction in the view.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workbench.commission import periods
from workbench.commission.models import (
    CommissionDispute,
    CommissionStatement,
    DisputeStatus,
    StatementLine,
    StatementStatus,
)
from workbench.orders.models import Order
from workbench.stores.models import Store

S = StatementStatus
#: A stored statement: closed, or past it.
CLOSED_STATES = (S.CLOSED, S.CONFIRMED, S.PAID)
#: Nothing changes on these any more: adjust the next month instead.
FINAL_STATES = (S.CONFIRMED, S.PAID)


# ------------------------------------------------------------------ refusals


class CloseRefused(Exception):
    """Closing refused: ``reason`` is "running" or "gap", ``detail`` the month (and the stores)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


class LifecycleError(Exception):
    """The action does not fit the statement's or dispute's current state; ``code`` says why."""

    def __init__(self, code: str, **detail) -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


def can_adjust(status: str | None) -> bool:
    """An adjustment may go on a statement still open (a line at closing) or closed (a line at once)."""
    return status not in FINAL_STATES


def can_dispute(status: str) -> bool:
    """The owner may dispute a line only while its statement is closed and not yet confirmed."""
    return status == S.CLOSED


# ------------------------------------------------------------------ open → closed


def refuse_running(period: str, today: date) -> None:
    """Refuse to close a month that has not ended (``today`` is the local day)."""
    if periods.parse(period)[1] >= today:
        raise CloseRefused("running", period)


def refuse_gaps(session: Session, store_ids: list[int], period: str) -> None:
    """Refuse when a store's previous month had pickups but was never closed.

    Only once a store's settlement has started (it has an earlier statement): the first
    month ever closed may follow months that never had statements.
    """
    before = periods.preceding(period)
    start, end = periods.utc_bounds(before)
    closed = select(CommissionStatement.store_id).where(
        CommissionStatement.period == before, CommissionStatement.status.in_(CLOSED_STATES))
    started = select(CommissionStatement.store_id).where(CommissionStatement.period < period)
    missing = session.scalars(
        select(Store.code)
        .where(Store.id.in_(store_ids), Store.id.in_(started), Store.id.not_in(closed),
               select(Order.id).where(Order.store_id == Store.id, Order.picked_up_at >= start,
                                      Order.picked_up_at < end).exists())
        .order_by(Store.code)
    ).all()
    if missing:
        raise CloseRefused("gap", f"{before}: {', '.join(missing[:10])}" + (" …" if len(missing) > 10 else ""))


def close_check(session: Session, period: str, today: date) -> str | None:
    """Why ``period`` cannot be closed now for the stores still to close ("running" / "gap: <month>"), or None.

    The same checks ``close_period`` makes, asked before queueing the job so HQ gets
    the answer on the page rather than in a failed job.
    """
    try:
        refuse_running(period, today)
    except CloseRefused:
        return "running"
    ids = list(session.scalars(select(Store.id).where(
        Store.is_active.is_(True), Store.commission_plan_id.is_not(None),
        Store.id.not_in(select(CommissionStatement.store_id).where(
            CommissionStatement.period == period, CommissionStatement.status.in_(CLOSED_STATES))))))
    if not ids:
        return "nothing"
    try:
        refuse_gaps(session, ids, period)
    except CloseRefused as exc:
        return f"gap:{exc.detail}"
    return None


# ------------------------------------------------------------------ closed → confirmed → paid


def confirm(session: Session, statement_ids: list[int], resolver_id: int, now: datetime) -> list[int]:
    """Confirm closed statements without open disputes; returns the ids confirmed."""
    if not statement_ids:
        return []
    # Lock first, then look for disputes: a dispute committed while we waited is seen.
    locked = session.scalars(select(CommissionStatement.id).where(
        CommissionStatement.id.in_(statement_ids), CommissionStatement.status == S.CLOSED).with_for_update()).all()
    disputed = set(session.scalars(select(CommissionDispute.statement_id).where(
        CommissionDispute.statement_id.in_(locked), CommissionDispute.status == DisputeStatus.OPEN)))
    ready = [i for i in locked if i not in disputed]
    if not ready:
        return []
    rows = session.execute(
        update(CommissionStatement)
        .where(CommissionStatement.id.in_(ready), CommissionStatement.status == S.CLOSED)
        .values(status=S.CONFIRMED, confirmed_at=now, confirmed_by_id=resolver_id)
        .returning(CommissionStatement.id)
        .execution_options(synchronize_session=False)
    ).all()
    return _expired(session, [r[0] for r in rows])


def _expired(session: Session, ids: list[int]) -> list[int]:
    """Forget loaded copies of statements just changed by a bulk UPDATE."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, CommissionStatement) and obj.id in ids:
            session.expire(obj)
    return sorted(ids)


def mark_paid(session: Session, statement_ids: list[int], payment_ref: str, payer_id: int, now: datetime,
              today: date) -> list[int]:
    """Mark confirmed statements paid once every line is payable; returns the ids paid."""
    ref = (payment_ref or "").strip()
    if not ref:
        raise LifecycleError("reference_required")
    if not statement_ids:
        return []
    still_pending = select(StatementLine.statement_id).where(
        StatementLine.statement_id.in_(statement_ids), StatementLine.payable_on > today)
    rows = session.execute(
        update(CommissionStatement)
        .where(CommissionStatement.id.in_(statement_ids), CommissionStatement.status == S.CONFIRMED,
               CommissionStatement.id.not_in(still_pending))
        .values(status=S.PAID, paid_at=now, paid_by_id=payer_id, payment_ref=ref[:60])
        .returning(CommissionStatement.id)
        .execution_options(synchronize_session=False)
    ).all()
    return _expired(session, [r[0] for r in rows])


def line_status(statement_status: str, payable_on: date, today: date) -> str:
    """pending (inside the after-sales window) / payable / paid."""
    if statement_status == S.PAID:
        return "paid"
    return "payable" if payable_on <= today else "pending"

