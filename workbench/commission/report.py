"""One store's statement for one month as the pages show it: live for the running month.

A stored (closed, confirmed or paid) statement is read back line by line; the running
month is computed from the same functions that will close it, so the month-to-date page
shows exactly what closing would store if the month ended now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from workbench.catalog.models import Category, Product
from workbench.commission import periods
from workbench.commission.books import load_plan_books
from workbench.commission.models import (
    CommissionAdjustment,
    CommissionDispute,
    CommissionPlan,
    CommissionStatement,
    LineKind,
    StatementLine,
    StatementStatus,
)
from workbench.commission.rules import RateBook, distance_to_next_tier, rate_month
from workbench.commission.statements import (
    LineDraft,
    adjustment_drafts,
    clawback_drafts,
    earned_items,
    local_day,
    statement_of,
)
from workbench.commission.states import line_status
from workbench.orders.models import Order, OrderItem
from workbench.stores.models import Store


@dataclass(frozen=True)
class DisputeInfo:
    id: int
    status: str
    note: str
    resolution: str


@dataclass(slots=True)
class LineRow:
    """One line as the pages show it. Not frozen: a busy month is thousands of these per
    request, and a frozen dataclass's ``__init__`` costs three times as much."""

    id: int | None  # None on the running month (not stored yet)
    kind: str
    earned_on: date
    amount_fen: int
    refunded_fen: int
    rate_bp: int
    tier: int
    source: str
    commission_fen: int
    payable_on: date
    status: str  # pending / payable / paid
    order_item_id: int | None = None
    order_code: str = ""
    product: str = ""
    category: str = ""
    original_line_id: int | None = None
    original_on: date | None = None  # the clawed-back line's pickup day
    reason: str = ""  # adjustment
    dispute: DisputeInfo | None = None
    adjustment_id: int | None = None


@dataclass(frozen=True)
class Share:
    label: str
    amount_fen: int
    commission_fen: int


@dataclass
class StatementReport:
    store_id: int
    period: str
    first: date
    last: date
    status: str  # open (live) / closed / confirmed / paid
    plan_name: str | None
    tier_mode: str | None
    tiers: list[tuple[int, int]]
    after_sales_days: int | None
    gmv_fen: int
    tier: int  # 1-based tier reached, 0 without tiers
    next_tier: tuple[int, int] | None  # (fen still to sell, rate bp)
    lines: list[LineRow] = field(default_factory=list)
    statement_id: int | None = None
    payment_ref: str = ""
    closed_at: datetime | None = None
    confirmed_at: datetime | None = None
    paid_at: datetime | None = None

    @property
    def live(self) -> bool:
        return self.status == StatementStatus.OPEN

    @cached_property
    def _totals(self) -> dict[str, int]:
        """Every sum the page shows, in one pass over the lines (a busy month has thousands)."""
        t = {"commission": 0, "pending": 0, "payable": 0, "paid": 0, "netted": 0, "refunded": 0}
        earning = LineKind.EARNING
        for ln in self.lines:
            t["commission"] += ln.commission_fen
            t[ln.status] += ln.commission_fen
            if ln.kind == earning and ln.refunded_fen:
                t["netted"] += ln.refunded_fen
                t["refunded"] += 1
        return t

    @property
    def commission_fen(self) -> int:
        return self._totals["commission"]

    @property
    def pending_fen(self) -> int:
        return self._totals["pending"]

    @property
    def payable_fen(self) -> int:
        return self._totals["payable"]

    @property
    def paid_fen(self) -> int:
        return self._totals["paid"]

    @property
    def tier_rate_bp(self) -> int | None:
        return self.tiers[self.tier - 1][1] if self.tier and self.tiers else None

    @property
    def refunds_netted_fen(self) -> int:
        return self._totals["netted"]

    @property
    def refunded_lines(self) -> int:
        return self._totals["refunded"]

    @cached_property
    def clawbacks(self) -> list[LineRow]:
        return [ln for ln in self.lines if ln.kind == LineKind.CLAWBACK]

    @cached_property
    def adjustments(self) -> list[LineRow]:
        return [ln for ln in self.lines if ln.kind == LineKind.ADJUSTMENT]

    @property
    def open_disputes(self) -> int:
        return sum(1 for ln in self.lines if ln.dispute and ln.dispute.status == "open")

    def by_category(self) -> list[Share]:
        acc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for ln in self.lines:
            if ln.kind != LineKind.ADJUSTMENT:
                acc[ln.category][0] += ln.amount_fen
                acc[ln.category][1] += ln.commission_fen
        return sorted((Share(k, a, c) for k, (a, c) in acc.items()), key=lambda s: (-s.commission_fen, s.label))

    def by_day(self) -> list[Share]:
        acc: dict[date, list[int]] = defaultdict(lambda: [0, 0])
        for ln in self.lines:
            acc[ln.earned_on][0] += ln.amount_fen
            acc[ln.earned_on][1] += ln.commission_fen
        return [Share(d.isoformat(), a, c) for d, (a, c) in sorted(acc.items())]


