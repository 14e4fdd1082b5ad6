"""HQ's month-end settlement across stores: the month's rows, bulk confirm and pay, disputes, export.

Plain inputs and outputs (a session, ids, a store condition): the views decide who may
see what and pass ``visible`` (a WHERE clause on a store id column, from
``auth.scoping.store_condition``); nothing here reads the request or commits.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from workbench.auth.models import User
from workbench.catalog.models import Product
from workbench.commission import periods, states
from workbench.commission.models import (
    CommissionDispute,
    CommissionStatement,
    DisputeStatus,
    StatementLine,
    StatementStatus,
)
from workbench.commission.states import CLOSED_STATES
from workbench.orders.models import Order, OrderItem
from workbench.stores.models import Region, Store
from workbench.timeutil import local_day

S = StatementStatus
#: The statuses a settlement row can have; "open" means the month is not closed for that store.
ROW_STATUSES = ("open", S.CLOSED.value, S.CONFIRMED.value, S.PAID.value)


# ------------------------------------------------------------------ money input


class BadAmount(ValueError):
    """Not an amount in yuan with at most two decimals."""


_YUAN = re.compile(r"^[+-]?\d{1,9}(\.\d{1,2})?$")


def yuan_to_fen(text: str | None) -> int:
    """"-12.5" → -1250, exactly (Decimal, never float); "¥", spaces and thousands commas are allowed."""
    raw = (text or "").strip().replace(",", "").replace("，", "").replace(" ", "")
    sign = ""
    if raw[:1] in "+-" and raw[:1]:
        sign, raw = raw[0], raw[1:]
    raw = raw.removeprefix("¥").removeprefix("￥")
    raw = sign + raw
    if not _YUAN.match(raw):
        raise BadAmount(text)
    try:
        fen = Decimal(raw) * 100
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules it out
        raise BadAmount(text) from exc
    return int(fen)


# ------------------------------------------------------------------ the month's rows


@dataclass(frozen=True)
class SettlementRow:
    store_id: int
    code: str
    name: str
    region: str
    owner: str
    statement_id: int | None
    status: str  # open (not closed yet) / closed / confirmed / paid
    gmv_fen: int
    commission_fen: int
    clawback_fen: int
    adjustment_fen: int
    lines: int
    open_disputes: int
    payment_ref: str
    last_payable_on: date | None

    @property
    def closed(self) -> bool:
        return self.status != "open"


@dataclass
class Settlement:
    period: str
    rows: list[SettlementRow]
    status_counts: dict[str, int]
    can_close: bool  # the month has ended and some store is not closed yet
    month_ended: bool

    def _sum(self, attr: str) -> int:
        return sum(getattr(r, attr) for r in self.rows if r.closed)

    @property
    def any_closed(self) -> bool:
        return any(r.closed for r in self.rows)

    @property
    def selectable(self) -> bool:
        """Some row can still be confirmed or paid (the bulk actions have something to act on)."""
        return any(r.status in (S.CLOSED, S.CONFIRMED) for r in self.rows)

    @property
    def gmv_fen(self) -> int:
        return self._sum("gmv_fen")

    @property
    def commission_fen(self) -> int:
        return self._sum("commission_fen")

    @property
    def clawback_fen(self) -> int:
        return self._sum("clawback_fen")

    @property
    def adjustment_fen(self) -> int:
        return self._sum("adjustment_fen")

    @property
    def lines(self) -> int:
        return self._sum("lines")

    @property
    def open_disputes(self) -> int:
        return self._sum("open_disputes")


def default_period(session: Session, visible: ColumnElement[bool], today: date) -> str:
    """The latest month with a closed (or later) statement the user can see, else last month."""
    latest = session.scalar(select(func.max(CommissionStatement.period))
                            .join(Store, Store.id == CommissionStatement.store_id)
                            .where(CommissionStatement.status.in_(CLOSED_STATES), visible))
    return latest or periods.preceding(periods.of(today))


def recent_periods(session: Session, today: date, count: int = 12) -> list[str]:
    """The last ``count`` finished months and the running one, newest first."""
    out, period = [], periods.of(today)
    for _ in range(count + 1):
        out.append(period)
        period = periods.preceding(period)
    return out


def settlement(session: Session, period: str, visible: ColumnElement[bool], today: date, *,
               region_id: int | None = None, status: str | None = None) -> Settlement:
    """Every visible active store's figures for ``period`` in one query, whatever the store count.

    Stores without a closed statement show as "open": their figures are only known once
    the month is closed (the owner sees them live on 收益).
    """
    periods.parse(period)
    disputes = (
        select(CommissionDispute.statement_id, func.count(CommissionDispute.id).label("n"))
        .join(CommissionStatement, CommissionStatement.id == CommissionDispute.statement_id)
        .where(CommissionStatement.period == period, CommissionDispute.status == DisputeStatus.OPEN)
        .group_by(CommissionDispute.statement_id)
        .subquery()
    )
    stmt = (
        select(Store.id, Store.code, Store.name, Region.name.label("region"), User.name.label("owner"),
               CommissionStatement.id.label("statement_id"), CommissionStatement.status,
               CommissionStatement.gmv_fen, CommissionStatement.commission_fen, CommissionStatement.payment_ref,
               # Kept by closing (see the model): not aggregated from the month's lines here.
               CommissionStatement.line_count.label("lines"), CommissionStatement.clawback_fen.label("clawback"),
               CommissionStatement.adjustment_fen.label("adjustment"),
               CommissionStatement.last_payable_on.label("last_payable"), disputes.c.n)
        .join(Region, Region.id == Store.region_id)
        .outerjoin(User, User.id == Store.owner_id)
        .outerjoin(CommissionStatement, (CommissionStatement.store_id == Store.id)
                   & (CommissionStatement.period == period) & CommissionStatement.status.in_(CLOSED_STATES))
        .outerjoin(disputes, disputes.c.statement_id == CommissionStatement.id)
        .where(visible, Store.is_active.is_(True) | CommissionStatement.id.is_not(None))
        .order_by(Store.code)
    )
    if region_id is not None:
        stmt = stmt.where(Store.region_id == region_id)
    rows = [SettlementRow(
        store_id=r.id, code=r.code, name=r.name, region=r.region, owner=r.owner or "",
        statement_id=r.statement_id, status=r.status or "open", gmv_fen=int(r.gmv_fen or 0),
        commission_fen=int(r.commission_fen or 0), clawback_fen=int(r.clawback or 0),
        adjustment_fen=int(r.adjustment or 0), lines=int(r.lines or 0), open_disputes=int(r.n or 0),
        payment_ref=r.payment_ref or "", last_payable_on=r.last_payable,
    ) for r in session.execute(stmt)]
    counts = {s: 0 for s in ROW_STATUSES}
    for r in rows:
        counts[r.status] += 1
    month_ended = periods.parse(period)[1] < today
    can_close = month_ended and counts["open"] > 0
    if status in ROW_STATUSES:
        rows = [r for r in rows if r.status == status]
    return Settlement(period, rows, counts, can_close, month_ended)


# ------------------------------------------------------------------ bulk actions


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # store codes
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (store code, reason key)


def _requested(session: Session, period: str, statement_ids: list[int], visible: ColumnElement[bool]):
    """The requested statements of ``period`` the user may see, by id (``states`` locks what it changes)."""
    if not statement_ids:
        return {}
    rows = session.execute(
        select(CommissionStatement.id, CommissionStatement.status, Store.code)
        .join(Store, Store.id == CommissionStatement.store_id)
        .where(CommissionStatement.id.in_(statement_ids), CommissionStatement.period == period, visible)
        .order_by(CommissionStatement.id)
    ).all()
    return {r.id: r for r in rows}


def bulk_confirm(session: Session, period: str, statement_ids: list[int], visible: ColumnElement[bool],
                 user_id: int, now: datetime) -> BulkResult:
    """Confirm what can be; every other requested statement comes back with why it was skipped."""
    found = _requested(session, period, statement_ids, visible)
    result = BulkResult()
    result.skipped.extend(("#" + str(i), "not_found") for i in sorted(set(statement_ids) - set(found)))
    confirmed = set(states.confirm(session, [i for i, r in found.items() if r.status == S.CLOSED], user_id, now))
    disputed = set(session.scalars(select(CommissionDispute.statement_id).where(
        CommissionDispute.statement_id.in_(list(found)), CommissionDispute.status == DisputeStatus.OPEN)))
    for sid, r in found.items():
        if sid in confirmed:
            result.done.append(r.code)
        elif r.status != S.CLOSED:
            result.skipped.append((r.code, "already_" + r.status))
        elif sid in disputed:
            result.skipped.append((r.code, "open_disputes"))
        else:
            result.skipped.append((r.code, "changed"))
    return result


def bulk_pay(session: Session, period: str, statement_ids: list[int], payment_ref: str,
             visible: ColumnElement[bool], user_id: int, now: datetime) -> BulkResult:
    """Mark confirmed statements paid once every line is past its after-sales window."""
    found = _requested(session, period, statement_ids, visible)
    result = BulkResult()
    result.skipped.extend(("#" + str(i), "not_found") for i in sorted(set(statement_ids) - set(found)))
    today = local_day(now)
    paid = set(states.mark_paid(session, [i for i, r in found.items() if r.status == S.CONFIRMED],
                                   payment_ref, user_id, now, today))
    pending = set(session.scalars(select(StatementLine.statement_id).where(
        StatementLine.statement_id.in_(list(found)), StatementLine.payable_on > today)))
    for sid, r in found.items():
        if sid in paid:
            result.done.append(r.code)
        elif r.status == S.PAID:
            result.skipped.append((r.code, "already_paid"))
        elif r.status != S.CONFIRMED:
            result.skipped.append((r.code, "not_confirmed"))
        elif sid in pending:
            result.skipped.append((r.code, "after_sales_window"))
        else:
            result.skipped.append((r.code, "changed"))
    return result


# ------------------------------------------------------------------ disputes


@dataclass(frozen=True)
class DisputeRow:
    id: int
    status: str
    period: str
    store_id: int
    store_code: str
    store_name: str
    statement_status: str
    line_id: int
    kind: str
    order_code: str
    product: str
    earned_on: date
    amount_fen: int
    rate_bp: int
    commission_fen: int
    note: str
    created_at: datetime
    resolution: str
    resolved_at: datetime | None


def _dispute_query():
    return (
        select(CommissionDispute.id, CommissionDispute.status, CommissionStatement.period, CommissionDispute.store_id,
               Store.code, Store.name,
               CommissionStatement.status.label("statement_status"), StatementLine.id.label("line_id"),
               StatementLine.kind, Order.code.label("order_code"), Product.name.label("product"),
               StatementLine.earned_on, StatementLine.amount_fen, StatementLine.rate_bp,
               StatementLine.commission_fen, CommissionDispute.note, CommissionDispute.created_at,
               CommissionDispute.resolution, CommissionDispute.resolved_at)
        .join(Store, Store.id == CommissionDispute.store_id)
        .join(CommissionStatement, CommissionStatement.id == CommissionDispute.statement_id)
        .join(StatementLine, StatementLine.id == CommissionDispute.line_id)
        .outerjoin(OrderItem, OrderItem.id == StatementLine.order_item_id)
        .outerjoin(Order, Order.id == OrderItem.order_id)
        .outerjoin(Product, Product.id == OrderItem.product_id)
    )


def _dispute_row(r) -> DisputeRow:
    return DisputeRow(id=r.id, status=r.status, period=r.period, store_id=r.store_id, store_code=r.code, store_name=r.name,
                      statement_status=r.statement_status, line_id=r.line_id, kind=r.kind,
                      order_code=r.order_code or "", product=r.product or "", earned_on=r.earned_on,
                      amount_fen=r.amount_fen, rate_bp=r.rate_bp, commission_fen=r.commission_fen, note=r.note,
                      created_at=r.created_at, resolution=r.resolution, resolved_at=r.resolved_at)


def open_disputes(session: Session, period: str, visible: ColumnElement[bool],
                  region_id: int | None = None) -> list[DisputeRow]:
    stmt = (_dispute_query()
            .where(CommissionStatement.period == period, CommissionDispute.status == DisputeStatus.OPEN, visible)
            .order_by(CommissionDispute.created_at, CommissionDispute.id))
    if region_id is not None:
        stmt = stmt.where(Store.region_id == region_id)
    return [_dispute_row(r) for r in session.execute(stmt)]


def dispute_row(session: Session, dispute_id: int, visible: ColumnElement[bool]) -> DisputeRow | None:
    r = session.execute(_dispute_query().where(CommissionDispute.id == dispute_id, visible)).first()
    return _dispute_row(r) if r else None


def visible_store_ids(session: Session, visible: ColumnElement[bool]) -> list[int]:
    return list(session.scalars(select(Store.id).where(visible)))


# ------------------------------------------------------------------ export


#: Rows fetched from the cursor at a time: memory stays flat whatever the month's size.
EXPORT_FETCH_ROWS = 5000


def export_rows(session: Session, period: str, visible: ColumnElement[bool], today: date,
                region_id: int | None = None) -> Iterator[tuple]:
    """The rows of ``flask commission export`` (``cli.EXPORT_HEADER``) for the visible stores.

    Plain columns, fetched in chunks: a month of 200 stores is hundreds of thousands of lines.
    """
    stmt = (
        select(Store.code, User.name, StatementLine.id, StatementLine.order_item_id, StatementLine.adjustment_id,
               StatementLine.kind, StatementLine.amount_fen, StatementLine.rate_bp, StatementLine.commission_fen,
               StatementLine.tier, StatementLine.earned_on, StatementLine.payable_on, CommissionStatement.status)
        .join(CommissionStatement, CommissionStatement.id == StatementLine.statement_id)
        .join(Store, Store.id == StatementLine.store_id)
        .outerjoin(User, User.id == Store.owner_id)
        .where(CommissionStatement.period == period, visible)
        .order_by(Store.code, StatementLine.id)
    )
    if region_id is not None:
        stmt = stmt.where(Store.region_id == region_id)
    status_of = states.line_status
    # A server-side cursor on PostgreSQL: closed here however the consumer stops (end, error,
    # a client gone away), before whoever owns the session closes it.
    with session.execute(stmt.execution_options(yield_per=EXPORT_FETCH_ROWS)) as result:
        for (code, owner, line_id, item_id, adjustment_id, kind, amount, rate, commission, tier, earned_on,
             payable_on, status) in result:
            yield (code, owner or "", line_id, item_id or "", adjustment_id or "", kind, amount, rate, commission,
                   tier, status_of(status, payable_on, today), earned_on.isoformat(), payable_on.isoformat())


EXPORT_HEADER = ("store", "owner", "line_id", "order_item_id", "adjustment_id", "kind", "amount_fen", "rate_bp",
                 "commission_fen", "tier", "status", "earned_on", "payable_on")


def export_csv(rows: Iterable[tuple], chunk_chars: int = 256_000) -> Iterator[str]:
    """The export as CSV text (header first) in chunks, so a month of 200 stores (~900,000
    lines, ~80 MB) is written or streamed without holding it all in memory."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(EXPORT_HEADER)
    for row in rows:
        out.writerow(row)
        if buffer.tell() >= chunk_chars:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
