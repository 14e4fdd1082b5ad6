"""The pickup counter's actions: hand orders over (all or some), undo within 5 minutes.

Two phones tapping 已提货 for the same order at the same moment race in the database,
not in Python: the status change is ``transitions.move`` (a conditional UPDATE … WHERE
status = 'arrived'), so one transaction moves the order and the other moves nothing;
the partial unique index on live verifications is the second guard. Undo is another
conditional UPDATE (still live, still inside the window). Nothing here commits: the
view commits once per tap, and rolls back when a service raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from workbench.auth.models import User
from workbench.catalog.models import Product
from workbench.commission.models import LineKind, StatementLine
from workbench.errors import Invalid
from workbench.formatting import local_time
from workbench.members.models import Member
from workbench.orders import transitions
from workbench.orders.models import (
    AfterSalesTicket,
    Order,
    OrderItem,
    OrderStatus,
    PickupMethod,
    PickupVerification,
    TicketStatus,
)
from workbench.stores.models import Building
from workbench.timeutil import local_day_range

#: An order waiting at the pickup point longer than this is overdue (members forget).
OVERDUE_AFTER = timedelta(days=2)
#: How long a handed-over order can be taken back at the counter; later, HQ handles it.
UNDO_WINDOW = timedelta(minutes=5)
#: Member cards on one page of the counter list; the rest are a tap (or a search) away.
PAGE_SIZE = 20

S = OrderStatus


# ------------------------------------------------------------------ what the counter shows


@dataclass(frozen=True)
class CounterItem:
    id: int
    name: str
    quantity: int
    reported: int = 0  # units in open or accepted 缺货/破损 tickets


@dataclass(frozen=True)
class CounterOrder:
    id: int
    code: str
    status: str
    total_fen: int
    waiting_since: datetime  # arrival, or the order time when the arrival was not recorded
    overdue: bool
    picked_up_at: datetime | None
    items: list[CounterItem]


@dataclass(frozen=True)
class UndoBatch:
    """The orders one tap handed over, undoable together until ``deadline``."""

    verification_id: int
    order_codes: list[str]
    verified_at: datetime
    deadline: datetime


@dataclass
class CounterMember:
    id: int
    name: str
    phone: str  # raw: the template masks it and keeps the last 4 digits readable
    building: str
    room: str
    pickup_code: str
    waiting: list[CounterOrder] = field(default_factory=list)
    picked_today: list[CounterOrder] = field(default_factory=list)
    undo: UndoBatch | None = None

    @property
    def overdue(self) -> bool:
        return any(o.overdue for o in self.waiting)

    @property
    def since(self) -> datetime | None:
        return min((o.waiting_since for o in self.waiting), default=None)


@dataclass(frozen=True)
class CounterCounts:
    waiting: int  # orders arrived and not picked up
    picked_today: int  # picked up since local midnight
    overdue: int  # waiting for more than two days
    members_waiting: int


@dataclass(frozen=True)
class CounterPage:
    members: list[CounterMember]
    counts: CounterCounts
    page: int
    has_more: bool


def counter_counts(session: Session, store_id: int, now: datetime) -> CounterCounts:
    """待提货 / 今日已提 / 超过 2 天, in one round trip."""
    start, end = local_day_range(now)
    since = func.coalesce(Order.arrived_at, Order.placed_at)
    arrived = Order.status == S.ARRIVED
    row = session.execute(
        select(
            func.count().filter(arrived),
            func.count().filter(and_(Order.status == S.PICKED_UP, Order.picked_up_at >= start,
                                     Order.picked_up_at < end)),
            func.count().filter(and_(arrived, since < now - OVERDUE_AFTER)),
            func.count(func.distinct(Order.member_id)).filter(arrived),
        ).where(
            Order.store_id == store_id,
            or_(arrived, and_(Order.status == S.PICKED_UP, Order.picked_up_at >= start)),
        )
    ).one()
    return CounterCounts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def counter_page(session: Session, store_id: int, now: datetime, page: int = 1) -> CounterPage:
    """Members with orders waiting, longest-waiting first, ``PAGE_SIZE`` per page."""
    page = max(1, page)
    since = func.min(func.coalesce(Order.arrived_at, Order.placed_at))
    members = (
        select(Order.member_id)
        .where(Order.store_id == store_id, Order.status == S.ARRIVED)
        .group_by(Order.member_id)
        .order_by(since, Order.member_id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    cards = member_cards(session, store_id, members, now)
    return CounterPage(cards[:PAGE_SIZE], counter_counts(session, store_id, now), page, len(cards) > PAGE_SIZE)


def member_cards(session: Session, store_id: int, members: list[int] | Select, now: datetime) -> list[CounterMember]:
    """The cards of ``members``: waiting orders with their items, and today's pickups.

    ``members`` is a list of ids (cards come in that order) or a SELECT of member ids
    (cards come longest-waiting first). One query for the cards whatever their number,
    plus one for the undo buttons when someone picked up today: every round trip counts
    when the page is re-rendered on each keystroke.
    """
    if isinstance(members, list) and not members:
        return []
    start, end = local_day_range(now)
    rows = session.execute(
        select(Order.id, Order.code, Order.status, Order.total_fen, Order.arrived_at, Order.placed_at,
               Order.picked_up_at, Member.id, Member.name, Member.phone, Member.room, Member.pickup_code,
               Building.name, OrderItem.id, Product.name, OrderItem.quantity, _reported_units())
        .join(Member, Member.id == Order.member_id)
        .outerjoin(Building, Building.id == Member.building_id)
        .outerjoin(OrderItem, OrderItem.order_id == Order.id)
        .outerjoin(Product, Product.id == OrderItem.product_id)
        .where(
            Order.store_id == store_id,
            Member.store_id == store_id,
            Order.member_id.in_(members),
            or_(Order.status == S.ARRIVED,
                and_(Order.status == S.PICKED_UP, Order.picked_up_at >= start, Order.picked_up_at < end)),
        )
        .order_by(func.coalesce(Order.arrived_at, Order.placed_at), Order.id, OrderItem.id)
    ).all()
    cards: dict[int, CounterMember] = {}
    orders: dict[int, CounterOrder] = {}
    for (oid, code, status, total, arrived_at, placed_at, picked_at, mid, name, phone, room, pcode,
         building, item_id, product, qty, reported) in rows:
        order = orders.get(oid)
        if order is None:
            card = cards.get(mid)
            if card is None:
                card = cards[mid] = CounterMember(mid, name, phone, building or "", room or "", pcode or "")
            waiting_since = arrived_at or placed_at
            order = orders[oid] = CounterOrder(oid, code, status, total, waiting_since,
                                               status == S.ARRIVED and now - waiting_since > OVERDUE_AFTER,
                                               picked_at, [])
            (card.waiting if status == S.ARRIVED else card.picked_today).append(order)
        if item_id is not None:
            order.items.append(CounterItem(item_id, product, qty, int(reported or 0)))
    _attach_undo(session, store_id, list(cards.values()), now)
    if isinstance(members, list):
        return [cards[m] for m in members if m in cards]
    # Rows come oldest order first, so dict order is already longest-waiting first for
    # members with waiting orders; those with only today's pickups go last.
    return sorted(cards.values(), key=lambda c: (not c.waiting,))


def _reported_units():
    """Units of the line already reported (open or accepted tickets), as a column."""
    return (
        select(func.coalesce(func.sum(AfterSalesTicket.quantity), 0))
        .where(AfterSalesTicket.order_item_id == OrderItem.id,
               AfterSalesTicket.status.in_([TicketStatus.OPEN, TicketStatus.ACCEPTED]))
        .scalar_subquery()
    )


def _attach_undo(session: Session, store_id: int, cards: list[CounterMember], now: datetime) -> None:
    """Give each card its latest tap that can still be undone (if any)."""
    picked = {o.id: card for card in cards for o in card.picked_today}
    if not picked:
        return
    rows = session.execute(
        select(PickupVerification.id, PickupVerification.order_id, PickupVerification.verified_at,
               PickupVerification.verified_by_id)
        .where(
            PickupVerification.store_id == store_id,
            PickupVerification.order_id.in_(list(picked)),
            PickupVerification.undone_at.is_(None),
            PickupVerification.verified_at > now - UNDO_WINDOW,
        )
        .order_by(PickupVerification.verified_at.desc(), PickupVerification.id)
    ).all()
    codes = {o.id: o.code for card in cards for o in card.picked_today}
    # A tap's verifications share their time and verifier: that pair is the batch.
    batch_of: dict[int, tuple] = {}
    for vid, order_id, verified_at, by in rows:
        card = picked[order_id]
        if card.undo is None:
            card.undo = UndoBatch(vid, [], verified_at, verified_at + UNDO_WINDOW)
            batch_of[card.id] = (verified_at, by)
        if batch_of[card.id] == (verified_at, by):
            card.undo.order_codes.append(codes[order_id])


# ------------------------------------------------------------------ verify (已提货)


class PickupError(Invalid):
    """A tap that changed nothing (400); ``message`` says why, in the user's language."""