def statement_report(session: Session, store_id: int, period: str, now: datetime, *,
                     names: bool = True) -> StatementReport:
    """The store's statement for ``period``: stored if closed, else computed as of ``now``.

    ``names=False`` leaves out a stored line's order code and product name (its category
    stays): a page that shows 30 of a month's thousands of lines asks ``fill_names`` for
    those it shows.
    """
    first, last = periods.parse(period)
    today = local_day(now)
    stored = statement_of(session, store_id, period)
    plan_id = stored.plan_id if stored else session.scalar(select(Store.commission_plan_id).where(Store.id == store_id))
    plan_name = session.scalar(select(CommissionPlan.name).where(CommissionPlan.id == plan_id)) if plan_id else None
    books = load_plan_books(session, [plan_id]).get(plan_id) if plan_id else None
    book: RateBook | None = books.book_for(min(last, today)) if books else None
    if stored is not None and stored.status != StatementStatus.OPEN:
        rows = _stored_rows(session, stored, today, names)
        status = stored.status
    else:
        rows = _live_rows(session, store_id, period, now, books) if books else []
        status = StatementStatus.OPEN
    gmv = sum(r.amount_fen for r in rows if r.kind == LineKind.EARNING)
    report = StatementReport(
        store_id=store_id, period=period, first=first, last=last, status=status, plan_name=plan_name,
        tier_mode=book.tier_mode if book else None, tiers=list(book.tiers) if book else [],
        after_sales_days=book.after_sales_days if book else None, gmv_fen=gmv,
        tier=(book.tier_index(gmv) + 1) if book and book.tiers else 0,
        next_tier=distance_to_next_tier(book, gmv) if book else None, lines=rows,
    )
    if stored is not None and stored.status != StatementStatus.OPEN:
        report.statement_id = stored.id
        report.payment_ref = stored.payment_ref
        report.closed_at, report.confirmed_at, report.paid_at = stored.closed_at, stored.confirmed_at, stored.paid_at
    return report


