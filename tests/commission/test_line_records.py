"""The stored line's one row type: each value reaches its own column, on COPY and on INSERT.

Closing writes lines as tuples (COPY on PostgreSQL takes them by position). Two columns of
the same type swapped would otherwise only show in ``recompute``: here every field gets a
value no other field has, goes through ``insert_lines`` (COPY on PostgreSQL, the plain
insert elsewhere) and is read back column by column.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.commission.conftest import at
from workbench.commission.models import (
    CommissionAdjustment,
    CommissionStatement,
    LineKind,
    StatementLine,
)
from workbench.commission.rules import Line
from workbench.commission.statements import (
    EarnedItem,
    LineDraft,
    LineRecord,
    earning_record,
    insert_lines,
)
from workbench.models import Order, OrderItem

OCT = "2026-10"
STATEMENT, ORIGINAL, ADJUSTMENT, ITEM = 70_001, 70_002, 70_003, 70_004


def _all_distinct(record: LineRecord) -> None:
    """The test only proves something if no two fields share a value."""
    values = [v for v in record if v is not None]
    assert len(set(map(repr, values))) == len(values), record


def test_the_record_is_the_stored_line_less_its_id():
    assert set(LineRecord._fields) == {c.name for c in StatementLine.__table__.columns} - {"id"}


def test_every_field_round_trips_to_its_own_column(ledger):
    session, store, world = ledger.session, ledger.store, ledger.world
    order = Order(code="CMREC0001", store_id=store.id, member_id=world.a.members[0].id, status="picked_up",
                  source="demo", total_fen=100, placed_at=at(date(2026, 10, 2)))
    session.add(order)
    session.flush()
    session.add(OrderItem(id=ITEM, order_id=order.id, product_id=world.products[1].id, quantity=1,
                          unit_price_fen=100, list_price_fen=100, amount_fen=100))
    session.add(CommissionStatement(id=STATEMENT, store_id=store.id, period=OCT, status="closed",
                                    plan_id=ledger.plan.id, closed_at=at(date(2026, 11, 1))))
    session.add(CommissionAdjustment(id=ADJUSTMENT, store_id=store.id, period=OCT, amount_fen=1, reason="测试",
                                     created_by_id=world.hq.id, created_at=at(date(2026, 10, 5))))
    session.flush()
    session.add(StatementLine(id=ORIGINAL, statement_id=STATEMENT, store_id=store.id, kind=LineKind.EARNING,
                              order_item_id=ITEM, earned_on=date(2026, 10, 2), category_id=1, amount_fen=100,
                              source="tier", commission_fen=8, payable_on=date(2026, 10, 9)))
    session.flush()
    sent = [
        LineRecord(statement_id=STATEMENT, store_id=store.id, kind="clawback", order_item_id=ITEM,
                   original_line_id=ORIGINAL, adjustment_id=None, earned_on=date(2026, 10, 3), category_id=70_005,
                   amount_fen=-70_006, refunded_fen=70_007, source="category", rate_bp=70_008, tier=70_009,
                   commission_fen=-70_010, payable_on=date(2026, 10, 17)),
        LineRecord(statement_id=STATEMENT, store_id=store.id, kind="adjustment", order_item_id=None,
                   original_line_id=None, adjustment_id=ADJUSTMENT, earned_on=date(2026, 10, 4),
                   category_id=70_015, amount_fen=70_016, refunded_fen=70_017, source="campaign", rate_bp=70_018,
                   tier=70_019, commission_fen=70_020, payable_on=date(2026, 10, 25)),
    ]
    for record in sent:
        _all_distinct(record)
    assert insert_lines(session, sent) == 2
    columns = [StatementLine.__table__.c[name] for name in LineRecord._fields]
    back = [LineRecord(*row) for row in session.execute(
        select(*columns).where(StatementLine.statement_id == STATEMENT, StatementLine.id != ORIGINAL)
        .order_by(StatementLine.kind))]
    assert len(back) == len(sent)
    for got, want in zip(back, sorted(sent, key=lambda r: r.kind), strict=True):
        for name in LineRecord._fields:
            assert getattr(got, name) == getattr(want, name), name


def test_a_draft_puts_each_value_in_its_own_field():
    draft = LineDraft(kind="clawback", earned_on=date(2026, 10, 3), amount_fen=-11, commission_fen=-12,
                      payable_on=date(2026, 10, 17), category_id=13, order_item_id=14, original_line_id=15,
                      adjustment_id=16, refunded_fen=17, source="category", rate_bp=18, tier=19)
    record = draft.record(20, 21)
    _all_distinct(record)
    assert (record.statement_id, record.store_id) == (20, 21)
    for name in LineRecord._fields[2:]:
        assert getattr(record, name) == getattr(draft, name), name


def test_an_earning_line_puts_each_value_in_its_own_field():
    ln = Line(order_item_id=31, earned_on=date(2026, 10, 3), amount_fen=32, source="product", rate_bp=33, tier=34,
              commission_fen=35, payable_on=date(2026, 10, 10))
    item = EarnedItem(order_item_id=31, earned_at=at(date(2026, 10, 3)), earned_on=date(2026, 10, 3),
                      amount_fen=32, category_id=36, product_id=37, campaign_id=None, store_id=38, refunded_fen=39)
    record = earning_record(40, 38, ln, item)
    _all_distinct(record)
    assert record == LineRecord(statement_id=40, store_id=38, kind="earning", order_item_id=31, original_line_id=None,
                                adjustment_id=None, earned_on=date(2026, 10, 3), category_id=36, amount_fen=32,
                                refunded_fen=39, source="product", rate_bp=33, tier=34, commission_fen=35,
                                payable_on=date(2026, 10, 10))
