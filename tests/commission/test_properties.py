"""Random order histories through closing, refunds and plan changes: the stored statements stay provable."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from tests.commission.conftest import at
from workbench.commission.statements import close_period, recompute
from workbench.models import (
    CommissionPlanVersion,
    CommissionRate,
    CommissionStatement,
    CommissionTier,
    Order,
    OrderItem,
    Refund,
    StatementLine,
)

MONTHS = (("2026-08", date(2026, 8, 1)), ("2026-09", date(2026, 9, 1)), ("2026-10", date(2026, 10, 1)))

event = st.tuples(
    st.integers(0, 2),  # month of the pickup
    st.integers(0, 27),  # day in it
    st.integers(1, 900_000),  # amount, fen
    st.lists(st.tuples(st.integers(1, 80), st.integers(0, 3), st.integers(0, 27)), max_size=3),
    # refunds: (percent of the amount, months after the pickup month, day) — before or after closing
)


def _clean(session, plan_id):
    session.execute(delete(StatementLine))
    session.execute(delete(CommissionStatement))
    session.execute(delete(Refund))
    mine = select(Order.id).where(Order.code.like("CM%"))
    session.execute(delete(OrderItem).where(OrderItem.order_id.in_(mine)))
    session.execute(delete(Order).where(Order.code.like("CM%")))
    versions = select(CommissionPlanVersion.id).where(CommissionPlanVersion.plan_id == plan_id)
    session.execute(delete(CommissionTier).where(CommissionTier.version_id.in_(versions)))
    session.execute(delete(CommissionRate).where(CommissionRate.version_id.in_(versions)))
    session.execute(delete(CommissionPlanVersion).where(CommissionPlanVersion.plan_id == plan_id))
    session.commit()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(event, max_size=10), first_mode=st.sampled_from(["whole", "marginal"]),
       change=st.one_of(st.none(), st.tuples(st.integers(0, 2), st.integers(1, 27),
                                             st.sampled_from(["whole", "marginal"]))))
def test_closed_statements_recompute_exactly_and_never_double_count(ledger, events, first_mode, change):
    s = ledger.session
    _clean(s, ledger.plan.id)
    ledger.version(date(2026, 1, 1), mode=first_mode)
    if change:  # a plan change in the middle of a month
        month, day, mode = change
        ledger.version(MONTHS[month][1] + timedelta(days=day), mode=mode, tiers=((0, 600), (1_000_000, 900)))
    refunds_by_month = defaultdict(list)
    for month, day, amount, refunds in events:
        item = ledger.pickup(MONTHS[month][1] + timedelta(days=day), amount)
        left = amount
        for percent, later, rday in refunds:
            fen = min(left, max(1, amount * percent // 100))
            if fen <= 0:
                continue
            left -= fen
            when_month = month + later
            when = (MONTHS[when_month][1] if when_month < 3 else date(2026, 11, 1)) + timedelta(days=rday)
            refunds_by_month[min(when_month, 3)].append((item, fen, when))
    s.commit()
    for index, (period, first) in enumerate(MONTHS):
        for item, fen, when in refunds_by_month[index]:
            ledger.refund(item, fen, at(when))
        s.commit()
        close_period(s, period, at((first + timedelta(days=32)).replace(day=1), 2), [ledger.store.id])
        s.commit()
    for item, fen, when in refunds_by_month[3]:
        ledger.refund(item, fen, at(when))
    s.commit()

    for period, _ in MONTHS:
        result = recompute(s, period)
        assert result.mismatches == [], result.mismatches
    for statement in s.scalars(select(CommissionStatement)):
        total = s.scalar(select(func.coalesce(func.sum(StatementLine.commission_fen), 0))
                         .where(StatementLine.statement_id == statement.id))
        assert statement.commission_fen == total
    # No pickup earns twice; no refund claws back more than the line earned.
    earning = s.execute(select(StatementLine.order_item_id, func.count()).where(StatementLine.kind == "earning")
                        .group_by(StatementLine.order_item_id)).all()
    assert all(n == 1 for _, n in earning)
    for line in s.scalars(select(StatementLine).where(StatementLine.kind == "earning")):
        clawed = s.scalar(select(func.coalesce(func.sum(StatementLine.commission_fen), 0))
                          .where(StatementLine.original_line_id == line.id))
        assert -line.commission_fen <= clawed <= 0
        refunded = s.scalar(select(func.coalesce(func.sum(Refund.amount_fen), 0))
                            .where(Refund.order_item_id == line.order_item_id))
        paid = line.amount_fen + line.refunded_fen
        if refunded >= paid:  # refunded in full by the last closing: nothing kept … unless refunded after it
            last_close = at(date(2026, 11, 1), 2)
            late = s.scalar(select(func.coalesce(func.sum(Refund.amount_fen), 0)).where(
                Refund.order_item_id == line.order_item_id, Refund.created_at >= last_close))
            if late == 0:
                assert line.commission_fen + clawed == 0
