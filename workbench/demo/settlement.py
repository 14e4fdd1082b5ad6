"""Demo history of commission settlement: the last months closed, confirmed and paid.

As HQ would have done it: each month closed at 02:00 on the 1st of the next month,
confirmed on the 10th and paid on the 15th, except the last complete month, which is left
closed so owners can dispute its lines and HQ can confirm it. Refunds made after a
month's closing become clawbacks on the next month's statement, as in real life.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from workbench.auth.models import Role, User
from workbench.commission import lifecycle, periods
from workbench.commission.models import CommissionStatement
from workbench.commission.statements import close_period
from workbench.formatting import SHANGHAI

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
    for period in todo:
        first_next = periods.next_first(periods.parse(period)[0])
        close_period(session, period, _at(first_next, 2))
        if session.get_bind().dialect.name == "postgresql":
            # Months close back to back in one transaction, before autovacuum has looked at
            # the lines just written: without fresh statistics the next month's clawback
            # query plans for an empty table (ANALYZE counts this transaction's own rows).
            session.execute(text("ANALYZE commission_statement_lines, commission_statements"))
        if period != last and hq is not None:
            ids = list(session.scalars(select(CommissionStatement.id).where(CommissionStatement.period == period)))
            lifecycle.confirm(session, ids, hq, _at(first_next + timedelta(days=9), 10))
            paid_on = first_next + timedelta(days=14)
            lifecycle.mark_paid(session, ids, f"DEMO-{period}", hq, _at(paid_on, 15), paid_on)
    return todo
