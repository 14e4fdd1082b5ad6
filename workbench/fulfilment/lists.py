"""The day's fulfilment paperwork: purchase list, sorting list and delivery slips.

All three are built from the same rows (``batch_lines``): one query returning every
order line of the day's batch with its member, building, pickup point, product and
supplier. The batch rule lives in one place (``batch_condition``) so the lists, the HQ
marking page and their counts can never disagree about which orders are "today's".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from workbench.catalog.models import Product, Supplier
from workbench.formatting import mask_phone
from workbench.members.models import Member
from workbench.orders.models import Campaign, Order, OrderItem, OrderStatus
from workbench.stores.models import Building, PickupPoint, Store

S = OrderStatus

#: Orders that still have to reach their member: after the group formed, before pickup.
BATCH_STATUSES = (S.GROUPED.value, S.PACKED.value, S.SHIPPED.value, S.ARRIVED.value)

SORT_BY = ("product", "building", "member")
SLIP_ORDERS = ("building-room-product", "building-product-room", "product-building-room")
PAPERS = ("a4", "80", "58")


def batch_condition(day: date, statuses=BATCH_STATUSES) -> ColumnElement[bool]:
    """The batch of ``day``: campaign orders picked up that day, in ``statuses``.

    The query must join ``Campaign`` on ``Order.campaign_id``.
    """
    return and_(Campaign.pickup_on == day, Order.status.in_(list(statuses)))


def batch_order_ids(session: Session, store_ids: list[int], day: date, *, status: str,
                    pickup_point_id: int | None) -> list[int]:
    """Ids of one pickup point's batch orders in ``status`` (``None`` point: orders without one)."""
    point = (Order.pickup_point_id.is_(None) if pickup_point_id is None
             else Order.pickup_point_id == pickup_point_id)
    return list(session.scalars(
        select(Order.id).join(Campaign, Campaign.id == Order.campaign_id)
        .where(Order.store_id.in_(store_ids), point, batch_condition(day, (status,)))
    ))


# --------------------------------------------------------------------------- natural sort

_CHUNKS = re.compile(r"(\d+)")


def natural_key(text: str | None) -> tuple:
    """Sort key putting 2栋 before 10栋 and 1单元502 before 1单元1001.

    Digits compare as numbers, everything else as text; each chunk is a (kind, number,
    text) triple so numbers and text never get compared with each other. Empty sorts last.
    """
    if not text:
        return ((2, 0, ""),)
    key = []
    for chunk in _CHUNKS.split(text.strip()):
        if not chunk:
            continue
        key.append((0, int(chunk), chunk) if chunk.isdigit() else (1, 0, chunk))
    return tuple(key)


# --------------------------------------------------------------------------- the rows


@dataclass(frozen=True)
class Line:
    """One order line of the batch with everything the lists print."""

    order_id: int
    order_code: str
    status: str
    store_id: int
    store_name: str
    point_id: int | None
    point_name: str
    member_id: int
    member_name: str
    phone: str  # already masked: the raw number never leaves this module
    building: str
    room: str
    product_id: int
    sku: str
    product: str
    spec: str
    unit: str
    supplier: str
    quantity: int


def _batch_items(stmt, store_ids: list[int], day: date):
    """``stmt`` over the order lines of the stores' batch for ``day``, with their order,
    campaign, store, pickup point, product and supplier joined (lists and HQ totals alike)."""
    return (
        stmt.select_from(OrderItem)
        .join(Order, Order.id == OrderItem.order_id)
        .join(Campaign, Campaign.id == Order.campaign_id)
        .join(Store, Store.id == Order.store_id)
        .outerjoin(PickupPoint, PickupPoint.id == Order.pickup_point_id)
        .join(Product, Product.id == OrderItem.product_id)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .where(Order.store_id.in_(store_ids), batch_condition(day))
    )


def batch_lines(session: Session, store_ids: list[int], day: date) -> list[Line]:
    """Every line of the stores' batch for ``day``, in one query."""
    if not store_ids:
        return []
    rows = session.execute(
        _batch_items(select(Order.id, Order.code, Order.status, Store.id, Store.name, Order.pickup_point_id,
                            PickupPoint.name, Member.id, Member.name, Member.phone, Building.name, Member.room,
                            Product.id, Product.sku, Product.name, Product.spec, Product.unit, Supplier.name,
                            OrderItem.quantity), store_ids, day)
        .join(Member, Member.id == Order.member_id)
        .outerjoin(Building, Building.id == Member.building_id)
        .order_by(Order.id, OrderItem.id)
    ).all()
    return [
        Line(order_id=r[0], order_code=r[1], status=r[2], store_id=r[3], store_name=r[4], point_id=r[5],
             point_name=r[6] or "", member_id=r[7], member_name=r[8], phone=mask_phone(r[9]),
             building=r[10] or "", room=r[11] or "", product_id=r[12], sku=r[13], product=r[14],
             spec=r[15], unit=r[16], supplier=r[17], quantity=r[18])
        for r in rows
    ]


