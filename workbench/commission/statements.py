"""Monthly commission statements: the live month, closing a month, clawbacks, recomputing.

The month being sold is *open*: its lines are computed on the fly from picked-up order
items, refunds and HQ adjustments. At the month's end ``close_period`` stores the lines
(rules in ``rules.py``, the plan version of each line's day from ``books.py``) and the
statement becomes *closed*; refunds made before closing are netted out of their lines.
A refund made after its line's statement closed is clawed back on the statement being
closed next, linked to the original line. ``recompute`` rebuilds every stored line from
the raw data and reports any difference.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import (
    DateTime,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session, aliased

from workbench.catalog.models import Category, Product
from workbench.commission import periods
from workbench.commission.books import PlanBooks, load_plan_books
from workbench.commission.models import (
    CommissionAdjustment,
    CommissionStatement,
    LineKind,
    StatementLine,
    StatementStatus,
)
from workbench.commission.rules import Line, clawback_fen, rate_month
from workbench.commission.states import CLOSED_STATES, refuse_gaps, refuse_running
from workbench.orders.models import Order, OrderItem, Refund
from workbench.stores.models import Store
from workbench.timeutil import local_day

# ------------------------------------------------------------------ raw data


class EarnedItem(NamedTuple):
    """A picked-up order item of the period, net of refunds before a cutoff.

    Its first seven fields are a ``rules.Sale``'s (the rules rate it as it is: closing rates
    ~900,000 of them a month); the rest say where it belongs and what the pages show.
    """

    order_item_id: int
    earned_at: datetime  # the pickup time, naive UTC as stored: it only orders the month's lines
    earned_on: date  # the local day of the pickup
    amount_fen: int  # paid, less refunds before the cutoff (0 when refunded in full)
    category_id: int
    product_id: int
    campaign_id: int | None
    store_id: int
    refunded_fen: int  # refunds before the cutoff, at most what was paid
    # For showing the line (the month-to-date page, ``with_names``); closing does not need them.
    order_code: str = ""
    product_name: str = ""
    category_name: str = ""


def earned_items(session: Session, store_ids: Iterable[int], period: str, refunds_before: datetime,
                 *, skip_lined_elsewhere: int | None = None, with_names: bool = False) -> dict[int, list[EarnedItem]]:
    """Order items picked up in ``period`` (local days), per store, netted of refunds before the cutoff.

    An item already earned on another statement is skipped (it was picked up, undone and
    picked up again in a later month): no pickup earns twice. ``skip_lined_elsewhere``
    names the statement being recomputed, whose own lines do not count as "elsewhere".
    ``with_names`` adds the order code, product and category names the pages show.
    """
    ids = sorted(set(store_ids))
    if not ids:
        return {}
    start, end = periods.utc_bounds(period)
    refunded = (
        select(Refund.order_item_id, func.sum(Refund.amount_fen).label("fen"))
        .where(Refund.store_id.in_(ids), Refund.created_at < refunds_before)
        .group_by(Refund.order_item_id)
        .subquery()
    )
    # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join on the partial unique
    # index, where NOT IN over a million earned items fell back to a subplan per row.
    lined = select(StatementLine.id).where(
        StatementLine.order_item_id == OrderItem.id, StatementLine.kind == LineKind.EARNING)
    if skip_lined_elsewhere is not None:
        lined = lined.where(StatementLine.statement_id != skip_lined_elsewhere)
    # The pickup time as the plain (naive UTC) DateTime it is stored as: making ~900,000 of
    # them time-zone aware would cost more than the rest of reading them.
    columns = [Order.store_id, OrderItem.id, type_coerce(Order.picked_up_at, DateTime), OrderItem.amount_fen,
               func.coalesce(refunded.c.fen, 0), Product.category_id, OrderItem.product_id, Order.campaign_id]
    stmt = (
        select(*columns, *((Order.code, Product.name, Category.name) if with_names else ()))
        .join(Order, Order.id == OrderItem.order_id)
        .join(Product, Product.id == OrderItem.product_id)
        .outerjoin(refunded, refunded.c.order_item_id == OrderItem.id)
        .where(Order.store_id.in_(ids), Order.picked_up_at >= start, Order.picked_up_at < end,
               ~lined.exists())
    )
    if with_names:
        stmt = stmt.join(Category, Category.id == Product.category_id)
    # In earning order: the rules' sort of each store's month then only confirms it.
    stmt = stmt.order_by(Order.store_id, Order.picked_up_at, OrderItem.id)
    day_of = periods.day_finder(period)
    out: dict[int, list[EarnedItem]] = defaultdict(list)
    # Plain rows off the connection, fetched all at once (row by row, the driver's fetchone
    # was half the time): a month of 200 stores is ~900,000 items.
    for store_id, item_id, at, paid, refund, category, product, campaign, *names in \
            session.connection().execute(stmt).all():
        refund = int(refund)  # a SUM: a numeric on some databases
        if refund > paid:
            refund = paid
        out[store_id].append(EarnedItem(item_id, at, day_of(at), paid - refund, category, product, campaign,
                                        store_id, refund, *names))
    return out


# ------------------------------------------------------------------ line drafts


class LineRecord(NamedTuple):
    """A statement line as it is stored: the one row type of every writer.

    Its field order *is* the column list: COPY on PostgreSQL names these columns in this
    order and gets the tuple as it is, SQLite's insert gets ``_asdict()``. Writers build it
    by keyword only, so a field can never land in its neighbour's column (see
    ``tests/commission/test_line_records.py``). ``id`` is the database's.
    """

    statement_id: int
    store_id: int
    kind: str
    order_item_id: int | None
    original_line_id: int | None
    adjustment_id: int | None
    earned_on: date
    category_id: int | None
    amount_fen: int
    refunded_fen: int
    source: str
    rate_bp: int
    tier: int
    commission_fen: int
    payable_on: date


@dataclass(slots=True)
class LineDraft:
    """A line before it is stored (or shown live): the same fields as ``StatementLine``."""

    kind: str
    earned_on: date
    amount_fen: int
    commission_fen: int
    payable_on: date
    category_id: int | None = None
    order_item_id: int | None = None
    original_line_id: int | None = None
    adjustment_id: int | None = None
    refunded_fen: int = 0
    source: str = ""
    rate_bp: int = 0
    tier: int = 0
    id: int | None = None  # set for stored lines

    def record(self, statement_id: int, store_id: int) -> LineRecord:
        """The stored row on statement ``statement_id``."""
        return LineRecord(statement_id=statement_id, store_id=store_id, kind=self.kind,
                          order_item_id=self.order_item_id, original_line_id=self.original_line_id,
                          adjustment_id=self.adjustment_id, earned_on=self.earned_on, category_id=self.category_id,
                          amount_fen=self.amount_fen, refunded_fen=self.refunded_fen, source=self.source,
                          rate_bp=self.rate_bp, tier=self.tier, commission_fen=self.commission_fen,
                          payable_on=self.payable_on)


def rated_items(items: list[EarnedItem], books: PlanBooks) -> Iterator[tuple[Line, EarnedItem]]:
    """Each earning line of a store's month with the item it rates."""
    by_id = {i.order_item_id: i for i in items}
    for ln in rate_month(items, books.require()):
        yield ln, by_id[ln.order_item_id]


