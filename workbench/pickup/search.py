"""Finding a member at the counter from what they say or show.

"尾号 1234", a six-digit 提货码 (typed, or scanned by a hardware scanner that types it
and presses Enter), an order code, a name, or where they live ("3栋502", "3-502",
"502"). One query finds the members, scoped to the store and to orders that matter at
the counter: waiting (arrived) or picked up today (so a tap can still be undone).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from workbench.members.models import Member
from workbench.orders.models import Order, OrderStatus, PickupMethod
from workbench.pickup.services import CounterMember, member_cards
from workbench.stores.models import Building
from workbench.timeutil import local_day_range

#: Enough cards to choose from on a phone; a longer list means "type more".
MAX_RESULTS = 20

_ADDRESS = re.compile(r"^(\d{1,3})\s*(?:栋|幢|号楼|号|#|-|－|—|/)\s*(?:(\d{1,2})\s*单元\s*)?(\d{2,5})\s*室?$")
_QR_PAYLOAD = re.compile(r"(?:pickup|code|提货)\D{0,3}(\d{6})\b", re.IGNORECASE)
_ORDER_CODE = re.compile(r"^[A-Z][A-Z0-9]{2,19}$")


class QueryKind(StrEnum):
    EMPTY = "empty"
    PHONE_TAIL = "phone_tail"
    PICKUP_CODE = "pickup_code"
    PHONE = "phone"
    ORDER_CODE = "order_code"
    ADDRESS = "address"
    TEXT = "text"


#: How a pickup found through each kind of query is recorded.
METHOD_OF = {
    QueryKind.PHONE_TAIL: PickupMethod.PHONE_TAIL,
    QueryKind.PHONE: PickupMethod.PHONE_TAIL,
    QueryKind.PICKUP_CODE: PickupMethod.QR,
    QueryKind.ORDER_CODE: PickupMethod.ORDER_CODE,
}


@dataclass(frozen=True)
class SearchResult:
    query: str
    kind: QueryKind
    members: list[CounterMember]
    truncated: bool

    @property
    def method(self) -> str:
        return METHOD_OF.get(self.kind, PickupMethod.MANUAL)


def normalise(raw: str) -> str:
    """Full-width digits and letters to ASCII, spaces trimmed, scanner payloads to their code."""
    text = unicodedata.normalize("NFKC", raw or "").strip()[:60]
    if not text.isdigit() and (m := _QR_PAYLOAD.search(text)):
        return m.group(1)
    return text


def classify(text: str) -> QueryKind:
    compact = re.sub(r"\s+", "", text)
    if not compact:
        return QueryKind.EMPTY
    if compact.isdigit():
        if len(compact) == 6:
            return QueryKind.PICKUP_CODE
        if len(compact) == 4:
            return QueryKind.PHONE_TAIL
        if len(compact) <= 3:
            return QueryKind.ADDRESS  # a room number such as 502
        return QueryKind.PHONE
    if _ADDRESS.match(compact):
        return QueryKind.ADDRESS
    if _ORDER_CODE.match(compact.upper()):
        return QueryKind.ORDER_CODE
    return QueryKind.TEXT


def _at_counter(store_id: int, now: datetime):
    """Orders that put a member on the counter: waiting, or picked up today."""
    start, end = local_day_range(now)
    return and_(
        Order.store_id == store_id,
        or_(Order.status == OrderStatus.ARRIVED,
            and_(Order.status == OrderStatus.PICKED_UP, Order.picked_up_at >= start, Order.picked_up_at < end)),
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _condition(kind: QueryKind, text: str):
    compact = re.sub(r"\s+", "", text)
    esc = _like_escape(compact)
    if kind == QueryKind.PHONE_TAIL:
        return Member.phone.like(f"%{esc}", escape="\\")
    if kind == QueryKind.PICKUP_CODE:
        return Member.pickup_code == compact
    if kind == QueryKind.PHONE:
        return Member.phone.like(f"%{esc}%", escape="\\")
    if kind == QueryKind.ORDER_CODE:
        return Order.code.like(f"{_like_escape(compact.upper())}%", escape="\\")
    if kind == QueryKind.ADDRESS:
        m = _ADDRESS.match(compact)
        if m is None:  # just a room number
            return Member.room.like(f"%{esc}%", escape="\\")
        building, unit, room = m.groups()
        cond = and_(Building.name.like(f"{building}%", escape="\\"),
                    func.replace(Member.room, "室", "").like(f"%{room}", escape="\\"))
        if unit:
            cond = and_(cond, Member.room.like(f"%{unit}单元%", escape="\\"))
        return cond
    # Names, or free text such as "3栋": name, building or room contains it.
    return or_(Member.name.like(f"%{esc}%", escape="\\"), Building.name.like(f"%{esc}%", escape="\\"),
               Member.room.like(f"%{esc}%", escape="\\"))


def _find(store_id: int, now: datetime, kind: QueryKind, text: str) -> Select:
    """The matching members' ids, longest-waiting first, one more than shown."""
    since = func.min(func.coalesce(Order.arrived_at, Order.placed_at))
    stmt = (
        select(Order.member_id)
        .join(Member, Member.id == Order.member_id)
        # Member.store_id too: it lets PostgreSQL start from the store's members (the
        # (store_id, phone) unique index) instead of scanning every member for a LIKE.
        .where(_at_counter(store_id, now), Member.store_id == store_id, _condition(kind, text))
        .group_by(Order.member_id)
        .order_by(since, Order.member_id)
        .limit(MAX_RESULTS + 1)
    )
    if kind in (QueryKind.ADDRESS, QueryKind.TEXT):
        stmt = stmt.outerjoin(Building, Building.id == Member.building_id)
    return stmt


def search(session: Session, store_id: int, raw: str, now: datetime) -> SearchResult:
    """Members at the counter matching ``raw``; a six-digit code that is nobody's 提货码
    falls back to phone digits and order codes (people type what they see)."""
    text = normalise(raw)
    kind = classify(text)
    if kind == QueryKind.EMPTY:
        return SearchResult(text, kind, [], False)
    cards = member_cards(session, store_id, _find(store_id, now, kind, text), now)
    if not cards and kind == QueryKind.PICKUP_CODE:
        kind = QueryKind.PHONE  # six digits that are nobody's code: the end of a phone number?
        cards = member_cards(session, store_id, _find(store_id, now, kind, text), now)
    if not cards and kind == QueryKind.PHONE_TAIL:
        kind = QueryKind.ADDRESS  # "1502" can be a room
        cards = member_cards(session, store_id, _find(store_id, now, kind, text), now)
    return SearchResult(text, kind, cards[:MAX_RESULTS], len(cards) > MAX_RESULTS)
