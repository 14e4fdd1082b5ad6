"""The stores list's rolling figures: GMV, orders and active members per store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from workbench.members.models import Member
from workbench.orders.models import NOT_SALES, Order
from workbench.stores.models import Store, StoreKpi
from workbench.timeutil import local_days_utc
from workbench.types import utcnow


@dataclass(frozen=True)
class KpiRow:
    store_id: int
    gmv_fen: int
    orders: int
    active_members: int
    total_members: int


def compute(session: Session, as_of: date, window_days: int = 7, store_ids=None) -> list[KpiRow]:
    """Figures for the ``window_days`` local days ending with ``as_of``, one row per store."""
    start, end = local_days_utc(as_of - timedelta(days=window_days - 1), as_of)
    sales = (
        select(
            Order.store_id,
            func.coalesce(func.sum(Order.total_fen), 0),
            func.count(Order.id),
            func.count(distinct(Order.member_id)),
        )
        .where(Order.placed_at >= start, Order.placed_at < end, Order.status.not_in(NOT_SALES))
        .group_by(Order.store_id)
    )
    members = select(Member.store_id, func.count(Member.id)).where(Member.joined_on <= as_of).group_by(Member.store_id)
    stores = select(Store.id)
    if store_ids is not None:
        sales = sales.where(Order.store_id.in_(store_ids))
        members = members.where(Member.store_id.in_(store_ids))
        stores = stores.where(Store.id.in_(store_ids))
    by_store = {sid: (gmv, n, active) for sid, gmv, n, active in session.execute(sales)}
    member_counts = dict(session.execute(members).all())
    rows = []
    for (store_id,) in session.execute(stores.order_by(Store.id)):
        gmv, n, active = by_store.get(store_id, (0, 0, 0))
        rows.append(KpiRow(store_id, int(gmv), int(n), int(active), int(member_counts.get(store_id, 0))))
    return rows


def recompute(session: Session, as_of: date, window_days: int = 7) -> int:
    """Replace every store's ``StoreKpi`` row with fresh figures; returns stores updated.

    The caller commits: the whole refresh is one transaction, so the list never shows
    half old and half new figures.
    """
    rows = compute(session, as_of, window_days)
    now = utcnow()
    existing = {k.store_id: k for k in session.scalars(select(StoreKpi))}
    for row in rows:
        kpi = existing.get(row.store_id) or StoreKpi(store_id=row.store_id)
        kpi.window_days = window_days
        kpi.as_of = as_of
        kpi.gmv_fen = row.gmv_fen
        kpi.orders = row.orders
        kpi.active_members = row.active_members
        kpi.total_members = row.total_members
        kpi.computed_at = now
        session.add(kpi)
    return len(rows)