_EARNING = LineKind.EARNING.value


def earning_record(statement_id: int, store_id: int, ln: Line, item: EarnedItem) -> LineRecord:
    """An earning line's stored row, straight from the rules' line (no ``LineDraft`` in
    between: closing writes ~900,000 of them a month)."""
    return LineRecord(statement_id=statement_id, store_id=store_id, kind=_EARNING, order_item_id=ln.order_item_id,
                      original_line_id=None, adjustment_id=None, earned_on=ln.earned_on,
                      category_id=item.category_id, amount_fen=ln.amount_fen, refunded_fen=item.refunded_fen,
                      source=ln.source, rate_bp=ln.rate_bp, tier=ln.tier, commission_fen=ln.commission_fen,
                      payable_on=ln.payable_on)


def earning_drafts(items: list[EarnedItem], books: PlanBooks) -> list[LineDraft]:
    return [LineDraft(kind=LineKind.EARNING, earned_on=ln.earned_on, amount_fen=ln.amount_fen,
                      commission_fen=ln.commission_fen, payable_on=ln.payable_on, category_id=item.category_id,
                      order_item_id=ln.order_item_id, refunded_fen=item.refunded_fen, source=ln.source,
                      rate_bp=ln.rate_bp, tier=ln.tier)
            for ln, item in rated_items(items, books)]