class NotFound(PickupError):
    """The member, order or verification is not this store's (404)."""

    status, code = 404, "not_found"


class PickupRefused(PickupError):
    """Nothing could be handed over (409): every order gave a reason."""

    status, code = 409, "refused"


@dataclass(frozen=True)
class PickupResult:
    member_id: int
    moved: list[int]  # order ids handed over by this tap
    verification_ids: list[int]
    refused: list[str]  # one sentence per order that stayed where it was


def verify(session: Session, *, store_id: int, member_id: int, order_ids: list[int] | None, actor_id: int | None,
           method: str, now: datetime) -> PickupResult:
    """Hand over the member's arrived orders (``order_ids=None``) or the selected ones.

    Selected orders must be this member's in this store (else ``NotFound``). Orders that
    cannot be handed over stay as they are and each gets a reason; if none moved,
    ``PickupRefused`` carries the reasons. A concurrent tap that already inserted a live
    verification makes the INSERT fail (IntegrityError): the caller rolls back and
    reports "already picked up" — but the conditional UPDATE normally stops it first.
    """
    if method not in set(PickupMethod):
        method = PickupMethod.MANUAL
    member = session.execute(
        select(Member.id).where(Member.id == member_id, Member.store_id == store_id)
    ).first()
    if member is None:
        raise NotFound(_("This member was not found in your store."))
    if order_ids is None:
        wanted = list(session.scalars(
            select(Order.id).where(Order.store_id == store_id, Order.member_id == member_id,
                                   Order.status == S.ARRIVED)
        ))
        if not wanted:
            raise PickupRefused(_("This member has no orders waiting for pickup."))
    else:
        wanted = sorted(set(order_ids))
        if not wanted:
            raise PickupError(_("Choose at least one order to hand over."))
        found = set(session.scalars(
            select(Order.id).where(Order.id.in_(wanted), Order.store_id == store_id, Order.member_id == member_id)
        ))
        if found != set(wanted):
            raise NotFound(_("This order was not found in your store."))
    moved = transitions.move(session, wanted, S.PICKED_UP, actor_id=actor_id, now=now, store_id=store_id,
                             note="counter")
    verification_ids: list[int] = []
    if moved:
        verification_ids = [row[0] for row in session.execute(
            insert(PickupVerification).returning(PickupVerification.id),
            [{"store_id": store_id, "order_id": oid, "verified_by_id": actor_id, "method": method,
              "verified_at": now} for oid in moved],
        )]
    refused = refusal_reasons(session, store_id, [oid for oid in wanted if oid not in set(moved)])
    if not moved:
        raise PickupRefused(" ".join(refused) or _("Nothing was handed over."))
    return PickupResult(member_id, moved, verification_ids, refused)