@dataclass
class BatchSummary:
    """The counts the index page shows for a day."""

    day: date
    orders: int = 0
    members: int = 0
    units: int = 0
    picked_up: int = 0  # already collected: not in the lists, but the owner should know


def picked_up_count(session: Session, store_ids: list[int], day: date) -> int:
    if not store_ids:
        return 0
    return session.scalar(
        select(func.count(Order.id)).join(Campaign, Campaign.id == Order.campaign_id)
        .where(Order.store_id.in_(store_ids), batch_condition(day, (S.PICKED_UP.value,)))
    ) or 0


def summarise(lines: list[Line], day: date, picked_up: int) -> BatchSummary:
    return BatchSummary(day=day, orders=len({ln.order_id for ln in lines}),
                        members=len({ln.member_id for ln in lines}),
                        units=sum(ln.quantity for ln in lines), picked_up=picked_up)


def default_day(session: Session, store_ids: list[int], today: date) -> date:
    """The nearest day, today or later, with batch orders; today when there is none."""
    if not store_ids:
        return today
    found = session.scalar(
        select(func.min(Campaign.pickup_on)).select_from(Order)
        .join(Campaign, Campaign.id == Order.campaign_id)
        .where(Order.store_id.in_(store_ids), Campaign.pickup_on >= today,
               Order.status.in_(list(BATCH_STATUSES)))
    )
    return found or today


# --------------------------------------------------------------------------- purchase list


@dataclass(frozen=True)
class PointRef:
    """A pickup point as a column/breakdown of the purchase list."""

    store_id: int
    point_id: int | None
    store_name: str
    name: str

    @property
    def key(self) -> tuple[int, int]:
        return (self.store_id, self.point_id or 0)


@dataclass
class PurchaseRow:
    sku: str
    product: str
    spec: str
    unit: str
    total: int = 0
    by_point: dict[tuple[int, int], int] = field(default_factory=dict)
    # (point, quantity) for the points that take some, in the list's point order: HQ's page
    # prints these, where walking every point of 200 stores for every SKU took most of its time.
    breakdown: list[tuple[PointRef, int]] = field(default_factory=list)


@dataclass
class SupplierBlock:
    name: str
    rows: list[PurchaseRow]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


@dataclass
class PurchaseList:
    points: list[PointRef]
    suppliers: list[SupplierBlock]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.suppliers)


def _point_ref(ln: Line) -> PointRef:
    return PointRef(ln.store_id, ln.point_id, ln.store_name, ln.point_name)


class PurchaseQuantity(NamedTuple):
    """A quantity of one SKU for one pickup point: what a purchase list is built from."""

    supplier: str
    sku: str
    product: str
    spec: str
    unit: str
    store_id: int
    store_name: str
    point_id: int | None
    point_name: str
    quantity: int


def purchase_list(lines: list[Line]) -> PurchaseList:
    """Per supplier: each SKU's total quantity and its quantity per pickup point."""
    return build_purchase_list(
        PurchaseQuantity(ln.supplier, ln.sku, ln.product, ln.spec, ln.unit, ln.store_id, ln.store_name,
                         ln.point_id, ln.point_name, ln.quantity) for ln in lines)


def purchase_totals(session: Session, store_ids: list[int], day: date) -> tuple[PurchaseList, int]:
    """HQ's purchase list for the stores' batch of ``day``, and how many stores it covers.

    The same list as ``purchase_list(batch_lines(…))``, summed by the database per SKU and
    pickup point: HQ's page shows totals, so it does not load every order line of 200
    stores (with their members and buildings) to add them up here.
    """
    if not store_ids:
        return PurchaseList([], []), 0
    rows = session.execute(
        _batch_items(select(Supplier.name, Product.sku, Product.name, Product.spec, Product.unit, Store.id,
                            Store.name, Order.pickup_point_id, PickupPoint.name, func.sum(OrderItem.quantity)),
                     store_ids, day)
        .group_by(Supplier.name, Product.sku, Product.name, Product.spec, Product.unit, Store.id, Store.name,
                  Order.pickup_point_id, PickupPoint.name)
    ).all()
    quantities = [PurchaseQuantity(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or "", int(r[9]))
                  for r in rows]
    return build_purchase_list(quantities), len({q.store_id for q in quantities})


