"""The order status flow, and the one way to move orders along it.

placed → paid → grouped / failed → packed → shipped → arrived → picked_up, with refunded
and cancelled as exits. Every move is a conditional UPDATE (``WHERE status = <from>``):
two devices moving the same order race in the database, not in Python, and exactly one
wins. Each moved order gets an ``OrderEvent`` saying who moved it, from what, and when.
Nothing here commits: the caller's action is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from workbench.orders.models import Order, OrderEvent, OrderStatus

S = OrderStatus

#: Where each status may go. picked_up → arrived is the counter's undo only (the pickup
#: service enforces its 5-minute window); nothing leaves refunded or cancelled.
ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PLACED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.GROUPED, S.FAILED, S.REFUNDED}),
    S.GROUPED: frozenset({S.PACKED, S.REFUNDED}),
    S.FAILED: frozenset({S.REFUNDED}),
    S.PACKED: frozenset({S.SHIPPED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.ARRIVED, S.REFUNDED}),
    S.ARRIVED: frozenset({S.PICKED_UP, S.REFUNDED}),
    S.PICKED_UP: frozenset({S.ARRIVED, S.REFUNDED}),
    S.REFUNDED: frozenset(),
    S.CANCELLED: frozenset(),
}

#: Edges taken only when asked for by name (``from_statuses``): a bulk "arrived" must never
#: quietly undo pickups.
EXPLICIT_ONLY = frozenset({(S.PICKED_UP, S.ARRIVED)})

STATUS_LABELS = {
    S.PLACED: _l("Placed"),
    S.PAID: _l("Paid"),
    S.GROUPED: _l("Group reached"),
    S.FAILED: _l("Group failed"),
    S.PACKED: _l("Packed"),
    S.SHIPPED: _l("Shipped"),
    S.ARRIVED: _l("Arrived"),
    S.PICKED_UP: _l("Picked up"),
    S.REFUNDED: _l("Refunded"),
    S.CANCELLED: _l("Cancelled"),
}

#: The timestamp column a status sets when an order enters it.
_STAMPS = {S.PAID: "paid_at", S.ARRIVED: "arrived_at", S.PICKED_UP: "picked_up_at"}


def label(status: str) -> str:
    return str(STATUS_LABELS[S(status)])


def can_move(from_status: str, to_status: str) -> bool:
    return S(to_status) in ALLOWED[S(from_status)]


def sources_of(to_status: str) -> list[OrderStatus]:
    """Every status an order may be in to move to ``to_status``."""
    return [s for s, targets in ALLOWED.items() if S(to_status) in targets]


class TransitionRefused(Exception):
    """The order is not in a status it may leave for the requested one."""

    def __init__(self, order_id: int, code: str, current: str | None, wanted: str) -> None:
        super().__init__(f"order {order_id}: {current} → {wanted} refused")
        self.order_id, self.code, self.current, self.wanted = order_id, code, current, wanted

    @property
    def message(self) -> str:
        """What to tell the person who asked, in their language."""
        if self.current is None:
            return _("Order not found.")
        if self.current == self.wanted:
            return _("Order %(code)s is already %(status)s. Nothing was changed.",
                     code=self.code, status=label(self.current))
        return _("Order %(code)s is %(current)s and cannot become %(wanted)s.",
                 code=self.code, current=label(self.current), wanted=label(self.wanted))


def move(
    session: Session,
    order_ids: Iterable[int],
    to_status: str,
    *,
    actor_id: int | None,
    now: datetime,
    store_id: int | None = None,
    from_statuses: Sequence[str] | None = None,
    note: str = "",
) -> list[int]:
    """Move every order of ``order_ids`` that may go to ``to_status``; return the moved ids.

    Orders in another status (or of another store, when ``store_id`` is given) are left
    alone: bulk actions such as "this pickup point's goods arrived" move what is eligible.
    ``from_statuses`` narrows the eligible sources (e.g. only ``shipped`` → ``arrived``).
    The undo (picked_up → arrived) clears ``picked_up_at``; entering a status stamps its
    time (arrival keeps the first one).
    """
    target = S(to_status)
    ids = sorted(set(order_ids))
    sources = sources_of(target)
    if from_statuses is None:
        sources = [s for s in sources if (s, target) not in EXPLICIT_ONLY]
    else:
        sources = [s for s in sources if s in {S(f) for f in from_statuses}]
    moved: list[int] = []
    if not ids or not sources:
        return moved
    values: dict[str, object] = {"status": target.value}
    stamp = _STAMPS.get(target)
    if stamp == "arrived_at":
        pass  # set below, only where still empty: an undone pickup keeps its arrival time
    elif stamp:
        values[stamp] = now
    for source in sources:
        source_values = dict(values)
        if source == S.PICKED_UP and target == S.ARRIVED:
            # Only the undo forgets the pickup; a refund after pickup keeps when it was handed over.
            source_values["picked_up_at"] = None
        for chunk in _chunks(ids, 500):
            stmt = update(Order).where(Order.id.in_(chunk), Order.status == source.value)
            if store_id is not None:
                stmt = stmt.where(Order.store_id == store_id)
            got = [row[0] for row in session.execute(
                stmt.values(**source_values).returning(Order.id),
                execution_options={"synchronize_session": False},
            )]
            if not got:
                continue
            if stamp == "arrived_at":
                session.execute(
                    update(Order).where(Order.id.in_(got), Order.arrived_at.is_(None)).values(arrived_at=now),
                    execution_options={"synchronize_session": False},
                )
            session.execute(insert(OrderEvent), [
                {"order_id": oid, "from_status": source.value, "to_status": target.value,
                 "actor_id": actor_id, "note": note[:200], "at": now}
                for oid in got
            ])
            moved.extend(got)
    if moved:
        # Objects already loaded in this session must not show the old status.
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Order) and obj.id in set(moved):
                session.expire(obj)
    return sorted(moved)


def move_one(
    session: Session,
    order_id: int,
    to_status: str,
    *,
    actor_id: int | None,
    now: datetime,
    store_id: int | None = None,
    from_statuses: Sequence[str] | None = None,
    note: str = "",
) -> None:
    """Move one order or raise ``TransitionRefused`` saying why it could not move."""
    if move(session, [order_id], to_status, actor_id=actor_id, now=now, store_id=store_id,
            from_statuses=from_statuses, note=note):
        return
    stmt = select(Order.code, Order.status).where(Order.id == order_id)
    if store_id is not None:
        stmt = stmt.where(Order.store_id == store_id)
    row = session.execute(stmt).first()
    raise TransitionRefused(order_id, row.code if row else "", row.status if row else None, S(to_status).value)


def _chunks(ids: list[int], size: int):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]
