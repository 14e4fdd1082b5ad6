"""HQ's shipping marks: a pickup point's batch packed, shipped or arrived.

Marking moves the point's batch orders that are exactly one step behind (grouped →
packed, packed → shipped, shipped → arrived) through ``transitions.move``; arrival also
writes the members' 到货提醒 into the outbox. Nothing here commits: the view commits
once, then kicks the sender.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.errors import NotFound
from workbench.fulfilment.lists import BATCH_STATUSES, batch_condition, batch_order_ids, natural_key
from workbench.members.models import Member
from workbench.orders import transitions
from workbench.orders.models import Campaign, Order, OrderStatus
from workbench.outbox import notices
from workbench.stores.models import PickupPoint, Store

S = OrderStatus

#: Each mark and the one status it moves from: marks never skip a step or go back.
PREVIOUS = {S.PACKED.value: S.GROUPED.value, S.SHIPPED.value: S.PACKED.value, S.ARRIVED.value: S.SHIPPED.value}
MARKS = tuple(PREVIOUS)
COUNTED = (*BATCH_STATUSES, S.PICKED_UP.value)


class TargetNotVisible(NotFound):
    """A pickup point outside the user's stores was named (404, not a hint that it exists)."""


@dataclass
class PointRow:
    store_id: int
    store_name: str
    store_code: str
    point_id: int | None
    point_name: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def target(self) -> str:
        """The form value naming this row: ``<store id>-<point id or 0>``."""
        return f"{self.store_id}-{self.point_id or 0}"

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def can(self, mark: str) -> bool:
        return self.counts.get(PREVIOUS[mark], 0) > 0


def point_rows(session: Session, store_ids: list[int], day: date,
               only: set[tuple[int, int | None]] | None = None) -> list[PointRow]:
    """The day's batch per pickup point with its counts per status, in one query."""
    if not store_ids:
        return []
    stmt = (
        select(Order.store_id, Store.name, Store.code, Order.pickup_point_id, PickupPoint.name,
               Order.status, func.count(Order.id))
        .join(Campaign, Campaign.id == Order.campaign_id)
        .join(Store, Store.id == Order.store_id)
        .outerjoin(PickupPoint, PickupPoint.id == Order.pickup_point_id)
        .where(Order.store_id.in_(store_ids), batch_condition(day, COUNTED))
        .group_by(Order.store_id, Store.name, Store.code, Order.pickup_point_id, PickupPoint.name, Order.status)
    )
    rows: dict[tuple[int, int | None], PointRow] = {}
    for store_id, store_name, code, point_id, point_name, status, n in session.execute(stmt):
        if only is not None and (store_id, point_id) not in only:
            continue
        row = rows.setdefault((store_id, point_id), PointRow(store_id, store_name, code, point_id, point_name or ""))
        row.counts[status] = n
    return sorted(rows.values(), key=lambda r: (r.store_code, natural_key(r.point_name)))


def parse_target(value: str) -> tuple[int, int | None]:
    """``"12-3"`` → (12, 3); ``"12-0"`` → (12, None). ValueError when malformed."""
    store, _sep, point = value.partition("-")
    store_id, point_id = int(store), int(point)
    if store_id <= 0 or point_id < 0:
        raise ValueError(value)
    return store_id, point_id or None


@dataclass
class MarkResult:
    mark: str
    moved: list[int] = field(default_factory=list)
    notices: int = 0  # outbox rows written (pending and skipped)
    opted_out: int = 0  # of those, members who turned reminders off
    delayed: bool = False  # written in quiet hours: they go out at 08:00


def mark(session: Session, visible_store_ids: list[int], day: date, targets: list[tuple[int, int | None]],
         to_status: str, *, actor_id: int, now: datetime) -> MarkResult:
    """Move the targets' batch orders one step to ``to_status``; arrival writes the reminders."""
    if to_status not in PREVIOUS:
        raise ValueError(f"not a mark: {to_status}")
    visible = set(visible_store_ids)
    if any(store_id not in visible for store_id, _point in targets):
        raise TargetNotVisible()
    points = {p for _s, p in targets if p is not None}
    if points:
        owners = dict(session.execute(select(PickupPoint.id, PickupPoint.store_id).where(PickupPoint.id.in_(points))).all())
        if any(p is not None and owners.get(p) != s for s, p in targets):
            raise TargetNotVisible()
    result = MarkResult(to_status)
    source = PREVIOUS[to_status]
    for store_id, point_id in sorted(set(targets), key=lambda t: (t[0], t[1] or 0)):
        ids = batch_order_ids(session, [store_id], day, status=source, pickup_point_id=point_id)
        # The conditional UPDATE re-checks the status: a colleague's concurrent mark wins once.
        result.moved += transitions.move(session, ids, to_status, actor_id=actor_id, now=now,
                                         store_id=store_id, from_statuses=[source])
    if to_status == S.ARRIVED.value and result.moved:
        result.notices = notices.enqueue_arrival_notices(session, result.moved, now)
        result.opted_out = session.scalar(
            select(func.count(func.distinct(Member.id))).join(Order, Order.member_id == Member.id)
            .where(Order.id.in_(result.moved), Member.push_opt_out.is_(True))
        ) or 0
        result.delayed = notices.next_send_time(now) > now
    return result