def refusal_reasons(session: Session, store_id: int, order_ids: list[int]) -> list[str]:
    """Why each of ``order_ids`` cannot be handed over now, one sentence each."""
    if not order_ids:
        return []
    live = dict(
        (oid, (at, who)) for oid, at, who in session.execute(
            select(PickupVerification.order_id, PickupVerification.verified_at, User.name)
            .outerjoin(User, User.id == PickupVerification.verified_by_id)
            .where(PickupVerification.order_id.in_(order_ids), PickupVerification.undone_at.is_(None))
        )
    )
    reasons = []
    for oid, code, status, picked_at in session.execute(
        select(Order.id, Order.code, Order.status, Order.picked_up_at)
        .where(Order.id.in_(order_ids), Order.store_id == store_id).order_by(Order.id)
    ):
        reasons.append(refusal_reason(code, status, live.get(oid), picked_at))
    return reasons


def refusal_reason(code: str, status: str, verification: tuple[datetime, str | None] | None,
                   picked_up_at: datetime | None) -> str:
    if status == S.PICKED_UP:
        at, who = verification if verification else (picked_up_at, None)
        when = local_time(at, "%m-%d %H:%M") if at else "—"
        if who:
            return _("Order %(code)s was already picked up at %(time)s (handed over by %(who)s).",
                     code=code, time=when, who=who)
        return _("Order %(code)s was already picked up at %(time)s.", code=code, time=when)
    if status == S.REFUNDED:
        return _("Order %(code)s was refunded and cannot be picked up.", code=code)
    if status == S.CANCELLED:
        return _("Order %(code)s was cancelled and cannot be picked up.", code=code)
    if status == S.ARRIVED:  # moved back by someone else in between: try again
        return _("Order %(code)s changed while you tapped. Please try again.", code=code)
    return _("Order %(code)s has not arrived yet (now: %(status)s).", code=code, status=transitions.label(status))


