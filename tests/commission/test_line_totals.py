"""HQ's month page reads each statement's stored line totals: they must equal its lines'.

Issue 21: the page aggregated the whole month's lines on every view (~260,000 rows on the
large preset). Closing now stores the totals and every later line refreshes them; these
tests compare them with the lines themselves, on the demo brand (clawbacks, HQ bonuses,
disputes) and after each way a line can be added to a closed statement.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select, true

from tests.commission.conftest import at
from workbench.commission import lifecycle, settlement
from workbench.commission.statements import recompute
from workbench.demo.generate import SeedParams
from workbench.demo.seed import seed
from workbench.models import (
    CommissionDispute,
    CommissionStatement,
    LineKind,
    Role,
    StatementLine,
    User,
)

END = date(2026, 11, 20)


def from_the_lines(session, period: str) -> dict[int, tuple]:
    """The figures as the page computed them before issue 21: aggregated from the lines."""
    rows = session.execute(
        select(StatementLine.store_id, func.count(StatementLine.id),
               func.sum(case((StatementLine.kind == LineKind.CLAWBACK, StatementLine.commission_fen), else_=0)),
               func.sum(case((StatementLine.kind == LineKind.ADJUSTMENT, StatementLine.commission_fen), else_=0)),
               func.max(StatementLine.payable_on))
        .join(CommissionStatement, CommissionStatement.id == StatementLine.statement_id)
        .where(CommissionStatement.period == period)
        .group_by(StatementLine.store_id))
    return {r[0]: (int(r[1]), int(r[2]), int(r[3]), r[4]) for r in rows}


def on_the_page(session, period: str, today: date) -> dict[int, tuple]:
    data = settlement.settlement(session, period, true(), today)
    return {r.store_id: (r.lines, r.clawback_fen, r.adjustment_fen, r.last_payable_on) for r in data.rows if r.closed}


def test_the_demo_months_show_the_figures_of_their_lines(app, db):
    seed(SeedParams.build(stores=3, members=1200, days=100, seed=11, end_date=END))
    closed = sorted(db.session.scalars(select(CommissionStatement.period).distinct()))
    assert len(closed) == 3
    today = date(2026, 11, 21)
    kinds = set()
    for period in closed:
        expected = from_the_lines(db.session, period)
        assert expected and on_the_page(db.session, period, today) == expected
        assert recompute(db.session, period).mismatches == []
        kinds |= set(db.session.scalars(select(StatementLine.kind).join(CommissionStatement).where(
            CommissionStatement.period == period)))
    assert kinds == {"earning", "clawback", "adjustment"}  # every total is exercised

    # A line added to a closed statement (HQ's adjustment, an accepted dispute) refreshes them.
    last = closed[-1]
    statement = db.session.scalar(select(CommissionStatement).where(
        CommissionStatement.period == last, CommissionStatement.status == "closed").order_by(CommissionStatement.id))
    hq_id = db.session.scalar(select(User.id).where(User.role == Role.HQ))
    lifecycle.add_adjustment(db.session, statement.store_id, last, -1_234, "迟到罚款", hq_id, at(END, 9))
    dispute = db.session.scalar(select(CommissionDispute).where(CommissionDispute.status == "open"))
    assert dispute is not None  # the demo leaves one open on the last month
    lifecycle.resolve_dispute(db.session, dispute.id, accept=True, resolution="补差", resolver_id=hq_id,
                              now=at(END, 10), amount_fen=777, store_ids=[dispute.store_id])
    db.session.commit()
    assert on_the_page(db.session, last, today) == from_the_lines(db.session, last)
    assert recompute(db.session, last).mismatches == []


def test_recompute_reports_stored_totals_that_drifted(app, db):
    seed(SeedParams.build(stores=2, members=600, days=70, seed=5, end_date=END))
    period = db.session.scalar(select(func.max(CommissionStatement.period)))
    statement = db.session.scalar(select(CommissionStatement).where(CommissionStatement.period == period)
                                  .order_by(CommissionStatement.id))
    statement.line_count += 1
    db.session.commit()
    mismatches = recompute(db.session, period).mismatches
    assert len(mismatches) == 1 and "stored line totals" in mismatches[0]