def _names(session: Session, item_ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """order item id → (order code, product name, category name)."""
    out: dict[int, tuple[str, str, str]] = {}
    for i in range(0, len(item_ids), 2000):
        chunk = item_ids[i:i + 2000]
        for item_id, code, product, category in session.execute(
            select(OrderItem.id, Order.code, Product.name, Category.name)
            .join(Order, Order.id == OrderItem.order_id)
            .join(Product, Product.id == OrderItem.product_id)
            .join(Category, Category.id == Product.category_id)
            .where(OrderItem.id.in_(chunk))
        ):
            out[item_id] = (code, product, category)
    return out


def _reasons(session: Session, adjustment_ids: list[int]) -> dict[int, str]:
    if not adjustment_ids:
        return {}
    return dict(session.execute(select(CommissionAdjustment.id, CommissionAdjustment.reason)
                                .where(CommissionAdjustment.id.in_(adjustment_ids))).all())


def _row(d: LineDraft, status: str, names, reasons, dispute=None, original_on=None) -> LineRow:
    code, product, category = names.get(d.order_item_id, ("", "", ""))
    return LineRow(id=d.id, kind=d.kind, earned_on=d.earned_on, amount_fen=d.amount_fen,
                   refunded_fen=d.refunded_fen, rate_bp=d.rate_bp, tier=d.tier, source=d.source,
                   commission_fen=d.commission_fen, payable_on=d.payable_on, status=status,
                   order_item_id=d.order_item_id, order_code=code, product=product,
                   category=category if d.kind != LineKind.ADJUSTMENT else "",
                   original_line_id=d.original_line_id, original_on=original_on,
                   reason=reasons.get(d.adjustment_id, ""), dispute=dispute, adjustment_id=d.adjustment_id)


def _live_rows(session: Session, store_id: int, period: str, now: datetime, books) -> list[LineRow]:
    today = local_day(now)
    items = earned_items(session, [store_id], period, now, with_names=True).get(store_id, [])
    by_id = {i.order_item_id: i for i in items}
    open_ = StatementStatus.OPEN
    rows = []
    # Straight from the rules' lines to rows (no LineDraft in between): the running month
    # is rated on every view of the page, thousands of lines for a busy store.
    for ln in rate_month(items, books.require()):
        item = by_id[ln.order_item_id]
        rows.append(LineRow(None, LineKind.EARNING, ln.earned_on, ln.amount_fen, item.refunded_fen, ln.rate_bp,
                            ln.tier, ln.source, ln.commission_fen, ln.payable_on,
                            line_status(open_, ln.payable_on, today), ln.order_item_id, item.order_code,
                            item.product_name, item.category_name))
    extra = []
    if periods.of(today) == period:  # clawbacks and adjustments land on the running month
        extra += clawback_drafts(session, [store_id], now, today).get(store_id, [])
    extra += adjustment_drafts(session, [store_id], period).get(store_id, [])
    if extra:
        names = _names(session, [d.order_item_id for d in extra if d.order_item_id])
        reasons = _reasons(session, [d.adjustment_id for d in extra if d.adjustment_id])
        originals = _original_days(session, [d.original_line_id for d in extra if d.original_line_id])
        rows += [_row(d, line_status(open_, d.payable_on, today), names, reasons,
                      original_on=originals.get(d.original_line_id)) for d in extra]
    return rows


def _original_days(session: Session, line_ids: list[int]) -> dict[int, date]:
    if not line_ids:
        return {}
    return dict(session.execute(select(StatementLine.id, StatementLine.earned_on)
                                .where(StatementLine.id.in_(line_ids))).all())


def _stored_rows(session: Session, statement: CommissionStatement, today: date, names: bool) -> list[LineRow]:
    L = StatementLine
    # Plain rows in one round trip: a busy month is thousands of lines, ORM objects would
    # cost twice as much. The category is the one the line was stored with.
    stmt = (
        select(L.id, L.kind, L.earned_on, L.amount_fen, L.refunded_fen, L.rate_bp, L.tier, L.source,
               L.commission_fen, L.payable_on, L.order_item_id, L.original_line_id, L.adjustment_id,
               *((Order.code, Product.name) if names else (literal(""), literal(""))), Category.name)
        .outerjoin(Category, Category.id == L.category_id)
        .where(L.statement_id == statement.id).order_by(L.earned_on, L.id)
    )
    if names:
        stmt = (stmt.outerjoin(OrderItem, OrderItem.id == L.order_item_id)
                .outerjoin(Order, Order.id == OrderItem.order_id)
                .outerjoin(Product, Product.id == OrderItem.product_id))
    lines = session.execute(stmt).all()
    reasons = _reasons(session, [ln.adjustment_id for ln in lines if ln.adjustment_id])
    originals = _original_days(session, [ln.original_line_id for ln in lines if ln.original_line_id])
    disputes: dict[int, DisputeInfo] = {}
    for d in session.scalars(select(CommissionDispute).where(CommissionDispute.statement_id == statement.id)
                             .order_by(CommissionDispute.id)):
        disputes[d.line_id] = DisputeInfo(d.id, d.status, d.note, d.resolution)  # the latest wins
    status, adjustment = statement.status, LineKind.ADJUSTMENT
    return [
        LineRow(line_id, kind, earned_on, amount, refunded, rate, tier, source, commission, payable_on,
                line_status(status, payable_on, today), item_id, code or "", product or "",
                (category or "") if kind != adjustment else "", original_id, originals.get(original_id),
                reasons.get(adjustment_id, ""), disputes.get(line_id), adjustment_id)
        for (line_id, kind, earned_on, amount, refunded, rate, tier, source, commission, payable_on, item_id,
             original_id, adjustment_id, code, product, category) in lines
    ]


def fill_names(session: Session, rows: list[LineRow]) -> list[LineRow]:
    """Give the rows read with ``names=False`` their order code and product name."""
    missing = [r.order_item_id for r in rows if r.order_item_id and not r.product]
    if missing:
        found = _names(session, missing)
        for r in rows:
            if r.order_item_id in found and not r.product:
                r.order_code, r.product, _category = found[r.order_item_id]
    return rows


def store_periods(session: Session, store_id: int, today: date, limit: int = 12) -> list[tuple[str, str]]:
    """(period, status) newest first: the running month, then stored statements."""
    current = periods.of(today)
    rows = session.execute(
        select(CommissionStatement.period, CommissionStatement.status)
        .where(CommissionStatement.store_id == store_id, CommissionStatement.period != current)
        .order_by(CommissionStatement.period.desc()).limit(limit)
    ).all()
    out = [(current, StatementStatus.OPEN.value)]
    # A finished month not closed yet is still shown live (HQ closes it on the 1st).
    previous = periods.preceding(current)
    if all(p != previous for p, _ in rows):
        out.append((previous, StatementStatus.OPEN.value))
    out.extend((p, s) for p, s in rows)
    return out
