"""Statements over the database: closing, refunds before and after settlement, lifecycle, recompute."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from tests.commission.conftest import at
from workbench.commission import lifecycle, states
from workbench.commission.statements import close_period, recompute, statement_of
from workbench.commission.states import CloseRefused, LifecycleError
from workbench.models import CommissionStatement, StatementLine

SEP, OCT, NOV = "2026-09", "2026-10", "2026-11"


def lines_of(session, statement, kind=None):
    stmt = select(StatementLine).where(StatementLine.statement_id == statement.id).order_by(StatementLine.id)
    if kind:
        stmt = stmt.where(StatementLine.kind == kind)
    return session.scalars(stmt).all()


def close(ledger, period, when):
    result = close_period(ledger.session, period, when, [ledger.store.id])
    ledger.session.commit()
    return result


def test_closing_a_month_with_a_tier_crossing_stores_every_line(ledger):
    ledger.version(date(2026, 1, 1))
    a = ledger.pickup(date(2026, 10, 3), 1_500_000)
    b = ledger.pickup(date(2026, 10, 20), 800_000)
    result = close(ledger, OCT, at(date(2026, 11, 1), 2))
    assert (result.stores, result.lines, result.commission_fen) == (1, 2, 230_000)
    st = statement_of(ledger.session, ledger.store.id, OCT)
    assert (st.status, st.gmv_fen, st.commission_fen, st.tier) == ("closed", 2_300_000, 230_000, 2)
    got = [(ln.order_item_id, ln.rate_bp, ln.commission_fen, ln.payable_on) for ln in lines_of(ledger.session, st)]
    assert got == [(a.id, 1000, 150_000, date(2026, 10, 10)), (b.id, 1000, 80_000, date(2026, 10, 27))]
    assert recompute(ledger.session, OCT).mismatches == []


def test_a_running_month_cannot_be_closed(ledger):
    ledger.version(date(2026, 1, 1))
    with pytest.raises(CloseRefused) as exc:
        close_period(ledger.session, NOV, at(date(2026, 11, 30), 23), [ledger.store.id])
    assert exc.value.reason == "running"


def test_months_close_in_order_once_settlement_started(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 9, 5), 10_000)
    ledger.pickup(date(2026, 10, 5), 10_000)
    ledger.pickup(date(2026, 11, 5), 10_000)
    close(ledger, SEP, at(date(2026, 10, 1), 2))
    # October was skipped: November cannot close before it (a clawback would have nowhere to go).
    with pytest.raises(CloseRefused) as exc:
        close_period(ledger.session, NOV, at(date(2026, 12, 1), 2), [ledger.store.id])
    assert exc.value.reason == "gap" and OCT in exc.value.detail


def test_closing_twice_changes_nothing(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 3), 10_000)
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    again = close(ledger, OCT, at(date(2026, 11, 2), 2))
    assert (again.stores, again.already_closed) == (0, 1)
    assert ledger.session.scalar(select(func.count(StatementLine.id))) == 1


def test_refund_before_closing_nets_the_line_or_removes_it(ledger):
    ledger.version(date(2026, 1, 1))
    partly = ledger.pickup(date(2026, 10, 3), 10_000)
    fully = ledger.pickup(date(2026, 10, 4), 5_000)
    ledger.refund(partly, 4_000, at(date(2026, 10, 10)))
    ledger.refund(fully, 5_000, at(date(2026, 10, 31), 23))
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    st = statement_of(ledger.session, ledger.store.id, OCT)
    (line,) = lines_of(ledger.session, st)
    assert (line.order_item_id, line.amount_fen, line.refunded_fen, line.commission_fen) == (partly.id, 6_000,
                                                                                              4_000, 480)


def test_refund_after_payment_is_clawed_back_once_on_the_next_statement(ledger):
    ledger.version(date(2026, 1, 1))
    item = ledger.pickup(date(2026, 9, 3), 1_234)  # earns 99 fen (98.72 rounded)
    close(ledger, SEP, at(date(2026, 10, 1), 2))
    sep = statement_of(ledger.session, ledger.store.id, SEP)
    assert states.confirm(ledger.session, [sep.id], ledger.world.hq.id, at(date(2026, 10, 10))) == [sep.id]
    assert states.mark_paid(ledger.session, [sep.id], "BANK-001", ledger.world.hq.id, at(date(2026, 10, 15)),
                               date(2026, 10, 15)) == [sep.id]
    ledger.session.commit()
    ledger.refund(item, 617, at(date(2026, 10, 20)))  # half, after payment
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    octo = statement_of(ledger.session, ledger.store.id, OCT)
    (claw,) = lines_of(ledger.session, octo, "clawback")
    (original,) = lines_of(ledger.session, sep)
    assert (claw.original_line_id, claw.amount_fen, claw.commission_fen, claw.refunded_fen) == (original.id, -617,
                                                                                                 -50, 617)
    assert octo.commission_fen == -50
    # The other half in November: the rest of the 99 fen, exactly.
    ledger.refund(item, 617, at(date(2026, 11, 20)))
    close(ledger, NOV, at(date(2026, 12, 1), 2))
    nov = statement_of(ledger.session, ledger.store.id, NOV)
    (claw2,) = lines_of(ledger.session, nov, "clawback")
    assert claw2.commission_fen == -49
    assert claw.commission_fen + claw2.commission_fen == -original.commission_fen
    # The past statements never changed.
    assert statement_of(ledger.session, ledger.store.id, SEP).commission_fen == 99
    for period in (SEP, OCT, NOV):
        assert recompute(ledger.session, period).mismatches == []


def test_dispute_blocks_confirmation_until_resolved_and_accepting_adds_an_adjustment(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 3), 10_000)
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    st = statement_of(ledger.session, ledger.store.id, OCT)
    (line,) = lines_of(ledger.session, st)
    owner, hq = ledger.world.a.owner.id, ledger.world.hq.id
    with pytest.raises(LifecycleError) as exc:
        lifecycle.open_dispute(ledger.session, ledger.store.id, line.id, "  ", owner, at(date(2026, 11, 2)))
    assert exc.value.code == "note_required"
    d = lifecycle.open_dispute(ledger.session, ledger.store.id, line.id, "这单是团长自提, 应按 10%", owner,
                               at(date(2026, 11, 2)))
    with pytest.raises(LifecycleError):
        lifecycle.open_dispute(ledger.session, ledger.store.id, line.id, "again", owner, at(date(2026, 11, 2)))
    assert states.confirm(ledger.session, [st.id], hq, at(date(2026, 11, 3))) == []  # open dispute
    with pytest.raises(LifecycleError) as exc:
        lifecycle.resolve_dispute(ledger.session, d.id, accept=True, resolution="同意", resolver_id=hq,
                                  now=at(date(2026, 11, 4)))
    assert exc.value.code == "bad_amount"
    lifecycle.resolve_dispute(ledger.session, d.id, accept=True, resolution="同意补 2%", resolver_id=hq,
                              now=at(date(2026, 11, 4)), amount_fen=200)
    ledger.session.commit()
    st = statement_of(ledger.session, ledger.store.id, OCT)
    assert st.commission_fen == 800 + 200
    assert [ln.kind for ln in lines_of(ledger.session, st)] == ["earning", "adjustment"]
    with pytest.raises(LifecycleError) as exc:
        lifecycle.resolve_dispute(ledger.session, d.id, accept=False, resolution="x", resolver_id=hq,
                                  now=at(date(2026, 11, 4)))
    assert exc.value.code == "already_resolved"
    assert states.confirm(ledger.session, [st.id], hq, at(date(2026, 11, 5))) == [st.id]
    assert states.confirm(ledger.session, [st.id], hq, at(date(2026, 11, 5))) == []  # twice: nothing
    assert recompute(ledger.session, OCT).mismatches == []


def test_rejecting_needs_a_reason_and_disputes_only_on_closed_statements(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 3), 10_000)
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    st = statement_of(ledger.session, ledger.store.id, OCT)
    (line,) = lines_of(ledger.session, st)
    hq = ledger.world.hq.id
    d = lifecycle.open_dispute(ledger.session, ledger.store.id, line.id, "金额不对", ledger.world.a.owner.id,
                               at(date(2026, 11, 2)))
    with pytest.raises(LifecycleError) as exc:
        lifecycle.resolve_dispute(ledger.session, d.id, accept=False, resolution=" ", resolver_id=hq,
                                  now=at(date(2026, 11, 3)))
    assert exc.value.code == "reason_required"
    lifecycle.resolve_dispute(ledger.session, d.id, accept=False, resolution="按规则计算无误", resolver_id=hq,
                              now=at(date(2026, 11, 3)))
    states.confirm(ledger.session, [st.id], hq, at(date(2026, 11, 5)))
    with pytest.raises(LifecycleError) as exc:
        lifecycle.open_dispute(ledger.session, ledger.store.id, line.id, "再看看", ledger.world.a.owner.id,
                               at(date(2026, 11, 6)))
    assert exc.value.code == "not_disputable"
    # Another store's line is not found for this store.
    with pytest.raises(LifecycleError) as exc:
        lifecycle.open_dispute(ledger.session, ledger.world.b.store.id, line.id, "x", ledger.world.b.owner.id,
                               at(date(2026, 11, 6)))
    assert exc.value.code == "not_found"


def test_payment_needs_a_reference_and_every_line_past_its_window(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 31), 10_000)  # payable on 11-07
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    st = statement_of(ledger.session, ledger.store.id, OCT)
    hq = ledger.world.hq.id
    states.confirm(ledger.session, [st.id], hq, at(date(2026, 11, 2)))
    with pytest.raises(LifecycleError):
        states.mark_paid(ledger.session, [st.id], "", hq, at(date(2026, 11, 3)), date(2026, 11, 3))
    assert states.mark_paid(ledger.session, [st.id], "BANK-9", hq, at(date(2026, 11, 3)), date(2026, 11, 3)) == []
    assert states.mark_paid(ledger.session, [st.id], "BANK-9", hq, at(date(2026, 11, 7)), date(2026, 11, 7)) == [
        st.id]


def test_adjustments_on_a_running_month_land_at_closing_and_final_statements_refuse_them(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 3), 10_000)
    hq = ledger.world.hq.id
    with pytest.raises(LifecycleError) as exc:
        lifecycle.add_adjustment(ledger.session, ledger.store.id, OCT, 500, "  ", hq, at(date(2026, 10, 20)))
    assert exc.value.code == "reason_required"
    lifecycle.add_adjustment(ledger.session, ledger.store.id, OCT, 500, "社区活动奖励", hq, at(date(2026, 10, 20)))
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    st = statement_of(ledger.session, ledger.store.id, OCT)
    assert [(ln.kind, ln.commission_fen) for ln in lines_of(ledger.session, st)] == [("earning", 800),
                                                                                      ("adjustment", 500)]
    states.confirm(ledger.session, [st.id], hq, at(date(2026, 11, 2)))
    ledger.session.commit()
    with pytest.raises(LifecycleError) as exc:
        lifecycle.add_adjustment(ledger.session, ledger.store.id, OCT, -100, "罚款", hq, at(date(2026, 11, 3)))
    assert exc.value.code == "final"
    assert recompute(ledger.session, OCT).mismatches == []


def test_recompute_reports_a_tampered_line_and_a_wrong_total(ledger):
    ledger.version(date(2026, 1, 1))
    item = ledger.pickup(date(2026, 10, 3), 10_000)
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    ledger.session.execute(update(StatementLine).where(StatementLine.order_item_id == item.id)
                           .values(commission_fen=801))
    ledger.session.commit()
    result = recompute(ledger.session, OCT)
    assert result.stores == 1 and result.lines == 1
    assert any("commission_fen 801 != 800" in m for m in result.mismatches)
    assert any("total 800 != sum of lines 801" in m for m in result.mismatches)


def test_plan_change_later_never_changes_a_closed_statement(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 3), 10_000)
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    ledger.version(date(2026, 11, 1), tiers=((0, 300),))  # cheaper from November
    ledger.session.commit()
    assert statement_of(ledger.session, ledger.store.id, OCT).commission_fen == 800
    assert recompute(ledger.session, OCT).mismatches == []


def test_campaign_zero_rate_and_category_override_over_the_database(ledger):
    world = ledger.world
    fruit = world.products[0].category_id
    ledger.version(date(2026, 1, 1), category_bp={fruit: 1000}, campaign_bp={world.a.campaign.id: 0})
    ledger.pickup(date(2026, 10, 3), 10_000, product=world.products[0])  # fruit at 10 %
    ledger.pickup(date(2026, 10, 4), 10_000, campaign_id=world.a.campaign.id)  # promotion: 0
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    st = statement_of(ledger.session, ledger.store.id, OCT)
    assert [(ln.source, ln.commission_fen) for ln in lines_of(ledger.session, st)] == [("category", 1000),
                                                                                        ("campaign", 0)]


def test_statement_rows_are_per_store(ledger):
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 3), 10_000)
    ledger.pickup(date(2026, 10, 3), 99_999, store=ledger.world.b)  # B has no plan: not on A's statement
    close(ledger, OCT, at(date(2026, 11, 1), 2))
    assert ledger.session.scalar(select(func.count(CommissionStatement.id))) == 1
    assert statement_of(ledger.session, ledger.store.id, OCT).gmv_fen == 10_000
