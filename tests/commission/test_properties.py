"""Random order histories through closing, refunds and plan changes: the stored statements stay provable."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from tests.commission.conftest import TIERS, at
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
CHANGED_TIERS = ((0, 600), (1_000_000, 900))

event = st.tuples(
    st.integers(0, 2),  # month of the pickup
    st.integers(0, 27),  # day in it
    st.integers(1, 900_000),  # amount, fen
    st.lists(st.tuples(st.integers(1, 80), st.integers(0, 3), st.integers(0, 27)), max_size=3),
    # refunds: (percent of the amount, months after the pickup month, day) — before or after closing
)


def _closing(period_first: date):
    """When the test closes the month starting ``period_first``: 02:00 on the next 1st."""
    return at((period_first + timedelta(days=32)).replace(day=1), 2)


def _half_up(exact: Fraction) -> int:
    """Round a non-negative exact amount of fen to the nearest fen, halves up."""
    return math.floor(exact + Fraction(1, 2))


def _oracle(pickups, refunds, versions) -> dict[str, dict[tuple[str, int], int]]:
    """Every month's statement lines, {(kind, order item): commission fen}, from the rules as
    the issue states them, computed from scratch with exact fractions.

    ``pickups``: (item, local day, amount) picked up at noon; ``refunds``: (item, fen, when);
    ``versions``: (effective from, tier mode, tiers).
    """
    def version_on(day):
        return max((v for v in versions if v[0] <= day), key=lambda v: v[0])

    def rate_at(tiers, gmv):  # the rate of the band the GMV position ``gmv`` falls in
        return [bp for low, bp in tiers if low <= gmv][-1]

    def refunded(item, before):
        return sum(fen for i, fen, when in refunds if i == item and when < before)

    out: dict[str, dict[tuple[str, int], int]] = {}
    earned: dict[int, tuple[int, int, int, int, int]] = {}  # item → (month, paid, netted, net, commission)
    for index, (period, first) in enumerate(MONTHS):
        cutoff, lines = _closing(first), {}
        mine = sorted((p for p in pickups if (p[1].year, p[1].month) == (first.year, first.month)),
                      key=lambda p: (p[1], p[0]))
        nets = {item: amount - min(refunded(item, cutoff), amount) for item, _, amount in mine}
        gmv, position = sum(nets.values()), 0
        for item, day, amount in mine:
            net = nets[item]
            if net <= 0:
                continue  # refunded in full before closing: no line
            _, mode, tiers = version_on(day)
            first_bp = tiers[0][1]
            if mode == "whole":
                exact = Fraction(net * (first_bp + rate_at(tiers, gmv) - first_bp), 10_000)
            else:  # each band of the month's GMV this line covers earns that band's rate
                bounds = [low for low, _ in tiers] + [None]
                exact = Fraction(0)
                for (low, bp), high in zip(tiers, bounds[1:], strict=True):
                    lo, hi = max(position, low), position + net if high is None else min(position + net, high)
                    exact += Fraction(max(0, hi - lo) * bp, 10_000)
            position += net
            lines[("earning", item)] = _half_up(exact)
            earned[item] = (index, amount, amount - net, net, lines[("earning", item)])
        previous = _closing(MONTHS[index - 1][1]) if index else None
        for item, (month, paid, netted, net, commission) in earned.items():
            if month >= index:
                continue
            # Refunds after the line's statement closed, up to this closing and up to the last.
            now = min(refunded(item, cutoff), paid) - netted
            before = min(refunded(item, previous), paid) - netted
            if now > before:
                lines[("clawback", item)] = -(_half_up(Fraction(commission * min(now, net), net))
                                              - _half_up(Fraction(commission * min(before, net), net)))
        out[period] = lines
    return out


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
        ledger.version(MONTHS[month][1] + timedelta(days=day), mode=mode, tiers=CHANGED_TIERS)
    versions = [(date(2026, 1, 1), first_mode, TIERS)]
    if change:
        versions.append((MONTHS[change[0]][1] + timedelta(days=change[1]), change[2], CHANGED_TIERS))
    refunds_by_month = defaultdict(list)
    pickups = []
    for month, day, amount, refunds in events:
        item = ledger.pickup(MONTHS[month][1] + timedelta(days=day), amount)
        pickups.append((item.id, MONTHS[month][1] + timedelta(days=day), amount))
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
    # And against the oracle below, which shares no code with the application.
    refunds = [(item.id, fen, at(when)) for month in refunds_by_month.values() for item, fen, when in month]
    expected = _oracle(pickups, refunds, versions)
    for period, _ in MONTHS:
        statement = s.scalar(select(CommissionStatement).where(CommissionStatement.period == period))
        stored = {(ln.kind, ln.order_item_id): ln.commission_fen for ln in s.scalars(
            select(StatementLine).where(StatementLine.statement_id == statement.id))}
        assert stored == expected[period], period
        assert statement.commission_fen == sum(expected[period].values())
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