def clawback_drafts(session: Session, store_ids: Iterable[int], refunds_before: datetime, on: date,
                    *, statements_closed_before: datetime | None = None) -> dict[int, list[LineDraft]]:
    """Clawbacks owed for refunds not yet accounted on closed statements, per store.

    For each earning line of a closed statement: refunds of its item (before the cutoff)
    beyond what the line netted out at closing and what earlier clawbacks covered. With
    ``statements_closed_before`` only statements closed before that instant count (what a
    past closing saw), for recomputing.
    """
    ids = sorted(set(store_ids))
    if not ids:
        return {}
    refunded = (
        select(Refund.order_item_id, func.sum(Refund.amount_fen).label("fen"))
        .where(Refund.store_id.in_(ids), Refund.created_at < refunds_before)
        .group_by(Refund.order_item_id)
        .subquery()
    )
    # What the line's clawbacks (on stored statements) already cover: the cumulative refund
    # of the latest, looked up in the unique (original_line_id, refunded_fen) index.
    claw, claw_st = aliased(StatementLine), aliased(CommissionStatement)
    covered = (
        select(func.max(claw.refunded_fen))
        .join(claw_st, claw_st.id == claw.statement_id)
        .where(claw.original_line_id == StatementLine.id, claw.kind == LineKind.CLAWBACK)
    )
    earning_st = aliased(CommissionStatement)
    # One round trip, driven from the refunds (hundreds a month per store), each looked up
    # in the partial unique index of earning lines: the other way round walks every line.
    stmt = (
        select(StatementLine.id, StatementLine.store_id, StatementLine.order_item_id, StatementLine.category_id,
               StatementLine.amount_fen, StatementLine.refunded_fen, StatementLine.commission_fen, refunded.c.fen,
               covered.scalar_subquery() if statements_closed_before is None
               else covered.where(claw_st.closed_at < statements_closed_before).scalar_subquery())
        .join(refunded, refunded.c.order_item_id == StatementLine.order_item_id)
        .join(earning_st, earning_st.id == StatementLine.statement_id)
        .where(StatementLine.kind == LineKind.EARNING, StatementLine.store_id.in_(ids),
               earning_st.status.in_(CLOSED_STATES))
    )
    if statements_closed_before is not None:
        stmt = stmt.where(earning_st.closed_at < statements_closed_before)
    rows = session.execute(stmt).all()
    out: dict[int, list[LineDraft]] = defaultdict(list)
    for line_id, store_id, item_id, category, amount, netted, commission, refund, clawed in sorted(rows):
        paid = int(amount) + int(netted)
        covered = int(netted) if clawed is None else int(clawed)
        now_total = min(int(refund), paid)
        if now_total <= covered:
            continue
        fen = clawback_fen(int(commission), int(amount), covered - int(netted), now_total - covered)
        out[store_id].append(LineDraft(kind=LineKind.CLAWBACK, earned_on=on, amount_fen=-(now_total - covered),
                                       commission_fen=fen, payable_on=on, category_id=category,
                                       order_item_id=item_id, original_line_id=line_id, refunded_fen=now_total,
                                       source="clawback"))
    return out


def adjustment_drafts(session: Session, store_ids: Iterable[int], period: str,
                      created_before: datetime | None = None) -> dict[int, list[LineDraft]]:
    """HQ adjustments entered for the period that are not on a stored line yet."""
    ids = sorted(set(store_ids))
    stmt = (
        select(CommissionAdjustment)
        .where(CommissionAdjustment.store_id.in_(ids), CommissionAdjustment.period == period,
               CommissionAdjustment.id.not_in(select(StatementLine.adjustment_id).where(
                   StatementLine.adjustment_id.is_not(None))))
        .order_by(CommissionAdjustment.id)
    )
    if created_before is not None:
        stmt = stmt.where(CommissionAdjustment.created_at < created_before)
    out: dict[int, list[LineDraft]] = defaultdict(list)
    for adj in session.scalars(stmt):
        day = local_day(adj.created_at)
        out[adj.store_id].append(adjustment_draft(adj, day))
    return out


