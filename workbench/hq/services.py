"""The stores list: every visible store with its latest 7-day figures, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.auth.models import User
from workbench.auth.scoping import scoped
from workbench.stores.models import Region, Store, StoreKpi

_SORT_COLUMNS = {
    "code": Store.code,
    "name": Store.name,
    "region": Region.name,
    "owner": User.name,
    "gmv": StoreKpi.gmv_fen,
    "orders": StoreKpi.orders,
    "active": StoreKpi.active_members,
    "members": StoreKpi.total_members,
    "as_of": StoreKpi.as_of,
}


@dataclass(frozen=True)
class StoreRow:
    id: int
    code: str
    name: str
    city: str
    region: str
    owner: str | None
    gmv_fen: int | None
    orders: int | None
    active_members: int | None
    total_members: int | None
    as_of: date | None
    computed_at: datetime | None
    owner_id: int | None = None  # for an admin's "sign out everywhere"

    @property
    def has_kpi(self) -> bool:
        return self.as_of is not None


@dataclass(frozen=True)
class StoreTable:
    rows: list[StoreRow]
    gmv_fen: int
    orders: int
    active_members: int
    total_members: int
    as_of: date | None  # the newest window end among the rows
    computed_at: datetime | None
    missing_kpi: int  # stores without figures yet
    mixed_as_of: bool  # rows computed for different days

    @property
    def activity(self) -> float | None:
        """Share of all members who ordered in the window."""
        return self.active_members / self.total_members if self.total_members else None


def store_table(session: Session, user: User, region_id: int | None = None, sort: str = "gmv",
                descending: bool = True) -> StoreTable:
    """The stores ``user`` may see (optionally one region), sorted, with totals.

    One query joins store, region, owner and figures; stores without figures sort last
    whichever the direction, so a new store never tops a ranking it is not in.
    """
    column = _SORT_COLUMNS.get(sort, StoreKpi.gmv_fen)
    stmt = (
        select(Store.id, Store.code, Store.name, Store.city, Region.name, User.name,
               StoreKpi.gmv_fen, StoreKpi.orders, StoreKpi.active_members, StoreKpi.total_members,
               StoreKpi.as_of, StoreKpi.computed_at, Store.owner_id)
        .join(Region, Region.id == Store.region_id)
        .outerjoin(User, User.id == Store.owner_id)
        .outerjoin(StoreKpi, StoreKpi.store_id == Store.id)
        .where(Store.is_active.is_(True))
        .order_by(column.is_(None), column.desc() if descending else column.asc(), Store.code)
    )
    if region_id is not None:
        stmt = stmt.where(Store.region_id == region_id)
    rows = [StoreRow(*r) for r in session.execute(scoped(stmt, Store, user))]
    with_kpi = [r for r in rows if r.has_kpi]
    days = {r.as_of for r in with_kpi}
    return StoreTable(
        rows=rows,
        gmv_fen=sum(r.gmv_fen or 0 for r in with_kpi),
        orders=sum(r.orders or 0 for r in with_kpi),
        active_members=sum(r.active_members or 0 for r in with_kpi),
        total_members=sum(r.total_members or 0 for r in with_kpi),
        as_of=max(days) if days else None,
        computed_at=max((r.computed_at for r in with_kpi if r.computed_at), default=None),
        missing_kpi=len(rows) - len(with_kpi),
        mixed_as_of=len(days) > 1,
    )


def visible_regions(session: Session, user: User) -> list[tuple[int, str]]:
    """(id, name) of the regions that hold at least one store the user may see."""
    stmt = select(Region.id, Region.name).join(Store, Store.region_id == Region.id).distinct().order_by(Region.name)
    return [(rid, name) for rid, name in session.execute(scoped(stmt, Store, user))]
