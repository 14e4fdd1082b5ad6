"""Demo history of commission settlement: the last months closed, confirmed and paid.

As HQ would have done it: each month closed at 02:00 on the 1st of the next month,
confirmed on the 10th and paid on the 15th, except the last complete month, which is left
closed so owners can dispute its lines and HQ can confirm it (one dispute is open on it,
one already rejected; one store earns an HQ bonus each month). Refunds made after a
month's closing become clawbacks on the next month's statement, as in real life.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from workbench.auth.models import Role, User
from workbench.commission import lifecycle, periods, states
from workbench.commission.models import CommissionStatement, LineKind, StatementLine
from workbench.commission.statements import close_period
from workbench.formatting import SHANGHAI
from workbench.stores.models import Store

SETTLED_MONTHS = 3


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)


def settle_history(session: Session, end_date: date, months: int = SETTLED_MONTHS) -> list[str]:
    """Close the ``months`` complete months before ``end_date``'s month; pay all but the last."""
    hq = session.scalar(select(User.id).where(User.role == Role.HQ).order_by(User.id).limit(1))
    last = periods.preceding(periods.of(end_date))
    todo = [last]
    while len(todo) < months:
        todo.insert(0, periods.preceding(todo[0]))
    stores = session.execute(select(Store.id, Store.owner_id).where(Store.is_active.is_(True))
                             .order_by(Store.id)).all()
    for period in todo:
        first_next = periods.next_first(periods.parse(period)[0])
        if hq is not None and len(stores) > 1:
            # An HQ bonus entered late in the month: it becomes a line when the month closes.
            lifecycle.add_adjustment(session, stores[1].id, period, 5_000, "直播带货表现突出，总部奖励",
                                     hq, _at(first_next - timedelta(days=3), 18))
        close_period(session, period, _at(first_next, 2))
        if session.get_bind().dialect.name == "postgresql":
            # Months close back to back in one transaction, before autovacuum has looked at
            # the lines just written: without fresh statistics the next month's clawback
            # query plans for an empty table (ANALYZE counts this transaction's own rows).
            session.execute(text("ANALYZE commission_statement_lines, commission_statements"))
        if period != last and hq is not None:
            ids = list(session.scalars(select(CommissionStatement.id).where(CommissionStatement.period == period)))
            states.confirm(session, ids, hq, _at(first_next + timedelta(days=9), 10))
            paid_on = first_next + timedelta(days=14)
            states.mark_paid(session, ids, f"DEMO-{period}", hq, _at(paid_on, 15), paid_on)
    _disputes(session, last, stores, hq, _at(periods.next_first(periods.parse(last)[0]), 10))
    return todo


def _disputes(session: Session, period: str, stores, hq: int | None, when: datetime) -> None:
    """On the month waiting for HQ: one dispute still open, one HQ already rejected."""
    for index, (store_id, owner_id) in enumerate(stores[:2] if hq is not None else []):
        line = session.scalar(
            select(StatementLine.id)
            .join(CommissionStatement, CommissionStatement.id == StatementLine.statement_id)
            .where(CommissionStatement.period == period, StatementLine.store_id == store_id,
                   StatementLine.kind == LineKind.EARNING)
            .order_by(StatementLine.commission_fen.desc(), StatementLine.id).limit(1))
        if line is None or owner_id is None:
            continue
        note = "这单是团购活动价，佣金比例好像不对" if index == 0 else "请核对这单的佣金比例"
        dispute = lifecycle.open_dispute(session, store_id, line, note, owner_id, when)
        if index == 1:
            lifecycle.resolve_dispute(session, dispute.id, accept=False, resolution="已核对订单和佣金方案，比例计算无误",
                                      resolver_id=hq, now=when + timedelta(hours=1))
