"""What happens on a statement besides its moves: HQ's adjustments, the owner's disputes.

The statement's states, their moves (confirm, pay) and the guards these actions ask
(``can_adjust``, ``can_dispute``) are in ``states.py``. Nothing here commits: each HQ or
owner action is one transaction in the view.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workbench.commission import periods
from workbench.commission.models import (
    CommissionAdjustment,
    CommissionDispute,
    CommissionStatement,
    DisputeStatus,
    StatementLine,
    StatementStatus,
)
from workbench.commission.statements import adjustment_draft, refresh_line_totals
from workbench.commission.states import LifecycleError, can_adjust, can_dispute
from workbench.timeutil import local_day

S = StatementStatus
MAX_ADJUSTMENT_FEN = 100_000_000  # ¥1,000,000: anything larger is a typo


def add_adjustment(session: Session, store_id: int, period: str, amount_fen: int, reason: str,
                   author_id: int, now: datetime) -> CommissionAdjustment:
    """A bonus (> 0) or penalty (< 0) on the store's statement for ``period``.

    On a month still running it becomes a line when the month closes; on a closed,
    unconfirmed statement the line is added at once and the total follows. Confirmed or
    paid statements are final: adjust the next month instead.
    """
    periods.parse(period)
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError("reason_required")
    if amount_fen == 0 or abs(amount_fen) > MAX_ADJUSTMENT_FEN:
        raise LifecycleError("bad_amount")
    statement = session.scalar(select(CommissionStatement).where(
        CommissionStatement.store_id == store_id, CommissionStatement.period == period)
        .with_for_update().execution_options(populate_existing=True))
    if statement is not None and not can_adjust(statement.status):
        raise LifecycleError("final", status=statement.status)
    adj = CommissionAdjustment(store_id=store_id, period=period, amount_fen=amount_fen, reason=reason[:200],
                               created_by_id=author_id, created_at=now)
    session.add(adj)
    session.flush()
    if statement is not None and statement.status == S.CLOSED:
        _add_line(session, statement, adj, local_day(now))
    return adj


def _add_line(session: Session, statement: CommissionStatement, adj: CommissionAdjustment, day: date) -> None:
    session.add(StatementLine(**adjustment_draft(adj, day).record(statement.id, statement.store_id)._asdict()))
    session.flush()
    statement.commission_fen = session.scalar(
        select(func.sum(StatementLine.commission_fen)).where(StatementLine.statement_id == statement.id)) or 0
    session.flush()
    refresh_line_totals(session, [statement.id])
    session.expire(statement, ["line_count", "clawback_fen", "adjustment_fen", "last_payable_on"])


def open_dispute(session: Session, store_id: int, line_id: int, note: str, author_id: int,
                 now: datetime) -> CommissionDispute:
    """The owner objects to a line of a closed statement (before HQ confirms it)."""
    note = (note or "").strip()
    if not note:
        raise LifecycleError("note_required")
    line = session.scalar(select(StatementLine).where(StatementLine.id == line_id,
                                                      StatementLine.store_id == store_id))
    if line is None:
        raise LifecycleError("not_found")
    # Locked: HQ's confirm locks the same row, so a dispute and a confirmation never cross.
    statement = session.scalar(select(CommissionStatement).where(CommissionStatement.id == line.statement_id)
                               .with_for_update().execution_options(populate_existing=True))
    if not can_dispute(statement.status):
        raise LifecycleError("not_disputable", status=statement.status)
    if session.scalar(select(CommissionDispute.id).where(CommissionDispute.line_id == line_id,
                                                         CommissionDispute.status == DisputeStatus.OPEN)):
        raise LifecycleError("already_disputed")
    dispute = CommissionDispute(store_id=store_id, statement_id=statement.id, line_id=line_id, note=note[:300],
                                created_by_id=author_id, created_at=now)
    session.add(dispute)
    session.flush()  # the partial unique index settles a race between two phones
    return dispute


def resolve_dispute(session: Session, dispute_id: int, *, accept: bool, resolution: str, resolver_id: int,
                    now: datetime, amount_fen: int | None = None,
                    store_ids: list[int] | None = None) -> CommissionDispute:
    """HQ accepts (an adjustment of ``amount_fen`` follows, on the same statement) or rejects with a reason."""
    resolution = (resolution or "").strip()
    dispute = session.get(CommissionDispute, dispute_id)
    if dispute is None or (store_ids is not None and dispute.store_id not in store_ids):
        raise LifecycleError("not_found")
    if not resolution:
        raise LifecycleError("reason_required")
    if accept and (amount_fen is None or amount_fen == 0 or abs(amount_fen) > MAX_ADJUSTMENT_FEN):
        raise LifecycleError("bad_amount")
    moved = session.execute(
        update(CommissionDispute)
        .where(CommissionDispute.id == dispute_id, CommissionDispute.status == DisputeStatus.OPEN)
        .values(status=DisputeStatus.ACCEPTED if accept else DisputeStatus.REJECTED, resolved_at=now,
                resolved_by_id=resolver_id, resolution=resolution[:300])
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise LifecycleError("already_resolved")
    if accept:
        statement = session.get(CommissionStatement, dispute.statement_id)
        reason = f"争议 #{dispute.id}: {resolution}"
        if statement.status == S.CLOSED:
            adj = add_adjustment(session, dispute.store_id, statement.period, amount_fen, reason, resolver_id, now)
        else:  # confirmed meanwhile cannot happen (confirm needs no open disputes); be safe anyway
            adj = add_adjustment(session, dispute.store_id, periods.of(local_day(now)), amount_fen, reason,
                                 resolver_id, now)
        dispute.adjustment_id = adj.id
    session.expire(dispute)
    return session.get(CommissionDispute, dispute_id)