def adjustment_draft(adj: CommissionAdjustment, day: date) -> LineDraft:
    return LineDraft(kind=LineKind.ADJUSTMENT, earned_on=day, amount_fen=0, commission_fen=adj.amount_fen,
                     payable_on=day, adjustment_id=adj.id, source="adjustment")


# ------------------------------------------------------------------ closing


@dataclass
class CloseResult:
    period: str
    stores: int = 0
    lines: int = 0
    commission_fen: int = 0
    already_closed: int = 0
    without_plan: list[str] = field(default_factory=list)


def close_period(session: Session, period: str, now: datetime, store_ids: Iterable[int] | None = None) -> CloseResult:
    """Store the statements of ``period`` for the given stores (all active ones by default).

    Refused while the month is still running, or while an earlier month with pickups was
    never closed (a clawback must land on the next statement, so months close in order).
    Stores already closed for the period are left as they are. Does not commit.
    """
    _first, last = periods.parse(period)
    refuse_running(period, local_day(now))
    stores = session.execute(
        select(Store.id, Store.code, Store.commission_plan_id)
        .where(Store.is_active.is_(True) if store_ids is None else Store.id.in_(list(store_ids)))
        .order_by(Store.id)
    ).all()
    result = CloseResult(period)
    closed = set(session.scalars(select(CommissionStatement.store_id).where(
        CommissionStatement.period == period, CommissionStatement.status.in_(CLOSED_STATES))))
    todo = []
    for store_id, code, plan_id in stores:
        if store_id in closed:
            result.already_closed += 1
        elif plan_id is None:
            result.without_plan.append(code)
        else:
            todo.append((store_id, code, plan_id))
    if not todo:
        return result
    refuse_gaps(session, [s for s, _, _ in todo], period)
    books = load_plan_books(session, {p for _, _, p in todo})
    ids = [s for s, _, _ in todo]
    with _collector_paused():
        items = earned_items(session, ids, period, now)
    claws = clawback_drafts(session, ids, now, local_day(now))
    adjustments = adjustment_drafts(session, ids, period, now)
    # Stores with a leftover *open* row (none are written today) are replaced by the closed one.
    session.execute(delete(CommissionStatement).where(
        CommissionStatement.period == period, CommissionStatement.store_id.in_(ids),
        CommissionStatement.status == StatementStatus.OPEN))
    # The statements first (their ids key the lines), their totals once the lines are rated.
    statement_ids = {store_id: statement_id for statement_id, store_id in session.execute(
        insert(CommissionStatement).returning(CommissionStatement.id, CommissionStatement.store_id,
                                              sort_by_parameter_order=True),
        [{"store_id": store_id, "period": period, "status": StatementStatus.CLOSED.value, "plan_id": plan_id,
          "gmv_fen": 0, "commission_fen": 0, "tier": 0, "closed_at": now, "payment_ref": ""}
         for store_id, _code, plan_id in todo])}
    totals = []

    def rated_rows():
        """Each store's lines as they are rated: the database stores one store's lines while
        Python rates the next (COPY streams), so the month takes the longer of the two, not both."""
        for store_id, _code, plan_id in todo:
            statement_id, gmv, commission, count, payable = statement_ids[store_id], 0, 0, 0, None
            for ln, item in rated_items(items.pop(store_id, []), books[plan_id]):
                gmv += ln.amount_fen
                commission += ln.commission_fen
                count += 1
                if payable is None or ln.payable_on > payable:
                    payable = ln.payable_on
                yield earning_record(statement_id, store_id, ln, item)
            sums = {LineKind.CLAWBACK.value: 0, LineKind.ADJUSTMENT.value: 0}
            for d in claws.get(store_id, []) + adjustments.get(store_id, []):
                commission += d.commission_fen
                sums[d.kind] += d.commission_fen
                count += 1
                if payable is None or d.payable_on > payable:
                    payable = d.payable_on
                yield d.record(statement_id, store_id)
            book = books[plan_id].book_for(last)
            totals.append({"statement_id": statement_id, "gmv": gmv, "commission": commission,
                           "reached": book.tier_index(gmv) + 1 if book and book.tiers else 0,
                           "lines": count, "clawback": sums[LineKind.CLAWBACK.value],
                           "adjustment": sums[LineKind.ADJUSTMENT.value], "payable": payable})

    with _collector_paused():
        result.lines = insert_lines(session, rated_rows())
    table = CommissionStatement.__table__
    session.connection().execute(
        update(table).where(table.c.id == bindparam("statement_id"))
        .values(gmv_fen=bindparam("gmv"), commission_fen=bindparam("commission"), tier=bindparam("reached"),
                line_count=bindparam("lines"), clawback_fen=bindparam("clawback"),
                adjustment_fen=bindparam("adjustment"), last_payable_on=bindparam("payable")),
        totals)
    result.stores = len(totals)
    result.commission_fen = sum(t["commission"] for t in totals)
    return result