def build_purchase_list(quantities: Iterable[PurchaseQuantity]) -> PurchaseList:
    points: dict[tuple[int, int], PointRef] = {}
    by_supplier: dict[str, dict[str, PurchaseRow]] = defaultdict(dict)
    for q in quantities:
        ref = PointRef(q.store_id, q.point_id, q.store_name, q.point_name)
        points.setdefault(ref.key, ref)
        row = by_supplier[q.supplier].get(q.sku)
        if row is None:
            row = by_supplier[q.supplier][q.sku] = PurchaseRow(q.sku, q.product, q.spec, q.unit)
        row.total += q.quantity
        row.by_point[ref.key] = row.by_point.get(ref.key, 0) + q.quantity
    # The key breaks ties (two stores of one name), so the order never depends on the rows' order.
    ordered_points = sorted(points.values(), key=lambda p: (natural_key(p.store_name), natural_key(p.name), p.key))
    position = {p.key: i for i, p in enumerate(ordered_points)}
    suppliers = [
        SupplierBlock(name, sorted(rows.values(), key=lambda r: (natural_key(r.product), r.sku)))
        for name, rows in sorted(by_supplier.items(), key=lambda kv: natural_key(kv[0]))
    ]
    for block in suppliers:
        for row in block.rows:
            row.breakdown = [(ordered_points[position[k]], row.by_point[k])
                             for k in sorted(row.by_point, key=position.__getitem__) if row.by_point[k]]
    return PurchaseList(ordered_points, suppliers)


# --------------------------------------------------------------------------- sorting list


@dataclass
class SortGroup:
    """One heading of a sorting list (a product, a building or a member) and its lines."""

    title: str
    subtitle: str
    lines: list[Line]

    @property
    def total(self) -> int:
        return sum(ln.quantity for ln in self.lines)


@dataclass
class SortingPoint:
    point: PointRef
    groups: list[SortGroup]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


def _room_key(ln: Line) -> tuple:
    return (natural_key(ln.building), natural_key(ln.room), ln.member_name, ln.member_id)


def _product_key(ln: Line) -> tuple:
    return (natural_key(ln.product), ln.sku)


def sorting_list(lines: list[Line], by: str = "product") -> list[SortingPoint]:
    """Per pickup point, grouped by product, by building (then room) or by member."""
    if by not in SORT_BY:
        raise ValueError(f"unknown sorting: {by}")
    per_point: dict[tuple[int, int], list[Line]] = defaultdict(list)
    refs: dict[tuple[int, int], PointRef] = {}
    for ln in lines:
        ref = _point_ref(ln)
        refs.setdefault(ref.key, ref)
        per_point[ref.key].append(ln)
    result = []
    for key in sorted(refs, key=lambda k: (natural_key(refs[k].store_name), natural_key(refs[k].name))):
        point_lines = per_point[key]
        groups: dict[object, SortGroup] = {}
        if by == "product":
            for ln in sorted(point_lines, key=lambda x: (_product_key(x), _room_key(x))):
                groups.setdefault(ln.sku, SortGroup(ln.product, ln.spec, [])).lines.append(ln)
        elif by == "building":
            for ln in sorted(point_lines, key=lambda x: (_room_key(x), _product_key(x))):
                groups.setdefault(ln.building, SortGroup(ln.building, "", [])).lines.append(ln)
        else:
            for ln in sorted(point_lines, key=lambda x: (x.member_name, x.member_id, _product_key(x))):
                groups.setdefault(ln.member_id, SortGroup(
                    ln.member_name, " ".join(p for p in (ln.phone, ln.building, ln.room) if p), [])
                ).lines.append(ln)
        result.append(SortingPoint(refs[key], list(groups.values())))
    return result


# --------------------------------------------------------------------------- delivery slips


@dataclass
class Slip:
    """One cut-off piece of the delivery slips: a building (or, product first, a product)."""

    title: str
    subtitle: str
    lines: list[Line]

    @property
    def total(self) -> int:
        return sum(ln.quantity for ln in self.lines)

    @property
    def members(self) -> int:
        return len({ln.member_id for ln in self.lines})


def delivery_slips(lines: list[Line], order: str = "building-room-product") -> list[Slip]:
    """Delivery slips sorted the way leaders walk their rounds.

    The first key of ``order`` decides what one slip is: a building (楼号-…: one slip per
    building, cut apart) or a product (商品-楼号-房号: one slip per product, listing the
    buildings and rooms it goes to). Orders without a building sort last.
    """
    if order not in SLIP_ORDERS:
        raise ValueError(f"unknown slip order: {order}")
    if order == "building-room-product":
        def key(x):
            return (natural_key(x.building), natural_key(x.room), x.member_name, x.member_id, _product_key(x))
    elif order == "building-product-room":
        def key(x):
            return (natural_key(x.building), _product_key(x), natural_key(x.room), x.member_name, x.member_id)
    else:
        def key(x):
            return (_product_key(x), natural_key(x.building), natural_key(x.room), x.member_name, x.member_id)
    slips: dict[object, Slip] = {}
    for ln in sorted(lines, key=key):
        if order.startswith("product"):
            slips.setdefault(ln.sku, Slip(ln.product, ln.spec, [])).lines.append(ln)
        else:
            slips.setdefault(ln.building, Slip(ln.building, "", [])).lines.append(ln)
    return list(slips.values())
