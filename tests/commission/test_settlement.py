"""HQ settlement services: the month's rows in few queries, bulk confirm/pay with reasons, money input."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, true

from tests.commission.conftest import at
from tests.commission.hq_fixtures import NOW, OCT, build_settled
from workbench.commission import lifecycle, settlement, states
from workbench.commission.settlement import BadAmount, yuan_to_fen
from workbench.models import CommissionStatement, Store


@pytest.mark.parametrize(("text", "fen"), [
    ("12", 1200), ("12.5", 1250), ("-3.07", -307), ("+0.01", 1), ("¥1,234.56", 123456), ("-¥20", -2000),
    (" 7.10 ", 710), ("0.1", 10), ("999999999.99", 99999999999),
])
def test_yuan_to_fen_is_exact(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "1.234", "1e3", "--1", "1.", ".5", "1 000x", "NaN", "0x10"])
def test_yuan_to_fen_refuses_anything_else(text):
    with pytest.raises(BadAmount):
        yuan_to_fen(text)


def test_rows_totals_and_dispute_counts(ledger):
    s = build_settled(ledger)
    data = settlement.settlement(ledger.session, OCT, true(), date(2026, 11, 20))
    by_code = {r.code: r for r in data.rows}
    a = by_code[ledger.world.a.store.code]
    assert (a.status, a.gmv_fen, a.commission_fen, a.lines, a.open_disputes) == ("closed", 2_300_000, 230_000, 2, 1)
    assert a.statement_id == s.statements["a"].id and a.owner == ledger.world.a.owner.name
    assert data.commission_fen == 230_000 + 25_600 + 9_600
    assert data.open_disputes == 2 and data.status_counts["closed"] == 3
    assert not data.can_close and data.month_ended


def test_rows_are_one_query_whatever_the_store_count(ledger):
    build_settled(ledger)
    statements = []
    engine = ledger.session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        settlement.settlement(ledger.session, OCT, true(), date(2026, 11, 20))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1


def test_unclosed_stores_show_open_and_the_month_can_be_closed(ledger):
    build_settled(ledger, disputes=False)
    data = settlement.settlement(ledger.session, "2026-11", true(), date(2026, 12, 2))
    assert {r.status for r in data.rows} == {"open"} and data.can_close
    running = settlement.settlement(ledger.session, "2026-11", true(), date(2026, 11, 20))
    assert not running.can_close and not running.month_ended


def test_region_and_status_filters_and_scoping(ledger):
    build_settled(ledger)
    world = ledger.world
    region1 = Store.region_id == world.a.store.region_id
    data = settlement.settlement(ledger.session, OCT, region1, date(2026, 11, 20))
    assert {r.code for r in data.rows} == {world.a.store.code, world.b.store.code}
    only_c = settlement.settlement(ledger.session, OCT, true(), date(2026, 11, 20), region_id=world.c.store.region_id)
    assert [r.code for r in only_c.rows] == [world.c.store.code]
    assert settlement.settlement(ledger.session, OCT, true(), date(2026, 11, 20), status="paid").rows == []


def test_bulk_confirm_skips_disputed_and_wrong_status_with_reasons(ledger):
    s = build_settled(ledger)
    ids = [st.id for st in s.statements.values()]
    result = settlement.bulk_confirm(ledger.session, OCT, ids + [999_999], true(), ledger.world.hq.id, NOW)
    ledger.session.commit()
    world = ledger.world
    assert result.done == [world.b.store.code]
    assert sorted(result.skipped) == sorted([(world.a.store.code, "open_disputes"), (world.c.store.code, "open_disputes"),
                                             ("#999999", "not_found")])
    again = settlement.bulk_confirm(ledger.session, OCT, [s.statements["b"].id], true(), world.hq.id, NOW)
    assert again.skipped == [(world.b.store.code, "already_confirmed")]


def test_bulk_confirm_cannot_reach_a_store_outside_the_condition(ledger):
    s = build_settled(ledger, disputes=False)
    region1 = Store.region_id == ledger.world.a.store.region_id
    result = settlement.bulk_confirm(ledger.session, OCT, [s.statements["c"].id], region1, ledger.world.hq.id, NOW)
    ledger.session.commit()
    assert result.done == [] and result.skipped == [(f"#{s.statements['c'].id}", "not_found")]
    assert ledger.session.get(CommissionStatement, s.statements["c"].id).status == "closed"


def test_bulk_pay_needs_confirmation_and_the_after_sales_window(ledger):
    s = build_settled(ledger, disputes=False)
    world, session = ledger.world, ledger.session
    settlement.bulk_confirm(session, OCT, [s.statements["a"].id, s.statements["b"].id], true(), world.hq.id, NOW)
    # A's adjustment line entered today is payable today; B gets a line payable later.
    lifecycle.add_adjustment(session, world.c.store.id, OCT, 500, "奖励", world.hq.id, NOW)
    session.commit()
    ids = [st.id for st in s.statements.values()]
    early = settlement.bulk_pay(session, OCT, ids, "T-1", true(), world.hq.id, at(date(2026, 10, 12)))
    assert early.done == [] and (world.b.store.code, "after_sales_window") in early.skipped
    assert (world.c.store.code, "not_confirmed") in early.skipped
    paid = settlement.bulk_pay(session, OCT, ids, "T-2", true(), world.hq.id, NOW)
    session.commit()
    assert sorted(paid.done) == sorted([world.a.store.code, world.b.store.code])
    assert session.get(CommissionStatement, s.statements["a"].id).payment_ref == "T-2"
    again = settlement.bulk_pay(session, OCT, [s.statements["a"].id], "T-3", true(), world.hq.id, NOW)
    assert again.skipped == [(world.a.store.code, "already_paid")]


def test_close_check_explains_refusals(ledger):
    build_settled(ledger, disputes=False)
    session = ledger.session
    assert states.close_check(session, "2026-11", date(2026, 11, 20)) == "running"
    assert states.close_check(session, OCT, date(2026, 11, 20)) == "nothing"
    assert states.close_check(session, "2026-11", date(2026, 12, 1)) is None
    ledger.pickup(date(2026, 12, 5), 10_000)
    assert states.close_check(session, "2027-01", date(2027, 2, 1)).startswith("gap:2026-12")


def test_open_disputes_list_the_line_and_export_rows_follow_the_cli(ledger):
    s = build_settled(ledger)
    rows = settlement.open_disputes(ledger.session, OCT, true())
    assert [d.id for d in rows] == [s.disputes["a"].id, s.disputes["c"].id]
    a = rows[0]
    assert a.order_code.startswith("CM") and a.note == "少算了一单" and a.commission_fen == 150_000
    exported = list(settlement.export_rows(ledger.session, OCT, true(), date(2026, 11, 20)))
    assert len(exported) == 5 and exported[0][0] == ledger.world.a.store.code
    assert exported[0][5:9] == ("earning", 1_500_000, 1000, 150_000)
    region1 = Store.region_id == ledger.world.a.store.region_id
    assert all(r[0] != ledger.world.c.store.code
               for r in settlement.export_rows(ledger.session, OCT, region1, date(2026, 11, 20)))


def test_export_csv_comes_in_chunks_that_add_up_to_the_whole_file(ledger):
    build_settled(ledger)
    rows = list(settlement.export_rows(ledger.session, OCT, true(), date(2026, 11, 20)))
    chunks = list(settlement.export_csv(rows, chunk_chars=100))
    assert len(chunks) > 2 and all(chunks)
    whole = "".join(chunks).splitlines()
    assert whole[0] == ",".join(settlement.EXPORT_HEADER) and len(whole) == len(rows) + 1
    assert "".join(chunks) == "".join(settlement.export_csv(rows))


def test_default_period_is_the_latest_closed_month(ledger):
    build_settled(ledger, disputes=False)
    assert settlement.default_period(ledger.session, true(), date(2027, 3, 4)) == OCT
    assert settlement.default_period(ledger.session, Store.id == -1, date(2027, 3, 4)) == "2027-02"