def line_totals(statement_ids) -> Select:
    """Per statement: (statement_id, lines, clawback_fen, adjustment_fen, last_payable_on)
    from its stored lines — what the statement's summary columns must hold.

    ``statement_ids``: a list or a subquery of ids.
    """
    return (
        select(StatementLine.statement_id, func.count(StatementLine.id),
               func.coalesce(func.sum(case((StatementLine.kind == LineKind.CLAWBACK, StatementLine.commission_fen),
                                           else_=0)), 0),
               func.coalesce(func.sum(case((StatementLine.kind == LineKind.ADJUSTMENT, StatementLine.commission_fen),
                                           else_=0)), 0),
               func.max(StatementLine.payable_on))
        .where(StatementLine.statement_id.in_(statement_ids))
        .group_by(StatementLine.statement_id)
    )


def refresh_line_totals(session: Session, statement_ids: list[int]) -> None:
    """Set these statements' line totals (``line_count`` … ``last_payable_on``) from their
    stored lines, after a line was added to a closed statement. Reads only their lines."""
    if not statement_ids:
        return
    found = {r[0]: r for r in session.execute(line_totals(statement_ids))}
    table = CommissionStatement.__table__
    session.connection().execute(
        update(table).where(table.c.id == bindparam("sid"))
        .values(line_count=bindparam("lines"), clawback_fen=bindparam("clawback"),
                adjustment_fen=bindparam("adjustment"), last_payable_on=bindparam("payable")),
        [{"sid": sid, "lines": int(found[sid][1]) if sid in found else 0,
          "clawback": int(found[sid][2]) if sid in found else 0,
          "adjustment": int(found[sid][3]) if sid in found else 0,
          "payable": found[sid][4] if sid in found else None} for sid in statement_ids])