def already_picked_message() -> str:
    """What to say after a concurrent tap won the race at the unique index."""
    return _("These orders were just picked up on another device. Nothing was changed.")


# ------------------------------------------------------------------ undo


class UndoRefused(PickupError):
    """The tap cannot be undone any more (409)."""

    status, code = 409, "refused"


@dataclass(frozen=True)
class UndoResult:
    member_id: int
    order_ids: list[int]


def undo(session: Session, *, store_id: int, verification_id: int, actor_id: int | None,
         now: datetime) -> UndoResult:
    """Take back the whole tap that ``verification_id`` belongs to, within ``UNDO_WINDOW``.

    A tap's verifications share their time and verifier, so they are found as one
    batch. The conditional UPDATE (live, inside the window) decides: a second undo, or
    one a second too late, changes no row and is told why.
    """
    row = session.execute(
        select(PickupVerification.verified_at, PickupVerification.verified_by_id, PickupVerification.undone_at,
               Order.member_id)
        .join(Order, Order.id == PickupVerification.order_id)
        .where(PickupVerification.id == verification_id, PickupVerification.store_id == store_id)
    ).first()
    if row is None:
        raise NotFound(_("This pickup was not found in your store."))
    verified_at, by, undone_at, member_id = row
    same_by = (PickupVerification.verified_by_id.is_(None) if by is None
               else PickupVerification.verified_by_id == by)
    order_ids = [r[0] for r in session.execute(
        update(PickupVerification)
        .where(
            PickupVerification.store_id == store_id,
            PickupVerification.verified_at == verified_at,
            same_by,
            PickupVerification.undone_at.is_(None),
            PickupVerification.verified_at > now - UNDO_WINDOW,
        )
        .values(undone_at=now)
        .returning(PickupVerification.order_id),
        execution_options={"synchronize_session": False},
    )]
    if not order_ids:
        if undone_at is not None or _undone_meanwhile(session, verification_id):
            raise UndoRefused(_("This pickup was already undone. Nothing was changed."))
        raise UndoRefused(_("More than 5 minutes have passed, so this pickup cannot be undone here. "
                            "Please contact HQ if it needs correcting."))
    if _on_closed_statement(session, order_ids):
        # The pickup's month closed in the minutes since the tap (HQ closes just after
        # midnight): its commission is stored, and a pickup earns on one statement only.
        raise UndoRefused(_("This pickup is already on a closed commission statement, so it cannot be undone "
                            "here. Please contact HQ if it needs correcting."))
    back = transitions.move(session, order_ids, S.ARRIVED, actor_id=actor_id, now=now, store_id=store_id,
                            from_statuses=[S.PICKED_UP], note="counter undo")
    if len(back) != len(order_ids):
        # Refunded in between: leave the verification live with its order (the caller rolls back).
        raise UndoRefused(_("An order of this pickup changed in the meantime (for example a refund). "
                            "Nothing was undone."))
    return UndoResult(member_id, sorted(order_ids))


def _on_closed_statement(session: Session, order_ids: list[int]) -> bool:
    return session.scalar(
        select(StatementLine.id)
        .join(OrderItem, OrderItem.id == StatementLine.order_item_id)
        .where(OrderItem.order_id.in_(order_ids), StatementLine.kind == LineKind.EARNING)
        .limit(1)
    ) is not None


def _undone_meanwhile(session: Session, verification_id: int) -> bool:
    return session.scalar(
        select(PickupVerification.undone_at).where(PickupVerification.id == verification_id)
    ) is not None


def member_of_verification(session: Session, store_id: int, verification_id: int) -> int | None:
    return session.scalar(
        select(Order.member_id)
        .join(PickupVerification, PickupVerification.order_id == Order.id)
        .where(PickupVerification.id == verification_id, PickupVerification.store_id == store_id)
    )