@contextmanager
def _collector_paused():
    """Closing makes about a million short-lived tuples that hold no reference cycles: the
    cyclic garbage collector, triggered by the allocations, would scan the live ones again
    and again (a third of the month's rating time). Paused meanwhile, then as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def insert_lines(session: Session, rows: Iterable[LineRecord]) -> int:
    """Insert statement lines in the session's transaction, with COPY on PostgreSQL; return how many.

    A month of 200 busy stores is ~900,000 lines: parameterised INSERTs through the
    driver take minutes there, COPY seconds. SQLite's executemany is fast enough.
    """
    connection = session.connection()
    count = 0
    if connection.dialect.name != "postgresql":
        table = StatementLine.__table__
        batch: list[dict] = []
        for row in rows:
            batch.append(row._asdict())
            if len(batch) == 5000:
                connection.execute(insert(table), batch)
                count, batch = count + len(batch), []
        if batch:
            connection.execute(insert(table), batch)
            count += len(batch)
        return count
    names = ", ".join(f'"{c}"' for c in LineRecord._fields)
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {StatementLine.__tablename__} ({names}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            write(row)
            count += 1
    return count


# ------------------------------------------------------------------ recompute


@dataclass
class RecomputeResult:
    stores: int = 0
    lines: int = 0
    mismatches: list[str] = field(default_factory=list)


_COMPARED = ("kind", "order_item_id", "original_line_id", "adjustment_id", "amount_fen", "refunded_fen",
             "rate_bp", "tier", "commission_fen", "payable_on", "earned_on", "category_id", "source")


def recompute(session: Session, period: str, store_code: str | None = None) -> RecomputeResult:
    """Rebuild the stored statements of ``period`` from order items, refunds and adjustments."""
    periods.parse(period)
    stmt = (select(CommissionStatement, Store.code)
            .join(Store, Store.id == CommissionStatement.store_id)
            .where(CommissionStatement.period == period, CommissionStatement.status.in_(CLOSED_STATES))
            .order_by(Store.code))
    if store_code:
        stmt = stmt.where(Store.code == store_code)
    result = RecomputeResult()
    statements = session.execute(stmt).all()
    books = load_plan_books(session, {s.plan_id for s, _ in statements if s.plan_id})
    for statement, code in statements:
        result.stores += 1
        stored = session.scalars(select(StatementLine).where(StatementLine.statement_id == statement.id)
                                 .order_by(StatementLine.id)).all()
        result.lines += len(stored)
        expected = _expected_lines(session, statement, books.get(statement.plan_id))
        result.mismatches += _compare(code, stored, expected)
        total = sum(ln.commission_fen for ln in stored)
        gmv = sum(ln.amount_fen for ln in stored if ln.kind == LineKind.EARNING)
        if statement.commission_fen != total:
            result.mismatches.append(f"{code} {period}: total {statement.commission_fen} != sum of lines {total}")
        if statement.gmv_fen != gmv:
            result.mismatches.append(f"{code} {period}: gmv {statement.gmv_fen} != sum of earning lines {gmv}")
        summary = (len(stored), sum(ln.commission_fen for ln in stored if ln.kind == LineKind.CLAWBACK),
                   sum(ln.commission_fen for ln in stored if ln.kind == LineKind.ADJUSTMENT),
                   max((ln.payable_on for ln in stored), default=None))
        kept = (statement.line_count, statement.clawback_fen, statement.adjustment_fen, statement.last_payable_on)
        if kept != summary:
            result.mismatches.append(f"{code} {period}: stored line totals {kept} != from the lines {summary}")
    return result


def _expected_lines(session: Session, statement: CommissionStatement, books: PlanBooks | None) -> list[LineDraft]:
    cutoff = statement.closed_at
    store = [statement.store_id]
    items = earned_items(session, store, statement.period, cutoff, skip_lined_elsewhere=statement.id)
    drafts = earning_drafts(items.get(statement.store_id, []), books) if books else []
    drafts += clawback_drafts(session, store, cutoff, local_day(cutoff),
                              statements_closed_before=cutoff).get(statement.store_id, [])
    adjustments = session.scalars(
        select(CommissionAdjustment).where(CommissionAdjustment.store_id == statement.store_id,
                                           CommissionAdjustment.period == statement.period)
        .order_by(CommissionAdjustment.id)).all()
    lined = {a for a in session.scalars(select(StatementLine.adjustment_id).where(
        StatementLine.statement_id == statement.id, StatementLine.adjustment_id.is_not(None)))}
    for adj in adjustments:
        # Adjustments made before closing, and those added to the closed statement since
        # (accepted disputes): both belong on it.
        if adj.created_at < cutoff or adj.id in lined:
            drafts.append(adjustment_draft(adj, local_day(adj.created_at)))
    return drafts


def _key(line) -> tuple:
    return (line.kind, line.order_item_id or 0, line.original_line_id or 0, line.adjustment_id or 0)


def _compare(code: str, stored: list[StatementLine], expected: list[LineDraft]) -> list[str]:
    out = []
    have = {_key(s): s for s in stored}
    want = {_key(e): e for e in expected}
    for key in sorted(set(have) | set(want)):
        s, e = have.get(key), want.get(key)
        label = f"{code} {key[0]} item={key[1] or '-'} orig={key[2] or '-'} adj={key[3] or '-'}"
        if s is None:
            out.append(f"{label}: missing from the stored statement (expected {e.commission_fen} fen)")
        elif e is None:
            out.append(f"{label}: stored ({s.commission_fen} fen) but not expected")
        else:
            diffs = [f"{f} {getattr(s, f)} != {getattr(e, f)}" for f in _COMPARED if getattr(s, f) != getattr(e, f)]
            if diffs:
                out.append(f"{label}: " + "; ".join(diffs))
    return out


def statement_of(session: Session, store_id: int, period: str) -> CommissionStatement | None:
    return session.scalar(select(CommissionStatement).where(
        and_(CommissionStatement.store_id == store_id, CommissionStatement.period == period)))
